/* SHA-256 as lower-case hex (nettle). */
#ifndef RITMO_CORE_DIGEST_H
#define RITMO_CORE_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_SIZE 65

void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_SIZE]);

#endif
