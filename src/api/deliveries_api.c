/* HTTP glue of deliveries. An order is checked against art. 3.2 lid 2 h
 * when it is placed; the delivery lends the delivered item to the client
 * (the supplier brings it to the client's home) and measures the term in
 * working days of the business calendar. */
#include "api/deliveries_api.h"

#include "aids/delivery_store.h"
#include "aids/supplier_store.h"
#include "api/aids_common.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "inventory/workcal.h"
#include "transport/client_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
delivery_json(const struct app *app, const struct delivery *d)
{
    struct civil_date ordered = aids_local_date(app, d->ordered_at);
    struct civil_date due = workcal_add_working_days(app->tz, ordered, d->term_working_days);
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
        http_id_json(d->id), "status", d->delivered_at ? "delivered" : "ordered", "client_id",
        http_id_json(d->client_id), "model_id", http_id_json(d->model_id), "supplier_id",
        http_id_json(d->supplier_id), "ordered_at", aids_time_json(app, d->ordered_at),
        "term_working_days", d->term_working_days, "due_by", aids_date_json(due), "exception",
        d->exception[0] ? json_string(d->exception) : json_null(), "exception_reason",
        d->exception_reason[0] ? json_string(d->exception_reason) : json_null(), "delivered_at",
        aids_time_json(app, d->delivered_at), "aid_id",
        d->aid_id ? http_id_json(d->aid_id) : json_null(), "loan_id",
        d->loan_id ? http_id_json(d->loan_id) : json_null());
    if (!o)
        abort();
    json_object_set_new(o, "working_days",
                        d->delivered_at ? json_integer(d->working_days) : json_null());
    json_object_set_new(o, "within_term",
                        d->delivered_at ? json_boolean(d->within_term) : json_null());
    json_object_set_new(o, "created_at", aids_time_json(app, d->created_at));
    return o;
}

struct order_ctx {
    struct delivery in;
    struct aids_exception e;
};

/* The model and its supplier's term, fixed on the order. */
static enum db_status
order_terms(struct db_conn *c, struct delivery *d, char type[32], struct tx_answer *ans)
{
    struct aid_model m;
    enum db_status s = supplier_store_model_get(c, d->model_id, &m);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "model_id", "no such aid model");
    if (s != DB_OK)
        return s;
    struct supplier *sup = xmalloc(sizeof *sup);
    s = supplier_store_get(c, m.supplier_id, sup);
    if (s == DB_OK) {
        d->supplier_id = m.supplier_id;
        d->term_working_days = sup->delivery_working_days;
        snprintf(type, 32, "%s", m.type);
    }
    free(sup);
    return s;
}

static enum db_status
order_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct order_ctx *x = ctx;
    struct delivery in = x->in, out;
    char type[32];
    struct client *cl = xmalloc(sizeof *cl);
    enum db_status s = client_store_get(c, in.client_id, "update", cl);
    free(cl);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "client_id", "no such client");
    if (s == DB_OK)
        s = order_terms(c, &in, type, ans);
    struct reissue_decision d;
    if (s == DB_OK)
        s = aids_reissue_check(c, in.client_id, type, aids_local_date(r->app, in.ordered_at), &x->e,
                               &d, ans);
    if (s == DB_OK)
        s = delivery_store_insert(c, &in, r->who.token_id, &out);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = delivery_json(r->app, &out);
    return DB_OK;
}

void
deliveries_api_create(struct req *r)
{
    struct order_ctx *x = xcalloc(1, sizeof *x);
    const char *at = NULL;
    const struct field fields[] = {
        {"client_id", FIELD_ID, true, &x->in.client_id, 0, 0, 0, NULL, NULL},
        {"model_id", FIELD_ID, true, &x->in.model_id, 0, 0, 0, NULL, NULL},
        {"ordered_at", FIELD_STRING, true, &at, 0, 0, 40, NULL, NULL},
        {"exception", FIELD_ENUM, false, &x->e.name, 0, 0, 0, aids_exceptions, NULL},
        {"exception_reason", FIELD_STRING, false, &x->e.reason, 0, 0, 1000, NULL, NULL},
    };
    if (http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) &&
        aids_time_or_reply(r, "ordered_at", at, &x->in.ordered_at) &&
        aids_exception_or_reply(r, &x->e)) {
        snprintf(x->in.exception, sizeof x->in.exception, "%s", x->e.name ? x->e.name : "");
        snprintf(x->in.exception_reason, sizeof x->in.exception_reason, "%s",
                 x->e.reason ? x->e.reason : "");
        http_tx_reply(r, "delivery_create", TX_CREATE, order_tx, x);
    }
    free(x);
}

