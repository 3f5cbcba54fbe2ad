/* SQL of the clients table. */
#include "transport/client_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define CLIENT_COLUMNS                                                                             \
    "id, pass_number, name, coalesce(phone, ''), coalesce(email, ''), home_address, home_lat, "    \
    "home_lon, needs_wheelchair, needs_scootmobiel, needs_walker, companion_required, "            \
    "coalesce(deceased_on::text, ''), " TS("created_at") ", " TS("updated_at")

static struct db_stmt st_insert = {
    "client_insert",
    "INSERT INTO clients (pass_number, name, phone, email, home_address, home_lat, home_lon, "
    "needs_wheelchair, needs_scootmobiel, needs_walker, companion_required) VALUES ($1, $2, "
    "nullif($3, ''), nullif($4, ''), $5, $6, $7, $8, $9, $10, $11) RETURNING " CLIENT_COLUMNS,
    11, 0};
static struct db_stmt st_get = {"client_get",
                                "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = $1", 1, 0};
static struct db_stmt st_get_share = {
    "client_get_share", "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = $1 FOR SHARE", 1, 0};
static struct db_stmt st_get_update = {
    "client_get_update", "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = $1 FOR UPDATE", 1, 0};
static struct db_stmt st_update = {
    "client_update",
    "UPDATE clients SET pass_number = $2, name = $3, phone = nullif($4, ''), "
    "email = nullif($5, ''), home_address = $6, home_lat = $7, home_lon = $8, "
    "needs_wheelchair = $9, needs_scootmobiel = $10, needs_walker = $11, "
    "companion_required = $12, updated_at = now() WHERE id = $1 RETURNING " CLIENT_COLUMNS,
    12, 0};
static struct db_stmt st_search = {
    "client_search",
    "SELECT " CLIENT_COLUMNS " FROM clients WHERE id > $1 AND ($2::text IS NULL OR "
    "pass_number = $2 OR name ILIKE '%' || replace(replace(replace($2, '\\', '\\\\'), '%', "
    "'\\%'), '_', '\\_') || '%') ORDER BY id LIMIT $3",
    3, 0};
static struct db_stmt st_with_indication = {
    "client_with_indication",
    "SELECT DISTINCT client_id FROM indications WHERE client_id > $2 AND valid_from <= "
    "make_date($1::int, 12, 31) AND coalesce(ended_on - 1, valid_until) >= make_date($1::int, 1, "
    "1) ORDER BY client_id LIMIT $3",
    3, 0};
static struct db_stmt st_deceased = {
    "client_deceased", "UPDATE clients SET deceased_on = $2, updated_at = now() WHERE id = $1", 2,
    0};

static void
copy(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

static void
read_client(const PGresult *r, int row, void *dst)
{
    struct client *out = dst;
    memset(out, 0, sizeof *out);
    if (!parse_int64(PQgetvalue(r, row, 0), 1, INT64_MAX, &out->id))
        out->id = 0;
    copy(out->pass_number, sizeof out->pass_number, r, row, 1);
    copy(out->name, sizeof out->name, r, row, 2);
    copy(out->phone, sizeof out->phone, r, row, 3);
    copy(out->email, sizeof out->email, r, row, 4);
    copy(out->home_address, sizeof out->home_address, r, row, 5);
    out->home_lat = strtod(PQgetvalue(r, row, 6), NULL);
    out->home_lon = strtod(PQgetvalue(r, row, 7), NULL);
    out->wheelchair = PQgetvalue(r, row, 8)[0] == 't';
    out->scootmobiel = PQgetvalue(r, row, 9)[0] == 't';
    out->walker = PQgetvalue(r, row, 10)[0] == 't';
    out->companion_required = PQgetvalue(r, row, 11)[0] == 't';
    copy(out->deceased_on, sizeof out->deceased_on, r, row, 12);
    copy(out->created_at, sizeof out->created_at, r, row, 13);
    copy(out->updated_at, sizeof out->updated_at, r, row, 14);
}

static enum db_status
one_row(struct db_conn *c, struct db_stmt *st, const char *const *params, struct client *out)
{
    enum db_status s;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read_client(r, 0, out);
    PQclear(r);
    return s;
}

/* Text parameters of a client's columns, in the order of st_update. */
struct client_params {
    char id[24], lat[32], lon[32];
    const char *v[12];
};

static void
client_params(const struct client *in, struct client_params *p)
{
    snprintf(p->id, sizeof p->id, "%lld", (long long)in->id);
    snprintf(p->lat, sizeof p->lat, "%.7f", in->home_lat);
    snprintf(p->lon, sizeof p->lon, "%.7f", in->home_lon);
    const char *v[12] = {p->id,
                         in->pass_number,
                         in->name,
                         in->phone,
                         in->email,
                         in->home_address,
                         p->lat,
                         p->lon,
                         in->wheelchair ? "t" : "f",
                         in->scootmobiel ? "t" : "f",
                         in->walker ? "t" : "f",
                         in->companion_required ? "t" : "f"};
    memcpy(p->v, v, sizeof v);
}

enum db_status
client_store_insert(struct db_conn *c, const struct client *in, struct client *out)
{
    struct client_params p;
    client_params(in, &p);
    return one_row(c, &st_insert, p.v + 1, out);
}

enum db_status
client_store_get(struct db_conn *c, int64_t id, const char *lock, struct client *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    struct db_stmt *st = !strcmp(lock, "share")    ? &st_get_share
                         : !strcmp(lock, "update") ? &st_get_update
                                                   : &st_get;
    return one_row(c, st, params, out);
}

enum db_status
client_store_update(struct db_conn *c, const struct client *in, struct client *out)
{
    struct client_params p;
    client_params(in, &p);
    return one_row(c, &st_update, p.v, out);
}

enum db_status
client_store_search(struct db_conn *c, const char *q, int64_t after, int limit,
                    struct client **items, int *n)
{
    char a[24], l[16];
    snprintf(a, sizeof a, "%lld", (long long)after);
    snprintf(l, sizeof l, "%d", limit);
    const char *params[] = {a, q, l};
    return db_query_rows(c, &st_search, params, sizeof **items, read_client, (void **)items, n);
}

enum db_status
client_store_mark_deceased(struct db_conn *c, int64_t id, const char *date)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a, date};
    return db_exec_cmd(c, &st_deceased, params, NULL);
}

enum db_status
client_store_with_indication(struct db_conn *c, int year, int64_t after, int limit, int64_t **ids,
                             int *n)
{
    char y[8], a[24], l[16];
    snprintf(y, sizeof y, "%d", year);
    snprintf(a, sizeof a, "%lld", (long long)after);
    snprintf(l, sizeof l, "%d", limit);
    const char *params[] = {y, a, l};
    enum db_status s;
    *ids = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_with_indication, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *ids = xcalloc((size_t)*n, sizeof **ids);
    for (int i = 0; i < *n; i++)
        if (!parse_int64(PQgetvalue(r, i, 0), 1, INT64_MAX, &(*ids)[i]))
            (*ids)[i] = 0;
    PQclear(r);
    return DB_OK;
}
