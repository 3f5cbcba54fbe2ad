/* HTTP glue of aid items: registration, the item view (book value,
 * holder, next maintenance, cost to date, history), lists, recording
 * maintenance and the due list. */
#include "api/aids_api.h"

#include "aids/aid_schedule.h"
#include "aids/aid_store.h"
#include "aids/supplier_store.h"
#include "api/aids_common.h"
#include "common/numparse.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "inventory/depreciation.h"
#include "inventory/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"depot", "lent", "pool", "in_repair", "written_off", NULL};
static const char *const kinds[] = {"inspection", "service", NULL};

/* Who holds the item: {"kind": "client"|"pool", "id"} or null. */
static json_t *
holder_json(const struct aid *a)
{
    if (a->client_id)
        return json_pack("{s:s, s:o}", "kind", "client", "id", http_id_json(a->client_id));
    if (a->pool_id)
        return json_pack("{s:s, s:o}", "kind", "pool", "id", http_id_json(a->pool_id));
    return json_null();
}

/* The fields every view of an item has, valued at as_of. */
static json_t *
aid_summary_json(const struct aid *a, struct civil_date as_of)
{
    struct depreciation_params p;
    aid_schedule_depreciation(a, &p);
    json_t *o = json_pack(
        "{s:o, s:o, s:s, s:o, s:s, s:o, s:I, s:I, s:s, s:o, s:o, s:I, s:o, s:o, s:o}", "id",
        http_id_json(a->id), "model_id", http_id_json(a->model_id), "type", a->type, "supplier_id",
        http_id_json(a->supplier_id), "serial", a->serial, "purchase_date",
        aids_date_json(a->purchase_date), "purchase_price_cents",
        (json_int_t)a->purchase_price_cents, "residual_value_cents", (json_int_t)a->residual_cents,
        "status", a->status, "holder", holder_json(a), "as_of", aids_date_json(as_of),
        "book_value_cents", (json_int_t)depreciation_book_value_cents(&p, as_of),
        "depreciation_ends", aids_date_json(depreciation_ends(&p)), "next_maintenance",
        aids_date_json(a->next_maintenance_on), "last_maintenance",
        aids_date_json(a->last_maintenance_on));
    if (!o)
        abort();
    return o;
}

/* A history entry; client ids are shown to the desk only (for a resident
 * or a supplier an earlier holder is someone else's personal data). */
static json_t *
event_json(const struct app *app, const struct principal *who, const struct aid_event *e)
{
    bool desk = who->role == ROLE_ADMIN || who->role == ROLE_DISPATCHER;
    bool own = who->role == ROLE_RESIDENT && who->client_id == e->client_id;
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:o, s:o, s:I, s:o, s:o}", "id", http_id_json(e->id), "type", e->type,
        "at", aids_time_json(app, e->at), "detail",
        e->detail[0] ? json_string(e->detail) : json_null(), "notes",
        e->notes[0] ? json_string(e->notes) : json_null(), "cost_cents", (json_int_t)e->cost_cents,
        "client_id", e->client_id && (desk || own) ? http_id_json(e->client_id) : json_null(),
        "loan_id", e->allocation_id ? http_id_json(e->allocation_id) : json_null());
    if (!o)
        abort();
    return o;
}

/* The full item view (GET /v1/aids/{id} and the 201 of POST /v1/aids). */
static enum db_status
aid_full_json(struct db_conn *c, struct req *r, const struct aid *a, struct civil_date as_of,
              json_t **out)
{
    struct aid_event *ev;
    int n;
    enum db_status s = aid_store_events(c, a->id, &ev, &n);
    if (s != DB_OK)
        return s;
    int64_t *costs = xcalloc((size_t)n + 1, sizeof *costs);
    json_t *history = json_array();
    for (int i = 0; i < n; i++) {
        costs[i] = ev[i].cost_cents;
        json_array_append_new(history, event_json(r->app, &r->who, &ev[i]));
    }
    int64_t cost = 0;
    bool ok = depreciation_cost_to_date_cents(a->purchase_price_cents, costs, (size_t)n, &cost);
    free(costs);
    free(ev);
    *out = aid_summary_json(a, as_of);
    json_object_set_new(*out, "cost_to_date_cents", json_integer(cost));
    json_object_set_new(*out, "loan_id", a->loan_id ? http_id_json(a->loan_id) : json_null());
    json_object_set_new(*out, "history", history);
    json_object_set_new(*out, "created_at", aids_time_json(r->app, a->created_at));
    return ok ? DB_OK : DB_ERROR;
}

