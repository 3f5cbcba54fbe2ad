/* HTTP glue of bookings and series. */
#include "api/bookings_api.h"

#include "api/access.h"
#include "common/numparse.h"
#include "common/xalloc.h"
#include "core/timefmt.h"
#include "dispatch/fleet_store.h"
#include "dispatch/manifest_store.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "transport/allowance.h"
#include "transport/booking.h"
#include "transport/rides_ics.h"

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
opt_id(int64_t id)
{
    return id ? http_id_json(id) : json_null();
}

/* The one representation of a booking (GET, and the 201 of POST). */
static json_t *
booking_json(const struct app *app, const struct booking *b, int64_t remaining_m)
{
    bool arrive = !strcmp(b->time_kind, "arrive_by");
    json_t *o = json_pack(
        "{s:o, s:o, s:s, s:o, s:o, s:o, s:{s:s, s:o, s:o}, s:o, s:f, s:s, s:i, s:s, s:s, s:o, "
        "s:o, s:o, s:o, s:{s:i, s:f}, s:s, s:o, s:o, s:o}",
        "id", http_id_json(b->id), "client_id", http_id_json(b->client_id), "status", b->status,
        "pickup", address_json(b->pickup_address, b->pickup_lat, b->pickup_lon), "dropoff",
        address_json(b->dropoff_address, b->dropoff_lat, b->dropoff_lon),
        arrive ? "arrive_by" : "pickup_at", time_json(app, b->requested_time), "window", "kind",
        arrive ? "arrival" : "pickup", "earliest", time_json(app, b->window_earliest), "latest",
        time_json(app, b->window_latest), "pickup_estimate", time_json(app, b->pickup_estimate),
        "distance_km", allowance_km(b->distance_m), "distance_provider", b->distance_provider,
        "companions", b->companions, "aid", b->aid, "channel", b->channel, "notes",
        b->notes[0] ? json_string(b->notes) : json_null(), "series_id", opt_id(b->series_id),
        "return_id", opt_id(b->return_id), "outward_id", opt_id(b->outward_id), "allowance", "year",
        b->allowance_year, "remaining_km", allowance_km(remaining_m), "booked_by_role",
        b->booked_by_role, "cancel_reason",
        b->cancel_reason[0] ? json_string(b->cancel_reason) : json_null(), "created_at",
        time_json(app, b->created_at), "updated_at", time_json(app, b->updated_at));
    if (!o)
        abort();
    /* Planned on a run: the planned pickup, which is also the current ETA
     * until drivers' actual times shift it. */
    json_object_set_new(o, "run_id", opt_id(b->run_id));
    json_object_set_new(o, "planned_pickup_at",
                        b->planned_pickup ? time_json(app, b->planned_pickup) : json_null());
    return o;
}

static const char *const aids[] = {"none", "wheelchair", "scootmobiel", "walker", NULL};
static const char *const channels[] = {"app", "phone", "web", NULL};

static bool
time_or_reply(struct req *r, const char *field, const char *text, int64_t *out)
{
    if (timefmt_parse(text, out))
        return true;
    http_reply_error(r, 400, "invalid_field", field,
                     "%s must be an RFC 3339 time with offset, e.g. 2026-11-24T09:30:00+01:00",
                     field);
    return false;
}

