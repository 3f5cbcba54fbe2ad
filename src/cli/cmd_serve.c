/* ritmo serve: the HTTP server, until SIGTERM or SIGINT. */
#include "cli/cli.h"
#include "common/log.h"
#include "core/app.h"
#include "db/db.h"
#include "db/migrate.h"
#include "dispatch/arrival.h"
#include "dispatch/day_cache.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "inventory/workcal.h"
#include "outbox/outbox.h"
#include "core/ticker.h"
#include "tickets/tickets.h"
#include "routing/distance.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server refuses to run on a schema older than the binary's, which
 * would fail in confusing ways at the first request; a database that cannot
 * be reached yet is fine (readyz reports it until it is up). */
static bool
schema_ok(const struct config *cfg)
{
    int pending, foreign;
    char *err = NULL;
    if (!migrate_status(cfg->database_url, &pending, &foreign, &err)) {
        log_warn("%s; starting anyway, /readyz reports when the database is reachable", err);
        free(err);
        return true;
    }
    if (pending) {
        log_error("the database lacks %d of this ritmo's migrations: run \"ritmo migrate\"",
                  pending);
        return false;
    }
    if (foreign)
        log_warn("the database has %d migrations this ritmo does not know (a newer version "
                 "migrated it)",
                 foreign);
    return true;
}

static int
parse_args(int argc, char **argv, const char **config_file)
{
    *config_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fprintf(stdout, "usage: ritmo serve [--config FILE]\n\n");
            config_print_table(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            *config_file = argv[++i];
            continue;
        }
        fprintf(stderr, "ritmo: unknown argument \"%s\" (see ritmo serve --help)\n", argv[i]);
        return 2;
    }
    return -1;
}

int
cmd_serve(int argc, char **argv)
{
    const char *config_file;
    int rc = parse_args(argc, argv, &config_file);
    if (rc >= 0)
        return rc;
    struct config cfg;
    if (!cli_load_config(&cfg, config_file))
        return 1;
    rc = 1;
    struct db_pool *pool = NULL;
    struct metrics *metrics = NULL;
    struct http_server *server = NULL;
    struct outbox_sender *sender = NULL;
    struct ticker *sweep = NULL, *arrival = NULL;
    struct app app = {.cfg = &cfg, .started = time(NULL)};
    if (!schema_ok(&cfg) || !cli_app_create(&app))
        goto out;

    /* Block the stop signals in every thread (the server's threads inherit
     * this mask) and take them synchronously below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct db_pool_options opt = {
        .conninfo = cfg.database_url,
        .size = (int)cfg.db_pool_size,
        .acquire_timeout_ms = (int)cfg.db_timeout_ms,
        .statement_timeout_ms = (int)cfg.statement_timeout_ms,
        .application_name = "ritmo",
    };
    pool = db_pool_create(&opt);
    metrics = metrics_create(routes_count());
    app.pool = pool;
    app.metrics = metrics;
    char *err = NULL;
    server = http_server_start(&app, &err);
    if (!server) {
        log_error("%s", err);
        free(err);
        goto out;
    }
    sender = outbox_sender_start(&app);
    sweep = tickets_sweep_start(&app);
    arrival = arrival_sweep_start(&app);
    log_info("ritmo %s listening on %s://%s (%lld threads, %lld database connections)",
             RITMO_VERSION, *cfg.tls_cert ? "https" : "http", cfg.listen, (long long)cfg.threads,
             (long long)cfg.db_pool_size);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("received %s: stopping (up to %lld s for requests in flight)",
             sig == SIGINT ? "SIGINT" : "SIGTERM", (long long)cfg.shutdown_grace_s);
    http_server_stop(server, (int)cfg.shutdown_grace_s);
    outbox_sender_stop(sender);
    ticker_stop(sweep);
    ticker_stop(arrival);
    log_info("stopped");
    rc = 0;
out:
    cli_app_free(&app);
    db_pool_free(pool);
    metrics_free(metrics);
    config_clear(&cfg);
    return rc;
}
