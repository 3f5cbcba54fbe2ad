/* ritmo plan: a day plan from the command line, as POST /v1/dispatch/plan,
 * with a progress bar (a dispatcher's script, or the night before). */
#include "cli/cli.h"
#include "common/numparse.h"
#include "core/app.h"
#include "db/db.h"
#include "dispatch/dispatch.h"
#include "inventory/workcal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: ritmo plan --date YYYY-MM-DD [--time-limit SECONDS]\n"
    "Plans every open ride of the day over its runs, as POST /v1/dispatch/plan:\n"
    "promised windows hold, stops already served or locked stay. Shows progress on\n"
    "standard error and prints the result as JSON on standard output. The time\n"
    "limit (0.1 to 600 s) defaults to RITMO_PLAN_TIME_LIMIT_S.\n";

struct bar {
    bool tty;
    char stage[16];
};

/* A bar redrawn in place on a terminal; one line per stage otherwise. */
static void
show(void *ctx, const char *stage, double fraction, double best_cost)
{
    struct bar *b = ctx;
    bool new_stage = strcmp(b->stage, stage) != 0;
    snprintf(b->stage, sizeof b->stage, "%s", stage);
    if (!b->tty) {
        if (new_stage)
            fprintf(stderr, "ritmo: %s\n", stage);
        return;
    }
    int filled = (int)(fraction * 30 + 0.5);
    fprintf(stderr, "\r[%.*s%*s] %3d%% %-12s", filled, "##############################",
            30 - filled, "", (int)(fraction * 100 + 0.5), stage);
    if (best_cost > 0)
        fprintf(stderr, " best cost %.1f", best_cost);
    fflush(stderr);
}

struct plan_ctx {
    const struct app *app;
    const char *date;
    double time_limit;
    struct plan_progress progress;
    struct plan_result res;
    char err[256];
};

static enum db_status
plan_tx(struct db_conn *c, void *arg)
{
    struct plan_ctx *x = arg;
    free(x->res.unassigned_ids);
    return dispatch_plan(c, x->app, x->date, x->time_limit, &x->progress, &x->res, x->err,
                         sizeof x->err);
}

static bool
parse(int argc, char **argv, const char **date, double *limit)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--date"))
            *date = argv[i + 1];
        else if (!strcmp(argv[i], "--time-limit")) {
            char *end;
            *limit = strtod(argv[i + 1], &end);
            if (*end || !(*limit >= 0.1 && *limit <= 600))
                return false;
        } else
            return false;
    }
    struct civil_date d;
    return argc % 2 == 1 && *date && civil_date_parse(*date, &d);
}

static void
print_result(const struct plan_ctx *x)
{
    json_t *un = json_array();
    for (int i = 0; i < x->res.unassigned; i++)
        json_array_append_new(un, json_integer(x->res.unassigned_ids[i]));
    json_t *out = json_pack("{s:s, s:i, s:o, s:f, s:f, s:i, s:b}", "date", x->date, "planned",
                            x->res.planned, "unassigned", un, "total_km", x->res.total_km,
                            "vehicle_hours", x->res.vehicle_hours, "vehicles_used",
                            x->res.vehicles_used, "full_replan", x->res.full);
    json_dumpf(out, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    fputc('\n', stdout);
    json_decref(out);
}

int
cmd_plan(int argc, char **argv)
{
    const char *date = NULL;
    double limit = 0;
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fprintf(stdout, "%s", usage);
        return 0;
    }
    if (!parse(argc, argv, &date, &limit)) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    struct config cfg;
    if (!cli_load_config(&cfg, NULL))
        return 1;
    struct app app = {.cfg = &cfg};
    int rc = 1;
    if (!cli_app_create(&app))
        goto out;
    app.pool = cli_pool_create(&cfg);
    struct bar bar = {isatty(STDERR_FILENO), ""};
    struct plan_ctx x = {.app = &app,
                         .date = date,
                         .time_limit = limit > 0 ? limit : (double)cfg.plan_time_limit_s,
                         .progress = {show, &bar}};
    enum db_status s = db_tx_run(app.pool, "plan", plan_tx, &x);
    if (bar.tty)
        fputc('\n', stderr);
    if (s == DB_OK) {
        print_result(&x);
        rc = 0;
    } else if (x.err[0]) {
        fprintf(stderr, "ritmo: %s cannot be planned: %s\n", date, x.err);
    } else {
        fprintf(stderr, "ritmo: planning %s failed (database status %d); nothing changed\n", date,
                (int)s);
    }
    free(x.res.unassigned_ids);
    db_pool_free(app.pool);
out:
    cli_app_free(&app);
    config_clear(&cfg);
    return rc;
}
