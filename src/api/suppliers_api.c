/* HTTP glue of suppliers (with their SLA terms), aid models and the
 * suppliers' maintenance.ics feed. */
#include "api/suppliers_api.h"

#include "aids/aid_store.h"
#include "aids/supplier_store.h"
#include "api/aids_common.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "inventory/maintenance.h"
#include "inventory/maintenance_ics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How far ahead the maintenance feed looks, and how many events it holds
 * at most (a calendar app chokes on more). */
#define ICS_HORIZON_DAYS 365
#define ICS_MAX_EVENTS   5000

static const char *const clocks[] = {"24x7", "business", NULL};
static const char *const anchors[] = {"fixed", "completion", NULL};

static json_t *
opt_string(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *
supplier_json(const struct app *app, const struct supplier *s)
{
    json_t *o = json_pack(
        "{s:o, s:s, s:o, s:o, s:{s:i, s:i, s:s, s:i, s:i}, s:o}", "id", http_id_json(s->id), "name",
        s->name, "email", opt_string(s->email), "webhook_url", opt_string(s->webhook_url), "sla",
        "delivery_working_days", s->delivery_working_days, "breakdown_response_minutes",
        s->breakdown_response_minutes, "breakdown_clock", s->breakdown_clock, "repair_working_days",
        s->repair_working_days, "maintenance_grace_days", s->maintenance_grace_days, "created_at",
        aids_time_json(app, s->created_at));
    if (!o)
        abort();
    return o;
}

static bool
supplier_input_or_reply(struct req *r, struct supplier *in)
{
    const char *name = NULL, *email = NULL, *webhook = NULL, *clock = NULL;
    json_t *sla = NULL;
    int64_t delivery = 0, response = 0, repair = 0, grace = 0;
    const struct field fields[] = {
        {"name", FIELD_STRING, true, &name, 0, 0, 200, NULL, NULL},
        {"email", FIELD_STRING, false, &email, 0, 0, 254, NULL, NULL},
        {"webhook_url", FIELD_STRING, false, &webhook, 0, 0, 2000, NULL, NULL},
        {"sla", FIELD_OBJECT, true, &sla, 0, 0, 0, NULL, NULL},
    };
    const struct field sla_fields[] = {
        {"delivery_working_days", FIELD_INT, true, &delivery, 0, 365, 0, NULL, NULL},
        {"breakdown_response_minutes", FIELD_INT, true, &response, 0, 525600, 0, NULL, NULL},
        {"breakdown_clock", FIELD_ENUM, true, &clock, 0, 0, 0, clocks, NULL},
        {"repair_working_days", FIELD_INT, true, &repair, 0, 365, 0, NULL, NULL},
        {"maintenance_grace_days", FIELD_INT, true, &grace, 0, 365, 0, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]))
        return false;
    struct field_error err;
    if (!fields_check(sla, "sla.", sla_fields, sizeof sla_fields / sizeof sla_fields[0], &err)) {
        http_reply_error(r, 400, err.code, err.field, "%s", err.message);
        return false;
    }
    if (email && !strchr(email, '@')) {
        http_reply_error(r, 400, "invalid_field", "email", "email must be an e-mail address");
        return false;
    }
    if (webhook && strncmp(webhook, "https://", 8) && strncmp(webhook, "http://", 7)) {
        http_reply_error(r, 400, "invalid_field", "webhook_url",
                         "webhook_url must be an http(s) URL");
        return false;
    }
    snprintf(in->name, sizeof in->name, "%s", name);
    snprintf(in->email, sizeof in->email, "%s", email ? email : "");
    snprintf(in->webhook_url, sizeof in->webhook_url, "%s", webhook ? webhook : "");
    snprintf(in->breakdown_clock, sizeof in->breakdown_clock, "%s", clock);
    in->delivery_working_days = (int)delivery;
    in->breakdown_response_minutes = (int)response;
    in->repair_working_days = (int)repair;
    in->maintenance_grace_days = (int)grace;
    return true;
}

static enum db_status
supplier_create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct supplier out;
    enum db_status s = supplier_store_insert(c, ctx, &out);
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = supplier_json(r->app, &out);
    return DB_OK;
}

