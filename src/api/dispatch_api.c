/* HTTP glue of dispatch. */
#include "api/dispatch_api.h"

#include "api/address.h"
#include "common/numparse.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "core/ical_feed.h"
#include "core/timefmt.h"
#include "dispatch/dispatch.h"
#include "dispatch/fleet_store.h"
#include "dispatch/manifest_store.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/metrics.h"
#include "http/validate.h"
#include "transport/booking_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
time_json(const struct app *app, int64_t t)
{
    char buf[WORKCAL_RFC3339_BUFSZ];
    return json_string(workcal_format_rfc3339(app->tz, t, buf));
}

static json_t *
vehicle_json(const struct vehicle *v)
{
    return json_pack("{s:o, s:s, s:i, s:i, s:i, s:o}", "id", http_id_json(v->id), "name", v->name,
                     "seats", v->seats, "wheelchair_places", v->wheelchair_places,
                     "scootmobiel_places", v->scootmobiel_places, "depot",
                     address_json(v->depot_address, v->depot_lat, v->depot_lon));
}

static json_t *
run_json(const struct app *app, const struct run *run)
{
    return json_pack("{s:o, s:o, s:s, s:o, s:o, s:s, s:o}", "id", http_id_json(run->id),
                     "vehicle_id", http_id_json(run->vehicle_id), "date", run->service_date,
                     "start", time_json(app, run->start_at), "end", time_json(app, run->end_at),
                     "status", run->status, "cancel_reason",
                     run->cancel_reason[0] ? json_string(run->cancel_reason) : json_null());
}

static enum db_status
vehicle_create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct vehicle out;
    enum db_status s = fleet_vehicle_insert(c, ctx, &out);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "name", "a vehicle with this name exists");
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = vehicle_json(&out);
    return DB_OK;
}

void
vehicles_api_create(struct req *r)
{
    struct vehicle v = {0};
    const char *name = NULL;
    int64_t seats = 0, wc = 0, sc = 0;
    json_t *depot = NULL;
    const struct field f[] = {
        {"name", FIELD_STRING, true, &name, 0, 0, 100, NULL, NULL},
        {"seats", FIELD_INT, true, &seats, 0, 60, 0, NULL, NULL},
        {"wheelchair_places", FIELD_INT, true, &wc, 0, 20, 0, NULL, NULL},
        {"scootmobiel_places", FIELD_INT, true, &sc, 0, 20, 0, NULL, NULL},
        {"depot", FIELD_OBJECT, true, &depot, 0, 0, 0, NULL, NULL},
    };
    struct address a;
    struct field_error err;
    if (!http_fields_or_reply(r, f, 5))
        return;
    if (!address_check(depot, "depot.", &a, &err)) {
        http_reply_error(r, 400, err.code, err.field, "%s", err.message);
        return;
    }
    if (seats + wc + sc == 0) {
        http_reply_error(r, 400, "invalid_field", "seats", "a vehicle needs at least one place");
        return;
    }
    snprintf(v.name, sizeof v.name, "%s", name);
    snprintf(v.depot_address, sizeof v.depot_address, "%s", a.text);
    v.seats = (int)seats;
    v.wheelchair_places = (int)wc;
    v.scootmobiel_places = (int)sc;
    v.depot_lat = a.at.lat;
    v.depot_lon = a.at.lon;
    http_tx_reply(r, "vehicle_create", TX_CREATE, vehicle_create_tx, &v);
}

static enum db_status
vehicle_get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct vehicle v;
    enum db_status s = fleet_vehicle_get(c, *(int64_t *)ctx, &v);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such vehicle");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = vehicle_json(&v);
    return DB_OK;
}

void
vehicles_api_get(struct req *r)
{
    int64_t id;
    if (!http_path_id_or_reply(r, 0, &id))
        return;
    if (r->who.role == ROLE_DRIVER && r->who.vehicle_id != id) {
        http_reply_error(r, 403, "forbidden", NULL, "drivers see their own vehicle");
        return;
    }
    http_tx_reply(r, "vehicle_get", TX_PLAIN, vehicle_get_tx, &id);
}

/* A shift time: "HH:MM" local on the run's date (up to "30:00" for a shift
 * past midnight) or an RFC 3339 time. */
