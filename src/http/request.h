/* One HTTP request as handlers see it. Allocated on libmicrohttpd's first
 * callback for the request, freed in its completion callback. */
#ifndef RITMO_HTTP_REQUEST_H
#define RITMO_HTTP_REQUEST_H

#include "auth/token.h"
#include "http/router.h"

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

struct app;
struct MHD_Connection;
struct MHD_Response;
struct http_server;

#define REQUEST_ID_MAX 64

struct req {
    struct app *app;
    /* The client whose data the handler read or changed through a route
     * that does not name the client (a booking, a series, a loan): it goes
     * into the access trail in the handler's transaction. 0: none. */
    int64_t subject_client;
    struct MHD_Connection *conn;
    const char *method; /* borrowed from libmicrohttpd for the request's life */
    const char *path;
    size_t route_index; /* valid when route != NULL */
    const struct route *route;
    struct route_params params;
    char request_id[REQUEST_ID_MAX + 1];
    char *body; /* owned; NUL-terminated */
    size_t body_len;
    bool body_too_large;
    json_t *json; /* owned; the parsed body of POST/PATCH/PUT */
    struct principal who;
    unsigned status;               /* 0 until a response was built */
    struct MHD_Response *response; /* built, not yet queued (owned) */
    struct http_server *server;    /* the server running the request */
    char allow[128];               /* Allow header of a 405 */
    int retry_after_s;             /* Retry-After header of a 429, 0 = none */
    struct timespec started;
};

#endif
