/* SQL of the aid_allocations table (loans and reservations). */
#include "aids/loan_store.h"

#include "aids/aids_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept out of clang-format, which reflows string macros unreadably. */
/* clang-format off */
#define ALLOC_COLUMNS                                                           \
    "id, aid_id, client_id, kind, "                                             \
    AIDS_EPOCH("lower(period)") ", " AIDS_EPOCH("upper(period)") ", "           \
    "received_on, coalesce(exception, ''), coalesce(exception_reason, ''), "   \
    AIDS_EPOCH("returned_at") ", coalesce(return_condition, ''), "              \
    AIDS_EPOCH("created_at") ", collect_from, " AIDS_EPOCH("cancelled_at")
/* clang-format on */

/* ON CONFLICT DO NOTHING also covers the exclusion constraint: an overlap
 * makes no row instead of an error that would abort the transaction, so
 * a reservation can try the next free item. */
static struct db_stmt st_insert = {
    "allocation_insert",
    "INSERT INTO aid_allocations (aid_id, client_id, kind, period, received_on, exception, "
    "exception_reason, created_by) VALUES ($1, $2, $3, tstzrange(to_timestamp($4::bigint), "
    "to_timestamp($5::bigint), '[)'), $6, nullif($7, ''), nullif($8, ''), $9) ON CONFLICT DO "
    "NOTHING RETURNING " ALLOC_COLUMNS,
    9, 0};
static struct db_stmt st_get = {
    "allocation_get", "SELECT " ALLOC_COLUMNS " FROM aid_allocations WHERE id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "allocation_get_lock", "SELECT " ALLOC_COLUMNS " FROM aid_allocations WHERE id = $1 FOR UPDATE",
    1, 0};
static struct db_stmt st_close = {
    "allocation_close",
    "UPDATE aid_allocations SET period = tstzrange(lower(period), to_timestamp($2::bigint), '[)'), "
    "returned_at = to_timestamp($2::bigint), return_condition = $3 WHERE id = $1 AND "
    "returned_at IS NULL",
    3, 0};
/* The CTE orders the marked loans, which UPDATE ... RETURNING does not. */
static struct db_stmt st_mark_collect = {
    "allocation_mark_collect",
    "WITH m AS (UPDATE aid_allocations SET collect_from = $2 WHERE client_id = $1 AND kind = "
    "'loan' AND returned_at IS NULL AND collect_from IS NULL RETURNING *) SELECT " ALLOC_COLUMNS
    " FROM m ORDER BY id",
    2, 0};
/* A reservation that has ended is history: it cannot be cancelled. */
#define CANCELLABLE "kind = 'reservation' AND cancelled_at IS NULL AND upper(period) > now()"
static struct db_stmt st_cancel = {
    "allocation_cancel",
    "UPDATE aid_allocations SET cancelled_at = now() WHERE id = $1 AND " CANCELLABLE
    " RETURNING " ALLOC_COLUMNS,
    1, 0};
static struct db_stmt st_cancel_client = {
    "allocation_cancel_client",
    "WITH m AS (UPDATE aid_allocations SET cancelled_at = now() WHERE client_id = $1 "
    "AND " CANCELLABLE " RETURNING *) SELECT " ALLOC_COLUMNS " FROM m ORDER BY id",
    1, 0};
static struct db_stmt st_receipts = {
    "allocation_receipts",
    "SELECT m.type, l.received_on, m.depreciation_months FROM aid_allocations l JOIN aids a ON "
    "a.id = l.aid_id JOIN aid_models m ON m.id = a.model_id WHERE l.client_id = $1 AND "
    "l.kind = 'loan' ORDER BY l.id",
    1, 0};
static struct db_stmt st_was_lent = {
    "allocation_was_lent",
    "SELECT EXISTS (SELECT 1 FROM aid_allocations WHERE aid_id = $1 AND kind = 'loan')", 1, 0};

