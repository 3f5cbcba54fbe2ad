/* Exact feasibility of one dial-a-ride route (time windows, ride times,
 * capacity, route duration, waiting allowed) and cheapest request insertion. */
#ifndef RITMO_DARP_ROUTE_H
#define RITMO_DARP_ROUTE_H

#include "routing/darp_model.h"

#include <stdbool.h>

/* Tolerance on time comparisons (minutes): published benchmark routes are
 * tight to the last double bit, and costs are compared at 0.005 anyway. */
#define DARP_EPS 1e-7

/* Scratch space for route evaluation, sized for one model. Not thread-safe:
 * use one per thread. Caller frees with darp_route_eval_free(); the model is
 * borrowed and must outlive the evaluator. */
struct darp_route_eval;

struct darp_route_eval *darp_route_eval_create(const struct darp_model *m);
void darp_route_eval_free(struct darp_route_eval *ev);

/* True when vehicle v can drive stops[0..n-1] (depots excluded) with some
 * schedule meeting every constraint. When times is not NULL and the route is
 * feasible, times[0..n+1] receives the earliest feasible schedule: departure
 * from the start depot, service start at every stop, arrival at the end
 * depot. Exact, in O(n alpha(n)) time whatever the pattern of rides: two
 * sweeps over the route (the method is described in darp_route.c). */
bool darp_route_feasible(struct darp_route_eval *ev, int v, const int *stops, int n, double *times)
    __attribute__((warn_unused_result));

/* Same, and also the latest feasible schedule into late[0..n+1] (either
 * array may be NULL). Every feasible schedule lies between the two. */
bool darp_route_window(struct darp_route_eval *ev, int v, const int *stops, int n, double *early,
                       double *late) __attribute__((warn_unused_result));

/* Arc cost of the route including both depot legs (0 for an empty route:
 * an unused vehicle does not drive). */
double darp_route_cost(const struct darp_model *m, int v, const int *stops, int n);

/* A place to insert one request: in the new route the pickup sits at index
 * pickup_pos and the dropoff at dropoff_pos (> pickup_pos). */
struct darp_insertion {
    double delta; /* added cost */
    int pickup_pos, dropoff_pos;
};

/* Cheapest feasible insertion of `request` into the feasible route
 * stops[0..n-1] of vehicle v, with the pickup at index >= min_pos (stops
 * before min_pos are fixed) and added cost below `bound` (INFINITY for any).
 * False when there is none. */
bool darp_route_best_insertion(struct darp_route_eval *ev, int v, const int *stops, int n,
                               int request, int min_pos, double bound, struct darp_insertion *out)
    __attribute__((warn_unused_result));

/* Writes stops with the request inserted at `ins` into out (room for n + 2). */
void darp_route_apply_insertion(const struct darp_model *m, const int *stops, int n, int request,
                                const struct darp_insertion *ins, int *out);

#endif
