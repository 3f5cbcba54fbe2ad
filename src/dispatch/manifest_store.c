/* SQL of manifests, the board and the driver check. */
#include "dispatch/manifest_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt st_stops = {
    "manifest_stops",
    "SELECT s.seq, s.booking_id, s.kind, CASE s.kind WHEN 'pickup' THEN b.pickup_address ELSE "
    "b.dropoff_address END, CASE s.kind WHEN 'pickup' THEN b.pickup_lat ELSE b.dropoff_lat END, "
    "CASE s.kind WHEN 'pickup' THEN b.pickup_lon ELSE b.dropoff_lon END, "
    "extract(epoch FROM s.planned_at)::bigint, extract(epoch FROM b.window_earliest)::bigint, "
    "extract(epoch FROM b.window_latest)::bigint, CASE b.time_kind WHEN 'arrive_by' THEN "
    "'arrival' ELSE 'pickup' END, 1 + b.companions, b.aid, CASE WHEN b.status = 'no_show' THEN "
    "'no_show' WHEN b.status = 'cancelled' THEN 'cancelled' WHEN b.status = 'completed' OR "
    "(b.status = 'picked_up' AND s.kind = 'pickup') THEN 'done' ELSE 'planned' END, s.locked "
    "FROM stops s JOIN bookings b ON b.id = s.booking_id WHERE s.run_id = $1 ORDER BY s.seq",
    1, 0};
static struct db_stmt st_day_runs = {
    "manifest_day_runs",
    "SELECT id FROM runs WHERE service_date = $1 AND status = 'active' ORDER BY id", 1, 0};
static struct db_stmt st_unassigned = {
    "manifest_unassigned",
    "SELECT b.id FROM bookings b WHERE b.service_date = $1 AND b.status = 'requested' ORDER BY "
    "b.pickup_estimate, b.id",
    1, 0};
static struct db_stmt st_vehicle_of = {
    "manifest_vehicle_of",
    "SELECT r.vehicle_id FROM stops s JOIN runs r ON r.id = s.run_id WHERE s.booking_id = $1 "
    "LIMIT 1",
    1, 0};

static struct db_stmt st_actual = {
    "manifest_actual",
    "UPDATE stops SET actual_at = to_timestamp($3) WHERE booking_id = $1 AND kind = $2", 3, 0};
static struct db_stmt st_planned = {
    "manifest_planned",
    "UPDATE stops SET planned_at = to_timestamp($3) WHERE run_id = $1 AND seq = $2", 3, 0};
static struct db_stmt st_run_of = {"manifest_run_of",
                                   "SELECT run_id FROM stops WHERE booking_id = $1 LIMIT 1", 1, 0};
static struct db_stmt st_lock = {
    "manifest_lock", "UPDATE stops SET locked = $3 WHERE run_id = $1 AND seq = $2", 3, 0};

enum db_status
manifest_load(struct db_conn *c, int64_t run_id, struct manifest_stop **items, int *n)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)run_id);
    const char *params[] = {a};
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_stops, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *items = xcalloc((size_t)*n, sizeof **items);
    for (int i = 0; i < *n; i++) {
        struct manifest_stop *m = &(*items)[i];
        m->seq = (int)db_i64(r, i, 0);
        m->booking_id = db_i64(r, i, 1);
        snprintf(m->kind, sizeof m->kind, "%s", PQgetvalue(r, i, 2));
        snprintf(m->address, sizeof m->address, "%s", PQgetvalue(r, i, 3));
        m->lat = strtod(PQgetvalue(r, i, 4), NULL);
        m->lon = strtod(PQgetvalue(r, i, 5), NULL);
        m->planned_at = db_i64(r, i, 6);
        m->window_earliest = db_i64(r, i, 7);
        m->window_latest = db_i64(r, i, 8);
        snprintf(m->window_kind, sizeof m->window_kind, "%s", PQgetvalue(r, i, 9));
        m->passengers = (int)db_i64(r, i, 10);
        snprintf(m->aid, sizeof m->aid, "%s", PQgetvalue(r, i, 11));
        snprintf(m->status, sizeof m->status, "%s", PQgetvalue(r, i, 12));
        m->locked = PQgetvalue(r, i, 13)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

static enum db_status
ids(struct db_conn *c, struct db_stmt *st, const char *date, int64_t **out, int *n)
{
    const char *params[] = {date};
    enum db_status s;
    *out = NULL;
    *n = 0;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *out = xcalloc((size_t)*n, sizeof **out);
    for (int i = 0; i < *n; i++)
        (*out)[i] = db_i64(r, i, 0);
    PQclear(r);
    return DB_OK;
}

enum db_status
manifest_day_runs(struct db_conn *c, const char *date, int64_t **out, int *n)
{
    return ids(c, &st_day_runs, date, out, n);
}

enum db_status
manifest_unassigned(struct db_conn *c, const char *date, int64_t **out, int *n)
{
    return ids(c, &st_unassigned, date, out, n);
}

enum db_status
manifest_vehicle_of_booking(struct db_conn *c, int64_t booking_id, int64_t *vehicle_id)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)booking_id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, &st_vehicle_of, params, &s);
    if (!r)
        return s;
    *vehicle_id = PQntuples(r) ? db_i64(r, 0, 0) : 0;
    PQclear(r);
    return DB_OK;
}

enum db_status
manifest_set_lock(struct db_conn *c, int64_t run_id, int seq, bool locked, bool *found)
{
    char a[24], b[16];
    snprintf(a, sizeof a, "%lld", (long long)run_id);
    snprintf(b, sizeof b, "%d", seq);
    const char *params[] = {a, b, locked ? "t" : "f"};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_lock, params, &rows);
    *found = rows == 1;
    return s;
}

enum db_status
manifest_set_actual(struct db_conn *c, int64_t booking_id, const char *kind, int64_t at,
                    bool *found)
{
    char a[24], t[24];
    snprintf(a, sizeof a, "%lld", (long long)booking_id);
    snprintf(t, sizeof t, "%lld", (long long)at);
    const char *params[] = {a, kind, t};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_actual, params, &rows);
    *found = rows == 1;
    return s;
}

enum db_status
manifest_set_planned(struct db_conn *c, int64_t run_id, int seq, int64_t at)
{
    char a[24], b[16], t[24];
    snprintf(a, sizeof a, "%lld", (long long)run_id);
    snprintf(b, sizeof b, "%d", seq);
    snprintf(t, sizeof t, "%lld", (long long)at);
    const char *params[] = {a, b, t};
    return db_exec_cmd(c, &st_planned, params, NULL);
}

enum db_status
manifest_run_of_booking(struct db_conn *c, int64_t booking_id, int64_t *run_id)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)booking_id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, &st_run_of, params, &s);
    if (!r)
        return s;
    *run_id = PQntuples(r) ? db_i64(r, 0, 0) : 0;
    PQclear(r);
    return DB_OK;
}
