/* What every request handler can reach: settings, the database pool and
 * the metrics. One per server process; nothing here is state that another
 * process would need (ARCHITECTURE.md, "Scale"). */
#ifndef RITMO_CORE_APP_H
#define RITMO_CORE_APP_H

#include "core/config.h"

#include <time.h>

struct db_pool;
struct metrics;

struct app {
    const struct config *cfg;
    struct db_pool *pool;
    struct metrics *metrics;
    time_t started;
};

#endif
