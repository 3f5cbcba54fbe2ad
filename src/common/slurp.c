#include "common/slurp.h"

#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum slurp_status
slurp_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return SLURP_OPEN;
    size_t cap = 4096, n = 0, got;
    char *buf = xmalloc(cap);
    enum slurp_status s = SLURP_OK;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n > max) {
            s = SLURP_TOO_LARGE;
            break;
        }
        if (n + 1 == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    if (s == SLURP_OK && ferror(f))
        s = SLURP_READ;
    int saved = errno;
    fclose(f);
    if (s != SLURP_OK) {
        free(buf);
        errno = saved;
        return s;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SLURP_OK;
}
