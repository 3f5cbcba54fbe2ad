/* The request deadline: a request must arrive whole (TLS handshake,
 * headers and body) within RITMO_CONNECTION_TIMEOUT_S of its connection
 * opening, or of the previous answer on a kept-alive connection; a slower
 * connection is cut off. libmicrohttpd's own connection timeout counts
 * only idle time, so a client sending a byte now and then (slowloris)
 * would otherwise hold a connection for ever, and enough of them would
 * fill the server's connection limit. */
#ifndef RITMO_HTTP_CONN_DEADLINE_H
#define RITMO_HTTP_CONN_DEADLINE_H

#include <stdbool.h>

struct metrics;
struct conn_deadline;

/* Starts the thread that cuts late connections (each cut is counted in
 * metrics, which is borrowed for the object's life). Caller frees with
 * conn_deadline_free, after the HTTP daemon has stopped. */
struct conn_deadline *conn_deadline_create(int deadline_s, struct metrics *metrics);
void conn_deadline_free(struct conn_deadline *d);

/* A connection with socket fd opened: its deadline starts. *socket_context
 * (libmicrohttpd's per-connection pointer) is set to the deadline's entry,
 * which conn_deadline_closed frees; call that before the socket is closed
 * (libmicrohttpd notifies before it closes). */
void conn_deadline_opened(struct conn_deadline *d, int fd, void **socket_context);
void conn_deadline_closed(struct conn_deadline *d, void **socket_context);

/* The request on the connection has arrived whole: its deadline stops.
 * False when the connection was already cut off: do not process it. */
bool conn_deadline_arrived(struct conn_deadline *d, void *socket_context)
    __attribute__((warn_unused_result));
/* The request was answered: the next one on the connection has the full
 * deadline again. */
void conn_deadline_rearm(struct conn_deadline *d, void *socket_context);

#endif
