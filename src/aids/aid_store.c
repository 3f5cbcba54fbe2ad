/* SQL of the aids and aid_events tables. */
#include "aids/aid_store.h"

#include "aids/aids_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AID_FROM                                                                                   \
    " FROM aids a JOIN aid_models m ON m.id = a.model_id JOIN suppliers s ON s.id = "              \
    "m.supplier_id "
#define AID_COLUMNS                                                                                \
    "a.id, a.model_id, a.serial, a.purchase_date, a.purchase_price_cents, a.residual_cents, "      \
    "a.status, a.pool_id, a.client_id, a.loan_id, a.anchor_date, a.last_maintenance_on, "          \
    "a.next_maintenance_on, " AIDS_EPOCH(                                                          \
        "a.created_at") ", m.type, m.supplier_id, "                                                \
                        "m.depreciation_months, m.maintenance_rule, m.maintenance_anchor, "        \
                        "s.maintenance_grace_days"
#define EVENT_COLUMNS                                                                              \
    "id, aid_id, type, " AIDS_EPOCH("at") ", coalesce(detail, ''), coalesce(notes, ''), "          \
                                          "cost_cents, client_id, allocation_id, actor"

static struct db_stmt st_insert = {
    "aid_insert",
    "INSERT INTO aids (model_id, serial, purchase_date, purchase_price_cents, residual_cents, "
    "status, pool_id, anchor_date, next_maintenance_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9) RETURNING id",
    9, 0};
static struct db_stmt st_get = {"aid_get", "SELECT " AID_COLUMNS AID_FROM "WHERE a.id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "aid_get_lock", "SELECT " AID_COLUMNS AID_FROM "WHERE a.id = $1 FOR UPDATE OF a", 1, 0};
static struct db_stmt st_update = {
    "aid_update",
    "UPDATE aids SET status = $2, pool_id = $3, client_id = $4, loan_id = $5, anchor_date = $6, "
    "last_maintenance_on = $7, next_maintenance_on = $8 WHERE id = $1",
    8, 0};
static struct db_stmt st_list = {
    "aid_list",
    "SELECT " AID_COLUMNS AID_FROM
    "WHERE a.id > $1 AND ($2::text IS NULL OR m.type = $2) AND ($3::text IS NULL OR "
    "a.status = $3) AND ($4::bigint IS NULL OR a.pool_id = $4) AND ($5::bigint IS NULL OR "
    "m.supplier_id = $5) ORDER BY a.id LIMIT $6",
    6, 0};
static struct db_stmt st_due = {
    "aid_due",
    "SELECT " AID_COLUMNS AID_FROM
    "WHERE a.next_maintenance_on <= $1 AND a.id > $2 AND ($3::bigint IS NULL OR "
    "m.supplier_id = $3) ORDER BY a.id LIMIT $4",
    4, 0};
static struct db_stmt st_due_by_date = {
    "aid_due_by_date",
    "SELECT " AID_COLUMNS AID_FROM
    "WHERE a.next_maintenance_on <= $1 AND a.id > $2 AND ($3::bigint IS NULL OR "
    "m.supplier_id = $3) ORDER BY a.next_maintenance_on, a.id LIMIT $4",
    4, 0};
static struct db_stmt st_candidates = {
    "aid_pool_candidates",
    "SELECT a.id FROM aids a JOIN aid_models m ON m.id = a.model_id WHERE a.pool_id = $1 AND "
    "a.status = 'pool' AND ($2::text IS NULL OR m.type = $2) AND ($3::bigint IS NULL OR "
    "a.id = $3) ORDER BY a.id",
    3, 0};
static struct db_stmt st_event_add = {
    "aid_event_add",
    "INSERT INTO aid_events (aid_id, type, at, detail, notes, cost_cents, client_id, "
    "allocation_id, actor) VALUES ($1, $2, to_timestamp($3::bigint), nullif($4, ''), "
    "nullif($5, ''), $6, $7, $8, $9) RETURNING id",
    9, 0};
static struct db_stmt st_events = {
    "aid_events", "SELECT " EVENT_COLUMNS " FROM aid_events WHERE aid_id = $1 ORDER BY at, id", 1,
    0};

static void
read_aid(const PGresult *r, int row, void *dst)
{
    struct aid *a = dst;
    memset(a, 0, sizeof *a);
    a->id = aids_sql_i64(r, row, 0);
    a->model_id = aids_sql_i64(r, row, 1);
    aids_sql_text(a->serial, sizeof a->serial, r, row, 2);
    a->purchase_date = aids_sql_date(r, row, 3);
    a->purchase_price_cents = aids_sql_i64(r, row, 4);
    a->residual_cents = aids_sql_i64(r, row, 5);
    aids_sql_text(a->status, sizeof a->status, r, row, 6);
    a->pool_id = aids_sql_i64(r, row, 7);
    a->client_id = aids_sql_i64(r, row, 8);
    a->loan_id = aids_sql_i64(r, row, 9);
    a->anchor_date = aids_sql_date(r, row, 10);
    a->last_maintenance_on = aids_sql_date(r, row, 11);
    a->next_maintenance_on = aids_sql_date(r, row, 12);
    a->created_at = aids_sql_i64(r, row, 13);
    aids_sql_text(a->type, sizeof a->type, r, row, 14);
    a->supplier_id = aids_sql_i64(r, row, 15);
    a->depreciation_months = (int)aids_sql_i64(r, row, 16);
    aids_sql_text(a->maintenance_rule, sizeof a->maintenance_rule, r, row, 17);
    aids_sql_text(a->maintenance_anchor, sizeof a->maintenance_anchor, r, row, 18);
    a->maintenance_grace_days = (int)aids_sql_i64(r, row, 19);
}

static void
read_event(const PGresult *r, int row, void *dst)
{
    struct aid_event *e = dst;
    memset(e, 0, sizeof *e);
    e->id = aids_sql_i64(r, row, 0);
    e->aid_id = aids_sql_i64(r, row, 1);
    aids_sql_text(e->type, sizeof e->type, r, row, 2);
    e->at = aids_sql_i64(r, row, 3);
    aids_sql_text(e->detail, sizeof e->detail, r, row, 4);
    aids_sql_text(e->notes, sizeof e->notes, r, row, 5);
    e->cost_cents = aids_sql_i64(r, row, 6);
    e->client_id = aids_sql_i64(r, row, 7);
    e->allocation_id = aids_sql_i64(r, row, 8);
    e->actor = aids_sql_i64(r, row, 9);
}

static void
read_id(const PGresult *r, int row, void *dst)
{
    *(int64_t *)dst = aids_sql_i64(r, row, 0);
}

enum db_status
aid_store_insert(struct db_conn *c, const struct aid *in, struct aid *out)
{
    char m[24], price[24], res[24], pool[24], pd[CIVIL_DATE_BUFSZ], an[CIVIL_DATE_BUFSZ],
        nx[CIVIL_DATE_BUFSZ];
    const char *params[] = {aids_sql_param_i64(m, in->model_id),
                            in->serial,
                            aids_sql_param_date(pd, in->purchase_date),
                            aids_sql_param_i64(price, in->purchase_price_cents),
                            aids_sql_param_i64(res, in->residual_cents),
                            in->status,
                            aids_sql_param_id(pool, in->pool_id),
                            aids_sql_param_date(an, in->anchor_date),
                            aids_sql_param_date(nx, in->next_maintenance_on)};
    int64_t id = 0;
    enum db_status s = db_query_one(c, &st_insert, params, read_id, &id);
    return s == DB_OK ? aid_store_get(c, id, false, out) : s;
}

enum db_status
aid_store_get(struct db_conn *c, int64_t id, bool lock, struct aid *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, id)};
    return db_query_one(c, lock ? &st_get_lock : &st_get, params, read_aid, out);
}

