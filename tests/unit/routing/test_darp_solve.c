/* Solver: same seed and iteration budget give the same plan, every returned
 * route is feasible, and the a-instances are solved when the data is present. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "routing/darp_instance.h"
#include "routing/darp_route.h"
#include "routing/darp_solve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BENCH_DIR RITMO_SOURCE_DIR "/../shared/bench/darp"

static uint64_t rng_state;

static double
urand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* A random a-like instance: Euclidean plane, 15-minute windows, two
 * capacity types; with `hard`, some requests can be impossible to serve. */
static struct darp_model *
random_model(int n, int k, bool hard)
{
    int nn = 2 * n + 2;
    struct darp_model *m = darp_model_create(nn, n, k, 2);
    double x[nn], y[nn];
    for (int i = 0; i < nn; i++) {
        x[i] = i == 0 || i == nn - 1 ? 0 : 20 * urand() - 10;
        y[i] = i == 0 || i == nn - 1 ? 0 : 20 * urand() - 10;
    }
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < nn; j++)
            m->time[i * nn + j] = m->cost[i * nn + j] = hypot(x[i] - x[j], y[i] - y[j]);
    m->nodes[0] = (struct darp_node){0, 300, 0, {0}, -1};
    m->nodes[nn - 1] = (struct darp_node){0, 300, 0, {0}, -1};
    for (int r = 0; r < n; r++) {
        int p = 1 + r, d = 1 + n + r;
        bool wheelchair = urand() < 0.2;
        double t = 30 + 220 * urand();
        m->nodes[p] = (struct darp_node){0, 300, 3, {wheelchair ? 0 : 1, wheelchair}, r};
        m->nodes[d] = (struct darp_node){0, 300, 3, {wheelchair ? 0 : -1, -wheelchair}, r};
        if (r % 2)
            m->nodes[p].e = t, m->nodes[p].l = t + 15;
        else
            m->nodes[d].e = t, m->nodes[d].l = t + 15;
        m->requests[r] = (struct darp_request){p, d, hard && urand() < 0.1 ? 5 : 30};
    }
    for (int v = 0; v < k; v++)
        m->vehicles[v] = (struct darp_vehicle){0, nn - 1, {3, v % 2}, 0, 300, 300};
    darp_model_tighten_windows(m);
    return m;
}

static void
test_same_seed_same_plan(void **state)
{
    (void)state;
    rng_state = 42;
    struct darp_model *m = random_model(24, 3, false);
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.seed = 7;
    p.time_limit = 0;
    p.max_iterations = 400;
    struct darp_solution *a = darp_solve(m, &p), *b = darp_solve(m, &p);
    char err[256];
    assert_true(darp_solution_check(m, a, err, sizeof(err)));
    assert_true(a->cost == b->cost);
    assert_int_equal(a->n_unserved, b->n_unserved);
    assert_int_equal(a->iterations, 400);
    for (int v = 0; v < a->n_vehicles; v++) {
        assert_int_equal(a->n_stops[v], b->n_stops[v]);
        assert_memory_equal(a->routes[v], b->routes[v], (size_t)a->n_stops[v] * sizeof(int));
    }
    darp_solution_free(a);
    darp_solution_free(b);
    darp_model_free(m);
}

/* Passenger-minutes on board of a solution: the cost with weight 1 minus
 * the cost with weight 0 (the definition is checked in test_darp_route). */
static double
ride_minutes(struct darp_model *m, const struct darp_solution *s)
{
    double saved = m->ride_weight, with = 0, without = 0;
    for (int v = 0; v < s->n_vehicles; v++) {
        m->ride_weight = 1;
        with += darp_route_cost(m, v, s->routes[v], s->n_stops[v]);
        m->ride_weight = 0;
        without += darp_route_cost(m, v, s->routes[v], s->n_stops[v]);
    }
    m->ride_weight = saved;
    return with - without;
}

/* The operations objective: weighting ride time gives plans where the
 * passengers spend less time on board, at some cost in distance. */
