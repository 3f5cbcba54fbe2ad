/* Prometheus metrics of one server process: requests by route and status,
 * a latency histogram per route, database pool usage and transaction
 * retries. Lock-free counters. */
#ifndef RITMO_HTTP_METRICS_H
#define RITMO_HTTP_METRICS_H

#include <stddef.h>

struct metrics;
struct db_pool;

/* nroutes: size of the route table; one more slot counts unmatched paths.
 * Caller frees with metrics_free(). */
struct metrics *metrics_create(size_t nroutes);
void metrics_free(struct metrics *m);

/* route: index in the table, or nroutes for an unmatched path. */
void metrics_observe(struct metrics *m, size_t route, unsigned status, double seconds);
/* Counts a connection cut off by the request deadline. */
void metrics_connection_cut(struct metrics *m);
/* Adds a duration of a named background job (e.g. planning). */
void metrics_observe_job(struct metrics *m, const char *job, double seconds);

/* The exposition text; caller frees. pool may be NULL. */
char *metrics_render(struct metrics *m, const struct db_pool *pool);

#endif
