/* Real-time insertion of one new ride into an existing day plan whose first
 * stops per vehicle may be fixed (already driven or locked). */
#ifndef RITMO_DARP_INSERT_H
#define RITMO_DARP_INSERT_H

#include "routing/darp_model.h"
#include "routing/darp_route.h"

#include <stdbool.h>

/* A day plan: per vehicle its stops (depots left out) and how many leading
 * stops are fixed. Holds evaluation scratch space, so use one plan per thread.
 * The model is borrowed and must outlive the plan. Stops already driven
 * should carry their actual service times as a zero-width window in the
 * model, so that the rest of the schedule is built on what really happened. */
struct darp_insert_plan;

/* Empty routes for every vehicle of m; caller frees with darp_insert_plan_free(). */
struct darp_insert_plan *darp_insert_plan_create(const struct darp_model *m);
void darp_insert_plan_free(struct darp_insert_plan *p);

/* Replaces vehicle v's route by a copy of stops[0..n-1] with the first
 * n_fixed fixed. False (plan unchanged) when the route is infeasible, a
 * request is already on another vehicle, or an argument is out of range. */
bool darp_insert_plan_set_route(struct darp_insert_plan *p, int v, const int *stops, int n,
                                int n_fixed) __attribute__((warn_unused_result));

/* Borrowed view of vehicle v's route, valid until the plan next changes. */
const int *darp_insert_plan_route_get(const struct darp_insert_plan *p, int v, int *n,
                                      int *n_fixed);

/* Total arc cost of the plan. */
double darp_insert_plan_cost(const struct darp_insert_plan *p);

struct darp_insert_result {
    int vehicle;
    struct darp_insertion at; /* positions in that vehicle's new route */
};

/* Cheapest feasible place for `request` over all vehicles, never before a
 * vehicle's fixed stops and never breaking a window or ride time of a ride
 * already in the plan. Ties go to the lowest vehicle index. False when the
 * request is already planned or fits nowhere. */
bool darp_insert_find(struct darp_insert_plan *p, int request, struct darp_insert_result *out)
    __attribute__((warn_unused_result));

/* Applies a result from darp_insert_find() on the unchanged plan. */
bool darp_insert_apply(struct darp_insert_plan *p, int request,
                       const struct darp_insert_result *res) __attribute__((warn_unused_result));

#endif