/* Reads and checks the body of a quote or booking. */
static bool
ride_input_or_reply(struct req *r, struct ride_input *in)
{
    json_t *pickup = NULL, *dropoff = NULL, *ret = NULL;
    const char *pickup_at = NULL, *arrive_by = NULL;
    memset(in, 0, sizeof *in);
    in->aid = "none";
    const struct field fields[] = {
        {"client_id", FIELD_ID, true, &in->client_id, 0, 0, 0, NULL, NULL},
        {"pickup", FIELD_OBJECT, true, &pickup, 0, 0, 0, NULL, NULL},
        {"dropoff", FIELD_OBJECT, true, &dropoff, 0, 0, 0, NULL, NULL},
        {"pickup_at", FIELD_STRING, false, &pickup_at, 0, 0, 40, NULL, NULL},
        {"arrive_by", FIELD_STRING, false, &arrive_by, 0, 0, 40, NULL, NULL},
        {"companions", FIELD_INT, false, &in->companions, 0, 8, 0, NULL, NULL},
        {"aid", FIELD_ENUM, false, &in->aid, 0, 0, 0, aids, NULL},
        {"channel", FIELD_ENUM, true, &in->channel, 0, 0, 0, channels, NULL},
        {"notes", FIELD_STRING, false, &in->notes, 0, 0, 1000, NULL, NULL},
        {"return", FIELD_OBJECT, false, &ret, 0, 0, 0, NULL, &in->has_return},
        {"recurrence", FIELD_STRING, false, &in->recurrence, 0, 0, 500, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]))
        return false;
    struct field_error err;
    const char *ret_at = NULL;
    const struct field ret_fields[] = {
        {"pickup_at", FIELD_STRING, true, &ret_at, 0, 0, 40, NULL, NULL}};
    if (!address_check(pickup, "pickup.", &in->pickup, &err) ||
        !address_check(dropoff, "dropoff.", &in->dropoff, &err) ||
        (ret && !fields_check(ret, "return.", ret_fields, 1, &err))) {
        http_reply_error(r, 400, err.code, err.field, "%s", err.message);
        return false;
    }
    if (!pickup_at == !arrive_by) {
        http_reply_error(r, pickup_at ? 400 : 400, pickup_at ? "invalid_field" : "missing_field",
                         "pickup_at", "give either pickup_at or arrive_by");
        return false;
    }
    in->kind = pickup_at ? RIDE_PICKUP_AT : RIDE_ARRIVE_BY;
    if (!time_or_reply(r, pickup_at ? "pickup_at" : "arrive_by", pickup_at ? pickup_at : arrive_by,
                       &in->time) ||
        (ret_at && !time_or_reply(r, "return.pickup_at", ret_at, &in->return_pickup_at)))
        return false;
    if (r->who.role == ROLE_RESIDENT && r->who.client_id != in->client_id) {
        http_reply_error(r, 403, "forbidden", "client_id", "residents book rides for themselves");
        return false;
    }
    return true;
}

struct create_ctx {
    struct ride_input in;
    struct ride_drafts drafts;
    bool quote;
    /* what the transaction placed, for its last step */
    struct placed p;
    json_t *years;
    int64_t remaining;
};

static void
create_ctx_clear(struct create_ctx *x)
{
    placed_clear(&x->p);
    json_decref(x->years);
    x->years = NULL;
    x->remaining = 0;
}

/* Remaining km per year after the request, as [{year, remaining_km}]. */
static enum db_status
years_json(struct db_conn *c, const struct app *app, int64_t client_id, const struct placed *p,
           json_t **out, int64_t *first_remaining)
{
    *out = json_array();
    int last = 0;
    for (size_t i = 0; i < p->n; i++) {
        int year = p->items[i].allowance_year;
        if (year == last)
            continue;
        last = year;
        struct allowance_account a;
        enum db_status s = allowance_get(c, client_id, year, app->cfg->pro_rata, &a);
        if (s != DB_OK)
            return s;
        if (i == 0)
            *first_remaining = allowance_remaining_m(&a);
        json_array_append_new(*out, json_pack("{s:i, s:f}", "year", year, "remaining_km",
                                              allowance_km(allowance_remaining_m(&a))));
    }
    return DB_OK;
}

/* The last step of a booking: the rides go into their days' plans, under
 * each day's planning lock, which is held from here to COMMIT. */
static enum db_status
schedule_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct create_ctx *x = ctx;
    enum db_status s = booking_schedule(c, r->app, &x->p);
    if (s != DB_OK)
        return s;
    ans->body = booking_json(r->app, &x->p.items[0], x->remaining);
    json_object_set(json_object_get(ans->body, "allowance"), "by_year", x->years);
    if (x->p.series_id) {
        json_t *ids = json_array();
        for (size_t i = 0; i < x->p.n; i++)
            if (!x->p.items[i].outward_id)
                json_array_append_new(ids, http_id_json(x->p.items[i].id));
        json_object_set_new(ans->body, "occurrences", ids);
    }
    return DB_OK;
}