struct create_ctx {
    struct aid in;
    struct civil_date today;
};

/* Fills what the item takes from its model; rejects an unknown model or
 * pool. */
static enum db_status
from_model(struct db_conn *c, struct aid *a, struct tx_answer *ans)
{
    struct aid_model m;
    enum db_status s = supplier_store_model_get(c, a->model_id, &m);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "model_id", "no such aid model");
    if (s != DB_OK)
        return s;
    if (a->pool_id) {
        struct pool p;
        s = supplier_store_pool_get(c, a->pool_id, &p);
        if (s == DB_NOT_FOUND)
            return tx_reject(ans, 404, "not_found", "pool_id", "no such pool");
        if (s != DB_OK)
            return s;
    }
    if (!depreciation_residual_from_pct(a->purchase_price_cents, m.residual_pct_bp,
                                        &a->residual_cents))
        return DB_ERROR;
    snprintf(a->maintenance_rule, sizeof a->maintenance_rule, "%s", m.maintenance_rule);
    snprintf(a->maintenance_anchor, sizeof a->maintenance_anchor, "%s", m.maintenance_anchor);
    a->anchor_date = a->purchase_date;
    return aid_schedule_update(a) ? DB_OK : DB_ERROR;
}

static enum db_status
create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct create_ctx *x = ctx;
    struct aid in = x->in, out;
    enum db_status s = from_model(c, &in, ans);
    if (s != DB_OK)
        return s;
    s = aid_store_insert(c, &in, &out);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "serial",
                         "this model already has an item with "
                         "this serial");
    if (s != DB_OK)
        return s;
    struct aid_event ev = {.aid_id = out.id, .actor = r->who.token_id};
    snprintf(ev.type, sizeof ev.type, "purchased");
    ev.at = workcal_from_local(r->app->tz, civil_date_to_days(out.purchase_date), 0);
    s = aid_store_event_add(c, &ev, NULL);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    return aid_full_json(c, r, &out, x->today, &ans->body);
}

void
aids_api_create(struct req *r)
{
    struct create_ctx *x = xcalloc(1, sizeof *x);
    const char *serial = NULL, *date = NULL;
    const struct field fields[] = {
        {"model_id", FIELD_ID, true, &x->in.model_id, 0, 0, 0, NULL, NULL},
        {"serial", FIELD_STRING, true, &serial, 0, 0, 100, NULL, NULL},
        {"purchase_date", FIELD_STRING, true, &date, 0, 0, 10, NULL, NULL},
        {"purchase_price_cents", FIELD_INT, true, &x->in.purchase_price_cents, 0,
         DEPRECIATION_MAX_CENTS, 0, NULL, NULL},
        {"pool_id", FIELD_ID, false, &x->in.pool_id, 0, 0, 0, NULL, NULL},
    };
    x->today = aids_today(r->app);
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) ||
        !aids_date_or_reply(r, "purchase_date", date, &x->in.purchase_date))
        goto out;
    if (civil_date_compare(x->in.purchase_date, x->today) > 0) {
        http_reply_error(r, 400, "invalid_field", "purchase_date",
                         "purchase_date must not be in the future");
        goto out;
    }
    snprintf(x->in.serial, sizeof x->in.serial, "%s", serial);
    snprintf(x->in.status, sizeof x->in.status, "%s", x->in.pool_id ? "pool" : "depot");
    http_tx_reply(r, "aid_create", TX_CREATE, create_tx, x);
out:
    free(x);
}

struct get_ctx {
    int64_t id;
    struct civil_date as_of;
};

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct get_ctx *x = ctx;
    struct aid *a = xmalloc(sizeof *a);
    enum db_status s = aid_store_get(c, x->id, false, a);
    if (s == DB_OK && !aids_access_aid(&r->who, a))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        s = tx_reject(ans, 404, "not_found", NULL, "no such aid");
    if (s == DB_OK) {
        ans->status = 200;
        s = aid_full_json(c, r, a, x->as_of, &ans->body);
    }
    free(a);
    return s;
}

