/* The allowance ledger over allowance_accounts and allowance_entries. */
#include "transport/allowance.h"

#include "common/numparse.h"
#include "common/xalloc.h"
#include "transport/indication_store.h"
#include "transport/ride_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt st_ensure = {
    "allowance_ensure",
    "INSERT INTO allowance_accounts (client_id, year, base_m) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING",
    3, 0};
static struct db_stmt st_get = {"allowance_get",
                                "SELECT base_m, adjusted_m, reserved_m, used_m FROM "
                                "allowance_accounts WHERE client_id = $1 AND year = $2",
                                2, 0};
/* The WHERE clause is the check; the CHECK constraint is the guarantee. */
static struct db_stmt st_reserve = {
    "allowance_reserve",
    "UPDATE allowance_accounts SET reserved_m = reserved_m + $3 WHERE client_id = $1 AND "
    "year = $2 AND reserved_m + used_m + $3 <= base_m + adjusted_m",
    3, 0};
static struct db_stmt st_release = {
    "allowance_release",
    "UPDATE allowance_accounts SET reserved_m = reserved_m - $3 WHERE client_id = $1 AND "
    "year = $2",
    3, 0};
static struct db_stmt st_debit = {
    "allowance_debit",
    "UPDATE allowance_accounts SET reserved_m = reserved_m - $3, used_m = used_m + $3 WHERE "
    "client_id = $1 AND year = $2",
    3, 0};
static struct db_stmt st_adjust = {
    "allowance_adjust",
    "UPDATE allowance_accounts SET adjusted_m = adjusted_m + $3 WHERE client_id = $1 AND "
    "year = $2 AND reserved_m + used_m <= base_m + adjusted_m + $3 AND base_m + adjusted_m + $3 "
    ">= 0",
    3, 0};
static struct db_stmt st_years = {
    "allowance_years", "SELECT year FROM allowance_accounts WHERE client_id = $1 FOR UPDATE", 1, 0};
static struct db_stmt st_rebase = {
    "allowance_rebase",
    "UPDATE allowance_accounts SET base_m = greatest($3::bigint, reserved_m + used_m - "
    "adjusted_m, 0) WHERE client_id = $1 AND year = $2",
    3, 0};
static struct db_stmt st_entry = {
    "allowance_entry",
    "INSERT INTO allowance_entries (client_id, year, kind, metres, booking_id, actor, reason) "
    "VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), nullif($6::bigint, 0), $7)",
    7, 0};
static struct db_stmt st_entries = {
    "allowance_entries",
    "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), kind, metres, "
    "coalesce(booking_id, 0), coalesce(reason, '') FROM allowance_entries WHERE client_id = $1 "
    "AND year = $2 ORDER BY id",
    2, 0};

struct key {
    char client[24], year[8], metres[24];
};

static void
key_init(struct key *k, int64_t client_id, int year, int64_t metres)
{
    snprintf(k->client, sizeof k->client, "%lld", (long long)client_id);
    snprintf(k->year, sizeof k->year, "%d", year);
    snprintf(k->metres, sizeof k->metres, "%lld", (long long)metres);
}

static enum db_status
computed_base(struct db_conn *c, int64_t client_id, int year, bool pro_rata, int64_t *base)
{
    struct grant_period *p;
    int n;
    enum db_status s = indication_store_periods(c, client_id, &p, &n);
    if (s != DB_OK)
        return s;
    *base = allowance_grant_m(p, (size_t)n, year, pro_rata);
    free(p);
    return DB_OK;
}

enum db_status
allowance_ensure(struct db_conn *c, int64_t client_id, int year, bool pro_rata)
{
    int64_t base;
    enum db_status s = computed_base(c, client_id, year, pro_rata, &base);
    if (s != DB_OK)
        return s;
    struct key k;
    key_init(&k, client_id, year, base);
    const char *params[] = {k.client, k.year, k.metres};
    return db_exec_cmd(c, &st_ensure, params, NULL);
}

enum db_status
allowance_get(struct db_conn *c, int64_t client_id, int year, bool pro_rata,
              struct allowance_account *out)
{
    memset(out, 0, sizeof *out);
    out->client_id = client_id;
    out->year = year;
    struct key k;
    key_init(&k, client_id, year, 0);
    const char *params[] = {k.client, k.year};
    enum db_status s;
    PGresult *r = db_exec(c, &st_get, params, &s);
    if (!r)
        return s;
    out->exists = PQntuples(r) == 1;
    if (out->exists) {
        out->base_m = db_i64(r, 0, 0);
        out->adjusted_m = db_i64(r, 0, 1);
        out->reserved_m = db_i64(r, 0, 2);
        out->used_m = db_i64(r, 0, 3);
    }
    PQclear(r);
    return out->exists ? DB_OK : computed_base(c, client_id, year, pro_rata, &out->base_m);
}

