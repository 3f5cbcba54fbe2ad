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
    int seq_base;    /* the last sequence number of its closed rides' stops */
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

/* Minutes and operational cost of one arc (NO_ROAD-sized when none). */
struct day_arc {
    double time, cost;
};

struct day {
    const struct app *app; /* borrowed from day_load's caller */
    char date[11];
    int64_t t0; /* local midnight, unix s */
    struct day_run *runs;
    int n_runs;
    struct day_ride *rides;
    int n_rides;
    struct darp_model *m; /* vehicles = runs, requests = rides */
    double *metres;       /* road metres between the model's nodes */
    bool *served;         /* per node: served, at its (pinned) actual time */
    int *origin;          /* of a subset: each ride's index in the whole day */
    int *run_origin;      /* of a subset: each run's index in the whole day */
    int parent_runs;      /* of a subset: runs of the whole day */
    /* The legs the runs drive now, per node: its successor on its run (-1:
     * none) and the arc there. Measured on first use (day_arcs_measure),
     * then kept by day_add_ride and day_merge_subset. NULL: not yet. */
    int *leg_to;
    struct day_arc *leg;
};

/* The travel a live insertion of one ride can use, measured once for the
 * whole day: every node to and from the ride's pickup and dropoff, and the
 * legs the runs drive now. O(stops) travel queries instead of O(stops^2).
 * Node numbers are the day's model numbers. */
struct day_arcs {
    const struct day *of;      /* the day measured (not owned) */
    int n;                     /* nodes of the day */
    int ride;                  /* node of the ride's pickup (dropoff + 1), or -1 */
    struct day_arc *to_ride;   /* [2 * node + 0/1]: node to pickup/dropoff */
    struct day_arc *from_ride; /* [2 * node + 0/1]: pickup/dropoff to node */
    const int *leg_to;         /* the day's legs (borrowed from it) */
    const struct day_arc *leg;
    int *sub_of;     /* scratch of day_build_arcs_model; all -1 */
    double own_ride; /* the ride's least time on board, weighted */
};

/* Loads the day's active runs and its rides that are requested, scheduled
 * or picked up. */
enum db_status day_load(struct db_conn *c, const struct app *app, const char *date, struct day *d)
    __attribute__((warn_unused_result));
/* What live insertion reads: first, before the lock, the new ride and
 * whether its day has runs (day_ride_head); then, taking the day's planning
 * lock, the day's plan version (plan_days; 0 before any change) as of the
 * lock and the id of the caller's transaction, which becomes the version
 * once it changes the day (day_lock). One round trip each. */
struct day_head {
    bool has_runs;
    int64_t version, txid; /* set by day_lock */
    PGresult *row;         /* the ride */
};
enum db_status day_ride_head(struct db_conn *c, const char *date, int64_t booking_id,
                             struct day_head *h) __attribute__((warn_unused_result));
enum db_status day_lock(struct db_conn *c, const char *date, struct day_head *h)
    __attribute__((warn_unused_result));
/* Index in d->runs of the run with that id, or -1. */
int day_run_index(const struct day *d, int64_t run_id);
/* Appends the head's ride to a day (one kept from an earlier insertion). */
void day_add_ride(struct day *d, const struct day_head *h);
void day_head_clear(struct day_head *h);
/* Builds d->m from the loaded day with travel times from the distance
 * provider. False (err set) when the provider cannot measure the day. */
bool day_build_model(const struct app *app, struct day *d, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Measures the arcs for inserting ride k of d (k = -1: only the legs; d
 * keeps those, see struct day). False (err set) when the provider cannot.
 * Clear with day_arcs_clear, before d changes. */
bool day_arcs_measure(const struct app *app, struct day *d, int k, struct day_arcs *a, char *err,
                      size_t errlen) __attribute__((warn_unused_result));
void day_arcs_clear(struct day_arcs *a);
/* A lower bound of the cost of inserting the ride into run v as it is
 * (the cheapest places for pickup and dropoff taken apart, ignoring time,
 * plus the new passengers' direct ride at the ride weight): a run whose
 * bound is above a found insertion need not be built. */
double day_arcs_lower_bound(const struct day_arcs *a, int v);
/* Builds a subset's model (day_subset of the measured day, or that day
 * itself) from measured arcs; every other arc counts as no road. The
 * measured day must not have changed since. */
bool day_build_arcs_model(const struct app *app, struct day *sub, struct day_arcs *a, char *err,
                          size_t errlen) __attribute__((warn_unused_result));
/* The same with only the arcs one live insertion of ride k (not on a run)
 * can use: every node to and from the ride's stops, and the legs the runs
 * drive now (k = -1: only those legs, enough to re-time the runs). O(stops)
 * travel queries instead of O(stops^2); every other arc counts as no road,
 * so a search that strays there finds nothing rather than something wrong.
 * d->metres stays NULL. */
bool day_build_insert_model(const struct app *app, struct day *d, int k, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void day_clear(struct day *d);

/* The day reduced to the runs runs[0..n_runs-1] (in that order) and the
 * rides on them, plus ride k when k >= 0 (a ride on no run, or taken off
 * its run: it lands at index *kk with run -1). One small model per run
 * keeps live work linear in the size of the day. */
void day_subset(const struct day *d, const int *runs, int n_runs, int k, struct day *out, int *kk);
/* The rides on each run, grouped in one pass (a counting sort), leaving
 * out ride skip (-1: none): run v's are list[(*first)[v] .. (*first)[v+1]-1],
 * in ride order. Caller frees the list and *first. */
int *day_rides_by_run(const struct day *d, int skip, int **first);
/* The same with the rides on those runs listed by the caller (who may
 * have indexed them once for many subsets); k, if any, comes last. */
void day_subset_of(const struct day *d, const int *runs, int n_runs, const int *rides, int n_rides,
                   int k, struct day *out, int *kk);
/* A copy of the day's runs and rides (no model); clear with day_clear. */
void day_copy(const struct day *d, struct day *out);
/* Makes a one-run subset taken from another version of the day (as
 * day_subset_of, with the new ride at kk) a subset of d, whose ride k is
 * that new ride: true when d has the same run carrying the same rides in
 * the same state, so that a place found in the subset is as good in d;
 * false, and sub unchanged, otherwise. */
bool day_subset_rebase(struct day *sub, int kk, const struct day *d, int k)
    __attribute__((warn_unused_result));
/* Copies the subset's rides (as day_write_route left them) back into the
 * day it was taken from. */
void day_merge_subset(struct day *d, const struct day *sub);

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
 * feasible schedule, and marks their rides scheduled (announcing
 * ride.scheduled for each that was not); d's rides are updated to match
 * (run, sequence, planned pickup, status). With force, a route
 * that breaks a window or ride time is written too, timed by driving it
 * stop after stop (a dispatcher's override); without, it is DB_ERROR. */
enum db_status day_write_route(struct db_conn *c, struct day *d, struct darp_route_eval *ev, int v,
                               const int *stops, int n, bool force)
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
/* Removes ride k from any run and marks it requested (unassigned),
 * announcing ride.unassigned when it was scheduled. */
enum db_status day_unassign(struct db_conn *c, const struct day *d, int k)
    __attribute__((warn_unused_result));

#endif