static bool
shift_time(const struct app *app, struct civil_date date, const char *text, int64_t *out)
{
    int64_t h, m;
    char hh[4];
    if (strlen(text) == 5 && text[2] == ':') {
        snprintf(hh, sizeof hh, "%.2s", text);
        if (!parse_int64(hh, 0, 30, &h) || !parse_int64(text + 3, 0, 59, &m))
            return false;
        *out = workcal_from_local(app->tz, civil_date_to_days(date), (int)(h * 3600 + m * 60));
        return true;
    }
    return timefmt_parse(text, out);
}

static enum db_status
run_create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct run out;
    enum db_status s = fleet_run_insert(c, ctx, &out);
    if (s == DB_NO_REFERENT)
        return tx_reject(ans, 400, "invalid_field", "vehicle_id", "no such vehicle");
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "start",
                         "the vehicle already has a run in this period");
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = run_json(r->app, &out);
    return DB_OK;
}

void
runs_api_create(struct req *r)
{
    struct run run = {0};
    const char *date = NULL, *start = NULL, *end = NULL;
    const struct field f[] = {
        {"vehicle_id", FIELD_ID, true, &run.vehicle_id, 0, 0, 0, NULL, NULL},
        {"date", FIELD_STRING, true, &date, 0, 0, 10, NULL, NULL},
        {"start", FIELD_STRING, true, &start, 0, 0, 40, NULL, NULL},
        {"end", FIELD_STRING, true, &end, 0, 0, 40, NULL, NULL},
    };
    struct civil_date d;
    if (!http_fields_or_reply(r, f, 4))
        return;
    if (!civil_date_parse(date, &d)) {
        http_reply_error(r, 400, "invalid_field", "date", "date must be YYYY-MM-DD");
        return;
    }
    if (!shift_time(r->app, d, start, &run.start_at) || !shift_time(r->app, d, end, &run.end_at) ||
        run.end_at <= run.start_at || run.end_at - run.start_at > 24 * 3600) {
        http_reply_error(r, 400, "invalid_field", "end",
                         "start and end must be HH:MM or RFC 3339 times, end after start, "
                         "within 24 hours");
        return;
    }
    civil_date_format(d, run.service_date);
    http_tx_reply(r, "run_create", TX_CREATE, run_create_tx, &run);
}

/* Loads a run the caller may see: drivers only their vehicle's (403). */
static enum db_status
visible_run(struct db_conn *c, struct req *r, int64_t id, struct run *run, struct tx_answer *ans)
{
    enum db_status s = fleet_run_get(c, id, run);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such run");
    if (s == DB_OK && r->who.role == ROLE_DRIVER && r->who.vehicle_id != run->vehicle_id)
        return tx_reject(ans, 403, "forbidden", NULL, "this run is another vehicle's");
    return s;
}

static enum db_status
run_get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct run run;
    enum db_status s = visible_run(c, r, *(int64_t *)ctx, &run, ans);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = run_json(r->app, &run);
    return DB_OK;
}

void
runs_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "run_get", TX_PLAIN, run_get_tx, &id);
}

static json_t *
stop_json(const struct app *app, const struct manifest_stop *m)
{
    return json_pack("{s:i, s:o, s:s, s:o, s:o, s:{s:s, s:o, s:o}, s:i, s:s, s:s, s:b}", "seq",
                     m->seq, "booking_id", http_id_json(m->booking_id), "kind", m->kind, "address",
                     address_json(m->address, m->lat, m->lon), "planned_at",
                     time_json(app, m->planned_at), "window", "kind", m->window_kind, "earliest",
                     time_json(app, m->window_earliest), "latest", time_json(app, m->window_latest),
                     "passengers", m->passengers, "aid", m->aid, "status", m->status, "locked",
                     m->locked);
}

/* A run with its stops, as on a manifest and on the board. */
static enum db_status
manifest_json(struct db_conn *c, const struct app *app, const struct run *run, json_t **out)
{
    struct manifest_stop *stops;
    int n;
    enum db_status s = manifest_load(c, run->id, &stops, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, stop_json(app, &stops[i]));
    free(stops);
    *out = run_json(app, run);
    json_object_set_new(*out, "stops", arr);
    return DB_OK;
}

