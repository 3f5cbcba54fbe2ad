/* What every request handler can reach: settings, the database pool and
 * the metrics. One per server process; nothing here is state that another
 * process would need (ARCHITECTURE.md, "Scale"). */
#ifndef RITMO_CORE_APP_H
#define RITMO_CORE_APP_H

#include "core/config.h"

#include <time.h>

#include "transport/ride_rules.h"

struct db_pool;
struct metrics;
struct dist_provider;
struct workcal;
struct day_cache;

struct app {
    const struct config *cfg;
    struct db_pool *pool;
    struct metrics *metrics;
    struct dist_provider *dist; /* the configured distance provider */
    struct workcal *tz;         /* the service time zone (local dates and years) */
    struct ride_policy policy;  /* booking rules from the configuration */
    struct day_cache *days;     /* service days kept between live insertions, or NULL */
    time_t started;
};

#endif
