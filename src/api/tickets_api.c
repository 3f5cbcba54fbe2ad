/* HTTP glue of breakdown tickets and the SLA report. */
#include "api/tickets_api.h"

#include "common/numparse.h"
#include "common/xalloc.h"
#include "core/timefmt.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "inventory/sla_clock.h"
#include "tickets/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
time_or_null(const struct app *app, int64_t t)
{
    char buf[WORKCAL_RFC3339_BUFSZ];
    return t ? json_string(workcal_format_rfc3339(app->tz, t, buf)) : json_null();
}

/* The one representation of a ticket (GET, and the 201 of POST). */
static json_t *
ticket_json(const struct app *app, const struct ticket *t, const struct ticket_event_row *ev, int n)
{
    json_t *events = json_array();
    for (int i = 0; i < n; i++) {
        json_t *e =
            json_pack("{s:s, s:o, s:I}", "type", ev[i].type, "at", time_or_null(app, ev[i].at),
                      "cost_cents", (json_int_t)ev[i].cost_cents);
        if (ev[i].notes[0])
            json_object_set_new(e, "notes", json_string(ev[i].notes));
        if (ev[i].parts[0])
            json_object_set_new(e, "parts", json_string(ev[i].parts));
        json_array_append_new(events, e);
    }
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I, s:{s:b, s:b}, "
        "s:I, s:{s:i, s:s, s:i}, s:o}",
        "id", http_id_json(t->id), "aid_id", http_id_json(t->aid_id), "supplier_id",
        http_id_json(t->supplier_id), "client_id",
        t->client_id ? http_id_json(t->client_id) : json_null(), "kind", t->kind, "description",
        t->description, "reported_via", t->reported_via, "reported_at",
        time_or_null(app, t->reported_at), "state", t->state, "response_due",
        time_or_null(app, t->response_due), "resolve_due", time_or_null(app, t->resolve_due),
        "responded_at", time_or_null(app, t->responded_at), "resolved_at",
        time_or_null(app, t->resolved_at), "paused_minutes", (json_int_t)(t->paused_seconds / 60),
        "breached", "response", t->response_breached, "resolve", t->resolve_breached,
        "repair_cost_cents", (json_int_t)t->repair_cost_cents, "sla", "response_minutes",
        t->response_minutes, "response_clock", t->response_clock, "repair_working_days",
        t->repair_working_days, "events", events);
    if (!o)
        abort();
    return o;
}

static enum db_status
answer(struct db_conn *c, struct req *r, const struct ticket *t, unsigned status,
       struct tx_answer *ans)
{
    struct ticket_event_row *ev;
    int n;
    enum db_status s = ticket_store_events(c, t->id, &ev, &n);
    if (s != DB_OK)
        return s;
    ans->status = status;
    ans->body = ticket_json(r->app, t, ev, n);
    free(ev);
    return DB_OK;
}

static enum db_status
create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct ticket t;
    enum db_status s = tickets_open(c, r->app, &r->who, ctx, &t, ans);
    return s == DB_OK ? answer(c, r, &t, 201, ans) : s;
}

void
tickets_api_create(struct req *r)
{
    static const char *const kinds[] = {"breakdown", "defect", NULL};
    static const char *const vias[] = {"phone", "app", "supplier", NULL};
    struct ticket_input in = {0};
    const char *at = NULL;
    const struct field f[] = {
        {"aid_id", FIELD_ID, true, &in.aid_id, 0, 0, 0, NULL, NULL},
        {"kind", FIELD_ENUM, true, &in.kind, 0, 0, 0, kinds, NULL},
        {"description", FIELD_STRING, true, &in.description, 0, 0, 2000, NULL, NULL},
        {"reported_via", FIELD_ENUM, true, &in.reported_via, 0, 0, 0, vias, NULL},
        {"reported_at", FIELD_STRING, false, &at, 0, 0, 40, NULL, NULL},
    };
    if (!http_fields_or_reply(r, f, 5))
        return;
    int64_t now = (int64_t)time(NULL);
    in.reported_at = now;
    /* The desk or a supplier may log a call afterwards, up to 7 days back;
     * a resident reports now. Never in the future. */
    if (at && (r->who.role == ROLE_RESIDENT || !timefmt_parse(at, &in.reported_at) ||
               in.reported_at > now + 60 || in.reported_at < now - 7 * 86400)) {
        http_reply_error(r, 400, "invalid_field", "reported_at",
                         "reported_at may be set by the desk or the supplier, up to 7 days back "
                         "and not in the future");
        return;
    }
    http_tx_reply(r, "ticket_create", TX_CREATE, create_tx, &in);
}

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct ticket t;
    enum db_status s = tickets_load(c, &r->who, *(int64_t *)ctx, false, &t, ans);
    return s == DB_OK ? answer(c, r, &t, 200, ans) : s;
}