static enum db_status
manifest_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct run run;
    enum db_status s = visible_run(c, r, *(int64_t *)ctx, &run, ans);
    if (s == DB_OK && (s = manifest_json(c, r->app, &run, &ans->body)) == DB_OK)
        ans->status = 200;
    return s;
}

void
runs_api_manifest(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "run_manifest", TX_PLAIN, manifest_tx, &id);
}

struct ics_ctx {
    int64_t run_id;
    char *text;
};

/* The run's stops as calendar events for the driver's tablet. */
static char *
manifest_ics_dup(const struct app *app, const struct run *run, const struct manifest_stop *stops,
                 int n)
{
    struct ical_feed f;
    char name[64];
    snprintf(name, sizeof name, "Rit %s", run->service_date);
    ical_feed_begin(&f, "-//ritmo//manifest//NL", name, app->cfg->timezone);
    for (int i = 0; i < n; i++) {
        const struct manifest_stop *m = &stops[i];
        char uid[80], summary[1300], description[160];
        bool pickup = !strcmp(m->kind, "pickup");
        snprintf(uid, sizeof uid, "stop-%lld-%s@ritmo", (long long)m->booking_id, m->kind);
        snprintf(summary, sizeof summary, "%d. %s: %s", m->seq, pickup ? "Ophalen" : "Afzetten",
                 m->address);
        snprintf(description, sizeof description, "Rit %lld, %d pers., %s.",
                 (long long)m->booking_id, m->passengers, m->aid);
        ical_feed_event(&f, uid, (int64_t)time(NULL), 0, m->planned_at, m->planned_at + 300,
                        summary, m->address, description,
                        !strcmp(m->status, "cancelled") ? ICAL_STATUS_CANCELLED
                                                        : ICAL_STATUS_CONFIRMED);
    }
    return ical_feed_finish(&f);
}

static enum db_status
manifest_ics_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct ics_ctx *x = ctx;
    struct run run;
    struct manifest_stop *stops;
    int n;
    enum db_status s = visible_run(c, r, x->run_id, &run, ans);
    if (s != DB_OK || (s = manifest_load(c, run.id, &stops, &n)) != DB_OK)
        return s;
    free(x->text);
    x->text = manifest_ics_dup(r->app, &run, stops, n);
    free(stops);
    ans->status = 200;
    ans->body = json_null();
    return DB_OK;
}

void
runs_api_manifest_ics(struct req *r)
{
    struct ics_ctx x = {0};
    if (!http_path_id_or_reply(r, 0, &x.run_id))
        return;
    http_tx_reply_text(r, "run_manifest_ics", manifest_ics_tx, &x, &x.text,
                       "text/calendar; charset=utf-8");
}

struct plan_ctx {
    char date[CIVIL_DATE_BUFSZ];
    double time_limit;
};

static enum db_status
plan_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct plan_ctx *x = ctx;
    struct plan_result res;
    char err[256] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum db_status s =
        dispatch_plan(c, r->app, x->date, x->time_limit, NULL, &res, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (s == DB_ERROR && err[0])
        return tx_reject(ans, 422, "infeasible", "date", "%s", err);
    if (s != DB_OK) {
        free(res.unassigned_ids);
        return s;
    }
    json_t *un = json_array();
    for (int i = 0; i < res.unassigned; i++)
        json_array_append_new(un, json_pack("{s:o, s:s}", "booking_id",
                                            http_id_json(res.unassigned_ids[i]), "reason",
                                            "no run can keep its window, ride time and places"));
    free(res.unassigned_ids);
    ans->status = 200;
    ans->body = json_pack(
        "{s:s, s:i, s:o, s:f, s:f, s:i, s:b, s:i}", "date", x->date, "planned", res.planned,
        "unassigned", un, "total_km", (double)(int64_t)(res.total_km * 10 + 0.5) / 10.0,
        "vehicle_hours", (double)(int64_t)(res.vehicle_hours * 100 + 0.5) / 100.0, "vehicles_used",
        res.vehicles_used, "full_replan", res.full, "duration_ms", (int)(secs * 1000));
    metrics_observe_job(r->app->metrics, "plan_day", secs);
    return DB_OK;
}

