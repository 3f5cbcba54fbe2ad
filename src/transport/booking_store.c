/* SQL of bookings, booking events and series. */
#include "transport/booking_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
#define BOOKING_COLUMNS                                                                            \
    "b.id, b.client_id, coalesce(b.series_id, 0), coalesce(b.outward_id, 0), "                    \
    "coalesce((SELECT r.id FROM bookings r WHERE r.outward_id = b.id LIMIT 1), 0), b.status, "    \
    "b.pickup_address, b.pickup_lat, b.pickup_lon, b.dropoff_address, b.dropoff_lat, "            \
    "b.dropoff_lon, b.time_kind, " EPOCH("b.requested_time") ", "                                  \
    EPOCH("b.pickup_estimate") ", " EPOCH("b.window_earliest") ", "                                \
    EPOCH("b.window_latest") ", b.service_date::text, b.allowance_year, b.distance_m, "           \
    "b.direct_s, b.distance_provider, b.reserved_m, b.debited_m, b.companions, b.aid, "           \
    "b.channel, coalesce(b.notes, ''), coalesce(b.booked_by, 0), b.booked_by_role, "              \
    "coalesce(b.cancel_reason, ''), b.sequence, " EPOCH("b.created_at") ", "                       \
    EPOCH("b.updated_at") ", "                                                                     \
    "coalesce((SELECT s.run_id FROM stops s WHERE s.booking_id = b.id AND s.kind = 'pickup'), "   \
    "0), coalesce((SELECT extract(epoch FROM s.planned_at)::bigint FROM stops s WHERE "           \
    "s.booking_id = b.id AND s.kind = 'pickup'), 0)"
/* clang-format on */

static struct db_stmt st_insert = {
    "booking_insert",
    "WITH b AS (INSERT INTO bookings (client_id, series_id, outward_id, status, pickup_address, "
    "pickup_lat, pickup_lon, dropoff_address, dropoff_lat, dropoff_lon, time_kind, "
    "requested_time, pickup_estimate, window_earliest, window_latest, service_date, "
    "allowance_year, distance_m, direct_s, distance_provider, reserved_m, companions, aid, "
    "channel, notes, booked_by, booked_by_role) VALUES ($1, nullif($2::bigint, 0), "
    "nullif($3::bigint, 0), $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12), "
    "to_timestamp($13), to_timestamp($14), to_timestamp($15), $16, $17, $18, $19, $20, $21, $22, "
    "$23, $24, nullif($25, ''), nullif($26::bigint, 0), $27) RETURNING *) "
    "SELECT " BOOKING_COLUMNS " FROM b",
    27, 0};
static struct db_stmt st_get = {"booking_get",
                                "SELECT " BOOKING_COLUMNS " FROM bookings b WHERE b.id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "booking_get_lock", "SELECT " BOOKING_COLUMNS " FROM bookings b WHERE b.id = $1 FOR UPDATE", 1,
    0};
static struct db_stmt st_list = {
    "booking_list",
    "SELECT " BOOKING_COLUMNS " FROM bookings b WHERE b.id > $1 AND ($2::bigint = 0 OR "
    "b.client_id = $2) AND ($3::date IS NULL OR b.service_date = $3) AND ($4::text IS NULL OR "
    "b.status = $4) AND ($5::bigint = 0 OR b.series_id = $5) AND b.pickup_estimate >= "
    "to_timestamp($6) ORDER BY b.id LIMIT $7",
    7, 0};
static struct db_stmt st_open_from = {
    "booking_open_from",
    "SELECT " BOOKING_COLUMNS " FROM bookings b WHERE b.client_id = $1 AND b.service_date >= $2 "
    "AND b.status IN ('requested', 'scheduled') ORDER BY b.id FOR UPDATE",
    2, 0};
static struct db_stmt st_update = {
    "booking_update",
    "UPDATE bookings SET status = $2, reserved_m = $3, debited_m = $4, "
    "cancel_reason = nullif($5, ''), sequence = sequence + 1, updated_at = now() WHERE id = $1",
    5, 0};