static enum db_status
entry(struct db_conn *c, const struct key *k, const char *kind, int64_t booking_id, int64_t actor,
      const char *reason)
{
    char booking[24], by[24];
    snprintf(booking, sizeof booking, "%lld", (long long)booking_id);
    snprintf(by, sizeof by, "%lld", (long long)actor);
    const char *params[] = {k->client, k->year, kind, k->metres, booking, by, reason};
    return db_exec_cmd(c, &st_entry, params, NULL);
}

static enum db_status
move(struct db_conn *c, struct db_stmt *st, const char *kind, int64_t client_id, int year,
     int64_t metres, int64_t booking_id, int64_t actor, const char *reason, bool *fitted)
{
    struct key k;
    key_init(&k, client_id, year, metres);
    const char *params[] = {k.client, k.year, k.metres};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, st, params, &rows);
    if (fitted)
        *fitted = rows == 1;
    if (s != DB_OK || rows != 1)
        return s;
    return entry(c, &k, kind, booking_id, actor, reason);
}

static struct db_stmt st_exists = {
    "allowance_exists",
    "SELECT EXISTS (SELECT 1 FROM allowance_accounts WHERE client_id = $1 AND year = $2)", 2, 0};

enum db_status
allowance_take(struct db_conn *c, int64_t client_id, int year, int64_t metres, bool pro_rata,
               bool *fitted)
{
    struct key k;
    key_init(&k, client_id, year, metres);
    const char *params[] = {k.client, k.year, k.metres};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_reserve, params, &rows);
    *fitted = rows == 1;
    if (s != DB_OK || *fitted)
        return s;
    /* Nothing taken: the km do not fit, or the year had no account when
     * the statement began. A concurrent booking of the same client may
     * have created it since (then it exists now, though it did not for
     * the statement), so the reservation is tried once more, on an account
     * that certainly exists: that answer holds. */
    PGresult *r = db_exec(c, &st_exists, params, &s);
    if (!r)
        return s;
    bool exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!exists && (s = allowance_ensure(c, client_id, year, pro_rata)) != DB_OK)
        return s;
    s = db_exec_cmd(c, &st_reserve, params, &rows);
    *fitted = rows == 1;
    return s;
}

enum db_status
allowance_note_reserve(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                       int64_t booking_id, int64_t actor)
{
    struct key k;
    key_init(&k, client_id, year, metres);
    return entry(c, &k, "reserve", booking_id, actor, NULL);
}

enum db_status
allowance_release(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                  int64_t booking_id, int64_t actor, const char *reason)
{
    return move(c, &st_release, "release", client_id, year, metres, booking_id, actor, reason,
                NULL);
}

enum db_status
allowance_debit(struct db_conn *c, int64_t client_id, int year, int64_t metres, int64_t booking_id,
                int64_t actor, const char *reason)
{
    return move(c, &st_debit, "debit", client_id, year, metres, booking_id, actor, reason, NULL);
}

enum db_status
allowance_adjust(struct db_conn *c, int64_t client_id, int year, int64_t metres, int64_t actor,
                 const char *reason, bool *fitted)
{
    return move(c, &st_adjust, "adjust", client_id, year, metres, 0, actor, reason, fitted);
}

enum db_status
allowance_regrant(struct db_conn *c, int64_t client_id, bool pro_rata)
{
    struct key k;
    key_init(&k, client_id, 0, 0);
    const char *params[] = {k.client};
    enum db_status s;
    PGresult *r = db_exec(c, &st_years, params, &s);
    if (!r)
        return s;
    for (int i = 0; i < PQntuples(r) && s == DB_OK; i++) {
        int year = (int)db_i64(r, i, 0);
        int64_t base;
        s = computed_base(c, client_id, year, pro_rata, &base);
        if (s != DB_OK)
            break;
        key_init(&k, client_id, year, base);
        const char *p3[] = {k.client, k.year, k.metres};
        s = db_exec_cmd(c, &st_rebase, p3, NULL);
    }
    PQclear(r);
    return s;
}

enum db_status
allowance_entries(struct db_conn *c, int64_t client_id, int year, struct allowance_entry **items,
                  int *n)
{
    struct key k;
    key_init(&k, client_id, year, 0);
    const char *params[] = {k.client, k.year};
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_entries, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *items = xcalloc((size_t)*n, sizeof **items);
    for (int i = 0; i < *n; i++) {
        struct allowance_entry *e = &(*items)[i];
        snprintf(e->at, sizeof e->at, "%s", PQgetvalue(r, i, 0));
        snprintf(e->kind, sizeof e->kind, "%s", PQgetvalue(r, i, 1));
        e->metres = db_i64(r, i, 2);
        e->booking_id = db_i64(r, i, 3);
        snprintf(e->reason, sizeof e->reason, "%s", PQgetvalue(r, i, 4));
    }
    PQclear(r);
    return DB_OK;
}
