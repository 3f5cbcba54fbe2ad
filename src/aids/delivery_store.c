/* SQL of the deliveries table. */
#include "aids/delivery_store.h"

#include "aids/aids_sql.h"

#include <stdio.h>
#include <string.h>

#define DELIVERY_COLUMNS                                                                           \
    "id, client_id, model_id, supplier_id, " AIDS_EPOCH(                                           \
        "ordered_at") ", term_working_days, "                                                      \
                      "coalesce(exception, ''), coalesce(exception_reason, ''), " AIDS_EPOCH(      \
                          "delivered_at") ", aid_id, loan_id, working_days, "                      \
                                          "coalesce(within_term, false), " AIDS_EPOCH("created_"   \
                                                                                      "at")

static struct db_stmt st_insert = {
    "delivery_insert",
    "INSERT INTO deliveries (client_id, model_id, supplier_id, ordered_at, term_working_days, "
    "exception, exception_reason, created_by) VALUES ($1, $2, $3, to_timestamp($4::bigint), $5, "
    "nullif($6, ''), nullif($7, ''), $8) RETURNING " DELIVERY_COLUMNS,
    8, 0};
static struct db_stmt st_get = {"delivery_get",
                                "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "delivery_get_lock", "SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE id = $1 FOR UPDATE", 1,
    0};
static struct db_stmt st_delivered = {
    "delivery_delivered",
    "UPDATE deliveries SET delivered_at = to_timestamp($2::bigint), aid_id = $3, loan_id = $4, "
    "working_days = $5, within_term = $6 WHERE id = $1 AND delivered_at IS NULL "
    "RETURNING " DELIVERY_COLUMNS,
    6, 0};

static void
read_delivery(const PGresult *r, int row, void *dst)
{
    struct delivery *d = dst;
    memset(d, 0, sizeof *d);
    d->id = aids_sql_i64(r, row, 0);
    d->client_id = aids_sql_i64(r, row, 1);
    d->model_id = aids_sql_i64(r, row, 2);
    d->supplier_id = aids_sql_i64(r, row, 3);
    d->ordered_at = aids_sql_i64(r, row, 4);
    d->term_working_days = (int)aids_sql_i64(r, row, 5);
    aids_sql_text(d->exception, sizeof d->exception, r, row, 6);
    aids_sql_text(d->exception_reason, sizeof d->exception_reason, r, row, 7);
    d->delivered_at = aids_sql_i64(r, row, 8);
    d->aid_id = aids_sql_i64(r, row, 9);
    d->loan_id = aids_sql_i64(r, row, 10);
    d->working_days = (int)aids_sql_i64(r, row, 11);
    d->within_term = PQgetvalue(r, row, 12)[0] == 't';
    d->created_at = aids_sql_i64(r, row, 13);
}

enum db_status
delivery_store_insert(struct db_conn *c, const struct delivery *in, int64_t actor,
                      struct delivery *out)
{
    char cl[24], m[24], s[24], o[24], t[24], a[24];
    const char *params[] = {aids_sql_param_i64(cl, in->client_id),
                            aids_sql_param_i64(m, in->model_id),
                            aids_sql_param_i64(s, in->supplier_id),
                            aids_sql_param_i64(o, in->ordered_at),
                            aids_sql_param_i64(t, in->term_working_days),
                            in->exception,
                            in->exception_reason,
                            aids_sql_param_id(a, actor)};
    return db_query_one(c, &st_insert, params, read_delivery, out);
}

enum db_status
delivery_store_get(struct db_conn *c, int64_t id, bool lock, struct delivery *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, id)};
    return db_query_one(c, lock ? &st_get_lock : &st_get, params, read_delivery, out);
}

enum db_status
delivery_store_delivered(struct db_conn *c, const struct delivery *d, struct delivery *out)
{
    char id[24], at[24], aid[24], loan[24], wd[24];
    const char *params[] = {
        aids_sql_param_i64(id, d->id),           aids_sql_param_i64(at, d->delivered_at),
        aids_sql_param_i64(aid, d->aid_id),      aids_sql_param_id(loan, d->loan_id),
        aids_sql_param_i64(wd, d->working_days), d->within_term ? "t" : "f"};
    enum db_status s = db_query_one(c, &st_delivered, params, read_delivery, out);
    return s == DB_NOT_FOUND ? DB_CONFLICT : s;
}