/* The delivery, when it exists and the caller may see it. */
static enum db_status
delivery_or_reject(struct db_conn *c, struct req *r, int64_t id, bool lock, struct delivery *d,
                   struct tx_answer *ans)
{
    enum db_status s = delivery_store_get(c, id, lock, d);
    if (s == DB_OK && !aids_access_supplier(&r->who, d->supplier_id))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such delivery");
    return s;
}

struct delivered_ctx {
    int64_t id, at, aid_id;
};

/* Lends the delivered item to the client, with the order's exception. */
static enum db_status
lend_delivered(struct db_conn *c, struct req *r, struct delivery *d, struct tx_answer *ans)
{
    struct aid *a = xmalloc(sizeof *a);
    struct client *cl = xmalloc(sizeof *cl);
    enum db_status s = client_store_get(c, d->client_id, "update", cl);
    if (s == DB_OK)
        s = aid_store_get(c, d->aid_id, true, a);
    if (s == DB_OK && !aids_access_aid(&r->who, a))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        s = tx_reject(ans, 404, "not_found", "aid_id", "no such aid");
    else if (s == DB_OK && a->model_id != d->model_id)
        s = tx_reject(ans, 400, "invalid_field", "aid_id", "the aid is not of the ordered model");
    struct aids_exception e = {d->exception[0] ? d->exception : NULL,
                               d->exception_reason[0] ? d->exception_reason : NULL,
                               REISSUE_EXCEPTION_NONE};
    if (s == DB_OK && e.name && !reissue_exception_parse(e.name, &e.value))
        s = DB_ERROR; /* the table's CHECK allows only valid names */
    struct allocation loan;
    struct reissue_decision rd;
    if (s == DB_OK)
        s = aids_lend(c, r, a, d->client_id, d->delivered_at, &e, &loan, &rd, ans);
    if (s == DB_OK)
        d->loan_id = loan.id;
    free(cl);
    free(a);
    return s;
}

static enum db_status
delivered_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct delivered_ctx *x = ctx;
    struct delivery d, out;
    enum db_status s = delivery_or_reject(c, r, x->id, true, &d, ans);
    if (s != DB_OK)
        return s;
    if (d.delivered_at)
        return tx_reject(ans, 409, "conflict", NULL, "the delivery was already recorded");
    if (x->at < d.ordered_at)
        return tx_reject(ans, 400, "invalid_field", "at", "at must not be before the order");
    d.delivered_at = x->at;
    d.aid_id = x->aid_id;
    d.working_days = (int)workcal_working_days_between(
        r->app->tz, aids_local_date(r->app, d.ordered_at), aids_local_date(r->app, x->at));
    d.within_term = d.working_days <= d.term_working_days;
    s = lend_delivered(c, r, &d, ans);
    if (s == DB_OK)
        s = delivery_store_delivered(c, &d, &out);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = delivery_json(r->app, &out);
    return DB_OK;
}

void
deliveries_api_delivered(struct req *r)
{
    struct delivered_ctx x = {0};
    const char *at = NULL;
    const struct field fields[] = {
        {"at", FIELD_STRING, true, &at, 0, 0, 40, NULL, NULL},
        {"aid_id", FIELD_ID, true, &x.aid_id, 0, 0, 0, NULL, NULL},
    };
    if (http_path_id_or_reply(r, 0, &x.id) &&
        http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) &&
        aids_time_or_reply(r, "at", at, &x.at) && aids_past_or_reply(r, "at", x.at))
        http_tx_reply(r, "delivery_delivered", TX_PLAIN, delivered_tx, &x);
}

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct delivery d;
    enum db_status s = delivery_or_reject(c, r, *(int64_t *)ctx, false, &d, ans);
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = delivery_json(r->app, &d);
    return DB_OK;
}

void
deliveries_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "delivery_get", TX_PLAIN, get_tx, &id);
}
