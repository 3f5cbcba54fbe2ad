/* HTTP glue of loans (bruikleen), recovery (art. 6.3 lid 2), pools and
 * pool reservations. Loans and reservations share one table whose
 * exclusion constraint keeps an item's periods apart. */
#include "api/loans_api.h"

#include "aids/aid_schedule.h"
#include "aids/supplier_store.h"
#include "api/address.h"
#include "api/aids_common.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "inventory/depreciation.h"
#include "transport/client_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const conditions[] = {"good", "needs_repair", "written_off", NULL};

/* Locks the client row, so that two loans for one client decide art. 3.2
 * one after the other. */
static enum db_status
client_or_reject(struct db_conn *c, int64_t client_id, struct tx_answer *ans)
{
    struct client *cl = xmalloc(sizeof *cl);
    enum db_status s = client_store_get(c, client_id, "update", cl);
    free(cl);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "client_id", "no such client");
    return s;
}

struct lend_ctx {
    int64_t aid_id, client_id, from;
    struct aids_exception e;
};

static enum db_status
lend_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct lend_ctx *x = ctx;
    struct aid *a = xmalloc(sizeof *a);
    struct allocation loan;
    struct reissue_decision d;
    enum db_status s = client_or_reject(c, x->client_id, ans);
    if (s == DB_OK) {
        s = aid_store_get(c, x->aid_id, true, a);
        if (s == DB_NOT_FOUND)
            s = tx_reject(ans, 404, "not_found", NULL, "no such aid");
    }
    if (s == DB_OK) {
        r->subject_client = x->client_id;
        s = aids_lend(c, r, a, x->client_id, x->from, &x->e, &loan, &d, ans);
    }
    free(a);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = aids_loan_json(r->app, &loan);
    return DB_OK;
}

void
loans_api_create(struct req *r)
{
    struct lend_ctx x = {0};
    const char *from = NULL;
    const struct field fields[] = {
        {"client_id", FIELD_ID, true, &x.client_id, 0, 0, 0, NULL, NULL},
        {"from", FIELD_STRING, true, &from, 0, 0, 40, NULL, NULL},
        {"exception", FIELD_ENUM, false, &x.e.name, 0, 0, 0, aids_exceptions, NULL},
        {"exception_reason", FIELD_STRING, false, &x.e.reason, 0, 0, 1000, NULL, NULL},
    };
    if (http_path_id_or_reply(r, 0, &x.aid_id) &&
        http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) &&
        aids_time_or_reply(r, "from", from, &x.from) && aids_exception_or_reply(r, &x.e))
        http_tx_reply(r, "loan_create", TX_CREATE, lend_tx, &x);
}

/* The loan, when it exists and the caller may see it. */
static enum db_status
loan_or_reject(struct db_conn *c, struct req *r, int64_t id, bool lock, struct allocation *l,
               struct tx_answer *ans)
{
    enum db_status s = loan_store_get(c, id, lock, l);
    if (s == DB_OK && (strcmp(l->kind, "loan") ||
                       (r->who.role == ROLE_RESIDENT && r->who.client_id != l->client_id)))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such loan");
    if (s == DB_OK)
        r->subject_client = l->client_id;
    return s;
}

struct return_ctx {
    int64_t loan_id, at;
    const char *condition;
};

/* The item after a return: good -> depot, needs_repair -> in_repair,
 * written_off -> written_off (no more maintenance). */
static enum db_status
item_returned(struct db_conn *c, struct req *r, const struct return_ctx *x,
              const struct allocation *l)
{
    struct aid *a = xmalloc(sizeof *a);
    enum db_status s = aid_store_get(c, l->aid_id, true, a);
    if (s == DB_OK) {
        snprintf(a->status, sizeof a->status, "%s",
                 !strcmp(x->condition, "good")           ? "depot"
                 : !strcmp(x->condition, "needs_repair") ? "in_repair"
                                                         : "written_off");
        a->client_id = 0;
        a->loan_id = 0;
        s = aid_schedule_update(a) ? aid_store_update(c, a) : DB_ERROR;
    }
    struct aid_event ev = {.aid_id = l->aid_id,
                           .at = x->at,
                           .client_id = l->client_id,
                           .allocation_id = l->id,
                           .actor = r->who.token_id};
    snprintf(ev.type, sizeof ev.type, "returned");
    snprintf(ev.detail, sizeof ev.detail, "%s", x->condition);
    if (s == DB_OK)
        s = aid_store_event_add(c, &ev, NULL);
    free(a);
    return s;
}

