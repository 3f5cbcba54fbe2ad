/* The arrival notice sweep. */
#include "dispatch/arrival.h"

#include "common/log.h"
#include "inventory/workcal.h"
#include "outbox/outbox.h"

#include <stdio.h>

/* Pickups not yet served of rides still waiting, due within the lead time
 * (and not more than half an hour overdue: a run that stopped reporting
 * should not wake people late). The notice row is the claim: of two
 * servers sweeping at once, one inserts it and announces, the other's
 * insert finds the row and does nothing. */
#define BATCH   200 /* notices per round; a full one means more may be due */
#define STR(x)  #x
#define XSTR(x) STR(x)

static struct db_stmt st_due = {
    "arrival_due",
    "INSERT INTO arrival_notices (booking_id, eta) SELECT s.booking_id, s.planned_at FROM stops "
    "s JOIN bookings b ON b.id = s.booking_id WHERE s.kind = 'pickup' AND s.actual_at IS NULL "
    "AND b.status = 'scheduled' AND s.planned_at <= now() + make_interval(mins => $1::int) AND "
    "s.planned_at >= now() - interval '30 minutes' AND NOT EXISTS (SELECT 1 FROM "
    "arrival_notices n WHERE n.booking_id = s.booking_id) ORDER BY s.planned_at LIMIT " XSTR(
        BATCH) " "
               "ON CONFLICT (booking_id) DO NOTHING RETURNING booking_id, extract(epoch FROM "
               "eta)::bigint, "
               "(SELECT client_id FROM bookings WHERE id = booking_id)",
    1, 0};

enum db_status
arrival_sweep(struct db_conn *c, const struct app *app, int *sent)
{
    char lead[24];
    snprintf(lead, sizeof lead, "%lld", (long long)app->cfg->arrival_notice_min);
    const char *params[] = {lead};
    enum db_status s;
    *sent = 0;
    PGresult *r = db_exec(c, &st_due, params, &s);
    if (!r)
        return s;
    for (int i = 0; i < PQntuples(r) && s == DB_OK; i++) {
        char eta[WORKCAL_RFC3339_BUFSZ];
        json_t *p = json_pack("{s:I, s:I, s:s}", "booking_id", (json_int_t)db_i64(r, i, 0),
                              "client_id", (json_int_t)db_i64(r, i, 2), "eta",
                              workcal_format_rfc3339(app->tz, db_i64(r, i, 1), eta));
        s = p ? outbox_add(c, "ride.vehicle_near", app->cfg->notify_url, p) : DB_ERROR;
        json_decref(p);
        *sent += s == DB_OK;
    }
    PQclear(r);
    return s;
}

struct sweep {
    struct app *app;
    int sent;
};

static enum db_status
sweep_tx(struct db_conn *c, void *arg)
{
    struct sweep *x = arg;
    return arrival_sweep(c, x->app, &x->sent);
}

static bool
sweep_round(void *arg)
{
    struct sweep x = {arg, 0};
    if (db_tx_run(x.app->pool, "arrival_sweep", sweep_tx, &x) != DB_OK) {
        log_warn("the arrival notice sweep could not run; it tries again");
        return false;
    }
    return x.sent == BATCH;
}

struct ticker *
arrival_sweep_start(struct app *app)
{
    if (!app->cfg->notify_url[0] || !app->cfg->arrival_notice_min)
        return NULL;
    return ticker_start("arrival sweep", app->cfg->arrival_sweep_ms, sweep_round, app);
}
