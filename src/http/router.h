/* The static route table and path matching: "/v1/tokens/{id}" patterns with
 * up to ROUTE_MAX_PARAMS captured segments. Pure code, unit-tested. */
#ifndef RITMO_HTTP_ROUTER_H
#define RITMO_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

struct req;
typedef void (*http_handler_fn)(struct req *r);

struct route {
    const char *method;
    const char *pattern;
    http_handler_fn handler;
    unsigned roles; /* enum role mask allowed; 0 = public (no token needed) */
};

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX  128

struct route_params {
    int n;
    char value[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
};

enum route_match {
    ROUTE_FOUND,
    ROUTE_NOT_FOUND,          /* no pattern matches the path */
    ROUTE_METHOD_NOT_ALLOWED, /* a pattern matches, with other methods */
};

/* The program's table (routes.c), terminated by an entry with NULL method. */
extern const struct route routes[];
size_t routes_count(void);

/* Matches method and path against table[0..n). On ROUTE_FOUND sets *index
 * and fills params (borrowed from the path, copied). On
 * ROUTE_METHOD_NOT_ALLOWED writes the allowed methods, comma-separated, to
 * allow. */
enum route_match router_match(const struct route *table, size_t n, const char *method,
                              const char *path, size_t *index, struct route_params *params,
                              char *allow, size_t allow_size);

#endif