static enum db_status
return_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct return_ctx *x = ctx;
    struct allocation l;
    enum db_status s = loan_or_reject(c, r, x->loan_id, true, &l, ans);
    if (s != DB_OK)
        return s;
    if (l.returned_at)
        return tx_reject(ans, 409, "conflict", NULL, "the loan was already returned");
    if (x->at <= l.from)
        return tx_reject(ans, 400, "invalid_field", "at", "at must be after the loan's from");
    s = loan_store_close(c, l.id, x->at, x->condition);
    if (s == DB_OK)
        s = item_returned(c, r, x, &l);
    if (s != DB_OK)
        return s;
    l.until = l.returned_at = x->at;
    snprintf(l.return_condition, sizeof l.return_condition, "%s", x->condition);
    ans->status = 200;
    ans->body = aids_loan_json(r->app, &l);
    return DB_OK;
}

void
loans_api_return(struct req *r)
{
    struct return_ctx x = {0};
    const char *at = NULL;
    const struct field fields[] = {
        {"at", FIELD_STRING, true, &at, 0, 0, 40, NULL, NULL},
        {"condition", FIELD_ENUM, true, &x.condition, 0, 0, 0, conditions, NULL},
    };
    if (http_path_id_or_reply(r, 0, &x.loan_id) &&
        http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) &&
        aids_time_or_reply(r, "at", at, &x.at) && aids_past_or_reply(r, "at", x.at))
        http_tx_reply(r, "loan_return", TX_PLAIN, return_tx, &x);
}

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct allocation l;
    enum db_status s = loan_or_reject(c, r, *(int64_t *)ctx, false, &l, ans);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = aids_loan_json(r->app, &l);
    return DB_OK;
}

void
loans_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "loan_get", TX_PLAIN, get_tx, &id);
}

struct recovery_ctx {
    int64_t loan_id;
    struct civil_date as_of; /* year 0: the return date, or today */
};

static json_t *
recovery_json(const struct allocation *l, const struct depreciation_recovery *v)
{
    char *why = depreciation_recovery_explain_dup(v);
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:I, s:I, s:I, s:i, s:i, s:i, s:o, s:o, s:I, s:I, s:I, s:b, s:s}",
        "loan_id", http_id_json(l->id), "aid_id", http_id_json(l->aid_id), "as_of",
        aids_date_json(v->as_of), "price_cents", (json_int_t)v->price_cents, "residual_cents",
        (json_int_t)v->residual_cents, "depreciable_cents", (json_int_t)v->depreciable_cents,
        "months_total", v->months_total, "months_elapsed", v->months_elapsed, "months_remaining",
        v->months_remaining, "start", aids_date_json(v->start), "ends", aids_date_json(v->ends),
        "accumulated_cents", (json_int_t)v->accumulated_cents, "book_value_cents",
        (json_int_t)v->book_value_cents, "recoverable_cents", (json_int_t)v->recoverable_cents,
        "period_running", v->period_running, "explanation", why ? why : "");
    free(why);
    if (!o)
        abort();
    return o;
}

/* The recovery of loan l of item a on as_of, as JSON. */
static json_t *
value_json(const struct aid *a, const struct allocation *l, struct civil_date as_of)
{
    struct depreciation_params p;
    struct depreciation_recovery v;
    aid_schedule_depreciation(a, &p);
    depreciation_recovery(&p, as_of, &v);
    return recovery_json(l, &v);
}

static enum db_status
recovery_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct recovery_ctx *x = ctx;
    struct allocation l;
    enum db_status s = loan_or_reject(c, r, x->loan_id, false, &l, ans);
    struct aid *a = xmalloc(sizeof *a);
    if (s == DB_OK)
        s = aid_store_get(c, l.aid_id, false, a);
    if (s == DB_OK) {
        struct civil_date as_of = x->as_of.year   ? x->as_of
                                  : l.returned_at ? aids_local_date(r->app, l.returned_at)
                                                  : aids_today(r->app);
        ans->status = 200;
        ans->body = value_json(a, &l, as_of);
    }
    free(a);
    return s;
}