static void
test_ride_weight_shortens_rides(void **state)
{
    (void)state;
    rng_state = 5;
    struct darp_model *m = random_model(24, 4, false);
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.seed = 3;
    p.time_limit = 0;
    p.max_iterations = 2000;
    struct darp_solution *plain = darp_solve(m, &p);
    m->ride_weight = 1;
    struct darp_solution *weighted = darp_solve(m, &p);
    char err[256];
    if (!darp_solution_check(m, weighted, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(plain->n_unserved, 0);
    assert_int_equal(weighted->n_unserved, 0);
    double ride_plain = ride_minutes(m, plain), ride_weighted = ride_minutes(m, weighted);
    print_message("ride minutes %.1f -> %.1f, objective %.1f -> %.1f\n", ride_plain, ride_weighted,
                  plain->cost, weighted->cost);
    assert_true(ride_weighted < 0.97 * ride_plain);
    darp_solution_free(plain);
    darp_solution_free(weighted);
    darp_model_free(m);
}

/* Random models, some requests impossible (ride limit below direct travel):
 * those are reported unserved, everything returned is feasible. */
static void
test_never_infeasible(void **state)
{
    (void)state;
    rng_state = 99;
    int unserved = 0;
    for (int c = 0; c < 12; c++) {
        struct darp_model *m = random_model(8 + c, 1 + c % 3, true);
        struct darp_solve_params p;
        darp_solve_params_init(&p);
        p.seed = (uint64_t)c;
        p.time_limit = 0;
        p.max_iterations = 150;
        struct darp_solution *s = darp_solve(m, &p);
        char err[256];
        if (!darp_solution_check(m, s, err, sizeof(err)))
            fail_msg("case %d: %s", c, err);
        unserved += s->n_unserved;
        darp_solution_free(s);
        darp_model_free(m);
    }
    assert_true(unserved > 0); /* the impossible rides were really refused */
}

static void
test_empty_model(void **state)
{
    (void)state;
    struct darp_model *m = darp_model_create(2, 0, 2, 1);
    m->vehicles[0] = m->vehicles[1] = (struct darp_vehicle){0, 1, {1}, 0, 10, 10};
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.time_limit = 0.01;
    struct darp_solution *s = darp_solve(m, &p);
    char err[256];
    assert_true(darp_solution_check(m, s, err, sizeof(err)));
    assert_int_equal(darp_solution_vehicles_used(s), 0);
    assert_true(s->cost == 0);
    darp_solution_free(s);
    darp_model_free(m);
}

static const char *const A_SET[] = {
    "a2-16", "a2-20", "a2-24", "a3-18", "a3-24", "a3-30", "a3-36", "a4-16",
    "a4-24", "a4-32", "a4-40", "a4-48", "a5-40", "a5-50", "a5-60", "a6-48",
    "a6-60", "a6-72", "a7-56", "a7-70", "a7-84", "a8-64", "a8-80", "a8-96",
};

/* Every a-instance, short run: all requests served, the plan passes the
 * check on the file's own (untightened) windows. */
static void
test_a_instances_feasible(void **state)
{
    (void)state;
    struct stat st;
    if (stat(BENCH_DIR "/instances/a2-16", &st) != 0) {
        print_message("skipped: benchmark data not found at %s\n", BENCH_DIR);
        skip();
    }
    for (size_t i = 0; i < sizeof(A_SET) / sizeof(A_SET[0]); i++) {
        char path[512], err[256];
        struct darp_instance *in, *orig;
        snprintf(path, sizeof(path), BENCH_DIR "/instances/%s", A_SET[i]);
        assert_true(darp_instance_load(path, &in, err, sizeof(err)));
        assert_true(darp_instance_load(path, &orig, err, sizeof(err)));
        darp_model_tighten_windows(in->model);
        struct darp_solve_params p;
        darp_solve_params_init(&p);
        p.time_limit = 0.25;
        struct darp_solution *s = darp_solve(in->model, &p);
        if (!darp_solution_check(orig->model, s, err, sizeof(err)))
            fail_msg("%s: %s", A_SET[i], err);
        assert_int_equal(s->n_unserved, 0);
        print_message("%s: cost %.2f after %ld iterations\n", A_SET[i], s->cost, s->iterations);
        darp_solution_free(s);
        darp_instance_free(in);
        darp_instance_free(orig);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_model),
        cmocka_unit_test(test_same_seed_same_plan),
        cmocka_unit_test(test_ride_weight_shortens_rides),
        cmocka_unit_test(test_never_infeasible),
        cmocka_unit_test(test_a_instances_feasible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