void
suppliers_api_create(struct req *r)
{
    struct supplier *in = xcalloc(1, sizeof *in);
    if (supplier_input_or_reply(r, in))
        http_tx_reply(r, "supplier_create", TX_CREATE, supplier_create_tx, in);
    free(in);
}

static enum db_status
supplier_get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct supplier out;
    enum db_status s = supplier_store_get(c, *(int64_t *)ctx, &out);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such supplier");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = supplier_json(r->app, &out);
    return DB_OK;
}

/* The path's supplier id, when the caller may see that supplier. */
static bool
supplier_id_or_reply(struct req *r, int64_t *id)
{
    if (!http_path_id_or_reply(r, 0, id))
        return false;
    if (aids_access_supplier(&r->who, *id))
        return true;
    http_reply_error(r, 404, "not_found", NULL, "no such supplier");
    return false;
}

void
suppliers_api_get(struct req *r)
{
    int64_t id;
    if (supplier_id_or_reply(r, &id))
        http_tx_reply(r, "supplier_get", TX_PLAIN, supplier_get_tx, &id);
}

static json_t *
model_json(const struct app *app, const struct aid_model *m)
{
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:s, s:o, s:i, s:f, s:s, s:s, s:I, s:o}", "id", http_id_json(m->id),
        "type", m->type, "brand", m->brand, "model", m->model, "supplier_id",
        http_id_json(m->supplier_id), "depreciation_months", m->depreciation_months,
        "residual_value_pct", m->residual_pct_bp / 100.0, "maintenance_rule", m->maintenance_rule,
        "maintenance_anchor", m->maintenance_anchor, "list_price_cents",
        (json_int_t)m->list_price_cents, "created_at", aids_time_json(app, m->created_at));
    if (!o)
        abort();
    return o;
}

/* The residual percentage in hundredths: at most two decimals. */
static bool
pct_or_reply(struct req *r, double pct, int *bp)
{
    double h = pct * 100.0;
    *bp = (int)lround(h);
    if (fabs(h - *bp) < 1e-6)
        return true;
    http_reply_error(r, 400, "invalid_field", "residual_value_pct",
                     "residual_value_pct takes at most two decimals");
    return false;
}

static bool
rule_or_reply(struct req *r, const char *rule)
{
    struct maintenance_rule *parsed;
    enum maintenance_status st = maintenance_rule_create(rule, &parsed);
    maintenance_rule_free(parsed);
    if (st == MAINTENANCE_OK)
        return true;
    http_reply_error(r, 400, "invalid_field", "maintenance_rule",
                     "maintenance_rule must be an RFC 5545 RRULE such as FREQ=YEARLY that gives "
                     "dates no more often than weekly (%s)",
                     maintenance_status_name(st));
    return false;
}

static bool
model_input_or_reply(struct req *r, struct aid_model *in)
{
    const char *type = NULL, *brand = NULL, *model = NULL, *rule = NULL, *anchor = "fixed";
    int64_t months = 0, price = 0;
    double pct = 0;
    const struct field fields[] = {
        {"type", FIELD_ENUM, true, &type, 0, 0, 0, aids_types, NULL},
        {"brand", FIELD_STRING, true, &brand, 0, 0, 200, NULL, NULL},
        {"model", FIELD_STRING, true, &model, 0, 0, 200, NULL, NULL},
        {"supplier_id", FIELD_ID, true, &in->supplier_id, 0, 0, 0, NULL, NULL},
        {"depreciation_months", FIELD_INT, true, &months, 1, 1200, 0, NULL, NULL},
        {"residual_value_pct", FIELD_NUMBER, true, &pct, 0, 100, 0, NULL, NULL},
        {"maintenance_rule", FIELD_STRING, true, &rule, 0, 0, 500, NULL, NULL},
        {"maintenance_anchor", FIELD_ENUM, false, &anchor, 0, 0, 0, anchors, NULL},
        {"list_price_cents", FIELD_INT, true, &price, 0, 1000000000, 0, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]) ||
        !pct_or_reply(r, pct, &in->residual_pct_bp) || !rule_or_reply(r, rule))
        return false;
    snprintf(in->type, sizeof in->type, "%s", type);
    snprintf(in->brand, sizeof in->brand, "%s", brand);
    snprintf(in->model, sizeof in->model, "%s", model);
    snprintf(in->maintenance_rule, sizeof in->maintenance_rule, "%s", rule);
    snprintf(in->maintenance_anchor, sizeof in->maintenance_anchor, "%s", anchor);
    in->depreciation_months = (int)months;
    in->list_price_cents = price;
    return true;
}