void
dispatch_api_plan(struct req *r)
{
    struct plan_ctx x = {"", (double)r->app->cfg->plan_time_limit_s};
    const char *date = NULL;
    const struct field f[] = {
        {"date", FIELD_STRING, true, &date, 0, 0, 10, NULL, NULL},
        {"time_limit_s", FIELD_NUMBER, false, &x.time_limit, 0.1, 600, 0, NULL, NULL},
    };
    struct civil_date d;
    if (!http_fields_or_reply(r, f, 2))
        return;
    if (!civil_date_parse(date, &d)) {
        http_reply_error(r, 400, "invalid_field", "date", "date must be YYYY-MM-DD");
        return;
    }
    civil_date_format(d, x.date);
    http_tx_reply(r, "dispatch_plan", TX_PLAIN, plan_tx, &x);
}

static bool
date_query_or_reply(struct req *r, char out[CIVIL_DATE_BUFSZ])
{
    const char *q = http_query(r, "date");
    struct civil_date d;
    if (!q || !civil_date_parse(q, &d)) {
        http_reply_error(r, 400, q ? "invalid_field" : "missing_field", "date",
                         "date must be YYYY-MM-DD");
        return false;
    }
    civil_date_format(d, out);
    return true;
}

static enum db_status
unassigned_json(struct db_conn *c, const char *date, json_t **out)
{
    int64_t *ids;
    int n;
    enum db_status s = manifest_unassigned(c, date, &ids, &n);
    if (s != DB_OK)
        return s;
    *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(*out, http_id_json(ids[i]));
    free(ids);
    return DB_OK;
}

static enum db_status
unassigned_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    json_t *arr;
    enum db_status s = unassigned_json(c, ctx, &arr);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = json_pack("{s:s, s:o}", "date", (const char *)ctx, "items", arr);
    return DB_OK;
}

void
dispatch_api_unassigned(struct req *r)
{
    char date[CIVIL_DATE_BUFSZ];
    if (date_query_or_reply(r, date))
        http_tx_reply(r, "dispatch_unassigned", TX_PLAIN, unassigned_tx, date);
}

static enum db_status
board_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    const char *date = ctx;
    int64_t *ids;
    int n;
    enum db_status s = manifest_day_runs(c, date, &ids, &n);
    if (s != DB_OK)
        return s;
    json_t *runs = json_array(), *un = NULL;
    for (int i = 0; i < n && s == DB_OK; i++) {
        struct run run;
        json_t *m = NULL;
        if ((s = fleet_run_get(c, ids[i], &run)) == DB_OK &&
            (s = manifest_json(c, r->app, &run, &m)) == DB_OK)
            json_array_append_new(runs, m);
    }
    free(ids);
    if (s == DB_OK)
        s = unassigned_json(c, date, &un);
    if (s != DB_OK) {
        json_decref(runs);
        return s;
    }
    ans->status = 200;
    ans->body = json_pack("{s:s, s:o, s:o}", "date", date, "runs", runs, "unassigned", un);
    return DB_OK;
}

void
dispatch_api_board(struct req *r)
{
    char date[CIVIL_DATE_BUFSZ];
    if (date_query_or_reply(r, date))
        http_tx_reply(r, "dispatch_board", TX_PLAIN, board_tx, date);
}

struct assign_ctx {
    int64_t booking_id, run_id;
    bool force;
};

static enum db_status
assign_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct assign_ctx *x = ctx;
    struct booking b;
    enum assign_outcome o;
    enum db_status s = booking_store_get(c, x->booking_id, false, &b);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such booking");
    if (s != DB_OK || (s = dispatch_assign(c, r->app, x->booking_id, b.service_date, x->run_id,
                                           x->force, &o)) != DB_OK)
        return s;
    switch (o) {
    case ASSIGN_CAPACITY:
        return tx_reject(ans, 422, "capacity", "run_id",
                         "the run's vehicle has no place of the kind this ride needs");
    case ASSIGN_INFEASIBLE:
        return tx_reject(ans, 422, "infeasible", "run_id",
                         "no place on this run keeps every promised window and ride time; "
                         "send force to assign anyway");
    case ASSIGN_NOT_OPEN:
        return tx_reject(ans, 409, "conflict", NULL, "a ride that is %s cannot be assigned",
                         b.status);
    case ASSIGN_NO_RUN:
        return tx_reject(ans, 404, "not_found", "run_id", "no active run %lld on %s",
                         (long long)x->run_id, b.service_date);
    case ASSIGN_DONE:
    case ASSIGN_FORCED:
        break;
    }
    ans->status = 200;
    ans->body =
        json_pack("{s:o, s:o, s:s, s:b}", "booking_id", http_id_json(x->booking_id), "run_id",
                  http_id_json(x->run_id), "status", "scheduled", "forced", o == ASSIGN_FORCED);
    return DB_OK;
}

