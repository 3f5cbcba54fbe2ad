/* Configuration and database set-up shared by the subcommands. */
#include "cli/cli.h"

#include "common/log.h"
#include "db/db.h"
#include "dispatch/day_cache.h"
#include "inventory/workcal.h"
#include "routing/distance.h"

#include <stdio.h>
#include <stdlib.h>

static const char *
env_lookup(const char *name)
{
    return getenv(name);
}

bool
cli_load_config(struct config *cfg, const char *file)
{
    char *err = NULL;
    if (!file)
        file = getenv("RITMO_CONFIG");
    if (!config_load(cfg, file, env_lookup, &err)) {
        fprintf(stderr, "ritmo: %s\n", err);
        free(err);
        return false;
    }
    enum log_level level;
    if (log_level_parse(cfg->log_level, &level))
        log_set_level(level);
    return true;
}

struct db_pool *
cli_pool_create(const struct config *cfg)
{
    struct db_pool_options opt = {
        .conninfo = cfg->database_url,
        .size = 1,
        .acquire_timeout_ms = (int)cfg->db_timeout_ms,
        .statement_timeout_ms = (int)cfg->statement_timeout_ms,
        .application_name = "ritmo-cli",
    };
    return db_pool_create(&opt);
}

/* The time zone, the distance provider and the day cache. */
bool
cli_app_create(struct app *app)
{
    struct workcal_config wc;
    workcal_config_init(&wc);
    wc.time_zone = app->cfg->timezone;
    enum workcal_status ws = workcal_create(&wc, &app->tz);
    if (ws != WORKCAL_OK) {
        log_error("cannot load time zone \"%s\": %s", app->cfg->timezone, workcal_status_name(ws));
        return false;
    }
    struct dist_options opt;
    dist_options_init(&opt);
    opt.detour_factor = app->cfg->detour_factor;
    opt.snap_limit_m = (double)app->cfg->snap_limit_m;
    opt.osrm_timeout_ms = (long)app->cfg->osrm_timeout_ms;
    if (dist_provider_create(app->cfg->routing, &opt, &app->dist) != DIST_OK) {
        log_error("cannot use the distance provider \"%s\" (RITMO_ROUTING)", app->cfg->routing);
        return false;
    }
    ride_policy_from_config(app->cfg, &app->policy);
    app->days = day_cache_create(8); /* today and the days booked ahead */
    return true;
}

void
cli_app_free(struct app *app)
{
    day_cache_free(app->days);
    dist_provider_free(app->dist);
    workcal_free(app->tz);
}
