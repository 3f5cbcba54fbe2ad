/* Per-token request rate limit: a token bucket per API token, in the
 * server process's memory. With several server processes each keeps its
 * own buckets, so the limit a token meets is per process (documented in
 * operations.md); it protects the process and the database pool from one
 * runaway client, it is not an accounting quota. */
#ifndef RITMO_HTTP_RATELIMIT_H
#define RITMO_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_limiter;

/* per_s requests a second on average, bursts of up to burst. */
struct rate_limiter *rate_limiter_new(double per_s, double burst);
void rate_limiter_free(struct rate_limiter *l);
/* Takes one request for key at time now (seconds, monotonic). False when
 * the bucket is empty; *retry_after_s then says when one is back. */
bool rate_limiter_take(struct rate_limiter *l, int64_t key, double now, int *retry_after_s);

#endif
