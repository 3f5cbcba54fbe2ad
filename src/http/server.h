/* The HTTP server: libmicrohttpd with a thread pool, the request lifecycle,
 * and the one dispatcher that answers 404/405/413/401/403/400 before any
 * handler runs. */
#ifndef RITMO_HTTP_SERVER_H
#define RITMO_HTTP_SERVER_H

struct app;
struct http_server;

/* Starts listening on app->cfg's address. NULL with *err (caller frees)
 * when the server cannot start (address in use, bad host). */
struct http_server *http_server_start(struct app *app, char **err);
/* Stops accepting, lets in-flight requests finish for up to grace_s
 * seconds, then closes every connection and frees the server. */
void http_server_stop(struct http_server *s, int grace_s);

#endif
