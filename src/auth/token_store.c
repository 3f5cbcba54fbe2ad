/* SQL for API tokens; the only place that reads or writes api_tokens. */
#include "auth/token_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_COLUMNS                                                                              \
    "id, name, role, coalesce(client_id, 0), coalesce(vehicle_id, 0), coalesce(supplier_id, 0), "  \
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                   \
    "coalesce(to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

static struct db_stmt st_insert = {
    "token_insert",
    "INSERT INTO api_tokens (name, role, client_id, vehicle_id, supplier_id, token_hash, "
    "created_by) VALUES ($1, $2, nullif($3::bigint, 0), nullif($4::bigint, 0), "
    "nullif($5::bigint, 0), decode($6, 'hex'), nullif($7::bigint, 0)) RETURNING " TOKEN_COLUMNS,
    7, 0};
static struct db_stmt st_lookup = {
    "token_lookup",
    "SELECT id, role, coalesce(client_id, 0), coalesce(vehicle_id, 0), coalesce(supplier_id, 0) "
    "FROM api_tokens WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL",
    1, 0};
static struct db_stmt st_list = {"token_list",
                                 "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id > $1 "
                                 "ORDER BY id LIMIT $2",
                                 2, 0};
static struct db_stmt st_revoke = {
    "token_revoke",
    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 "
    "RETURNING " TOKEN_COLUMNS,
    1, 0};

static void
read_info(const PGresult *r, int row, void *dst)
{
    struct token_info *out = dst;
    out->id = db_i64(r, row, 0);
    snprintf(out->name, sizeof out->name, "%s", PQgetvalue(r, row, 1));
    if (!role_parse(PQgetvalue(r, row, 2), &out->role))
        out->role = 0;
    out->client_id = db_i64(r, row, 3);
    out->vehicle_id = db_i64(r, row, 4);
    out->supplier_id = db_i64(r, row, 5);
    snprintf(out->created_at, sizeof out->created_at, "%s", PQgetvalue(r, row, 6));
    snprintf(out->revoked_at, sizeof out->revoked_at, "%s", PQgetvalue(r, row, 7));
}

enum db_status
token_store_insert(struct db_conn *c, const struct token_info *in, const char *hash_hex,
                   int64_t created_by, struct token_info *out)
{
    char client[24], vehicle[24], supplier[24], by[24];
    snprintf(client, sizeof client, "%lld", (long long)in->client_id);
    snprintf(vehicle, sizeof vehicle, "%lld", (long long)in->vehicle_id);
    snprintf(supplier, sizeof supplier, "%lld", (long long)in->supplier_id);
    snprintf(by, sizeof by, "%lld", (long long)created_by);
    const char *params[] = {in->name, role_name(in->role), client, vehicle, supplier, hash_hex, by};
    enum db_status s;
    PGresult *r = db_exec(c, &st_insert, params, &s);
    if (!r)
        return s;
    read_info(r, 0, out);
    PQclear(r);
    return DB_OK;
}

enum db_status
token_store_lookup(struct db_conn *c, const char *hash_hex, struct principal *out)
{
    const char *params[] = {hash_hex};
    enum db_status s;
    PGresult *r = db_exec(c, &st_lookup, params, &s);
    if (!r)
        return s;
    s = DB_NOT_FOUND;
    if (PQntuples(r) == 1 && role_parse(PQgetvalue(r, 0, 1), &out->role)) {
        out->token_id = db_i64(r, 0, 0);
        out->client_id = db_i64(r, 0, 2);
        out->vehicle_id = db_i64(r, 0, 3);
        out->supplier_id = db_i64(r, 0, 4);
        s = DB_OK;
    }
    PQclear(r);
    return s;
}

enum db_status
token_store_list(struct db_conn *c, int64_t after, int limit, struct token_info **items, int *n)
{
    char a[24], l[16];
    snprintf(a, sizeof a, "%lld", (long long)after);
    snprintf(l, sizeof l, "%d", limit);
    const char *params[] = {a, l};
    return db_query_rows(c, &st_list, params, sizeof **items, read_info, (void **)items, n);
}

enum db_status
token_store_revoke(struct db_conn *c, int64_t id, struct token_info *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, &st_revoke, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read_info(r, 0, out);
    PQclear(r);
    return s;
}
