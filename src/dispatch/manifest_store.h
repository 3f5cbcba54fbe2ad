/* Reading a run's planned stops (manifests and the dispatch board). */
#ifndef RITMO_DISPATCH_MANIFEST_STORE_H
#define RITMO_DISPATCH_MANIFEST_STORE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

struct manifest_stop {
    int seq;
    int64_t booking_id;
    char kind[8]; /* pickup | dropoff */
    char address[1201];
    double lat, lon;
    int64_t planned_at;
    int64_t window_earliest, window_latest;
    char window_kind[8]; /* pickup | arrival */
    int passengers;
    char aid[12];
    char status[12]; /* planned | done | no_show | cancelled */
    bool locked;
};

/* The stops of a run in order; *items caller-owned. */
enum db_status manifest_load(struct db_conn *c, int64_t run_id, struct manifest_stop **items,
                             int *n) __attribute__((warn_unused_result));
/* The ids of the day's active runs, in id order; *ids caller-owned. */
enum db_status manifest_day_runs(struct db_conn *c, const char *date, int64_t **ids, int *n)
    __attribute__((warn_unused_result));
/* Requested (unassigned) rides of a day; *ids caller-owned. */
enum db_status manifest_unassigned(struct db_conn *c, const char *date, int64_t **ids, int *n)
    __attribute__((warn_unused_result));
/* The vehicle whose run carries a booking's stops, or 0. */
enum db_status manifest_vehicle_of_booking(struct db_conn *c, int64_t booking_id,
                                           int64_t *vehicle_id) __attribute__((warn_unused_result));

/* Records when a ride's stop (pickup or dropoff) was really served;
 * *found false when the ride has no such stop (not on a run). */
enum db_status manifest_set_actual(struct db_conn *c, int64_t booking_id, const char *kind,
                                   int64_t at, bool *found) __attribute__((warn_unused_result));
/* The run carrying a booking's stops, or 0. */
enum db_status manifest_run_of_booking(struct db_conn *c, int64_t booking_id, int64_t *run_id)
    __attribute__((warn_unused_result));
/* Sets a stop's planned time (an ETA after re-timing). */
enum db_status manifest_set_planned(struct db_conn *c, int64_t run_id, int seq, int64_t at)
    __attribute__((warn_unused_result));

/* Locks or unlocks stop seq of a run; *found false when there is none. */
enum db_status manifest_set_lock(struct db_conn *c, int64_t run_id, int seq, bool locked,
                                 bool *found) __attribute__((warn_unused_result));

#endif