enum db_status
loans_mark_collect(struct db_conn *c, const struct app *app, int64_t client_id,
                   struct civil_date from, json_t *out)
{
    struct allocation *loans = NULL;
    int n = 0;
    enum db_status s = loan_store_mark_collect(c, client_id, from, &loans, &n);
    struct aid *a = xmalloc(sizeof *a);
    for (int i = 0; s == DB_OK && i < n; i++) {
        if ((s = aid_store_get(c, loans[i].aid_id, false, a)) != DB_OK)
            break;
        json_array_append_new(out, json_pack("{s:o, s:o}", "loan", aids_loan_json(app, &loans[i]),
                                             "value", value_json(a, &loans[i], from)));
    }
    free(a);
    free(loans);
    return s;
}

void
loans_api_recovery(struct req *r)
{
    struct recovery_ctx x = {0};
    const char *q = http_query(r, "as_of");
    if (http_path_id_or_reply(r, 0, &x.loan_id) &&
        (!q || aids_date_or_reply(r, "as_of", q, &x.as_of)))
        http_tx_reply(r, "loan_recovery", TX_PLAIN, recovery_tx, &x);
}

static json_t *
pool_json(const struct app *app, const struct pool *p)
{
    json_t *o = json_pack("{s:o, s:s, s:o, s:o}", "id", http_id_json(p->id), "name", p->name,
                          "address", address_json(p->address, p->lat, p->lon), "created_at",
                          aids_time_json(app, p->created_at));
    if (!o)
        abort();
    return o;
}

static enum db_status
pool_create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct pool out;
    enum db_status s = supplier_store_pool_insert(c, ctx, &out);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = pool_json(r->app, &out);
    return DB_OK;
}

void
pools_api_create(struct req *r)
{
    const char *name = NULL;
    json_t *address = NULL;
    const struct field fields[] = {
        {"name", FIELD_STRING, true, &name, 0, 0, 200, NULL, NULL},
        {"address", FIELD_OBJECT, true, &address, 0, 0, 0, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]))
        return;
    struct field_error err;
    struct address a;
    if (!address_check(address, "address.", &a, &err)) {
        http_reply_error(r, 400, err.code, err.field, "%s", err.message);
        return;
    }
    struct pool *in = xcalloc(1, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    snprintf(in->address, sizeof in->address, "%s", a.text);
    in->lat = a.at.lat;
    in->lon = a.at.lon;
    http_tx_reply(r, "pool_create", TX_CREATE, pool_create_tx, in);
    free(in);
}

static enum db_status
pool_or_reject(struct db_conn *c, int64_t id, struct pool *p, struct tx_answer *ans)
{
    enum db_status s = supplier_store_pool_get(c, id, p);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such pool");
    return s;
}

static enum db_status
pool_get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct pool p;
    enum db_status s = pool_or_reject(c, *(int64_t *)ctx, &p, ans);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = pool_json(r->app, &p);
    return DB_OK;
}

void
pools_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "pool_get", TX_PLAIN, pool_get_tx, &id);
}

struct reserve_ctx {
    int64_t pool_id, client_id, aid_id;
    const char *type;
    int64_t from, until;
};

/* "reserved" or "unreserved" in the item's history. */
static enum db_status
reservation_event(struct db_conn *c, struct req *r, const struct allocation *l, const char *type,
                  int64_t at)
{
    struct aid_event ev = {.aid_id = l->aid_id,
                           .at = at,
                           .client_id = l->client_id,
                           .allocation_id = l->id,
                           .actor = r->who.token_id};
    snprintf(ev.type, sizeof ev.type, "%s", type);
    return aid_store_event_add(c, &ev, NULL);
}

static json_t *
reservation_json(const struct app *app, const struct allocation *l, int64_t pool_id)
{
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "id", http_id_json(l->id), "aid_id",
                  http_id_json(l->aid_id), "pool_id", http_id_json(pool_id), "client_id",
                  http_id_json(l->client_id), "from", aids_time_json(app, l->from), "until",
                  aids_time_json(app, l->until), "status", l->cancelled_at ? "cancelled" : "active",
                  "cancelled_at", aids_time_json(app, l->cancelled_at));
    if (!o)
        abort();
    return o;
}

/* Records the cancellation of l in the item's history; *out is the
 * reservation's answer (the item's pool is read for it). */
static enum db_status
reservation_cancelled(struct db_conn *c, struct req *r, const struct allocation *l, json_t **out)
{
    struct aid *a = xmalloc(sizeof *a);
    enum db_status s = reservation_event(c, r, l, "unreserved", l->cancelled_at);
    if (s == DB_OK)
        s = aid_store_get(c, l->aid_id, false, a);
    if (s == DB_OK)
        *out = reservation_json(r->app, l, a->pool_id);
    free(a);
    return s;
}

