/* HTTP glue of the allowance ledger and its report. */
#include "api/allowance_api.h"

#include "api/access.h"
#include "common/numparse.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "transport/allowance.h"
#include "transport/client_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
account_json(const struct allowance_account *a)
{
    return json_pack("{s:i, s:f, s:f, s:f, s:f}", "year", a->year, "granted_km",
                     allowance_km(allowance_granted_m(a)), "reserved_km",
                     allowance_km(a->reserved_m), "used_km", allowance_km(a->used_m),
                     "remaining_km", allowance_km(allowance_remaining_m(a)));
}

struct year_ctx {
    int64_t client_id;
    int year;
    int64_t metres;
    const char *reason;
};

static enum db_status
answer_year(struct db_conn *c, struct req *r, const struct year_ctx *x, unsigned status,
            struct tx_answer *ans)
{
    struct allowance_account a;
    struct allowance_entry *e = NULL;
    int n = 0;
    enum db_status s = allowance_get(c, x->client_id, x->year, r->app->cfg->pro_rata, &a);
    if (s == DB_OK && a.exists)
        s = allowance_entries(c, x->client_id, x->year, &e, &n);
    if (s != DB_OK)
        return s;
    json_t *entries = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:f, s:o}", "at", e[i].at, "kind", e[i].kind, "km",
                              allowance_km(e[i].metres), "booking_id",
                              e[i].booking_id ? http_id_json(e[i].booking_id) : json_null());
        if (e[i].reason[0])
            json_object_set_new(o, "reason", json_string(e[i].reason));
        json_array_append_new(entries, o);
    }
    free(e);
    ans->status = status;
    ans->body = account_json(&a);
    json_object_set_new(ans->body, "client_id", http_id_json(x->client_id));
    json_object_set_new(ans->body, "entries", entries);
    return DB_OK;
}

static enum db_status
client_exists(struct db_conn *c, int64_t id, struct tx_answer *ans)
{
    struct client client;
    enum db_status s = client_store_get(c, id, "share", &client);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    return s;
}

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    enum db_status s = client_exists(c, ((struct year_ctx *)ctx)->client_id, ans);
    return s == DB_OK ? answer_year(c, r, ctx, 200, ans) : s;
}

static int
current_year(const struct req *r)
{
    struct workcal_local l;
    workcal_to_local(r->app->tz, (int64_t)time(NULL), &l);
    return l.date.year;
}

static bool
year_or_reply(struct req *r, const char *text, int *year)
{
    int64_t y = current_year(r);
    if (text && !parse_int64(text, 2000, 2200, &y)) {
        http_reply_error(r, 400, "invalid_field", "year", "year must be from 2000 to 2200");
        return false;
    }
    *year = (int)y;
    return true;
}

void
allowance_api_get(struct req *r)
{
    struct year_ctx x = {0};
    if (client_path_or_reply(r, &x.client_id) && year_or_reply(r, http_query(r, "year"), &x.year))
        http_tx_reply(r, "allowance_get", TX_PLAIN, get_tx, &x);
}

static enum db_status
adjust_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct year_ctx *x = ctx;
    enum db_status s = client_exists(c, x->client_id, ans);
    if (s == DB_OK)
        s = allowance_ensure(c, x->client_id, x->year, r->app->cfg->pro_rata);
    bool fitted = false;
    if (s == DB_OK)
        s = allowance_adjust(c, x->client_id, x->year, x->metres, r->who.token_id, x->reason,
                             &fitted);
    if (s != DB_OK)
        return s;
    if (!fitted)
        return tx_reject(ans, 422, "allowance_exceeded", "km",
                         "the grant may not drop below the km already reserved and used");
    return answer_year(c, r, x, 201, ans);
}

void
allowance_api_adjust(struct req *r)
{
    struct year_ctx x = {0};
    int64_t year = 0;
    double km = 0;
    const struct field f[] = {
        {"year", FIELD_INT, true, &year, 2000, 2200, 0, NULL, NULL},
        {"km", FIELD_NUMBER, true, &km, -4000, 4000, 0, NULL, NULL},
        {"reason", FIELD_STRING, true, &x.reason, 0, 0, 500, NULL, NULL},
    };
    if (!http_path_id_or_reply(r, 0, &x.client_id) || !http_fields_or_reply(r, f, 3))
        return;
    x.year = (int)year;
    x.metres = (int64_t)llround(km * 1000.0);
    if (x.metres == 0) {
        http_reply_error(r, 400, "invalid_field", "km", "km must not be zero");
        return;
    }
    http_tx_reply(r, "allowance_adjust", TX_CREATE, adjust_tx, &x);
}

struct report_ctx {
    int year;
};

static enum db_status
report_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct report_ctx *x = ctx;
    json_t *items = json_array();
    int64_t after = 0, *ids;
    int n;
    enum db_status s;
    do {
        if ((s = client_store_with_indication(c, x->year, after, 500, &ids, &n)) != DB_OK)
            break;
        for (int i = 0; i < n && s == DB_OK; i++) {
            struct allowance_account a;
            s = allowance_get(c, ids[i], x->year, r->app->cfg->pro_rata, &a);
            json_t *o = account_json(&a);
            json_object_set_new(o, "client_id", http_id_json(ids[i]));
            json_array_append_new(items, o);
            after = ids[i];
        }
        free(ids);
    } while (s == DB_OK && n == 500);
    if (s != DB_OK) {
        json_decref(items);
        return s;
    }
    ans->status = 200;
    ans->body = json_pack("{s:i, s:o}", "year", x->year, "items", items);
    return DB_OK;
}

static char *
report_csv(const json_t *items)
{
    size_t cap = 128 + json_array_size(items) * 96, len = 0;
    char *out = malloc(cap);
    if (!out)
        abort();
    len +=
        (size_t)snprintf(out, cap, "client_id,year,granted_km,reserved_km,used_km,remaining_km\n");
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        len += (size_t)snprintf(out + len, cap - len, "%s,%lld,%.1f,%.1f,%.1f,%.1f\n",
                                json_string_value(json_object_get(o, "client_id")),
                                (long long)json_integer_value(json_object_get(o, "year")),
                                json_real_value(json_object_get(o, "granted_km")),
                                json_real_value(json_object_get(o, "reserved_km")),
                                json_real_value(json_object_get(o, "used_km")),
                                json_real_value(json_object_get(o, "remaining_km")));
    }
    return out;
}

void
allowance_api_report(struct req *r)
{
    struct report_ctx x = {0};
    const char *format = http_query(r, "format");
    if (!year_or_reply(r, http_query(r, "year"), &x.year))
        return;
    if (format && strcmp(format, "csv") && strcmp(format, "json")) {
        http_reply_error(r, 400, "invalid_field", "format", "format must be json or csv");
        return;
    }
    if (!format || strcmp(format, "csv")) {
        http_tx_reply(r, "allowance_report", TX_PLAIN, report_tx, &x);
        return;
    }
    /* CSV: the same report, rendered from its JSON. */
    struct tx_answer ans;
    enum db_status s = http_tx_run(r, "allowance_report", TX_PLAIN, report_tx, &x, &ans);
    if (s != DB_OK) {
        if (s == DB_REJECTED)
            http_reply_json(r, ans.status, ans.body);
        else
            http_reply_db_error(r, s);
        return;
    }
    char *csv = report_csv(json_object_get(ans.body, "items"));
    http_reply_text(r, 200, "text/csv; charset=utf-8", csv, strlen(csv));
    free(csv);
    json_decref(ans.body);
}