static enum db_status
create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct create_ctx *x = ctx;
    create_ctx_clear(x); /* from an attempt that was retried */
    enum db_status s = booking_place(c, r->app, &r->who, &x->in, &x->drafts, &x->p, ans);
    if (s == DB_OK) {
        r->subject_client = x->in.client_id;
        s = years_json(c, r->app, x->in.client_id, &x->p, &x->years, &x->remaining);
    }
    if (s != DB_OK)
        return s;
    const struct booking *first = &x->p.items[0];
    if (x->quote) { /* a quote is not planned: it is rolled back */
        ans->status = 200;
        ans->body = json_pack("{s:f, s:f, s:i, s:{s:s, s:o, s:o}, s:O, s:i}", "distance_km",
                              allowance_km(first->distance_m), "remaining_km_after",
                              allowance_km(x->remaining), "year", first->allowance_year, "window",
                              "kind", strcmp(first->time_kind, "arrive_by") ? "pickup" : "arrival",
                              "earliest", time_json(r->app, first->window_earliest), "latest",
                              time_json(r->app, first->window_latest), "allowance_by_year",
                              x->years, "rides", (int)x->p.n);
        return DB_OK;
    }
    ans->status = 201;
    ans->last = schedule_tx;
    return DB_OK;
}

static void
create_or_quote(struct req *r, bool quote)
{
    struct create_ctx x = {.quote = quote};
    if (!ride_input_or_reply(r, &x.in))
        return;
    struct tx_answer ans = {0};
    if (!booking_draft(r->app, &x.in, (int64_t)time(NULL), &x.drafts, &ans)) {
        http_reply_json(r, ans.status, ans.body);
        return;
    }
    http_tx_reply(r, quote ? "booking_quote" : "booking_create", quote ? TX_DRY_RUN : TX_CREATE,
                  create_tx, &x);
    create_ctx_clear(&x);
    ride_drafts_clear(&x.drafts);
}

void
bookings_api_quote(struct req *r)
{
    create_or_quote(r, true);
}

void
bookings_api_create(struct req *r)
{
    create_or_quote(r, false);
}

/* Loads a booking the caller may see (else 404), optionally locked. A
 * driver sees rides on runs of the own vehicle only: any other ride is 404
 * too, as for a resident, since a ride's existence is personal data. */
static enum db_status
load_visible(struct db_conn *c, struct req *r, int64_t id, bool lock, struct booking *b,
             struct tx_answer *ans)
{
    enum db_status s = booking_store_get(c, id, lock, b);
    if (s == DB_OK && r->who.role == ROLE_DRIVER) {
        int64_t vehicle = 0;
        if ((s = manifest_vehicle_of_booking(c, id, &vehicle)) == DB_OK &&
            vehicle != r->who.vehicle_id)
            s = DB_NOT_FOUND;
    } else if (s == DB_OK && !access_client(&r->who, b->client_id)) {
        s = DB_NOT_FOUND;
    }
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such booking");
    if (s == DB_OK)
        r->subject_client = b->client_id;
    return s;
}

static enum db_status
answer_booking(struct db_conn *c, struct req *r, const struct booking *b, struct tx_answer *ans)
{
    struct allowance_account a;
    enum db_status s = allowance_get(c, b->client_id, b->allowance_year, r->app->cfg->pro_rata, &a);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = booking_json(r->app, b, allowance_remaining_m(&a));
    return DB_OK;
}

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct booking b;
    enum db_status s = load_visible(c, r, *(int64_t *)ctx, false, &b, ans);
    return s == DB_OK ? answer_booking(c, r, &b, ans) : s;
}

void
bookings_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "booking_get", TX_PLAIN, get_tx, &id);
}

static enum db_status
list_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct booking_filter *f = ctx;
    struct booking *items;
    int n;
    enum db_status s = booking_store_list(c, f, &items, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        /* the list leaves the allowance out: it is per client and year */
        json_t *o = booking_json(r->app, &items[i], 0);
        json_object_del(o, "allowance");
        json_array_append_new(arr, o);
    }
    ans->body = http_page_json(arr, n, f->limit, n ? items[n - 1].id : 0);
    free(items);
    ans->status = 200;
    return DB_OK;
}