void
tickets_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "ticket_get", TX_PLAIN, get_tx, &id);
}

struct event_ctx {
    int64_t id;
    struct ticket_event_row row;
};

static enum db_status
event_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct event_ctx *x = ctx;
    struct ticket t;
    enum db_status s = tickets_load(c, &r->who, x->id, true, &t, ans);
    if (s == DB_OK)
        s = tickets_event(c, r->app, r->who.token_id, &t, &x->row, ans);
    return s == DB_OK ? answer(c, r, &t, 200, ans) : s;
}

void
tickets_api_event(struct req *r)
{
    static const char *const types[] = {
        "acknowledged", "on_site", "waiting_client", "resumed", "resolved", "reopened", NULL};
    struct event_ctx *x = xcalloc(1, sizeof *x);
    const char *type = NULL, *at = NULL, *notes = NULL, *parts = NULL;
    const struct field f[] = {
        {"type", FIELD_ENUM, true, &type, 0, 0, 0, types, NULL},
        {"at", FIELD_STRING, false, &at, 0, 0, 40, NULL, NULL},
        {"notes", FIELD_STRING, false, &notes, 0, 0, 2000, NULL, NULL},
        {"parts", FIELD_STRING, false, &parts, 0, 0, 2000, NULL, NULL},
        {"cost_cents", FIELD_INT, false, &x->row.cost_cents, 0, 100000000, 0, NULL, NULL},
    };
    int64_t now = (int64_t)time(NULL);
    x->row.at = now;
    if (!http_path_id_or_reply(r, 0, &x->id) || !http_fields_or_reply(r, f, 5))
        goto out;
    if (at && (!timefmt_parse(at, &x->row.at) || x->row.at > now + 300)) {
        http_reply_error(r, 400, "invalid_field", "at", "at must be an RFC 3339 time, not ahead");
        goto out;
    }
    snprintf(x->row.type, sizeof x->row.type, "%s", type);
    snprintf(x->row.notes, sizeof x->row.notes, "%s", notes ? notes : "");
    snprintf(x->row.parts, sizeof x->row.parts, "%s", parts ? parts : "");
    http_tx_reply(r, "ticket_event", TX_PLAIN, event_tx, x);
out:
    free(x);
}

struct report_ctx {
    int64_t supplier_id, from, until;
};

static int
by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of v[0..n) in minutes, or null. */
static json_t *
percentile_minutes(int64_t *v, int n, int p)
{
    if (n == 0)
        return json_null();
    qsort(v, (size_t)n, sizeof *v, by_value);
    int rank = (p * n + 99) / 100;
    return json_integer(v[rank > 0 ? rank - 1 : 0] / 60);
}

static json_t *
pct(int64_t part, int64_t whole)
{
    return whole ? json_real((double)(part * 1000 / whole) / 10.0) : json_null();
}

