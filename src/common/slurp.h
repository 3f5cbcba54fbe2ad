/* Reading a whole (small) file into memory, for the parsers and loaders
 * that want the text at once. */
#ifndef RITMO_COMMON_SLURP_H
#define RITMO_COMMON_SLURP_H

#include <stddef.h>

enum slurp_status {
    SLURP_OK,
    SLURP_OPEN,      /* fopen failed; errno says why */
    SLURP_READ,      /* a read failed; errno says why */
    SLURP_TOO_LARGE, /* longer than max bytes */
};

/* *out (caller frees) holds the file's bytes and a terminating NUL; *len
 * the number of bytes. On failure *out is NULL. */
enum slurp_status slurp_file(const char *path, size_t max, char **out, size_t *len);

#endif