static struct db_stmt st_remove_stops = {"booking_remove_stops",
                                         "DELETE FROM stops WHERE booking_id = $1", 1, 0};
static struct db_stmt st_event = {
    "booking_event",
    "INSERT INTO booking_events (booking_id, type, at, odometer_km, actor) VALUES ($1, $2, "
    "to_timestamp($3), $4::numeric, nullif($5::bigint, 0))",
    5, 0};
static struct db_stmt st_series_insert = {
    "series_insert", "INSERT INTO series (client_id, rrule) VALUES ($1, $2) RETURNING id", 2, 0};
static struct db_stmt st_series_get = {
    "series_get", "SELECT id, client_id, rrule, " EPOCH("created_at") " FROM series WHERE id = $1",
    1, 0};

#define COPY(field, col) snprintf(b->field, sizeof b->field, "%s", PQgetvalue(r, row, col))

static void
read_booking(const PGresult *r, int row, void *out)
{
    struct booking *b = out;
    memset(b, 0, sizeof *b);
    b->id = db_i64(r, row, 0);
    b->client_id = db_i64(r, row, 1);
    b->series_id = db_i64(r, row, 2);
    b->outward_id = db_i64(r, row, 3);
    b->return_id = db_i64(r, row, 4);
    COPY(status, 5);
    COPY(pickup_address, 6);
    b->pickup_lat = strtod(PQgetvalue(r, row, 7), NULL);
    b->pickup_lon = strtod(PQgetvalue(r, row, 8), NULL);
    COPY(dropoff_address, 9);
    b->dropoff_lat = strtod(PQgetvalue(r, row, 10), NULL);
    b->dropoff_lon = strtod(PQgetvalue(r, row, 11), NULL);
    COPY(time_kind, 12);
    b->requested_time = db_i64(r, row, 13);
    b->pickup_estimate = db_i64(r, row, 14);
    b->window_earliest = db_i64(r, row, 15);
    b->window_latest = db_i64(r, row, 16);
    COPY(service_date, 17);
    b->allowance_year = (int)db_i64(r, row, 18);
    b->distance_m = db_i64(r, row, 19);
    b->direct_s = db_i64(r, row, 20);
    COPY(distance_provider, 21);
    b->reserved_m = db_i64(r, row, 22);
    b->debited_m = db_i64(r, row, 23);
    b->companions = (int)db_i64(r, row, 24);
    COPY(aid, 25);
    COPY(channel, 26);
    COPY(notes, 27);
    b->booked_by = db_i64(r, row, 28);
    COPY(booked_by_role, 29);
    COPY(cancel_reason, 30);
    b->sequence = (int)db_i64(r, row, 31);
    b->created_at = db_i64(r, row, 32);
    b->updated_at = db_i64(r, row, 33);
    b->run_id = db_i64(r, row, 34);
    b->planned_pickup = db_i64(r, row, 35);
}

static enum db_status
read_many(struct db_conn *c, struct db_stmt *st, const char *const *params, struct booking **items,
          int *n)
{
    return db_query_rows(c, st, params, sizeof **items, read_booking, (void **)items, n);
}

/* Decimal text of an integer, in a caller's buffer. */
#define I64(buf, v) (snprintf(buf, sizeof buf, "%lld", (long long)(v)), buf)
#define F64(buf, v) (snprintf(buf, sizeof buf, "%.7f", (double)(v)), buf)

