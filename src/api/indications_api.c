/* HTTP glue of indications. Ending or suspending an indication cancels the
 * rides it no longer covers, releasing their km, in the same transaction. */
#include "api/indications_api.h"

#include "api/access.h"
#include "api/loans_api.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "transport/allowance.h"
#include "transport/booking.h"
#include "transport/client_store.h"
#include "transport/indication_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
indication_json(const struct indication *i)
{
    return json_pack("{s:o, s:o, s:s, s:s, s:s, s:i, s:o, s:o, s:i, s:s}", "id",
                     http_id_json(i->id), "client_id", http_id_json(i->client_id), "kind",
                     "transport", "valid_from", i->valid_from, "valid_until", i->valid_until,
                     "annual_km", i->annual_km, "ended_on",
                     i->ended_on[0] ? json_string(i->ended_on) : json_null(), "end_reason",
                     i->end_reason[0] ? json_string(i->end_reason) : json_null(), "suspensions",
                     i->n_suspensions, "created_at", i->created_at);
}

static bool
date_or_reply(struct req *r, const char *field, const char *text, struct civil_date *out)
{
    if (civil_date_parse(text, out))
        return true;
    http_reply_error(r, 400, "invalid_field", field, "%s must be a date (YYYY-MM-DD)", field);
    return false;
}

struct create_ctx {
    struct indication in;
};

static enum db_status
create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct create_ctx *x = ctx;
    struct client client;
    struct indication out;
    enum db_status s = client_store_get(c, x->in.client_id, "update", &client);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    if (s == DB_OK)
        s = indication_store_insert(c, &x->in, r->who.token_id, &out);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "valid_from",
                         "the client has a transport indication in this period");
    if (s == DB_OK)
        s = allowance_regrant(c, x->in.client_id, r->app->cfg->pro_rata);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = indication_json(&out);
    return DB_OK;
}

void
indications_api_create(struct req *r)
{
    static const char *const kinds[] = {"transport", NULL};
    struct create_ctx x = {0};
    const char *kind = NULL, *from = NULL, *until = NULL;
    int64_t km = r->app->cfg->max_annual_km;
    const struct field f[] = {
        {"kind", FIELD_ENUM, true, &kind, 0, 0, 0, kinds, NULL},
        {"valid_from", FIELD_STRING, true, &from, 0, 0, 10, NULL, NULL},
        {"valid_until", FIELD_STRING, true, &until, 0, 0, 10, NULL, NULL},
        {"annual_km", FIELD_INT, false, &km, 0, (double)r->app->cfg->max_annual_km, 0, NULL, NULL},
    };
    struct civil_date a, b;
    if (!http_path_id_or_reply(r, 0, &x.in.client_id) || !http_fields_or_reply(r, f, 4) ||
        !date_or_reply(r, "valid_from", from, &a) || !date_or_reply(r, "valid_until", until, &b))
        return;
    if (civil_date_compare(b, a) < 0) {
        http_reply_error(r, 400, "invalid_field", "valid_until",
                         "valid_until must not be before valid_from");
        return;
    }
    civil_date_format(a, x.in.valid_from);
    civil_date_format(b, x.in.valid_until);
    x.in.annual_km = (int)km;
    http_tx_reply(r, "indication_create", TX_CREATE, create_tx, &x);
}

static enum db_status
list_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    int64_t client_id = *(int64_t *)ctx;
    struct client client;
    enum db_status s = client_store_get(c, client_id, "", &client);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    struct indication *items;
    int n;
    if (s != DB_OK || (s = indication_store_list(c, client_id, &items, &n)) != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, indication_json(&items[i]));
    free(items);
    ans->status = 200;
    ans->body = json_pack("{s:o, s:n}", "items", arr, "next");
    return DB_OK;
}

void
indications_api_list(struct req *r)
{
    int64_t id;
    if (client_path_or_reply(r, &id))
        http_tx_reply(r, "indication_list", TX_PLAIN, list_tx, &id);
}

/* Cancels the client's open rides with a service date in [from, until]
 * (until NULL: no end), releasing their km: the indication no longer
 * covers them, so this is never charged. The ids go to *cancelled. */
static enum db_status
cancel_uncovered(struct db_conn *c, struct req *r, int64_t client_id, const char *from,
                 const char *until, const char *reason, json_t *cancelled)
{
    struct booking *items;
    int n;
    enum db_status s = booking_store_open_from(c, client_id, from, &items, &n);
    for (int i = 0; i < n && s == DB_OK; i++) {
        struct booking *b = &items[i];
        if (until && strcmp(b->service_date, until) > 0)
            continue;
        struct tx_answer ignored = {0};
        s = booking_cancel(c, r->app, r->who.token_id, b, reason, (int64_t)time(NULL), true,
                           &ignored);
        json_decref(ignored.body);
        json_array_append_new(cancelled, http_id_json(b->id));
    }
    free(items);
    return s;
}

struct change_ctx {
    int64_t id;
    struct suspension susp;
    const char *at;
    const char *reason;
    struct civil_date date; /* `at` parsed */
};

