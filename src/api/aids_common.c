/* Shared glue of the aids handlers: access, local dates, lending. */
#include "api/aids_common.h"

#include "aids/aid_schedule.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "core/timefmt.h"
#include "http/reply.h"
#include "inventory/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const aids_types[] = {
    "wheelchair_manual", "wheelchair_electric", "scootmobiel", "walker", "tricycle", "other", NULL};
const char *const aids_exceptions[] = {"lost_not_own_fault", "client_pays", "insufficient_support",
                                       NULL};

bool
aids_access_supplier(const struct principal *who, int64_t supplier_id)
{
    if (who->role == ROLE_ADMIN || who->role == ROLE_DISPATCHER)
        return true;
    return who->role == ROLE_SUPPLIER && who->supplier_id == supplier_id;
}

bool
aids_access_aid(const struct principal *who, const struct aid *a)
{
    if (who->role == ROLE_RESIDENT)
        return !strcmp(a->status, "lent") && a->client_id == who->client_id;
    return aids_access_supplier(who, a->supplier_id);
}

struct civil_date
aids_local_date(const struct app *app, int64_t t)
{
    struct workcal_local l;
    workcal_to_local(app->tz, t, &l);
    return l.date;
}

struct civil_date
aids_today(const struct app *app)
{
    return aids_local_date(app, (int64_t)time(NULL));
}

json_t *
aids_time_json(const struct app *app, int64_t t)
{
    char buf[WORKCAL_RFC3339_BUFSZ];
    return t ? json_string(workcal_format_rfc3339(app->tz, t, buf)) : json_null();
}

json_t *
aids_date_json(struct civil_date d)
{
    char buf[CIVIL_DATE_BUFSZ];
    return d.year ? json_string(civil_date_format(d, buf)) : json_null();
}

bool
aids_time_or_reply(struct req *r, const char *field, const char *text, int64_t *out)
{
    if (timefmt_parse(text, out) && *out > WORKCAL_MIN_INSTANT && *out < WORKCAL_MAX_INSTANT)
        return true;
    http_reply_error(r, 400, "invalid_field", field,
                     "%s must be an RFC 3339 time with offset, e.g. 2026-11-24T09:30:00+01:00",
                     field);
    return false;
}

bool
aids_date_or_reply(struct req *r, const char *field, const char *text, struct civil_date *out)
{
    if (civil_date_parse(text, out) && out->year >= 1970 && out->year <= 2199)
        return true;
    http_reply_error(r, 400, "invalid_field", field, "%s must be a date (YYYY-MM-DD)", field);
    return false;
}

bool
aids_past_or_reply(struct req *r, const char *field, int64_t t)
{
    if (t <= (int64_t)time(NULL) + 300)
        return true;
    http_reply_error(r, 400, "invalid_field", field, "%s must not be in the future", field);
    return false;
}

bool
aids_exception_or_reply(struct req *r, struct aids_exception *e)
{
    e->value = REISSUE_EXCEPTION_NONE;
    if (!e->name && !e->reason)
        return true;
    if (!e->name || !e->reason) {
        const char *missing = e->name ? "exception_reason" : "exception";
        http_reply_error(r, 400, "missing_field", missing,
                         "an exception needs a reason, and a reason an exception");
        return false;
    }
    if (!reissue_exception_parse(e->name, &e->value)) {
        http_reply_error(r, 400, "invalid_field", "exception",
                         "exception must be lost_not_own_fault, client_pays or "
                         "insufficient_support");
        return false;
    }
    return true;
}

enum db_status
aids_reissue_check(struct db_conn *c, int64_t client_id, const char *type, struct civil_date date,
                   const struct aids_exception *e, struct reissue_decision *d,
                   struct tx_answer *ans)
{
    struct loan_receipt *items;
    int n;
    enum db_status s = loan_store_receipts(c, client_id, &items, &n);
    if (s != DB_OK)
        return s;
    struct reissue_receipt *receipts = xcalloc((size_t)n + 1, sizeof *receipts);
    for (int i = 0; i < n; i++)
        receipts[i] = (struct reissue_receipt){items[i].type, items[i].received,
                                               items[i].depreciation_months};
    const struct reissue_request req = {type, date, e->value};
    enum reissue_status st = reissue_decide(receipts, (size_t)n, &req, d);
    free(receipts);
    free(items);
    if (st != REISSUE_OK)
        return DB_ERROR;
    if (d->verdict == REISSUE_REFUSED) {
        char buf[CIVIL_DATE_BUFSZ];
        return tx_reject(ans, 422, "depreciation_period_running", "client_id",
                         "the client received a %s whose depreciation period runs until %s; "
                         "give an exception with a reason to lend another before then",
                         type, civil_date_format(d->expires, buf));
    }
    return DB_OK;
}

