/* Storage of bookings (rides), their events and series. */
#ifndef RITMO_TRANSPORT_BOOKING_STORE_H
#define RITMO_TRANSPORT_BOOKING_STORE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

struct booking {
    int64_t id;
    int64_t client_id;
    int64_t series_id;  /* 0: none */
    int64_t outward_id; /* a return ride: its outward ride; else 0 */
    int64_t return_id;  /* an outward ride: its return ride; else 0 */
    char status[12];
    char pickup_address[1201], dropoff_address[1201];
    double pickup_lat, pickup_lon, dropoff_lat, dropoff_lon;
    char time_kind[10]; /* pickup_at | arrive_by */
    int64_t requested_time, pickup_estimate, window_earliest, window_latest; /* unix s */
    char service_date[11];
    int allowance_year;
    int64_t distance_m, direct_s;
    char distance_provider[16];
    int64_t reserved_m, debited_m;
    int companions;
    char aid[12], channel[8];
    char notes[4001];
    int64_t booked_by;
    char booked_by_role[12];
    char cancel_reason[2001];
    int sequence;
    int64_t created_at, updated_at;
    int64_t run_id;         /* the run carrying it, or 0 (read only) */
    int64_t planned_pickup; /* its planned pickup on that run, or 0 (read only) */
};

/* Inserts b (id and timestamps are set on out). */
enum db_status booking_store_insert(struct db_conn *c, const struct booking *b, struct booking *out)
    __attribute__((warn_unused_result));
/* Reads a booking, locking it when lock is true. */
enum db_status booking_store_get(struct db_conn *c, int64_t id, bool lock, struct booking *out)
    __attribute__((warn_unused_result));

struct booking_filter {
    int64_t client_id;  /* 0: any */
    const char *date;   /* service date or NULL */
    const char *status; /* or NULL */
    int64_t series_id;  /* 0: any */
    int64_t from_time;  /* pickup_estimate >= from_time (unix s); INT64_MIN: any */
    int64_t after;      /* id cursor */
    int limit;
};
enum db_status booking_store_list(struct db_conn *c, const struct booking_filter *f,
                                  struct booking **items, int *n)
    __attribute__((warn_unused_result));
/* Not-yet-started rides of a client on or after a service date, locked. */
enum db_status booking_store_open_from(struct db_conn *c, int64_t client_id, const char *date,
                                       struct booking **items, int *n)
    __attribute__((warn_unused_result));

/* Writes status, reserved_m, debited_m, cancel_reason and bumps sequence. */
enum db_status booking_store_update(struct db_conn *c, const struct booking *b)
    __attribute__((warn_unused_result));
/* Takes a ride off its run (cancelled): the run's other stops stay. */
enum db_status booking_store_remove_stops(struct db_conn *c, int64_t booking_id)
    __attribute__((warn_unused_result));
enum db_status booking_store_add_event(struct db_conn *c, int64_t booking_id, const char *type,
                                       int64_t at, double odometer_km, bool has_odometer,
                                       int64_t actor) __attribute__((warn_unused_result));

enum db_status booking_store_series_insert(struct db_conn *c, int64_t client_id, const char *rrule,
                                           int64_t *id) __attribute__((warn_unused_result));
struct series_info {
    int64_t id, client_id;
    char rrule[1001];
    int64_t created_at;
};
enum db_status booking_store_series_get(struct db_conn *c, int64_t id, struct series_info *out)
    __attribute__((warn_unused_result));

#endif
