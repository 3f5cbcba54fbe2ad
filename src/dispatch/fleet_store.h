/* Storage of vehicles and runs. */
#ifndef RITMO_DISPATCH_FLEET_STORE_H
#define RITMO_DISPATCH_FLEET_STORE_H

#include "db/db.h"

#include <stdint.h>

struct vehicle {
    int64_t id;
    char name[401];
    int seats, wheelchair_places, scootmobiel_places;
    char depot_address[1201];
    double depot_lat, depot_lon;
};

struct run {
    int64_t id;
    int64_t vehicle_id;
    char service_date[11];
    int64_t start_at, end_at; /* unix s */
    char status[12];
    char cancel_reason[801];
};

enum db_status fleet_vehicle_insert(struct db_conn *c, const struct vehicle *in,
                                    struct vehicle *out) __attribute__((warn_unused_result));
enum db_status fleet_vehicle_get(struct db_conn *c, int64_t id, struct vehicle *out)
    __attribute__((warn_unused_result));
/* DB_CONFLICT when the vehicle already has an active run overlapping it;
 * DB_NO_REFERENT when there is no such vehicle. */
enum db_status fleet_run_insert(struct db_conn *c, const struct run *in, struct run *out)
    __attribute__((warn_unused_result));
enum db_status fleet_run_get(struct db_conn *c, int64_t id, struct run *out)
    __attribute__((warn_unused_result));
/* Takes the planning lock of a service day for the rest of the
 * transaction: live insertions and day plans of one day never interleave,
 * in one process or several. */
enum db_status fleet_lock_day(struct db_conn *c, const char *date)
    __attribute__((warn_unused_result));

#endif