/* ?as_of=YYYY-MM-DD, default today in the service zone. */
static bool
as_of_or_reply(struct req *r, struct civil_date *out)
{
    const char *q = http_query(r, "as_of");
    *out = aids_today(r->app);
    return !q || aids_date_or_reply(r, "as_of", q, out);
}

void
aids_api_get(struct req *r)
{
    struct get_ctx x;
    if (http_path_id_or_reply(r, 0, &x.id) && as_of_or_reply(r, &x.as_of))
        http_tx_reply(r, "aid_get", TX_PLAIN, get_tx, &x);
}

struct list_ctx {
    struct aid_filter f;
    int64_t after;
    int limit;
    bool due; /* the maintenance due list */
    struct civil_date until, today;
};

/* One row of the due list: the item and its due and grace dates. */
static json_t *
due_json(const struct aid *a, struct civil_date today)
{
    struct civil_date grace =
        civil_date_add_days(a->next_maintenance_on, a->maintenance_grace_days);
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:o, s:b}", "aid_id", http_id_json(a->id),
        "serial", a->serial, "model_id", http_id_json(a->model_id), "type", a->type, "supplier_id",
        http_id_json(a->supplier_id), "status", a->status, "holder", holder_json(a), "due",
        aids_date_json(a->next_maintenance_on), "grace_until", aids_date_json(grace), "overdue",
        civil_date_compare(today, grace) > 0);
    if (!o)
        abort();
    return o;
}

static enum db_status
list_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct list_ctx *x = ctx;
    struct aid *items;
    int n;
    enum db_status s =
        x->due ? aid_store_due(c, x->until, x->f.supplier_id, false, x->after, x->limit, &items, &n)
               : aid_store_list(c, &x->f, x->after, x->limit, &items, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, x->due ? due_json(&items[i], x->today)
                                          : aid_summary_json(&items[i], x->today));
    ans->body = http_page_json(arr, n, x->limit, n ? items[n - 1].id : 0);
    free(items);
    ans->status = 200;
    if (x->due)
        json_object_set_new(ans->body, "until", aids_date_json(x->until));
    return DB_OK;
}

static bool
choice_or_reply(struct req *r, const char *key, const char *const *choices, const char **out)
{
    *out = http_query(r, key);
    if (!*out)
        return true;
    for (size_t i = 0; choices[i]; i++)
        if (!strcmp(*out, choices[i]))
            return true;
    http_reply_error(r, 400, "invalid_field", key, "%s is not one of the allowed values", key);
    return false;
}

static bool
query_id_or_reply(struct req *r, const char *key, int64_t *out)
{
    const char *q = http_query(r, key);
    *out = 0;
    if (!q || parse_int64(q, 1, INT64_MAX, out))
        return true;
    http_reply_error(r, 400, "invalid_field", key, "%s must be an id", key);
    return false;
}

/* supplier_id filter: a supplier sees its own items only. */
static bool
supplier_filter_or_reply(struct req *r, int64_t *supplier_id)
{
    if (!query_id_or_reply(r, "supplier_id", supplier_id))
        return false;
    if (r->who.role != ROLE_SUPPLIER)
        return true;
    if (*supplier_id && *supplier_id != r->who.supplier_id) {
        http_reply_error(r, 403, "forbidden", "supplier_id", "suppliers see their own aids only");
        return false;
    }
    *supplier_id = r->who.supplier_id;
    return true;
}

void
aids_api_list(struct req *r)
{
    struct list_ctx x = {.limit = 50, .today = aids_today(r->app)};
    if (http_paging_or_reply(r, &x.limit, &x.after) &&
        choice_or_reply(r, "type", aids_types, &x.f.type) &&
        choice_or_reply(r, "status", statuses, &x.f.status) &&
        query_id_or_reply(r, "pool_id", &x.f.pool_id) &&
        supplier_filter_or_reply(r, &x.f.supplier_id))
        http_tx_reply(r, "aid_list", TX_PLAIN, list_tx, &x);
}

