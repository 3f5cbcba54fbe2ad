/* SQL of indications and suspensions. */
#include "transport/indication_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IND_COLUMNS                                                                                \
    "i.id, i.client_id, i.valid_from::text, i.valid_until::text, i.annual_km, "                    \
    "coalesce(i.ended_on::text, ''), coalesce(i.end_reason, ''), "                                 \
    "to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "(SELECT count(*) FROM indication_suspensions s WHERE s.indication_id = i.id)"

/* The last day an indication allows rides. */
#define EFFECTIVE_UNTIL "least(i.valid_until, coalesce(i.ended_on - 1, i.valid_until))"

static struct db_stmt st_overlap = {"indication_overlap",
                                    "SELECT 1 FROM indications i WHERE i.client_id = $1 AND "
                                    "i.valid_from <= $3::date AND " EFFECTIVE_UNTIL
                                    " >= $2::date FOR UPDATE",
                                    3, 0};
static struct db_stmt st_insert = {
    "indication_insert",
    "WITH i AS (INSERT INTO indications (client_id, kind, valid_from, valid_until, annual_km, "
    "created_by) VALUES ($1, 'transport', $2, $3, $4, nullif($5::bigint, 0)) RETURNING *) "
    "SELECT " IND_COLUMNS " FROM i",
    5, 0};
static struct db_stmt st_get = {"indication_get",
                                "SELECT " IND_COLUMNS " FROM indications i WHERE i.id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "indication_get_lock", "SELECT " IND_COLUMNS " FROM indications i WHERE i.id = $1 FOR UPDATE",
    1, 0};
static struct db_stmt st_list = {
    "indication_list",
    "SELECT " IND_COLUMNS " FROM indications i WHERE i.client_id = $1 ORDER BY i.valid_from, i.id",
    1, 0};
static struct db_stmt st_periods = {
    "indication_periods",
    "SELECT i.valid_from::text, (" EFFECTIVE_UNTIL ")::text, i.annual_km FROM indications i "
    "WHERE i.client_id = $1 AND " EFFECTIVE_UNTIL " >= i.valid_from",
    1, 0};
static struct db_stmt st_state = {
    "indication_state",
    "SELECT EXISTS (SELECT 1 FROM indication_suspensions s WHERE s.indication_id = i.id AND "
    "$2::date BETWEEN s.from_date AND s.until_date) FROM indications i WHERE i.client_id = $1 "
    "AND $2::date BETWEEN i.valid_from AND " EFFECTIVE_UNTIL,
    2, 0};
static struct db_stmt st_suspend = {
    "indication_suspend",
    "INSERT INTO indication_suspensions (indication_id, from_date, until_date, reason, "
    "created_by) VALUES ($1, $2, $3, $4, nullif($5::bigint, 0)) RETURNING id, indication_id, "
    "from_date::text, until_date::text, reason",
    5, 0};
static struct db_stmt st_end = {
    "indication_end", "UPDATE indications SET ended_on = $2, end_reason = $3 WHERE id = $1", 3, 0};

static void
read_indication(const PGresult *r, int row, void *dst)
{
    struct indication *out = dst;
    out->id = db_i64(r, row, 0);
    out->client_id = db_i64(r, row, 1);
    snprintf(out->valid_from, sizeof out->valid_from, "%s", PQgetvalue(r, row, 2));
    snprintf(out->valid_until, sizeof out->valid_until, "%s", PQgetvalue(r, row, 3));
    out->annual_km = (int)db_i64(r, row, 4);
    snprintf(out->ended_on, sizeof out->ended_on, "%s", PQgetvalue(r, row, 5));
    snprintf(out->end_reason, sizeof out->end_reason, "%s", PQgetvalue(r, row, 6));
    snprintf(out->created_at, sizeof out->created_at, "%s", PQgetvalue(r, row, 7));
    out->n_suspensions = (int)db_i64(r, row, 8);
}

