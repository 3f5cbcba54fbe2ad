/* Real-time insertion: cheapest feasible place over all vehicles, never
 * before fixed stops, never breaking a planned ride's window or ride time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "routing/darp_insert.h"
#include "routing/darp_solve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static double
urand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static struct darp_model *
random_model(int n, int k)
{
    int nn = 2 * n + 2;
    struct darp_model *m = darp_model_create(nn, n, k, 1);
    double x[nn], y[nn];
    for (int i = 0; i < nn; i++) {
        x[i] = i == 0 || i == nn - 1 ? 0 : 20 * urand() - 10;
        y[i] = i == 0 || i == nn - 1 ? 0 : 20 * urand() - 10;
    }
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < nn; j++)
            m->time[i * nn + j] = m->cost[i * nn + j] = hypot(x[i] - x[j], y[i] - y[j]);
    m->nodes[0] = (struct darp_node){0, 400, 0, {0}, -1};
    m->nodes[nn - 1] = (struct darp_node){0, 400, 0, {0}, -1};
    for (int r = 0; r < n; r++) {
        int p = 1 + r, d = 1 + n + r;
        double t = 30 + 300 * urand();
        m->nodes[p] = (struct darp_node){0, 400, 2, {1}, r};
        m->nodes[d] = (struct darp_node){0, 400, 2, {-1}, r};
        if (r % 2)
            m->nodes[p].e = t, m->nodes[p].l = t + 20;
        else
            m->nodes[d].e = t, m->nodes[d].l = t + 20;
        m->requests[r] = (struct darp_request){p, d, 35};
    }
    for (int v = 0; v < k; v++)
        m->vehicles[v] = (struct darp_vehicle){0, nn - 1, {3}, 0, 400, 400};
    darp_model_tighten_windows(m);
    return m;
}

/* Brute force: cheapest feasible (vehicle, positions) after the fixed stops. */
static double
brute_force(struct darp_insert_plan *plan, const struct darp_model *m, int request)
{
    struct darp_route_eval *ev = darp_route_eval_create(m);
    int tmp[200];
    double best = INFINITY;
    for (int v = 0; v < m->n_vehicles; v++) {
        int n, nf;
        const int *s = darp_insert_plan_route_get(plan, v, &n, &nf);
        double base = darp_route_cost(m, v, s, n);
        for (int i = nf; i <= n; i++)
            for (int j = i + 1; j <= n + 1; j++) {
                struct darp_insertion ins = {0, i, j};
                darp_route_apply_insertion(m, s, n, request, &ins, tmp);
                if (darp_route_feasible(ev, v, tmp, n + 2, NULL))
                    best = fmin(best, darp_route_cost(m, v, tmp, n + 2) - base);
            }
    }
    darp_route_eval_free(ev);
    return best;
}

/* Plans from the solver with random fixed prefixes; requests dropped from the
 * plan are inserted back one by one and compared with brute force. */
