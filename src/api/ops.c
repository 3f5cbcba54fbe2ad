/* Health, readiness and metrics for load balancers and Prometheus. */
#include "api/ops.h"

#include "core/app.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/reply.h"

#include <stdlib.h>
#include <string.h>

void
ops_healthz(struct req *r)
{
    http_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "version", RITMO_VERSION));
}

static struct db_stmt st_ping = {"ops_ping", "SELECT 1", 0, 0};

static enum db_status
ping_tx(struct db_conn *c, void *ctx)
{
    (void)ctx;
    return db_exec_cmd(c, &st_ping, NULL, NULL);
}

void
ops_readyz(struct req *r)
{
    enum db_status s = db_tx_run(r->app->pool, "readyz", ping_tx, NULL);
    if (s == DB_OK)
        http_reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
    else
        http_reply_json(r, 503,
                        json_pack("{s:{s:s, s:s}}", "error", "code", "unavailable", "message",
                                  "the database cannot be reached"));
}

void
ops_metrics(struct req *r)
{
    char *text = metrics_render(r->app->metrics, r->app->pool);
    http_reply_text(r, 200, "text/plain; version=0.0.4", text, strlen(text));
    free(text);
}