static enum db_status
report_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct report_ctx *x = ctx;
    struct ticket_times *t;
    int n;
    struct supplier_stats st;
    enum db_status s = ticket_store_reported(c, x->supplier_id, x->from, x->until, &t, &n);
    if (s != DB_OK)
        return s;
    if ((s = ticket_store_supplier_stats(c, x->supplier_id, x->from, x->until, &st)) != DB_OK) {
        free(t);
        return s;
    }
    int64_t *resp = xcalloc((size_t)n + 1, sizeof *resp),
            *rep = xcalloc((size_t)n + 1, sizeof *rep);
    int nresp = 0, nrep = 0, resp_ok = 0, rep_ok = 0;
    int64_t cost = 0;
    for (int i = 0; i < n; i++) {
        if (t[i].responded_at &&
            sla_elapsed_seconds(
                r->app->tz, t[i].wall_clock ? SLA_WALL_MINUTES : SLA_BUSINESS_MINUTES,
                t[i].reported_at, t[i].responded_at, NULL, 0, &resp[nresp]) == SLA_OK)
            nresp++;
        if (t[i].resolved_at &&
            sla_elapsed_seconds(r->app->tz, SLA_BUSINESS_MINUTES, t[i].reported_at,
                                t[i].resolved_at, NULL, 0, &rep[nrep]) == SLA_OK)
            nrep++;
        resp_ok += t[i].responded_at && !t[i].response_breached;
        rep_ok += t[i].resolved_at && !t[i].resolve_breached;
        cost += t[i].repair_cost_cents;
    }
    ans->status = 200;
    ans->body = json_pack(
        "{s:o, s:i, s:i, s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:I}",
        "supplier_id", http_id_json(x->supplier_id), "tickets", n, "responses_within_sla", resp_ok,
        "responses_within_sla_pct", pct(resp_ok, n), "repairs", nrep, "repairs_within_sla", rep_ok,
        "repairs_within_sla_pct", pct(rep_ok, nrep), "response_minutes_median",
        percentile_minutes(resp, nresp, 50), "response_minutes_p90",
        percentile_minutes(resp, nresp, 90), "repair_business_minutes_median",
        percentile_minutes(rep, nrep, 50), "repair_business_minutes_p90",
        percentile_minutes(rep, nrep, 90), "deliveries", (json_int_t)st.deliveries,
        "deliveries_within_term", (json_int_t)st.deliveries_within_term,
        "deliveries_within_term_pct", pct(st.deliveries_within_term, st.deliveries),
        "maintenance_done", (json_int_t)st.maintenance_done, "maintenance_overdue_now",
        (json_int_t)st.maintenance_overdue_now, "repair_cost_cents", (json_int_t)cost);
    free(resp);
    free(rep);
    free(t);
    return DB_OK;
}

/* The report as one CSV header and row, keys in the JSON's order. */
static char *
report_csv(json_t *o)
{
    size_t cap = 2048, len = 0;
    char *out = xmalloc(cap);
    const char *key;
    json_t *v;
    int i = 0;
    json_object_foreach(o, key, v)
    {
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i++ ? "," : "", key);
    }
    len += (size_t)snprintf(out + len, cap - len, "\n");
    i = 0;
    json_object_foreach(o, key, v)
    {
        char cell[64] = "";
        if (json_is_string(v))
            snprintf(cell, sizeof cell, "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(cell, sizeof cell, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(cell, sizeof cell, "%.1f", json_real_value(v));
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i++ ? "," : "", cell);
    }
    snprintf(out + len, cap - len, "\n");
    return out;
}

void
tickets_api_report(struct req *r)
{
    struct report_ctx x = {0};
    const char *sup = http_query(r, "supplier_id"), *from = http_query(r, "from"),
               *until = http_query(r, "until"), *format = http_query(r, "format");
    struct civil_date a, b;
    if (!sup || !parse_int64(sup, 1, INT64_MAX, &x.supplier_id) || !from || !until ||
        !civil_date_parse(from, &a) || !civil_date_parse(until, &b) ||
        civil_date_compare(b, a) < 0 ||
        (format && strcmp(format, "csv") && strcmp(format, "json"))) {
        http_reply_error(r, 400, "invalid_field", NULL,
                         "supplier_id, from and until (dates, until inclusive) are required; "
                         "format is json or csv");
        return;
    }
    if (r->who.role == ROLE_SUPPLIER && r->who.supplier_id != x.supplier_id) {
        http_reply_error(r, 404, "not_found", "supplier_id", "no such supplier");
        return;
    }
    x.from = workcal_from_local(r->app->tz, civil_date_to_days(a), 0);
    x.until = workcal_from_local(r->app->tz, civil_date_to_days(b) + 1, 0);
    struct tx_answer ans;
    enum db_status s = http_tx_run(r, "sla_report", TX_PLAIN, report_tx, &x, &ans);
    if (s != DB_OK) {
        if (s == DB_REJECTED)
            http_reply_json(r, ans.status, ans.body);
        else
            http_reply_db_error(r, s);
        return;
    }
    if (format && !strcmp(format, "csv")) {
        char *csv = report_csv(ans.body);
        http_reply_text(r, 200, "text/csv; charset=utf-8", csv, strlen(csv));
        free(csv);
        json_decref(ans.body);
        return;
    }
    json_object_set_new(ans.body, "from", json_string(from));
    json_object_set_new(ans.body, "until", json_string(until));
    http_reply_json(r, 200, ans.body);
}
