/* A background job in its own thread: calls a function every interval
 * (again at once while it reports more work) until stopped. The outbox
 * sender and the SLA sweep run on it. */
#ifndef RITMO_CORE_TICKER_H
#define RITMO_CORE_TICKER_H

#include <stdbool.h>
#include <stdint.h>

/* One round of work; true when there may be more right away. */
typedef bool (*ticker_fn)(void *ctx);

struct ticker;

/* Starts the thread; NULL when it cannot be created (logged). */
struct ticker *ticker_start(const char *name, int64_t interval_ms, ticker_fn fn, void *ctx);
/* Stops it after the round in progress, and frees it; NULL does nothing. */
void ticker_stop(struct ticker *t);

#endif