void
dispatch_api_assign(struct req *r)
{
    struct assign_ctx x = {0};
    const struct field f[] = {
        {"run_id", FIELD_ID, true, &x.run_id, 0, 0, 0, NULL, NULL},
        {"force", FIELD_BOOL, false, &x.force, 0, 0, 0, NULL, NULL},
    };
    if (http_path_id_or_reply(r, 0, &x.booking_id) && http_fields_or_reply(r, f, 2))
        http_tx_reply(r, "booking_assign", TX_PLAIN, assign_tx, &x);
}

struct cancel_ctx {
    int64_t run_id;
    const char *reason;
};

static json_t *
ids_json(const int64_t *ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, http_id_json(ids[i]));
    return a;
}

static enum db_status
cancel_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct cancel_ctx *x = ctx;
    struct run run;
    struct cancel_result res;
    enum db_status s = fleet_run_get(c, x->run_id, &run);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such run");
    if (s != DB_OK)
        return s;
    s = dispatch_cancel_run(c, r->app, x->run_id, run.service_date, x->reason, &res);
    if (s == DB_OK) {
        ans->status = 200;
        ans->body = json_pack("{s:o, s:o, s:o}", "run_id", http_id_json(x->run_id), "placed",
                              ids_json(res.placed, res.n_placed), "not_placed",
                              ids_json(res.unplaced, res.n_unplaced));
    }
    free(res.placed);
    free(res.unplaced);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", NULL,
                         "the run is already cancelled or has passengers aboard");
    return s;
}

void
runs_api_cancel(struct req *r)
{
    struct cancel_ctx x = {0};
    const struct field f[] = {{"reason", FIELD_STRING, true, &x.reason, 0, 0, 500, NULL, NULL}};
    if (http_path_id_or_reply(r, 0, &x.run_id) && http_fields_or_reply(r, f, 1))
        http_tx_reply(r, "run_cancel", TX_PLAIN, cancel_tx, &x);
}

struct lock_ctx {
    int64_t run_id;
    int64_t seq;
    bool locked;
};

static enum db_status
lock_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct lock_ctx *x = ctx;
    bool found = false;
    struct run run;
    /* under the day's planning lock, so that a plan in progress cannot
     * write the run over with the stop unlocked */
    enum db_status s = fleet_run_get(c, x->run_id, &run);
    if (s == DB_OK && (s = fleet_lock_day(c, run.service_date)) == DB_OK)
        s = manifest_set_lock(c, x->run_id, (int)x->seq, x->locked, &found);
    if (s != DB_OK && s != DB_NOT_FOUND)
        return s;
    if (!found)
        return tx_reject(ans, 404, "not_found", NULL, "no such stop");
    ans->status = 200;
    ans->body = json_pack("{s:o, s:I, s:b}", "run_id", http_id_json(x->run_id), "seq",
                          (json_int_t)x->seq, "locked", x->locked);
    return DB_OK;
}

static void
set_lock(struct req *r, bool locked)
{
    struct lock_ctx x = {.locked = locked};
    if (!http_path_id_or_reply(r, 0, &x.run_id) || !http_path_id_or_reply(r, 1, &x.seq))
        return;
    http_tx_reply(r, locked ? "stop_lock" : "stop_unlock", TX_PLAIN, lock_tx, &x);
}

void
runs_api_lock(struct req *r)
{
    set_lock(r, true);
}

void
runs_api_unlock(struct req *r)
{
    set_lock(r, false);
}
