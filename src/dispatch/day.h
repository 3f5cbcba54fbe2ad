/* A service day as the planner sees it: the day's active runs (vehicles)
 * and its open rides (requests) with their current stops, turned into a
 * dial-a-ride model in minutes since local midnight. Loading, building the
 * model and writing routes back all run in the caller's transaction, under
 * the day's planning lock. */
#ifndef RITMO_DISPATCH_DAY_H
#define RITMO_DISPATCH_DAY_H

#include "core/app.h"
#include "db/db.h"
#include "routing/darp_model.h"
#include "routing/darp_route.h"
#include "routing/geo.h"

#include <stdbool.h>
#include <stdint.h>

struct day_run {
    int64_t id;
    int64_t vehicle_id;
    int64_t start_at, end_at;
    int capacity[3]; /* seats, wheelchair places, scootmobiel places */
    struct geo_point depot;
};

struct day_ride {
    int64_t booking_id;
    char status[12];
    struct geo_point from, to;
    int64_t window_earliest, window_latest, direct_s;
    bool arrive_by;
    char aid[12];
    int companions;
    int run; /* index in runs of its stops, or -1 */
    int pickup_seq, dropoff_seq;
    bool locked;                           /* a stop of it is locked by a dispatcher */
    int64_t planned_pickup;                /* its planned pickup now, or 0 */
    int64_t pickup_actual, dropoff_actual; /* when served, as reported; 0 not yet */
};

struct day {
    char date[11];
    int64_t t0; /* local midnight, unix s */
    struct day_run *runs;
    int n_runs;
    struct day_ride *rides;
    int n_rides;
    struct darp_model *m; /* vehicles = runs, requests = rides */
    double *metres;       /* road metres between the model's nodes */
    bool *served;         /* per node: served, at its (pinned) actual time */
};

/* Loads the day's active runs and its rides that are requested, scheduled
 * or picked up. */
enum db_status day_load(struct db_conn *c, const struct app *app, const char *date, struct day *d)
    __attribute__((warn_unused_result));
/* Builds d->m from the loaded day with travel times from the distance
 * provider. False (err set) when the provider cannot measure the day. */
bool day_build_model(const struct app *app, struct day *d, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void day_clear(struct day *d);

/* Node indices of ride k's pickup and dropoff in the model. */
static inline int
day_pickup_node(const struct day *d, int k)
{
    return 2 * d->n_runs + 2 * k;
}

/* Run v's current stops (node indices) in order; returns how many, and in
 * *n_fixed how many leading stops may not move (already served, picked up
 * or locked). stops needs room for 2 * n_rides. */
int day_current_route(const struct day *d, int v, int *stops, int *n_fixed);

/* Replaces run v's stops by stops[0..n-1], planned at the earliest
 * feasible schedule, and marks their rides scheduled. With force, a route
 * that breaks a window or ride time is written too, timed by driving it
 * stop after stop (a dispatcher's override); without, it is DB_ERROR. */
enum db_status day_write_route(struct db_conn *c, const struct day *d, struct darp_route_eval *ev,
                               int v, const int *stops, int n, bool force)
    __attribute__((warn_unused_result));
/* Whether ride k's load fits run v's places at all. */
bool day_ride_fits_vehicle(const struct app *app, const struct day *d, int k, int v);
/* Planned times of run v's stops with the reported actual times kept:
 * the earliest schedule from what really happened, or, when a delay broke
 * a window, the run driven stop after stop. times needs n + 2 entries. */
void day_route_times(const struct day *d, struct darp_route_eval *ev, int v, const int *stops,
                     int n, double *times);

/* Removes every stop of the day's runs (before writing a new plan). */
enum db_status day_clear_stops(struct db_conn *c, const struct day *d)
    __attribute__((warn_unused_result));
/* Removes ride k from any run and marks it requested (unassigned). */
enum db_status day_unassign(struct db_conn *c, const struct day *d, int k)
    __attribute__((warn_unused_result));

#endif
