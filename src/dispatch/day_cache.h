/* Service days kept in memory between live insertions. A day is stored with
 * the version of plan_days it was read or written at (sql/013_plan_days.sql)
 * and handed out only while the database still has that version, so a
 * change by any process, through any path, makes the next insertion load
 * the day afresh. Thread-safe; one per server process. */
#ifndef RITMO_DISPATCH_DAY_CACHE_H
#define RITMO_DISPATCH_DAY_CACHE_H

#include "dispatch/day.h"

#include <stdbool.h>
#include <stdint.h>

struct day_cache;

/* Holds at most max_days days (the least recently stored go first). */
struct day_cache *day_cache_create(int max_days);
void day_cache_free(struct day_cache *dc);

#define DAY_CACHE_ANY (-1)

/* Copies the day of date into *out (caller clears it with day_clear) when
 * it was stored at version, or at any version with DAY_CACHE_ANY, and sets
 * *version_out (may be NULL) to that version. A day stored at another
 * version is dropped. False when there is none to copy. dc may be NULL (no
 * caching). The day stays stored: copies are what let work on a day begin
 * before its lock is held. */
bool day_cache_copy(struct day_cache *dc, const char *date, int64_t version, struct day *out,
                    int64_t *version_out) __attribute__((warn_unused_result));

/* Stores *d (its runs and rides; the model is freed) as the day of d->date
 * at version, replacing what was there, and empties *d. With dc NULL the
 * day is just cleared. */
void day_cache_put(struct day_cache *dc, int64_t version, struct day *d);

/* Days held, for metrics and tests. */
int day_cache_size(struct day_cache *dc);

#endif
