/* Dispatch use cases: live insertion of a new ride into its day's plan and
 * planning a whole day, each under the day's advisory lock in the caller's
 * transaction, so that plans of one day never interleave across processes. */
#ifndef RITMO_DISPATCH_H
#define RITMO_DISPATCH_H

#include "core/app.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Inserts booking_id (a requested ride of date) into the cheapest feasible
 * place of the day's runs, keeping every promised window; *scheduled says
 * whether it found one. Nothing happens on a day without runs. */
enum db_status dispatch_insert(struct db_conn *c, const struct app *app, int64_t booking_id,
                               const char *date, bool *scheduled)
    __attribute__((warn_unused_result));

struct plan_result {
    int planned;
    int unassigned;
    int64_t *unassigned_ids; /* owned; free() */
    double total_km;
    double vehicle_hours;
    int vehicles_used;
    bool full; /* false: some run had fixed stops, so only open rides were inserted */
};

/* Where a day plan is, for a progress bar: stage is "loading", "travel
 * times", "solving" (fraction of the time limit used, best cost so far) or
 * "writing". */
struct plan_progress {
    void (*fn)(void *ctx, const char *stage, double fraction, double best_cost);
    void *ctx;
};

/* Plans every open ride of date over the day's runs with the solver within
 * time_limit_s. Runs with stops already served or locked keep their
 * routes; open rides are then inserted around them. err names a model
 * problem (DB_ERROR). progress may be NULL. */
enum db_status dispatch_plan(struct db_conn *c, const struct app *app, const char *date,
                             double time_limit_s, const struct plan_progress *progress,
                             struct plan_result *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* A driver served a ride's stop (kind "pickup" or "dropoff") at `at`:
 * records it and re-times the rest of the run from it. Rides further on
 * whose pickup ETA moves by 5 minutes or more are announced
 * (ride.eta_changed) to the notification gateway. Nothing happens for a
 * ride that is not on a run. */
enum db_status dispatch_served(struct db_conn *c, const struct app *app, int64_t booking_id,
                               const char *date, const char *kind, int64_t at)
    __attribute__((warn_unused_result));

enum assign_outcome {
    ASSIGN_DONE,
    ASSIGN_FORCED,     /* placed by override although a constraint breaks */
    ASSIGN_CAPACITY,   /* the ride needs places the run's vehicle lacks */
    ASSIGN_INFEASIBLE, /* no place on the run keeps every window and ride time */
    ASSIGN_NOT_OPEN,   /* the ride is not requested or scheduled on that day */
    ASSIGN_NO_RUN,     /* no active run with that id on the ride's day */
};

/* Moves a ride onto run_id at its best place there (a dispatcher's
 * override). With force, a ride that fits nowhere on the run is put at the
 * run's end anyway, except when the vehicle lacks the places. */
enum db_status dispatch_assign(struct db_conn *c, const struct app *app, int64_t booking_id,
                               const char *date, int64_t run_id, bool force,
                               enum assign_outcome *out) __attribute__((warn_unused_result));

struct cancel_result {
    int64_t *placed, *unplaced; /* owned; free() */
    int n_placed, n_unplaced;
};

/* Cancels a run (a vehicle out of service) and inserts its rides into the
 * day's other runs. DB_CONFLICT when passengers are aboard (a ride on it is
 * picked up) or the run is already cancelled. */
enum db_status dispatch_cancel_run(struct db_conn *c, const struct app *app, int64_t run_id,
                                   const char *date, const char *reason, struct cancel_result *out)
    __attribute__((warn_unused_result));

#endif