enum db_status
booking_store_insert(struct db_conn *c, const struct booking *b, struct booking *out)
{
    char v[17][32];
    const char *params[] = {I64(v[0], b->client_id),
                            I64(v[1], b->series_id),
                            I64(v[2], b->outward_id),
                            b->status,
                            b->pickup_address,
                            F64(v[3], b->pickup_lat),
                            F64(v[4], b->pickup_lon),
                            b->dropoff_address,
                            F64(v[5], b->dropoff_lat),
                            F64(v[6], b->dropoff_lon),
                            b->time_kind,
                            I64(v[7], b->requested_time),
                            I64(v[8], b->pickup_estimate),
                            I64(v[9], b->window_earliest),
                            I64(v[10], b->window_latest),
                            b->service_date,
                            I64(v[11], b->allowance_year),
                            I64(v[12], b->distance_m),
                            I64(v[13], b->direct_s),
                            b->distance_provider,
                            I64(v[14], b->reserved_m),
                            I64(v[15], b->companions),
                            b->aid,
                            b->channel,
                            b->notes,
                            I64(v[16], b->booked_by),
                            b->booked_by_role};
    enum db_status s;
    PGresult *r = db_exec(c, &st_insert, params, &s);
    if (!r)
        return s;
    read_booking(r, 0, out);
    PQclear(r);
    return DB_OK;
}

enum db_status
booking_store_get(struct db_conn *c, int64_t id, bool lock, struct booking *out)
{
    char a[24];
    const char *params[] = {I64(a, id)};
    enum db_status s;
    PGresult *r = db_exec(c, lock ? &st_get_lock : &st_get, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read_booking(r, 0, out);
    PQclear(r);
    return s;
}

enum db_status
booking_store_list(struct db_conn *c, const struct booking_filter *f, struct booking **items,
                   int *n)
{
    char a[24], cl[24], se[24], from[24], lim[16];
    /* INT64_MIN means no lower bound: the year 1 is early enough */
    int64_t since = f->from_time == INT64_MIN ? -62135596800LL : f->from_time;
    const char *params[] = {I64(a, f->after),  I64(cl, f->client_id), f->date,
                            f->status,         I64(se, f->series_id), I64(from, since),
                            I64(lim, f->limit)};
    return read_many(c, &st_list, params, items, n);
}

enum db_status
booking_store_open_from(struct db_conn *c, int64_t client_id, const char *date,
                        struct booking **items, int *n)
{
    char a[24];
    const char *params[] = {I64(a, client_id), date};
    return read_many(c, &st_open_from, params, items, n);
}

enum db_status
booking_store_update(struct db_conn *c, const struct booking *b)
{
    char a[24], res[24], deb[24];
    const char *params[] = {I64(a, b->id), b->status, I64(res, b->reserved_m),
                            I64(deb, b->debited_m), b->cancel_reason};
    return db_exec_cmd(c, &st_update, params, NULL);
}

enum db_status
booking_store_remove_stops(struct db_conn *c, int64_t booking_id)
{
    char a[24];
    const char *params[] = {I64(a, booking_id)};
    return db_exec_cmd(c, &st_remove_stops, params, NULL);
}

enum db_status
booking_store_add_event(struct db_conn *c, int64_t booking_id, const char *type, int64_t at,
                        double odometer_km, bool has_odometer, int64_t actor)
{
    char a[24], t[24], o[32], by[24];
    snprintf(o, sizeof o, "%.1f", odometer_km);
    const char *params[] = {I64(a, booking_id), type, I64(t, at), has_odometer ? o : NULL,
                            I64(by, actor)};
    return db_exec_cmd(c, &st_event, params, NULL);
}

enum db_status
booking_store_series_insert(struct db_conn *c, int64_t client_id, const char *rrule, int64_t *id)
{
    char a[24];
    const char *params[] = {I64(a, client_id), rrule};
    enum db_status s;
    PGresult *r = db_exec(c, &st_series_insert, params, &s);
    if (!r)
        return s;
    *id = db_i64(r, 0, 0);
    PQclear(r);
    return DB_OK;
}

enum db_status
booking_store_series_get(struct db_conn *c, int64_t id, struct series_info *out)
{
    char a[24];
    const char *params[] = {I64(a, id)};
    enum db_status s;
    PGresult *r = db_exec(c, &st_series_get, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK) {
        out->id = db_i64(r, 0, 0);
        out->client_id = db_i64(r, 0, 1);
        snprintf(out->rrule, sizeof out->rrule, "%s", PQgetvalue(r, 0, 2));
        out->created_at = db_i64(r, 0, 3);
    }
    PQclear(r);
    return s;
}