static enum db_status
load_indication(struct db_conn *c, int64_t id, struct indication *ind, struct client *client,
                struct tx_answer *ans)
{
    enum db_status s = indication_store_get(c, id, false, ind);
    if (s == DB_OK)
        s = client_store_get(c, ind->client_id, "update", client);
    if (s == DB_OK)
        s = indication_store_get(c, id, true, ind);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such indication");
    return s;
}

static enum db_status
suspend_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct change_ctx *x = ctx;
    struct indication ind;
    struct client client;
    struct suspension out;
    enum db_status s = load_indication(c, x->id, &ind, &client, ans);
    if (s != DB_OK)
        return s;
    if ((s = indication_store_suspend(c, &x->susp, r->who.token_id, &out)) != DB_OK)
        return s;
    json_t *cancelled = json_array();
    s = cancel_uncovered(c, r, ind.client_id, out.from, out.until, "indication suspended",
                         cancelled);
    if (s != DB_OK) {
        json_decref(cancelled);
        return s;
    }
    ans->status = 201;
    ans->body =
        json_pack("{s:o, s:o, s:s, s:s, s:s, s:o}", "id", http_id_json(out.id), "indication_id",
                  http_id_json(out.indication_id), "from", out.from, "until", out.until, "reason",
                  out.reason, "cancelled_bookings", cancelled);
    return DB_OK;
}

void
indications_api_suspend(struct req *r)
{
    struct change_ctx x = {0};
    const char *from = NULL, *until = NULL, *reason = NULL;
    const struct field f[] = {
        {"from", FIELD_STRING, true, &from, 0, 0, 10, NULL, NULL},
        {"until", FIELD_STRING, true, &until, 0, 0, 10, NULL, NULL},
        {"reason", FIELD_STRING, true, &reason, 0, 0, 500, NULL, NULL},
    };
    struct civil_date a, b;
    if (!http_path_id_or_reply(r, 0, &x.id) || !http_fields_or_reply(r, f, 3) ||
        !date_or_reply(r, "from", from, &a) || !date_or_reply(r, "until", until, &b))
        return;
    if (civil_date_compare(b, a) < 0) {
        http_reply_error(r, 400, "invalid_field", "until", "until must not be before from");
        return;
    }
    x.susp.indication_id = x.id;
    civil_date_format(a, x.susp.from);
    civil_date_format(b, x.susp.until);
    snprintf(x.susp.reason, sizeof x.susp.reason, "%s", reason);
    http_tx_reply(r, "indication_suspend", TX_CREATE, suspend_tx, &x);
}

static enum db_status
end_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct change_ctx *x = ctx;
    struct indication ind;
    struct client client;
    enum db_status s = load_indication(c, x->id, &ind, &client, ans);
    if (s != DB_OK)
        return s;
    if (ind.ended_on[0])
        return tx_reject(ans, 409, "conflict", NULL, "the indication already ended on %s",
                         ind.ended_on);
    if (strcmp(x->at, ind.valid_from) < 0)
        return tx_reject(ans, 400, "invalid_field", "at",
                         "at must not be before the indication starts (%s)", ind.valid_from);
    bool deceased = !strcmp(x->reason, "deceased");
    json_t *cancelled = json_array();
    if ((s = indication_store_end(c, x->id, x->at, x->reason)) == DB_OK &&
        (!deceased || (s = client_store_mark_deceased(c, ind.client_id, x->at)) == DB_OK))
        s = cancel_uncovered(c, r, ind.client_id, x->at, NULL,
                             deceased ? "client deceased" : "indication ended", cancelled);
    json_t *collect = json_array(), *released = json_array();
    if (s == DB_OK && deceased)
        s = loans_mark_collect(c, r->app, ind.client_id, x->date, collect);
    if (s == DB_OK && deceased)
        s = reservations_cancel_client(c, r, ind.client_id, released);
    if (s == DB_OK)
        s = allowance_regrant(c, ind.client_id, r->app->cfg->pro_rata);
    if (s == DB_OK)
        s = indication_store_get(c, x->id, false, &ind);
    if (s != DB_OK) {
        json_decref(cancelled);
        json_decref(collect);
        json_decref(released);
        return s;
    }
    ans->status = 200;
    ans->body = indication_json(&ind);
    json_object_set_new(ans->body, "cancelled_bookings", cancelled);
    json_object_set_new(ans->body, "aids_to_collect", collect);
    json_object_set_new(ans->body, "cancelled_reservations", released);
    return DB_OK;
}

void
indications_api_end(struct req *r)
{
    struct change_ctx x = {0};
    const char *at = NULL;
    const struct field f[] = {
        {"at", FIELD_STRING, true, &at, 0, 0, 10, NULL, NULL},
        {"reason", FIELD_STRING, true, &x.reason, 0, 0, 200, NULL, NULL},
    };
    char date[CIVIL_DATE_BUFSZ];
    if (!http_path_id_or_reply(r, 0, &x.id) || !http_fields_or_reply(r, f, 2) ||
        !date_or_reply(r, "at", at, &x.date))
        return;
    x.at = civil_date_format(x.date, date);
    http_tx_reply(r, "indication_end", TX_PLAIN, end_tx, &x);
}