static void
read_allocation(const PGresult *r, int row, void *dst)
{
    struct allocation *a = dst;
    memset(a, 0, sizeof *a);
    a->id = aids_sql_i64(r, row, 0);
    a->aid_id = aids_sql_i64(r, row, 1);
    a->client_id = aids_sql_i64(r, row, 2);
    aids_sql_text(a->kind, sizeof a->kind, r, row, 3);
    a->from = aids_sql_i64(r, row, 4);
    a->until = aids_sql_i64(r, row, 5);
    a->received_on = aids_sql_date(r, row, 6);
    aids_sql_text(a->exception, sizeof a->exception, r, row, 7);
    aids_sql_text(a->exception_reason, sizeof a->exception_reason, r, row, 8);
    a->returned_at = aids_sql_i64(r, row, 9);
    aids_sql_text(a->return_condition, sizeof a->return_condition, r, row, 10);
    a->created_at = aids_sql_i64(r, row, 11);
    a->collect_from = aids_sql_date(r, row, 12);
    a->cancelled_at = aids_sql_i64(r, row, 13);
}

static void
read_receipt(const PGresult *r, int row, void *dst)
{
    struct loan_receipt *x = dst;
    aids_sql_text(x->type, sizeof x->type, r, row, 0);
    x->received = aids_sql_date(r, row, 1);
    x->depreciation_months = (int)aids_sql_i64(r, row, 2);
}

static void
read_bool(const PGresult *r, int row, void *dst)
{
    *(bool *)dst = PQgetvalue(r, row, 0)[0] == 't';
}

enum db_status
loan_store_insert(struct db_conn *c, const struct allocation *in, int64_t actor,
                  struct allocation *out, bool *taken)
{
    char aid[24], client[24], from[24], until[24], rec[CIVIL_DATE_BUFSZ], who[24];
    const char *params[] = {aids_sql_param_i64(aid, in->aid_id),
                            aids_sql_param_i64(client, in->client_id),
                            in->kind,
                            aids_sql_param_i64(from, in->from),
                            in->until ? aids_sql_param_i64(until, in->until) : NULL,
                            aids_sql_param_date(rec, in->received_on),
                            in->exception,
                            in->exception_reason,
                            aids_sql_param_id(who, actor)};
    enum db_status s = db_query_one(c, &st_insert, params, read_allocation, out);
    *taken = s == DB_OK;
    return s == DB_NOT_FOUND ? DB_OK : s;
}

enum db_status
loan_store_get(struct db_conn *c, int64_t id, bool lock, struct allocation *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, id)};
    return db_query_one(c, lock ? &st_get_lock : &st_get, params, read_allocation, out);
}

enum db_status
loan_store_close(struct db_conn *c, int64_t id, int64_t at, const char *condition)
{
    char a[24], t[24];
    const char *params[] = {aids_sql_param_i64(a, id), aids_sql_param_i64(t, at), condition};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_close, params, &rows);
    return s == DB_OK && rows != 1 ? DB_CONFLICT : s;
}

enum db_status
loan_store_mark_collect(struct db_conn *c, int64_t client_id, struct civil_date from,
                        struct allocation **items, int *n)
{
    char a[24], d[CIVIL_DATE_BUFSZ];
    const char *params[] = {aids_sql_param_i64(a, client_id), aids_sql_param_date(d, from)};
    return aids_sql_rows(c, &st_mark_collect, params, sizeof **items, read_allocation,
                         (void **)items, n);
}

enum db_status
loan_store_cancel(struct db_conn *c, int64_t id, struct allocation *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, id)};
    return db_query_one(c, &st_cancel, params, read_allocation, out);
}

enum db_status
loan_store_cancel_client(struct db_conn *c, int64_t client_id, struct allocation **items, int *n)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, client_id)};
    return aids_sql_rows(c, &st_cancel_client, params, sizeof **items, read_allocation,
                         (void **)items, n);
}

enum db_status
loan_store_receipts(struct db_conn *c, int64_t client_id, struct loan_receipt **items, int *n)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, client_id)};
    return aids_sql_rows(c, &st_receipts, params, sizeof **items, read_receipt, (void **)items, n);
}

enum db_status
loan_store_was_lent(struct db_conn *c, int64_t aid_id, bool *out)
{
    char a[24];
    const char *params[] = {aids_sql_param_i64(a, aid_id)};
    *out = false;
    return db_query_one(c, &st_was_lent, params, read_bool, out);
}
