/* Configuration and database set-up shared by the subcommands. */
#include "cli/cli.h"

#include "common/log.h"
#include "db/db.h"

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