static enum db_status
model_create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct aid_model out;
    enum db_status s = supplier_store_model_insert(c, ctx, &out);
    if (s == DB_NO_REFERENT)
        return tx_reject(ans, 404, "not_found", "supplier_id", "no such supplier");
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = model_json(r->app, &out);
    return DB_OK;
}

void
aid_models_api_create(struct req *r)
{
    struct aid_model in = {0};
    if (model_input_or_reply(r, &in))
        http_tx_reply(r, "aid_model_create", TX_CREATE, model_create_tx, &in);
}

static enum db_status
model_get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct aid_model out;
    enum db_status s = supplier_store_model_get(c, *(int64_t *)ctx, &out);
    if (s == DB_OK && !aids_access_supplier(&r->who, out.supplier_id))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such aid model");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = model_json(r->app, &out);
    return DB_OK;
}

void
aid_models_api_get(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "aid_model_get", TX_PLAIN, model_get_tx, &id);
}

struct ics_ctx {
    int64_t supplier_id;
    char *text; /* the feed, caller frees */
};

/* One all-day event per item: its next maintenance date. */
static char *
feed_dup(const struct supplier *s, const struct aid *items, int n)
{
    struct maintenance_ics_entry *e = xcalloc((size_t)n + 1, sizeof *e);
    char **strings = xcalloc((size_t)n * 3 + 1, sizeof *strings);
    for (int i = 0; i < n; i++) {
        const struct aid *a = &items[i];
        char due[CIVIL_DATE_BUFSZ];
        civil_date_format(a->next_maintenance_on, due);
        strings[3 * i] = xasprintf("aid-%lld-%s@ritmo", (long long)a->id, due);
        strings[3 * i + 1] = xasprintf("Maintenance %s %s", a->type, a->serial);
        strings[3 * i + 2] = xasprintf("Aid %lld (model %lld, serial %s) is due for maintenance "
                                       "on %s; overdue after %d grace days.",
                                       (long long)a->id, (long long)a->model_id, a->serial, due,
                                       a->maintenance_grace_days);
        e[i] = (struct maintenance_ics_entry){strings[3 * i], a->next_maintenance_on,
                                              strings[3 * i + 1], strings[3 * i + 2]};
    }
    char *name = xasprintf("ritmo maintenance: %s", s->name);
    char *text = maintenance_ics_dup(name, e, (size_t)n, (int64_t)time(NULL));
    for (int i = 0; i < 3 * n; i++)
        free(strings[i]);
    free(strings);
    free(name);
    free(e);
    return text;
}

static enum db_status
ics_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    struct ics_ctx *x = ctx;
    free(x->text);
    x->text = NULL;
    struct supplier s;
    enum db_status st = supplier_store_get(c, x->supplier_id, &s);
    if (st == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such supplier");
    if (st != DB_OK)
        return st;
    struct civil_date until = civil_date_add_days(aids_today(r->app), ICS_HORIZON_DAYS);
    struct aid *items;
    int n;
    st = aid_store_due(c, until, x->supplier_id, true, 0, ICS_MAX_EVENTS, &items, &n);
    if (st != DB_OK)
        return st;
    x->text = feed_dup(&s, items, n);
    free(items);
    ans->status = 200;
    return x->text ? DB_OK : DB_ERROR;
}

void
suppliers_api_maintenance_ics(struct req *r)
{
    struct ics_ctx x = {0};
    if (!supplier_id_or_reply(r, &x.supplier_id))
        return;
    http_tx_reply_text(r, "maintenance_ics", ics_tx, &x, &x.text, "text/calendar; charset=utf-8");
}