/* Writes the item's new state. A re-issued item (lent before) restarts its
 * maintenance schedule on the re-issue date. */
static enum db_status
mark_lent(struct db_conn *c, struct aid *a, const struct allocation *loan, bool reissue)
{
    snprintf(a->status, sizeof a->status, "lent");
    a->client_id = loan->client_id;
    a->loan_id = loan->id;
    if (reissue && civil_date_compare(loan->received_on, a->anchor_date) > 0) {
        a->anchor_date = loan->received_on;
        if (!aid_schedule_update(a))
            return DB_ERROR;
    }
    return aid_store_update(c, a);
}

enum db_status
aids_lend(struct db_conn *c, struct req *r, struct aid *a, int64_t client_id, int64_t from,
          const struct aids_exception *e, struct allocation *loan, struct reissue_decision *d,
          struct tx_answer *ans)
{
    if (strcmp(a->status, "depot"))
        return tx_reject(ans, 409, "conflict", NULL, "the aid is not in the depot (it is %s)",
                         a->status);
    struct allocation in = {.aid_id = a->id, .client_id = client_id, .from = from};
    snprintf(in.kind, sizeof in.kind, "loan");
    in.received_on = aids_local_date(r->app, from);
    if (civil_date_compare(in.received_on, a->purchase_date) < 0)
        return tx_reject(ans, 400, "invalid_field", "from", "from is before the aid was purchased");
    enum db_status s = aids_reissue_check(c, client_id, a->type, in.received_on, e, d, ans);
    if (s != DB_OK)
        return s;
    snprintf(in.exception, sizeof in.exception, "%s", e->name ? e->name : "");
    snprintf(in.exception_reason, sizeof in.exception_reason, "%s", e->reason ? e->reason : "");
    bool reissue, taken;
    s = loan_store_was_lent(c, a->id, &reissue);
    if (s == DB_OK)
        s = loan_store_insert(c, &in, r->who.token_id, loan, &taken);
    if (s != DB_OK)
        return s;
    if (!taken)
        return tx_reject(ans, 409, "conflict", "from",
                         "the aid is reserved or lent in that period");
    s = mark_lent(c, a, loan, reissue);
    if (s != DB_OK)
        return s;
    struct aid_event ev = {.aid_id = a->id,
                           .at = from,
                           .client_id = client_id,
                           .allocation_id = loan->id,
                           .actor = r->who.token_id};
    snprintf(ev.type, sizeof ev.type, "lent");
    snprintf(ev.detail, sizeof ev.detail, "%s", reissue ? "re-issue" : "first issue");
    return aid_store_event_add(c, &ev, NULL);
}

json_t *
aids_loan_json(const struct app *app, const struct allocation *l)
{
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", http_id_json(l->id), "aid_id",
        http_id_json(l->aid_id), "client_id", http_id_json(l->client_id), "from",
        aids_time_json(app, l->from), "received_on", aids_date_json(l->received_on), "returned_at",
        aids_time_json(app, l->returned_at), "condition",
        l->return_condition[0] ? json_string(l->return_condition) : json_null(), "exception",
        l->exception[0] ? json_string(l->exception) : json_null(), "exception_reason",
        l->exception_reason[0] ? json_string(l->exception_reason) : json_null());
    if (!o)
        abort();
    json_object_set_new(o, "status", json_string(l->returned_at ? "returned" : "active"));
    json_object_set_new(o, "created_at", aids_time_json(app, l->created_at));
    json_object_set_new(o, "collect_from", aids_date_json(l->collect_from));
    return o;
}
