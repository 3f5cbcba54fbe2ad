/* SQL of the suppliers, aid_models and pools tables. */
#include "aids/supplier_store.h"

#include "aids/aids_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUPPLIER_COLUMNS                                                                           \
    "id, name, coalesce(email, ''), coalesce(webhook_url, ''), delivery_working_days, "            \
    "breakdown_response_minutes, breakdown_clock, repair_working_days, "                           \
    "maintenance_grace_days, " AIDS_EPOCH("created_at")
#define MODEL_COLUMNS                                                                              \
    "id, type, brand, model, supplier_id, depreciation_months, residual_pct_bp, "                  \
    "maintenance_rule, maintenance_anchor, list_price_cents, " AIDS_EPOCH("created_at")
#define POOL_COLUMNS "id, name, address, lat, lon, " AIDS_EPOCH("created_at")

static struct db_stmt st_insert = {
    "supplier_insert",
    "INSERT INTO suppliers (name, email, webhook_url, delivery_working_days, "
    "breakdown_response_minutes, breakdown_clock, repair_working_days, maintenance_grace_days) "
    "VALUES ($1, nullif($2, ''), nullif($3, ''), $4, $5, $6, $7, $8) RETURNING " SUPPLIER_COLUMNS,
    8, 0};
static struct db_stmt st_get = {"supplier_get",
                                "SELECT " SUPPLIER_COLUMNS " FROM suppliers WHERE id = $1", 1, 0};
static struct db_stmt st_model_insert = {
    "aid_model_insert",
    "INSERT INTO aid_models (type, brand, model, supplier_id, depreciation_months, "
    "residual_pct_bp, maintenance_rule, maintenance_anchor, list_price_cents) VALUES ($1, $2, $3, "
    "$4, $5, $6, $7, $8, $9) RETURNING " MODEL_COLUMNS,
    9, 0};
static struct db_stmt st_model_get = {
    "aid_model_get", "SELECT " MODEL_COLUMNS " FROM aid_models WHERE id = $1", 1, 0};
static struct db_stmt st_pool_insert = {
    "pool_insert",
    "INSERT INTO pools (name, address, lat, lon) VALUES ($1, $2, $3, $4) RETURNING " POOL_COLUMNS,
    4, 0};
static struct db_stmt st_pool_get = {"pool_get", "SELECT " POOL_COLUMNS " FROM pools WHERE id = $1",
                                     1, 0};

static void
read_supplier(const PGresult *r, int row, void *dst)
{
    struct supplier *s = dst;
    memset(s, 0, sizeof *s);
    s->id = aids_sql_i64(r, row, 0);
    aids_sql_text(s->name, sizeof s->name, r, row, 1);
    aids_sql_text(s->email, sizeof s->email, r, row, 2);
    aids_sql_text(s->webhook_url, sizeof s->webhook_url, r, row, 3);
    s->delivery_working_days = (int)aids_sql_i64(r, row, 4);
    s->breakdown_response_minutes = (int)aids_sql_i64(r, row, 5);
    aids_sql_text(s->breakdown_clock, sizeof s->breakdown_clock, r, row, 6);
    s->repair_working_days = (int)aids_sql_i64(r, row, 7);
    s->maintenance_grace_days = (int)aids_sql_i64(r, row, 8);
    s->created_at = aids_sql_i64(r, row, 9);
}

static void
read_model(const PGresult *r, int row, void *dst)
{
    struct aid_model *m = dst;
    memset(m, 0, sizeof *m);
    m->id = aids_sql_i64(r, row, 0);
    aids_sql_text(m->type, sizeof m->type, r, row, 1);
    aids_sql_text(m->brand, sizeof m->brand, r, row, 2);
    aids_sql_text(m->model, sizeof m->model, r, row, 3);
    m->supplier_id = aids_sql_i64(r, row, 4);
    m->depreciation_months = (int)aids_sql_i64(r, row, 5);
    m->residual_pct_bp = (int)aids_sql_i64(r, row, 6);
    aids_sql_text(m->maintenance_rule, sizeof m->maintenance_rule, r, row, 7);
    aids_sql_text(m->maintenance_anchor, sizeof m->maintenance_anchor, r, row, 8);
    m->list_price_cents = aids_sql_i64(r, row, 9);
    m->created_at = aids_sql_i64(r, row, 10);
}

static void
read_pool(const PGresult *r, int row, void *dst)
{
    struct pool *p = dst;
    memset(p, 0, sizeof *p);
    p->id = aids_sql_i64(r, row, 0);
    aids_sql_text(p->name, sizeof p->name, r, row, 1);
    aids_sql_text(p->address, sizeof p->address, r, row, 2);
    p->lat = strtod(PQgetvalue(r, row, 3), NULL);
    p->lon = strtod(PQgetvalue(r, row, 4), NULL);
    p->created_at = aids_sql_i64(r, row, 5);
}

static enum db_status
by_id(struct db_conn *c, struct db_stmt *st, int64_t id,
      void (*read)(const PGresult *, int, void *), void *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, id)};
    return db_query_one(c, st, params, read, out);
}

enum db_status
supplier_store_insert(struct db_conn *c, const struct supplier *in, struct supplier *out)
{
    char d[24], b[24], rp[24], g[24];
    const char *params[] = {in->name,
                            in->email,
                            in->webhook_url,
                            aids_sql_param_i64(d, in->delivery_working_days),
                            aids_sql_param_i64(b, in->breakdown_response_minutes),
                            in->breakdown_clock,
                            aids_sql_param_i64(rp, in->repair_working_days),
                            aids_sql_param_i64(g, in->maintenance_grace_days)};
    return db_query_one(c, &st_insert, params, read_supplier, out);
}

enum db_status
supplier_store_get(struct db_conn *c, int64_t id, struct supplier *out)
{
    return by_id(c, &st_get, id, read_supplier, out);
}

enum db_status
supplier_store_model_insert(struct db_conn *c, const struct aid_model *in, struct aid_model *out)
{
    char s[24], m[24], p[24], l[24];
    const char *params[] = {in->type,
                            in->brand,
                            in->model,
                            aids_sql_param_i64(s, in->supplier_id),
                            aids_sql_param_i64(m, in->depreciation_months),
                            aids_sql_param_i64(p, in->residual_pct_bp),
                            in->maintenance_rule,
                            in->maintenance_anchor,
                            aids_sql_param_i64(l, in->list_price_cents)};
    return db_query_one(c, &st_model_insert, params, read_model, out);
}

enum db_status
supplier_store_model_get(struct db_conn *c, int64_t id, struct aid_model *out)
{
    return by_id(c, &st_model_get, id, read_model, out);
}

enum db_status
supplier_store_pool_insert(struct db_conn *c, const struct pool *in, struct pool *out)
{
    char lat[32], lon[32];
    snprintf(lat, sizeof lat, "%.7f", in->lat);
    snprintf(lon, sizeof lon, "%.7f", in->lon);
    const char *params[] = {in->name, in->address, lat, lon};
    return db_query_one(c, &st_pool_insert, params, read_pool, out);
}

enum db_status
supplier_store_pool_get(struct db_conn *c, int64_t id, struct pool *out)
{
    return by_id(c, &st_pool_get, id, read_pool, out);
}
