/* SHA-256 digests for token hashes and idempotency keys. */
#include "core/digest.h"

#include <nettle/sha2.h>
#include <stdint.h>

void
digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}
