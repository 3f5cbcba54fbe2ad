/* ritmo migrate: applies the schema migrations. */
#include "cli/cli.h"
#include "common/log.h"
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_migrate(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: ritmo migrate\n"
                        "Applies sql/ migrations to RITMO_DATABASE_URL; running it again does "
                        "nothing.\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    struct config cfg;
    if (!cli_load_config(&cfg, NULL))
        return 1;
    int applied = 0;
    char *err = NULL;
    int rc = 0;
    if (!migrate_run(cfg.database_url, &applied, &err)) {
        fprintf(stderr, "ritmo: %s\n", err);
        free(err);
        rc = 1;
    } else if (applied == 0) {
        fprintf(stderr, "ritmo: database schema is up to date (version %d)\n",
                migrate_latest_version());
    } else {
        fprintf(stderr, "ritmo: applied %d migration(s); schema is at version %d\n", applied,
                migrate_latest_version());
    }
    config_clear(&cfg);
    return rc;
}