/* Tries the candidates in order; the first whose period is free wins. */
static enum db_status
take_first_free(struct db_conn *c, struct req *r, const struct reserve_ctx *x, const int64_t *ids,
                int n, struct allocation *out, bool *taken)
{
    struct allocation in = {.client_id = x->client_id, .from = x->from, .until = x->until};
    snprintf(in.kind, sizeof in.kind, "reservation");
    in.received_on = aids_local_date(r->app, x->from);
    *taken = false;
    for (int i = 0; i < n && !*taken; i++) {
        in.aid_id = ids[i];
        enum db_status s = loan_store_insert(c, &in, r->who.token_id, out, taken);
        if (s != DB_OK)
            return s;
    }
    return *taken ? reservation_event(c, r, out, "reserved", x->from) : DB_OK;
}

static enum db_status
reserve_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct reserve_ctx *x = ctx;
    struct pool p;
    enum db_status s = pool_or_reject(c, x->pool_id, &p, ans);
    if (s == DB_OK)
        s = client_or_reject(c, x->client_id, ans);
    int64_t *ids = NULL;
    int n = 0;
    if (s == DB_OK)
        s = aid_store_pool_candidates(c, x->pool_id, x->type, x->aid_id, &ids, &n);
    if (s == DB_OK && x->aid_id && n == 0)
        s = tx_reject(ans, 404, "not_found", "aid_id", "no such aid in this pool");
    struct allocation out;
    bool taken = false;
    if (s == DB_OK)
        s = take_first_free(c, r, x, ids, n, &out, &taken);
    free(ids);
    if (s != DB_OK)
        return s;
    if (!taken)
        return tx_reject(ans, 409, "conflict", NULL, "no free %s in this pool for that period",
                         x->aid_id ? "item" : x->type);
    ans->status = 201;
    ans->body = reservation_json(r->app, &out, x->pool_id);
    return DB_OK;
}

void
pools_api_reserve(struct req *r)
{
    struct reserve_ctx x = {0};
    const char *from = NULL, *until = NULL;
    const struct field fields[] = {
        {"client_id", FIELD_ID, true, &x.client_id, 0, 0, 0, NULL, NULL},
        {"type", FIELD_ENUM, false, &x.type, 0, 0, 0, aids_types, NULL},
        {"aid_id", FIELD_ID, false, &x.aid_id, 0, 0, 0, NULL, NULL},
        {"from", FIELD_STRING, true, &from, 0, 0, 40, NULL, NULL},
        {"until", FIELD_STRING, true, &until, 0, 0, 40, NULL, NULL},
    };
    if (!http_path_id_or_reply(r, 0, &x.pool_id) ||
        !http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) ||
        !aids_time_or_reply(r, "from", from, &x.from) ||
        !aids_time_or_reply(r, "until", until, &x.until))
        return;
    if (!x.type == !x.aid_id) {
        http_reply_error(r, 400, x.type ? "invalid_field" : "missing_field", "type",
                         "give either type or aid_id");
        return;
    }
    if (x.until <= x.from) {
        http_reply_error(r, 400, "invalid_field", "until", "until must be after from");
        return;
    }
    http_tx_reply(r, "pool_reserve", TX_CREATE, reserve_tx, &x);
}

static enum db_status
cancel_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct allocation l;
    enum db_status s = loan_store_get(c, *(int64_t *)ctx, true, &l);
    if (s == DB_OK && strcmp(l.kind, "reservation"))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such reservation");
    if (s != DB_OK)
        return s;
    s = loan_store_cancel(c, l.id, &l);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 409, "conflict", NULL,
                         l.cancelled_at ? "the reservation was already cancelled"
                                        : "the reservation has already ended");
    if (s == DB_OK && (s = reservation_cancelled(c, r, &l, &ans->body)) == DB_OK)
        ans->status = 200;
    return s;
}

void
reservations_api_cancel(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "reservation_cancel", TX_PLAIN, cancel_tx, &id);
}

enum db_status
reservations_cancel_client(struct db_conn *c, struct req *r, int64_t client_id, json_t *out)
{
    struct allocation *items = NULL;
    int n = 0;
    enum db_status s = loan_store_cancel_client(c, client_id, &items, &n);
    json_t *one;
    for (int i = 0; s == DB_OK && i < n; i++)
        if ((s = reservation_cancelled(c, r, &items[i], &one)) == DB_OK)
            json_array_append_new(out, one);
    free(items);
    return s;
}