enum db_status
indication_store_insert(struct db_conn *c, const struct indication *in, int64_t actor,
                        struct indication *out)
{
    char client[24], km[16], by[24];
    snprintf(client, sizeof client, "%lld", (long long)in->client_id);
    snprintf(km, sizeof km, "%d", in->annual_km);
    snprintf(by, sizeof by, "%lld", (long long)actor);
    const char *overlap[] = {client, in->valid_from, in->valid_until};
    enum db_status s;
    PGresult *r = db_exec(c, &st_overlap, overlap, &s);
    if (!r)
        return s;
    bool clash = PQntuples(r) > 0;
    PQclear(r);
    if (clash)
        return DB_CONFLICT;
    const char *params[] = {client, in->valid_from, in->valid_until, km, by};
    r = db_exec(c, &st_insert, params, &s);
    if (!r)
        return s;
    read_indication(r, 0, out);
    PQclear(r);
    return DB_OK;
}

enum db_status
indication_store_get(struct db_conn *c, int64_t id, bool lock, struct indication *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, lock ? &st_get_lock : &st_get, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read_indication(r, 0, out);
    PQclear(r);
    return s;
}

enum db_status
indication_store_list(struct db_conn *c, int64_t client_id, struct indication **items, int *n)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)client_id);
    const char *params[] = {a};
    return db_query_rows(c, &st_list, params, sizeof **items, read_indication, (void **)items, n);
}

enum db_status
indication_store_periods(struct db_conn *c, int64_t client_id, struct grant_period **items, int *n)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)client_id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, &st_periods, params, &s);
    *items = NULL;
    *n = 0;
    if (!r)
        return s;
    int rows = PQntuples(r);
    *items = xcalloc((size_t)rows, sizeof **items);
    for (int i = 0; i < rows; i++) {
        struct grant_period *g = &(*items)[*n];
        if (civil_date_parse(PQgetvalue(r, i, 0), &g->from) &&
            civil_date_parse(PQgetvalue(r, i, 1), &g->until)) {
            g->annual_km = (int)db_i64(r, i, 2);
            (*n)++;
        }
    }
    PQclear(r);
    return DB_OK;
}

enum db_status
indication_store_state_on(struct db_conn *c, int64_t client_id, const char *date,
                          enum indication_state *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)client_id);
    const char *params[] = {a, date};
    enum db_status s;
    PGresult *r = db_exec(c, &st_state, params, &s);
    if (!r)
        return s;
    *out = INDICATION_NONE;
    for (int i = 0; i < PQntuples(r); i++)
        if (PQgetvalue(r, i, 0)[0] == 'f')
            *out = INDICATION_VALID;
        else if (*out == INDICATION_NONE)
            *out = INDICATION_SUSPENDED;
    PQclear(r);
    return DB_OK;
}

enum db_status
indication_store_suspend(struct db_conn *c, const struct suspension *in, int64_t actor,
                         struct suspension *out)
{
    char id[24], by[24];
    snprintf(id, sizeof id, "%lld", (long long)in->indication_id);
    snprintf(by, sizeof by, "%lld", (long long)actor);
    const char *params[] = {id, in->from, in->until, in->reason, by};
    enum db_status s;
    PGresult *r = db_exec(c, &st_suspend, params, &s);
    if (!r)
        return s;
    out->id = db_i64(r, 0, 0);
    out->indication_id = db_i64(r, 0, 1);
    snprintf(out->from, sizeof out->from, "%s", PQgetvalue(r, 0, 2));
    snprintf(out->until, sizeof out->until, "%s", PQgetvalue(r, 0, 3));
    snprintf(out->reason, sizeof out->reason, "%s", PQgetvalue(r, 0, 4));
    PQclear(r);
    return DB_OK;
}

enum db_status
indication_store_end(struct db_conn *c, int64_t id, const char *on, const char *reason)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a, on, reason};
    return db_exec_cmd(c, &st_end, params, NULL);
}
