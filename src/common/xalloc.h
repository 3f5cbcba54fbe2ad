/* Allocation that never returns NULL: out of memory aborts the process, as in
 * PostgreSQL and redis, so callers have no half-handled NULL paths. */
#ifndef RITMO_XALLOC_H
#define RITMO_XALLOC_H

#include <stddef.h>

/* All return caller-owned memory, released with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray: like xrealloc for nmemb * size, aborting on overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf: formatted string, caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