void
aids_api_due(struct req *r)
{
    struct list_ctx x = {.limit = 50, .due = true, .today = aids_today(r->app)};
    const char *until = http_query(r, "until");
    x.until = x.today;
    if (http_paging_or_reply(r, &x.limit, &x.after) &&
        (!until || aids_date_or_reply(r, "until", until, &x.until)) &&
        supplier_filter_or_reply(r, &x.f.supplier_id))
        http_tx_reply(r, "maintenance_due", TX_PLAIN, list_tx, &x);
}

struct maint_ctx {
    int64_t aid_id;
    struct aid_event ev;
};

static enum db_status
record_maintenance(struct db_conn *c, struct req *r, struct aid *a, struct aid_event *ev,
                   struct tx_answer *ans)
{
    struct civil_date day = aids_local_date(r->app, ev->at);
    if (civil_date_compare(day, a->purchase_date) < 0)
        return tx_reject(ans, 400, "invalid_field", "performed_at",
                         "performed_at is before the aid was purchased");
    if (!strcmp(a->status, "written_off"))
        return tx_reject(ans, 409, "conflict", NULL, "the aid is written off");
    ev->aid_id = a->id;
    ev->client_id = a->client_id;
    ev->actor = r->who.token_id;
    enum db_status s = aid_store_event_add(c, ev, &ev->id);
    if (s != DB_OK)
        return s;
    if (!a->last_maintenance_on.year || civil_date_compare(day, a->last_maintenance_on) > 0)
        a->last_maintenance_on = day;
    if (!aid_schedule_update(a))
        return DB_ERROR;
    return aid_store_update(c, a);
}

static enum db_status
maintenance_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct maint_ctx *x = ctx;
    struct aid_event ev = x->ev;
    struct aid *a = xmalloc(sizeof *a);
    enum db_status s = aid_store_get(c, x->aid_id, true, a);
    if (s == DB_OK && !aids_access_aid(&r->who, a))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        s = tx_reject(ans, 404, "not_found", NULL, "no such aid");
    if (s == DB_OK)
        s = record_maintenance(c, r, a, &ev, ans);
    json_t *full = NULL;
    if (s == DB_OK)
        s = aid_full_json(c, r, a, aids_today(r->app), &full);
    if (s == DB_OK) {
        ans->status = 201;
        ans->body =
            json_pack("{s:o, s:o, s:o, s:s, s:o, s:I, s:O, s:O, s:O}", "id", http_id_json(ev.id),
                      "aid_id", http_id_json(a->id), "performed_at", aids_time_json(r->app, ev.at),
                      "kind", ev.detail, "notes", ev.notes[0] ? json_string(ev.notes) : json_null(),
                      "cost_cents", (json_int_t)ev.cost_cents, "next_maintenance",
                      json_object_get(full, "next_maintenance"), "last_maintenance",
                      json_object_get(full, "last_maintenance"), "cost_to_date_cents",
                      json_object_get(full, "cost_to_date_cents"));
    }
    json_decref(full);
    free(a);
    return s;
}

void
aids_api_maintenance(struct req *r)
{
    struct maint_ctx *x = xcalloc(1, sizeof *x);
    const char *at = NULL, *kind = NULL, *notes = NULL;
    const struct field fields[] = {
        {"performed_at", FIELD_STRING, true, &at, 0, 0, 40, NULL, NULL},
        {"kind", FIELD_ENUM, true, &kind, 0, 0, 0, kinds, NULL},
        {"notes", FIELD_STRING, false, &notes, 0, 0, 2000, NULL, NULL},
        {"cost_cents", FIELD_INT, true, &x->ev.cost_cents, 0, DEPRECIATION_MAX_CENTS, 0, NULL,
         NULL},
    };
    if (!http_path_id_or_reply(r, 0, &x->aid_id) ||
        !http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) ||
        !aids_time_or_reply(r, "performed_at", at, &x->ev.at) ||
        !aids_past_or_reply(r, "performed_at", x->ev.at))
        goto out;
    snprintf(x->ev.type, sizeof x->ev.type, "maintenance");
    snprintf(x->ev.detail, sizeof x->ev.detail, "%s", kind);
    snprintf(x->ev.notes, sizeof x->ev.notes, "%s", notes ? notes : "");
    http_tx_reply(r, "aid_maintenance", TX_CREATE, maintenance_tx, x);
out:
    free(x);
}