enum db_status
aid_store_update(struct db_conn *c, const struct aid *a)
{
    char id[24], pool[24], client[24], loan[24], an[CIVIL_DATE_BUFSZ], last[CIVIL_DATE_BUFSZ],
        next[CIVIL_DATE_BUFSZ];
    const char *params[] = {aids_sql_param_i64(id, a->id),
                            a->status,
                            aids_sql_param_id(pool, a->pool_id),
                            aids_sql_param_id(client, a->client_id),
                            aids_sql_param_id(loan, a->loan_id),
                            aids_sql_param_date(an, a->anchor_date),
                            aids_sql_param_date(last, a->last_maintenance_on),
                            aids_sql_param_date(next, a->next_maintenance_on)};
    return db_exec_cmd(c, &st_update, params, NULL);
}

enum db_status
aid_store_list(struct db_conn *c, const struct aid_filter *f, int64_t after, int limit,
               struct aid **items, int *n)
{
    char a[24], pool[24], sup[24], l[24];
    const char *params[] = {aids_sql_param_i64(a, after),
                            f->type,
                            f->status,
                            aids_sql_param_id(pool, f->pool_id),
                            aids_sql_param_id(sup, f->supplier_id),
                            aids_sql_param_i64(l, limit)};
    return aids_sql_rows(c, &st_list, params, sizeof **items, read_aid, (void **)items, n);
}

enum db_status
aid_store_due(struct db_conn *c, struct civil_date until, int64_t supplier_id, bool by_date,
              int64_t after, int limit, struct aid **items, int *n)
{
    char u[CIVIL_DATE_BUFSZ], a[24], sup[24], l[24];
    const char *params[] = {aids_sql_param_date(u, until), aids_sql_param_i64(a, after),
                            aids_sql_param_id(sup, supplier_id), aids_sql_param_i64(l, limit)};
    return aids_sql_rows(c, by_date ? &st_due_by_date : &st_due, params, sizeof **items, read_aid,
                         (void **)items, n);
}

enum db_status
aid_store_pool_candidates(struct db_conn *c, int64_t pool_id, const char *type, int64_t aid_id,
                          int64_t **ids, int *n)
{
    char p[24], a[24];
    const char *params[] = {aids_sql_param_i64(p, pool_id), type, aids_sql_param_id(a, aid_id)};
    return aids_sql_rows(c, &st_candidates, params, sizeof **ids, read_id, (void **)ids, n);
}

enum db_status
aid_store_event_add(struct db_conn *c, const struct aid_event *e, int64_t *id)
{
    char aid[24], at[24], cost[24], client[24], alloc[24], actor[24];
    const char *params[] = {aids_sql_param_i64(aid, e->aid_id),
                            e->type,
                            aids_sql_param_i64(at, e->at),
                            e->detail,
                            e->notes,
                            aids_sql_param_i64(cost, e->cost_cents),
                            aids_sql_param_id(client, e->client_id),
                            aids_sql_param_id(alloc, e->allocation_id),
                            aids_sql_param_id(actor, e->actor)};
    int64_t got = 0;
    enum db_status s = db_query_one(c, &st_event_add, params, read_id, &got);
    if (id)
        *id = got;
    return s;
}

enum db_status
aid_store_events(struct db_conn *c, int64_t aid_id, struct aid_event **items, int *n)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, aid_id)};
    return aids_sql_rows(c, &st_events, params, sizeof **items, read_event, (void **)items, n);
}
