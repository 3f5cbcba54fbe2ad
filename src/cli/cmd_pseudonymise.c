/* ritmo pseudonymise: the retention duty of the AVG/GDPR, run from cron
 * (daily is fine: it is idempotent and does nothing when nobody is due). */
#include "cli/cli.h"
#include "db/db.h"
#include "transport/pseudonymise.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: ritmo pseudonymise [--dry-run]\n"
    "Removes name, pass number, contact details, addresses and free text of the\n"
    "clients whose every indication ended more than RITMO_RETENTION_DAYS ago and\n"
    "who hold no aid and have no ride to come; the numbers stay, so reports still\n"
    "add up. --dry-run only counts them. Running it again does nothing more.\n";

struct run_ctx {
    int days;
    bool dry_run;
    int64_t count;
};

static enum db_status
run_tx(struct db_conn *c, void *ctx)
{
    struct run_ctx *x = ctx;
    return pseudonymise_clients(c, x->days, x->dry_run, &x->count);
}

int
cmd_pseudonymise(int argc, char **argv)
{
    bool dry_run = argc == 2 && !strcmp(argv[1], "--dry-run");
    if (argc > 2 || (argc == 2 && !dry_run)) {
        fprintf(stderr, "%s", usage);
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    struct config cfg;
    if (!cli_load_config(&cfg, NULL))
        return 1;
    struct db_pool *pool = cli_pool_create(&cfg);
    struct run_ctx x = {(int)cfg.retention_days, dry_run, 0};
    enum db_status s = db_tx_run(pool, "pseudonymise", run_tx, &x);
    int rc = 0;
    if (s != DB_OK) {
        fprintf(stderr, "ritmo: pseudonymisation failed (database status %d); nothing changed\n",
                (int)s);
        rc = 1;
    } else {
        printf("%lld\n", (long long)x.count);
        fprintf(stderr, "ritmo: %s %lld client(s) (retention %lld days)\n",
                dry_run ? "would pseudonymise" : "pseudonymised", (long long)x.count,
                (long long)cfg.retention_days);
    }
    db_pool_free(pool);
    config_clear(&cfg);
    return rc;
}