void
bookings_api_list(struct req *r)
{
    static const char *const statuses[] = {"requested", "scheduled", "picked_up", "completed",
                                           "cancelled", "no_show",   NULL};
    struct booking_filter f = {.from_time = INT64_MIN};
    if (!http_paging_or_reply(r, &f.limit, &f.after))
        return;
    const char *client = http_query(r, "client_id");
    f.date = http_query(r, "date");
    f.status = http_query(r, "status");
    struct civil_date d;
    bool status_ok = !f.status;
    for (int i = 0; statuses[i] && !status_ok; i++)
        status_ok = !strcmp(statuses[i], f.status);
    if ((client && !parse_int64(client, 1, INT64_MAX, &f.client_id)) ||
        (f.date && !civil_date_parse(f.date, &d)) || !status_ok) {
        http_reply_error(r, 400, "invalid_field",
                         !status_ok                                ? "status"
                         : f.date && !civil_date_parse(f.date, &d) ? "date"
                                                                   : "client_id",
                         "a query parameter has an invalid value");
        return;
    }
    if (r->who.role == ROLE_RESIDENT) {
        if (f.client_id && f.client_id != r->who.client_id) {
            http_reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next"));
            return;
        }
        f.client_id = r->who.client_id;
    }
    http_tx_reply(r, "booking_list", TX_PLAIN, list_tx, &f);
}

struct action_ctx {
    int64_t id;
    const char *reason;
    const char *type;
    int64_t at;
    double odometer;
    bool has_odometer;
};

/* Takes the planning lock of the ride's day before the ride's row lock:
 * plans take the day first and then rides, so a change to a ride waits
 * for a plan in progress instead of deadlocking with it. */
static enum db_status
lock_day_of(struct db_conn *c, struct req *r, int64_t id, struct tx_answer *ans)
{
    struct booking b;
    enum db_status s = load_visible(c, r, id, false, &b, ans);
    return s == DB_OK ? fleet_lock_day(c, b.service_date) : s;
}

static enum db_status
cancel_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct action_ctx *x = ctx;
    struct booking b;
    enum db_status s = lock_day_of(c, r, x->id, ans);
    if (s == DB_OK)
        s = load_visible(c, r, x->id, true, &b, ans);
    if (s == DB_OK)
        s = booking_cancel(c, r->app, r->who.token_id, &b, x->reason, (int64_t)time(NULL), false,
                           ans);
    return s == DB_OK ? answer_booking(c, r, &b, ans) : s;
}

void
bookings_api_cancel(struct req *r)
{
    struct action_ctx x = {0};
    const struct field f[] = {{"reason", FIELD_STRING, true, &x.reason, 0, 0, 500, NULL, NULL}};
    if (http_path_id_or_reply(r, 0, &x.id) && http_fields_or_reply(r, f, 1))
        http_tx_reply(r, "booking_cancel", TX_PLAIN, cancel_tx, &x);
}

static enum db_status
event_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct action_ctx *x = ctx;
    struct booking b;
    enum db_status s = lock_day_of(c, r, x->id, ans);
    if (s == DB_OK)
        s = load_visible(c, r, x->id, true, &b, ans);
    if (s == DB_OK)
        s = booking_event(c, r->app, r->who.token_id, &b, x->type, x->at, x->odometer,
                          x->has_odometer, ans);
    return s == DB_OK ? answer_booking(c, r, &b, ans) : s;
}