static void
test_insert_matches_brute_force_and_keeps_fixed(void **state)
{
    (void)state;
    rng_state = 5;
    int inserted = 0, refused = 0;
    for (int c = 0; c < 20; c++) {
        struct darp_model *m = random_model(30, 3);
        struct darp_solve_params p;
        darp_solve_params_init(&p);
        p.time_limit = 0;
        p.max_iterations = 50;
        struct darp_solution *sol = darp_solve(m, &p);
        struct darp_insert_plan *plan = darp_insert_plan_create(m);
        /* the last 6 requests become "new bookings": strip them from the plan */
        int keep[200];
        for (int v = 0; v < m->n_vehicles; v++) {
            int n = 0;
            for (int i = 0; i < sol->n_stops[v]; i++)
                if (m->nodes[sol->routes[v][i]].request < 24)
                    keep[n++] = sol->routes[v][i];
            assert_true(darp_insert_plan_set_route(plan, v, keep, n, (int)(urand() * (n + 1))));
        }
        for (int r = 24; r < 30; r++) {
            int before_n[8], before_f[8], before[8][200];
            for (int v = 0; v < m->n_vehicles; v++) {
                const int *s = darp_insert_plan_route_get(plan, v, &before_n[v], &before_f[v]);
                memcpy(before[v], s, (size_t)before_n[v] * sizeof(int));
            }
            double want = brute_force(plan, m, r);
            struct darp_insert_result res;
            bool ok = darp_insert_find(plan, r, &res);
            assert_int_equal(ok, isfinite(want));
            if (!ok) {
                refused++;
                continue;
            }
            assert_true(fabs(res.at.delta - want) < 1e-9);
            assert_true(res.at.pickup_pos >= before_f[res.vehicle]);
            double cost0 = darp_insert_plan_cost(plan);
            assert_true(darp_insert_apply(plan, r, &res));
            assert_true(fabs(darp_insert_plan_cost(plan) - cost0 - want) < 1e-6);
            for (int v = 0; v < m->n_vehicles; v++) {
                int n, nf;
                const int *s = darp_insert_plan_route_get(plan, v, &n, &nf);
                assert_int_equal(nf, before_f[v]);
                /* the fixed prefix is untouched; other vehicles entirely */
                int same = v == res.vehicle ? before_f[v] : before_n[v];
                assert_memory_equal(s, before[v], (size_t)same * sizeof(int));
                assert_int_equal(n, before_n[v] + (v == res.vehicle ? 2 : 0));
            }
            /* the new route passes the exact check; a second insert is refused */
            assert_false(darp_insert_find(plan, r, &res));
            inserted++;
        }
        darp_insert_plan_free(plan);
        darp_solution_free(sol);
        darp_model_free(m);
    }
    assert_true(inserted > 40);
    print_message("inserted %d, refused %d\n", inserted, refused);
}

/* Points on a line; ride A is promised at 10 (pickup) and 20 (dropoff). B can
 * only be picked up at 5, before A: allowed while A's pickup is open, refused
 * once it is fixed. */
static void
test_fixed_stop_blocks_earlier_insertion(void **state)
{
    (void)state;
    double pos[6] = {0, 10, 5, 20, 8, 0};
    struct darp_model *m = darp_model_create(6, 2, 1, 1);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            m->time[i * 6 + j] = m->cost[i * 6 + j] = fabs(pos[i] - pos[j]);
    m->nodes[0] = (struct darp_node){0, 100, 0, {0}, -1};
    m->nodes[5] = (struct darp_node){0, 100, 0, {0}, -1};
    m->nodes[1] = (struct darp_node){10, 10, 0, {1}, 0};
    m->nodes[3] = (struct darp_node){20, 20, 0, {-1}, 0};
    m->nodes[2] = (struct darp_node){5, 5, 0, {1}, 1};
    m->nodes[4] = (struct darp_node){0, 100, 0, {-1}, 1};
    m->requests[0] = (struct darp_request){1, 3, 50};
    m->requests[1] = (struct darp_request){2, 4, 50};
    m->vehicles[0] = (struct darp_vehicle){0, 5, {2}, 0, 100, 100};
    struct darp_insert_plan *plan = darp_insert_plan_create(m);
    int route[] = {1, 3};
    struct darp_insert_result res;
    assert_true(darp_insert_plan_set_route(plan, 0, route, 2, 0));
    assert_true(darp_insert_find(plan, 1, &res));
    assert_int_equal(res.at.pickup_pos, 0);
    assert_true(darp_insert_plan_set_route(plan, 0, route, 2, 1));
    assert_false(darp_insert_find(plan, 1, &res));
    /* a stale result cannot be forced in before the fixed stop either */
    res.vehicle = 0;
    res.at = (struct darp_insertion){0, 0, 1};
    assert_false(darp_insert_apply(plan, 1, &res));
    /* infeasible or conflicting routes are refused and leave the plan as is */
    int bad[] = {3, 1};
    assert_false(darp_insert_plan_set_route(plan, 0, bad, 2, 0));
    int n, nf;
    const int *s = darp_insert_plan_route_get(plan, 0, &n, &nf);
    assert_int_equal(n, 2);
    assert_int_equal(nf, 1);
    assert_int_equal(s[0], 1);
    darp_insert_plan_free(plan);
    darp_model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_stop_blocks_earlier_insertion),
        cmocka_unit_test(test_insert_matches_brute_force_and_keeps_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
