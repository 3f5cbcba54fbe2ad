/* The dial-a-ride model: requests, vehicles, nodes and a caller-supplied
 * travel-time/cost matrix, shared by feasibility, solver and insertion. */
#ifndef RITMO_DARP_MODEL_H
#define RITMO_DARP_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* Capacity types: seats, wheelchair places, scootmobiel places, one spare. */
#define DARP_MAX_DIMS 4

/* A stop location. Service must start inside [e, l]; a pickup carries +q and
 * its dropoff -q in every capacity dimension; depots carry 0. */
struct darp_node {
    double e, l;
    double service;
    int load[DARP_MAX_DIMS];
    int request; /* index into requests, or -1 for a depot */
};

/* One ride: max_ride bounds B_dropoff - (B_pickup + service_pickup). */
struct darp_request {
    int pickup, dropoff;
    double max_ride;
};

/* One run (vehicle shift). The route starts at node `start` and ends at node
 * `end`; departure and arrival must lie in [shift_start, shift_end] as well as
 * in the depot nodes' windows, and arrival - departure <= max_duration. */
struct darp_vehicle {
    int start, end;
    int capacity[DARP_MAX_DIMS];
    double shift_start, shift_end;
    double max_duration;
};

/* The whole problem. Fields are filled by the caller after
 * darp_model_create(); the matrices are row-major n_nodes x n_nodes:
 * time[i * n_nodes + j] is the travel time from i to j (minutes) and
 * cost[i * n_nodes + j] the cost of that arc (distance for the benchmark). */
struct darp_model {
    int n_nodes, n_requests, n_vehicles, n_dims;
    struct darp_node *nodes;
    struct darp_request *requests;
    struct darp_vehicle *vehicles;
    double *time;
    double *cost;
    /* Objective weight of one passenger-minute on board (0 for the
     * benchmark, which counts distance only): the driving and service time
     * between the end of a pickup's service and the start of its dropoff's,
     * times the passengers, where a pickup's passengers are the sum of its
     * load over the dimensions. Waiting is not counted: the schedule can
     * place it before the pickups, and the ride limit bounds it anyway. */
    double ride_weight;
};

/* Allocates a zeroed model with room for the given counts (n_dims in
 * 1..DARP_MAX_DIMS); node.request is set to -1, shifts to [0, +inf) and
 * max_duration to +inf. Caller frees with darp_model_free(). */
struct darp_model *darp_model_create(int n_nodes, int n_requests, int n_vehicles, int n_dims);
void darp_model_free(struct darp_model *m);

/* Checks the model's internal consistency (indices in range, matching loads,
 * non-negative times, e <= l). On failure writes a message to err. */
bool darp_model_validate(const struct darp_model *m, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The same without the O(n^2) check of every arc, for a builder whose arcs
 * are non-negative and finite by construction (live insertion builds many
 * small models per booking). */
bool darp_model_validate_nodes(const struct darp_model *m, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Tightens time windows with constraints every feasible schedule implies
 * anyway (pickup/dropoff coupling through travel and ride time, earliest
 * arrival from and latest return to a depot). The set of feasible routes is
 * unchanged; the solver's cheap pre-checks prune far more. */
void darp_model_tighten_windows(struct darp_model *m);

static inline double
darp_model_time(const struct darp_model *m, int i, int j)
{
    return m->time[(size_t)i * (size_t)m->n_nodes + (size_t)j];
}

static inline double
darp_model_cost(const struct darp_model *m, int i, int j)
{
    return m->cost[(size_t)i * (size_t)m->n_nodes + (size_t)j];
}

#endif
