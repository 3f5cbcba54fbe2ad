/* Static dial-a-ride solver: parallel regret insertion, then adaptive large
 * neighbourhood search; deterministic for a seed and an iteration budget. */
#ifndef RITMO_DARP_SOLVE_H
#define RITMO_DARP_SOLVE_H

#include "routing/darp_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct darp_solve_params {
    uint64_t seed;
    /* Wall-clock limit in seconds; <= 0 means none (then max_iterations must
     * be set). */
    double time_limit;
    /* ALNS iterations; <= 0 means none. When set, the cooling schedule runs
     * on iterations, so (seed, max_iterations) fixes the answer exactly; with
     * only a time limit the search path is still fixed by the seed, but where
     * it stops depends on the machine's speed. */
    long max_iterations;
    /* Objective added per unserved request; <= 0 derives a value that makes
     * serving every servable request always pay. */
    double unserved_penalty;
    /* Count time_limit in CPU time of the calling thread instead of wall
     * time: for benchmarks on a shared, loaded machine, so that a figure
     * means the same work however busy the machine was. */
    bool cpu_clock;
    bool verbose; /* progress lines to the log at info level */
    /* Called about ten times a second from the search with the fraction of
     * the budget used and the best cost so far (a progress bar); NULL for
     * none. Runs on the solving thread. */
    void (*on_progress)(void *ctx, double fraction, double best_cost);
    void *progress_ctx;
};

/* Defaults: seed 1, 10 s wall time, no iteration limit, derived penalty,
 * quiet. */
void darp_solve_params_init(struct darp_solve_params *p);

/* A plan: per vehicle its stops in visit order (depots left out). */
struct darp_solution {
    int n_vehicles;
    int **routes; /* routes[v][0..n_stops[v]-1] */
    int *n_stops;
    int n_unserved;
    int *unserved; /* request indices */
    double cost;   /* total arc cost of all routes, depot legs included */
    long iterations;
    double elapsed; /* seconds */
};

/* Solves m (which must pass darp_model_validate). Never returns an
 * infeasible route: requests that cannot be placed are listed as unserved.
 * Caller frees the result with darp_solution_free(). */
struct darp_solution *darp_solve(const struct darp_model *m, const struct darp_solve_params *p);

void darp_solution_free(struct darp_solution *s);

/* Number of vehicles with at least one stop. */
int darp_solution_vehicles_used(const struct darp_solution *s);

/* Independent check of a solution: every route feasible, every request
 * exactly once (in a route or in the unserved list), cost equal to the sum of
 * route costs. On failure err says what is wrong. */
bool darp_solution_check(const struct darp_model *m, const struct darp_solution *s, char *err,
                         size_t errlen) __attribute__((warn_unused_result));

#endif
