/* SQL of vehicles and runs. */
#include "dispatch/fleet_store.h"

#include "common/numparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEHICLE_COLUMNS                                                                            \
    "id, name, seats, wheelchair_places, scootmobiel_places, depot_address, depot_lat, depot_lon"
#define RUN_COLUMNS                                                                                \
    "id, vehicle_id, service_date::text, extract(epoch FROM start_at)::bigint, "                   \
    "extract(epoch FROM end_at)::bigint, status, coalesce(cancel_reason, '')"

static struct db_stmt st_vehicle_insert = {
    "vehicle_insert",
    "INSERT INTO vehicles (name, seats, wheelchair_places, scootmobiel_places, depot_address, "
    "depot_lat, depot_lon) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " VEHICLE_COLUMNS,
    7, 0};
static struct db_stmt st_vehicle_get = {
    "vehicle_get", "SELECT " VEHICLE_COLUMNS " FROM vehicles WHERE id = $1", 1, 0};
static struct db_stmt st_run_insert = {
    "run_insert",
    "INSERT INTO runs (vehicle_id, service_date, start_at, end_at) VALUES ($1, $2, "
    "to_timestamp($3), to_timestamp($4)) RETURNING " RUN_COLUMNS,
    4, 0};
static struct db_stmt st_run_get = {"run_get", "SELECT " RUN_COLUMNS " FROM runs WHERE id = $1", 1,
                                    0};
static struct db_stmt st_lock_day = {"lock_day", "SELECT ritmo_lock_day($1)", 1,
                                     0}; /* sql/015_lock_day.sql */

static void
read_vehicle(const PGresult *r, int row, void *out)
{
    struct vehicle *v = out;
    v->id = db_i64(r, row, 0);
    snprintf(v->name, sizeof v->name, "%s", PQgetvalue(r, row, 1));
    v->seats = (int)db_i64(r, row, 2);
    v->wheelchair_places = (int)db_i64(r, row, 3);
    v->scootmobiel_places = (int)db_i64(r, row, 4);
    snprintf(v->depot_address, sizeof v->depot_address, "%s", PQgetvalue(r, row, 5));
    v->depot_lat = strtod(PQgetvalue(r, row, 6), NULL);
    v->depot_lon = strtod(PQgetvalue(r, row, 7), NULL);
}

static void
read_run(const PGresult *r, int row, void *out)
{
    struct run *run = out;
    run->id = db_i64(r, row, 0);
    run->vehicle_id = db_i64(r, row, 1);
    snprintf(run->service_date, sizeof run->service_date, "%s", PQgetvalue(r, row, 2));
    run->start_at = db_i64(r, row, 3);
    run->end_at = db_i64(r, row, 4);
    snprintf(run->status, sizeof run->status, "%s", PQgetvalue(r, row, 5));
    snprintf(run->cancel_reason, sizeof run->cancel_reason, "%s", PQgetvalue(r, row, 6));
}

enum db_status
fleet_vehicle_insert(struct db_conn *c, const struct vehicle *in, struct vehicle *out)
{
    char seats[16], wc[16], sc[16], lat[32], lon[32];
    snprintf(seats, sizeof seats, "%d", in->seats);
    snprintf(wc, sizeof wc, "%d", in->wheelchair_places);
    snprintf(sc, sizeof sc, "%d", in->scootmobiel_places);
    snprintf(lat, sizeof lat, "%.7f", in->depot_lat);
    snprintf(lon, sizeof lon, "%.7f", in->depot_lon);
    const char *params[] = {in->name, seats, wc, sc, in->depot_address, lat, lon};
    return db_query_one(c, &st_vehicle_insert, params, read_vehicle, out);
}

enum db_status
fleet_vehicle_get(struct db_conn *c, int64_t id, struct vehicle *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    return db_query_one(c, &st_vehicle_get, params, read_vehicle, out);
}

enum db_status
fleet_run_insert(struct db_conn *c, const struct run *in, struct run *out)
{
    char v[24], a[24], b[24];
    snprintf(v, sizeof v, "%lld", (long long)in->vehicle_id);
    snprintf(a, sizeof a, "%lld", (long long)in->start_at);
    snprintf(b, sizeof b, "%lld", (long long)in->end_at);
    const char *params[] = {v, in->service_date, a, b};
    return db_query_one(c, &st_run_insert, params, read_run, out);
}

enum db_status
fleet_run_get(struct db_conn *c, int64_t id, struct run *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    return db_query_one(c, &st_run_get, params, read_run, out);
}

enum db_status
fleet_lock_day(struct db_conn *c, const char *date)
{
    const char *params[] = {date};
    return db_exec_cmd(c, &st_lock_day, params, NULL);
}