void
bookings_api_event(struct req *r)
{
    static const char *const types[] = {"arrived", "picked_up", "dropped_off", "no_show", NULL};
    struct action_ctx x = {0};
    const char *at = NULL;
    const struct field f[] = {
        {"type", FIELD_ENUM, true, &x.type, 0, 0, 0, types, NULL},
        {"at", FIELD_STRING, true, &at, 0, 0, 40, NULL, NULL},
        {"odometer_km", FIELD_NUMBER, false, &x.odometer, 0, 10000000, 0, NULL, &x.has_odometer},
    };
    if (!http_path_id_or_reply(r, 0, &x.id) || !http_fields_or_reply(r, f, 3) ||
        !time_or_reply(r, "at", at, &x.at))
        return;
    if (x.at > (int64_t)time(NULL) + 300) {
        http_reply_error(r, 400, "invalid_field", "at", "at lies in the future");
        return;
    }
    http_tx_reply(r, "booking_event", TX_PLAIN, event_tx, &x);
}

struct series_ctx {
    int64_t id;
    int64_t from;
    bool cancel;
};

static enum db_status
series_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct series_ctx *x = ctx;
    struct series_info info;
    enum db_status s = booking_store_series_get(c, x->id, &info);
    if (s == DB_OK && !access_client(&r->who, info.client_id))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such series");
    if (s != DB_OK)
        return s;
    r->subject_client = info.client_id;
    struct booking_filter f = {
        .series_id = x->id, .from_time = x->cancel ? x->from : INT64_MIN, .limit = 1000};
    struct booking *items;
    int n;
    if ((s = booking_store_list(c, &f, &items, &n)) != DB_OK)
        return s;
    json_t *arr = json_array(), *cancelled = json_array();
    int64_t now = (int64_t)time(NULL);
    for (int i = 0; i < n && s == DB_OK; i++) {
        struct booking *b = &items[i];
        if (x->cancel && (!strcmp(b->status, "requested") || !strcmp(b->status, "scheduled"))) {
            s = booking_cancel(c, r->app, r->who.token_id, b, "series cancelled", now, false, ans);
            json_array_append_new(cancelled, http_id_json(b->id));
        }
        json_t *o = booking_json(r->app, b, 0);
        json_object_del(o, "allowance");
        json_array_append_new(arr, o);
    }
    free(items);
    if (s != DB_OK) {
        json_decref(arr);
        json_decref(cancelled);
        return s;
    }
    ans->status = 200;
    ans->body = json_pack("{s:o, s:o, s:s, s:o, s:o}", "id", http_id_json(info.id), "client_id",
                          http_id_json(info.client_id), "recurrence", info.rrule, "bookings", arr,
                          "cancelled", cancelled);
    return DB_OK;
}

void
series_api_get(struct req *r)
{
    struct series_ctx x = {0};
    if (http_path_id_or_reply(r, 0, &x.id))
        http_tx_reply(r, "series_get", TX_PLAIN, series_tx, &x);
}

void
series_api_cancel(struct req *r)
{
    struct series_ctx x = {.cancel = true, .from = (int64_t)time(NULL)};
    const char *from = NULL;
    const struct field f[] = {{"from", FIELD_STRING, false, &from, 0, 0, 40, NULL, NULL}};
    if (!http_path_id_or_reply(r, 0, &x.id) || !http_fields_or_reply(r, f, 1) ||
        (from && !time_or_reply(r, "from", from, &x.from)))
        return;
    http_tx_reply(r, "series_cancel", TX_PLAIN, series_tx, &x);
}

struct ics_ctx {
    int64_t client_id;
    char *text;
};

static enum db_status
ics_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct ics_ctx *x = ctx;
    /* the last day's rides and everything ahead, cancelled ones included
     * so that calendars drop them */
    struct booking_filter f = {
        .client_id = x->client_id, .from_time = (int64_t)time(NULL) - 86400, .limit = 500};
    struct booking *items;
    int n;
    enum db_status s = booking_store_list(c, &f, &items, &n);
    if (s != DB_OK)
        return s;
    free(x->text);
    x->text = rides_ics_dup(items, (size_t)n, r->app->cfg->timezone, (int64_t)time(NULL));
    free(items);
    ans->status = 200;
    ans->body = json_null();
    return DB_OK;
}

void
rides_api_ics(struct req *r)
{
    struct ics_ctx x = {0};
    if (client_path_or_reply(r, &x.client_id))
        http_tx_reply_text(r, "rides_ics", ics_tx, &x, &x.text, "text/calendar; charset=utf-8");
}
