/* Proves the exact route feasibility test against Bellman-Ford on the
 * schedule's difference constraints, on thousands of random small routes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "routing/darp_model.h"
#include "routing/darp_route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXR  5
#define MAXK  (2 * MAXR + 2)
#define LONGR 300 /* requests in the long staircase routes */

static uint64_t rng_state;

static uint64_t
rnd(void)
{
    /* splitmix64: fixed seed, so a failure is reproducible */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int
rint_in(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* Random model with nr requests and one vehicle; integer data so that both
 * methods compute exactly. metric: Manhattan times (triangle inequality),
 * otherwise arbitrary matrices. */
static struct darp_model *
random_model(int nr, bool metric)
{
    int nn = 2 * nr + 2;
    int dims = rint_in(1, 2);
    struct darp_model *m = darp_model_create(nn, nr, 1, dims);
    int x[MAXK], y[MAXK];
    for (int i = 0; i < nn; i++) {
        x[i] = rint_in(0, 10);
        y[i] = rint_in(0, 10);
    }
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < nn; j++) {
            double t = metric ? abs(x[i] - x[j]) + abs(y[i] - y[j]) : (i == j ? 0 : rint_in(0, 15));
            m->time[i * nn + j] = t;
            m->cost[i * nn + j] = t;
        }
    int horizon = rint_in(40, 160);
    for (int i = 0; i < nn; i++) {
        struct darp_node *nd = &m->nodes[i];
        int e = rint_in(0, horizon - 10);
        nd->e = rnd() % 3 == 0 ? 0 : e;
        nd->l = rnd() % 3 == 0 ? horizon : nd->e + rint_in(0, 40);
        nd->service = (i == 0 || i == nn - 1) ? 0 : rint_in(0, 3);
    }
    m->nodes[0].e = rint_in(0, 10);
    m->nodes[0].l = horizon;
    m->nodes[nn - 1].e = 0;
    m->nodes[nn - 1].l = horizon + rint_in(0, 30);
    for (int r = 0; r < nr; r++) {
        m->requests[r] = (struct darp_request){1 + r, 1 + nr + r, rint_in(3, 30)};
        m->nodes[1 + r].request = m->nodes[1 + nr + r].request = r;
        for (int d = 0; d < dims; d++) {
            int q = rint_in(0, 2);
            m->nodes[1 + r].load[d] = q;
            m->nodes[1 + nr + r].load[d] = -q;
        }
    }
    m->vehicles[0].start = 0;
    m->vehicles[0].end = nn - 1;
    m->vehicles[0].shift_start = rint_in(0, 5);
    m->vehicles[0].shift_end = horizon + rint_in(0, 40);
    m->vehicles[0].max_duration = rint_in(15, 150);
    for (int d = 0; d < dims; d++)
        m->vehicles[0].capacity[d] = rint_in(1, 4);
    return m;
}

/* Independent pairing/precedence/capacity check by simulation. */
static bool
structure_ok(const struct darp_model *m, const int *stops, int n)
{
    int seen[MAXR] = {0}, load[DARP_MAX_DIMS] = {0};
    for (int k = 0; k < n; k++) {
        int node = stops[k], r = m->nodes[node].request;
        if (r < 0)
            return false;
        bool pick = node == m->requests[r].pickup;
        if (pick ? seen[r] != 0 : seen[r] != 1)
            return false;
        seen[r]++;
        for (int d = 0; d < m->n_dims; d++) {
            load[d] += m->nodes[node].load[d];
            if (load[d] > m->vehicles[0].capacity[d])
                return false;
        }
    }
    for (int r = 0; r < MAXR; r++)
        if (seen[r] == 1)
            return false;
    return true;
}

/* Difference-constraint edges of a route of any length; x_v <= x_u + w. */
struct edge {
    int u, v;
    double w; /* x_v <= x_u + w */
};

/* Builds the difference-constraint graph of the route; node K is the origin z. */
static int
build_edges(const struct darp_model *m, const int *stops, int n, struct edge *E)
{
    int K = n + 2, ne = 0;
    int *seq = malloc((size_t)K * sizeof(int));
    const struct darp_vehicle *veh = &m->vehicles[0];
    seq[0] = veh->start;
    if (n > 0)
        memcpy(seq + 1, stops, (size_t)n * sizeof(int));
    seq[K - 1] = veh->end;
    for (int k = 0; k < K; k++) {
        const struct darp_node *nd = &m->nodes[seq[k]];
        double e = nd->e, l = nd->l;
        if (k == 0 || k == K - 1) {
            e = fmax(e, veh->shift_start);
            l = fmin(l, veh->shift_end);
        }
        E[ne++] = (struct edge){K, k, l};
        E[ne++] = (struct edge){k, K, -e};
        if (k + 1 < K)
            E[ne++] =
                (struct edge){k + 1, k, -(nd->service + m->time[seq[k] * m->n_nodes + seq[k + 1]])};
    }
    for (int a = 1; a < K - 1; a++)
        for (int b = a + 1; b < K - 1; b++) {
            int r = m->nodes[seq[a]].request;
            if (seq[a] == m->requests[r].pickup && seq[b] == m->requests[r].dropoff)
                E[ne++] = (struct edge){a, b, m->requests[r].max_ride + m->nodes[seq[a]].service};
        }
    E[ne++] = (struct edge){0, K - 1, veh->max_duration};
    free(seq);
    return ne;
}

/* Shortest paths from z (or into z with reversed edges); false on a negative cycle. */
static bool
bellman_ford(const struct edge *E, int ne, int V, bool reverse, double *dist)
{
    for (int i = 0; i < V; i++)
        dist[i] = INFINITY;
    dist[V - 1] = 0;
    for (int it = 0; it < V; it++) {
        bool changed = false;
        for (int k = 0; k < ne; k++) {
            int u = reverse ? E[k].v : E[k].u, v = reverse ? E[k].u : E[k].v;
            if (dist[u] + E[k].w < dist[v] - 1e-9) {
                dist[v] = dist[u] + E[k].w;
                changed = true;
            }
        }
        if (!changed)
            return true;
    }
    return false;
}

/* Random route over a random subset of requests, sometimes broken. */
static int
random_route(const struct darp_model *m, int *stops)
{
    int n = 0;
    for (int r = 0; r < m->n_requests; r++) {
        if (rnd() % 4 == 0)
            continue;
        stops[n++] = m->requests[r].pickup;
        if (rnd() % 40 != 0)
            stops[n++] = m->requests[r].dropoff;
    }
    for (int k = n - 1; k > 0; k--) {
        int j = (int)(rnd() % (uint64_t)(k + 1)), t = stops[k];
        stops[k] = stops[j];
        stops[j] = t;
    }
    /* mostly respect precedence: swap dropoffs that come before pickups */
    if (rnd() % 10 != 0)
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                int r = m->nodes[stops[a]].request;
                if (m->nodes[stops[b]].request == r && stops[a] == m->requests[r].dropoff) {
                    stops[b] = m->requests[r].dropoff;
                    stops[a] = m->requests[r].pickup;
                }
            }
    return n;
}

/* Compares the evaluator with Bellman-Ford on one route: same verdict,
 * and when feasible the same earliest and latest schedules. `structure`
 * says whether pairing, precedence and capacity hold. */
static bool
agrees_with_bellman_ford(const struct darp_model *m, const int *stops, int n, bool structure)
{
    struct darp_route_eval *ev = darp_route_eval_create(m);
    double *early = malloc((size_t)(n + 2) * sizeof(double));
    double *late = malloc((size_t)(n + 2) * sizeof(double));
    double *dmax = malloc((size_t)(n + 3) * sizeof(double));
    double *dmin = malloc((size_t)(n + 3) * sizeof(double));
    struct edge *E = malloc((size_t)(4 * (n + 2) + n + 8) * sizeof(*E));
    bool got = darp_route_window(ev, 0, stops, n, early, late);
    int ne = build_edges(m, stops, n, E), V = n + 3;
    bool want = structure && bellman_ford(E, ne, V, false, dmax);
    assert_int_equal(got, want);
    if (want) {
        /* least solution = -(shortest path into z); greatest = shortest from z */
        assert_true(bellman_ford(E, ne, V, true, dmin));
        for (int k = 0; k < n + 2; k++) {
            assert_true(fabs(early[k] - (-dmin[k])) < 1e-6);
            assert_true(fabs(late[k] - dmax[k]) < 1e-6);
        }
    }
    free(E);
    free(dmin);
    free(dmax);
    free(late);
    free(early);
    darp_route_eval_free(ev);
    return want;
}

static void
check_one(bool metric, int *nfeas)
{
    struct darp_model *m = random_model(rint_in(1, MAXR), metric);
    int stops[MAXK];
    int n = random_route(m, stops);
    *nfeas += agrees_with_bellman_ford(m, stops, n, structure_ok(m, stops, n));
    darp_model_free(m);
}

static void
test_feasibility_matches_bellman_ford(void **state)
{
    (void)state;
    rng_state = 12345;
    int nfeas = 0, cases = 30000;
    for (int c = 0; c < cases; c++)
        check_one(c % 2 == 0, &nfeas);
    /* both outcomes must be well represented for the proof to mean anything */
    assert_true(nfeas > cases / 10);
    assert_true(nfeas < cases * 9 / 10);
}

/*
 * The worst case of pushing departures one ride at a time: a staircase
 * p0 p1 d0 p2 d1 ... p(n-1) d(n-2) d(n-1) where only the last dropoff is
 * late. Its waiting makes ride n-1 too long, so p(n-1) must start later,
 * which delays d(n-2) past its ride limit, and so on back to the start: n
 * dependent pushes, each found only after the one before. Random slack,
 * windows and route limits make some of them infeasible.
 */
static struct darp_model *
staircase(int nr, int *stops)
{
    int nn = 2 * nr + 2;
    struct darp_model *m = darp_model_create(nn, nr, 1, 1);
    for (int i = 0; i < nn * nn; i++)
        m->time[i] = m->cost[i] = 30;
    int n = 0;
    stops[n++] = 1;
    for (int r = 1; r < nr; r++) {
        stops[n++] = 1 + r;
        stops[n++] = 1 + nr + r - 1;
    }
    stops[n++] = 1 + nr + nr - 1;
    double clock = 0, late_end = 0, *at = malloc((size_t)nn * sizeof(double));
    int prev = 0;
    for (int k = 0; k < n; k++) {
        double t = rint_in(1, 5);
        m->time[prev * nn + stops[k]] = m->cost[prev * nn + stops[k]] = t;
        clock += t;
        at[stops[k]] = clock;
        prev = stops[k];
    }
    m->time[prev * nn + nn - 1] = m->cost[prev * nn + nn - 1] = 1;
    late_end = clock + rint_in(20, 60);
    for (int i = 0; i < nn; i++) {
        m->nodes[i].e = 0;
        m->nodes[i].l = 10 * clock + 100;
        m->nodes[i].service = 0;
    }
    for (int r = 0; r < nr; r++) {
        /* the ride as driven plus a little slack for waiting */
        double direct = at[1 + nr + r] - at[1 + r];
        m->requests[r] = (struct darp_request){1 + r, 1 + nr + r, direct + rint_in(0, 3)};
        m->nodes[1 + r].request = m->nodes[1 + nr + r].request = r;
        m->nodes[1 + r].load[0] = 1;
        m->nodes[1 + nr + r].load[0] = -1;
    }
    if (rnd() % 2 == 0) /* a window that the pushes may break */
        m->nodes[1 + rint_in(0, nr - 1)].l = rint_in(0, (int)late_end);
    free(at);
    m->nodes[1 + nr + nr - 1].e = late_end;
    m->vehicles[0] = (struct darp_vehicle){0, nn - 1, {2}, 0, INFINITY, INFINITY};
    if (rnd() % 4 == 0)
        m->vehicles[0].max_duration = late_end + rint_in(-10, 5);
    return m;
}

static void
test_long_staircases_match_bellman_ford(void **state)
{
    (void)state;
    rng_state = 4242;
    int *stops = malloc(2 * LONGR * sizeof(int));
    int nfeas = 0, cases = 200;
    for (int c = 0; c < cases; c++) {
        int nr = c < 20 ? LONGR : rint_in(4, LONGR);
        struct darp_model *m = staircase(nr, stops);
        nfeas += agrees_with_bellman_ford(m, stops, 2 * nr, true);
        darp_model_free(m);
    }
    free(stops);
    print_message("feasible staircases: %d of %d\n", nfeas, cases);
    assert_true(nfeas > cases / 5);
    assert_true(nfeas < cases * 4 / 5);
}

/* Wider windows and limits, so that many insertions are feasible. */
static void
loosen(struct darp_model *m)
{
    for (int i = 0; i < m->n_nodes; i++)
        m->nodes[i].l += 60;
    for (int r = 0; r < m->n_requests; r++)
        m->requests[r].max_ride += 20;
    m->vehicles[0].capacity[0] += 2;
    m->vehicles[0].capacity[1] += 2;
    m->vehicles[0].max_duration += 100;
    m->vehicles[0].shift_end += 100;
}

/* The route's cost by definition: its arcs, plus ride_weight times each
 * request's passengers times its time on board without waiting (from the
 * end of the pickup's service to the start of the dropoff's). */
static double
cost_by_definition(const struct darp_model *m, const int *stops, int n)
{
    if (n == 0)
        return 0;
    const struct darp_vehicle *veh = &m->vehicles[0];
    double arcs =
        m->cost[veh->start * m->n_nodes + stops[0]] + m->cost[stops[n - 1] * m->n_nodes + veh->end];
    double at[MAXK + 2], ride = 0, clock = 0;
    for (int k = 0; k < n; k++) {
        if (k > 0) {
            arcs += m->cost[stops[k - 1] * m->n_nodes + stops[k]];
            clock += m->nodes[stops[k - 1]].service + m->time[stops[k - 1] * m->n_nodes + stops[k]];
        }
        at[stops[k]] = clock;
    }
    for (int r = 0; r < m->n_requests; r++) {
        const struct darp_request *q = &m->requests[r];
        bool in = false;
        for (int k = 0; k < n; k++)
            in |= stops[k] == q->pickup;
        if (!in)
            continue;
        int pax = 0;
        for (int d = 0; d < m->n_dims; d++)
            pax += m->nodes[q->pickup].load[d];
        ride += pax * (at[q->dropoff] - at[q->pickup] - m->nodes[q->pickup].service);
    }
    return arcs + m->ride_weight * ride;
}

/* Cheapest insertion equals the best of all positions checked one by one,
 * with and without passenger ride time in the objective. */
static void
test_best_insertion_matches_enumeration(void **state)
{
    (void)state;
    rng_state = 777;
    int found = 0;
    for (int c = 0; c < 5000; c++) {
        struct darp_model *m = random_model(rint_in(2, MAXR), true);
        loosen(m);
        m->ride_weight = c % 2 ? rint_in(1, 10) / 10.0 : 0;
        struct darp_route_eval *ev = darp_route_eval_create(m);
        int stops[MAXK], cand[MAXK + 2];
        int n = 0, newr = m->n_requests - 1;
        for (int r = 0; r < newr; r++) {
            stops[n++] = m->requests[r].pickup;
            stops[n++] = m->requests[r].dropoff;
        }
        if (rnd() % 2 && n >= 4) { /* interleave two rides */
            int t = stops[1];
            stops[1] = stops[2];
            stops[2] = t;
        }
        if (!darp_route_feasible(ev, 0, stops, n, NULL))
            goto next;
        int min_pos = rint_in(0, n);
        double best = INFINITY;
        for (int i = min_pos; i <= n; i++)
            for (int j = i + 1; j <= n + 1; j++) {
                struct darp_insertion ins = {0, i, j};
                darp_route_apply_insertion(m, stops, n, newr, &ins, cand);
                if (darp_route_feasible(ev, 0, cand, n + 2, NULL)) {
                    double cost = darp_route_cost(m, 0, cand, n + 2);
                    assert_true(fabs(cost - cost_by_definition(m, cand, n + 2)) < 1e-6);
                    best = fmin(best, cost);
                }
            }
        struct darp_insertion got;
        bool ok = darp_route_best_insertion(ev, 0, stops, n, newr, min_pos, INFINITY, &got);
        assert_int_equal(ok, isfinite(best));
        if (ok) {
            assert_true(got.pickup_pos >= min_pos);
            darp_route_apply_insertion(m, stops, n, newr, &got, cand);
            assert_true(darp_route_feasible(ev, 0, cand, n + 2, NULL));
            double base = darp_route_cost(m, 0, stops, n);
            assert_true(fabs(base + got.delta - best) < 1e-6);
            found++;
        }
    next:
        darp_route_eval_free(ev);
        darp_model_free(m);
    }
    print_message("insertions found: %d of 5000\n", found);
    assert_true(found > 500);
}

/* The README's example of why an earliest-time pass is wrong: the vehicle
 * must leave late so that the passenger's ride stays short. */
static void
test_departure_delay_needed(void **state)
{
    (void)state;
    struct darp_model *m = darp_model_create(4, 1, 1, 1);
    for (int i = 0; i < 16; i++)
        m->time[i] = m->cost[i] = (i / 4 == i % 4) ? 0 : 10;
    m->nodes[0] = (struct darp_node){0, 100, 0, {0}, -1};
    m->nodes[3] = (struct darp_node){0, 100, 0, {0}, -1};
    m->nodes[1] = (struct darp_node){0, 100, 1, {1}, 0};
    m->nodes[2] = (struct darp_node){50, 60, 1, {-1}, 0};
    m->requests[0] = (struct darp_request){1, 2, 15};
    m->vehicles[0] = (struct darp_vehicle){0, 3, {1}, 0, 100, 100};
    struct darp_route_eval *ev = darp_route_eval_create(m);
    int stops[] = {1, 2};
    double t[4];
    assert_true(darp_route_feasible(ev, 0, stops, 2, t));
    assert_true(t[1] >= 50 - 15 - 1 - DARP_EPS); /* pickup delayed for the ride limit */
    assert_true(t[2] - (t[1] + 1) <= 15 + DARP_EPS);
    m->requests[0].max_ride = 9; /* shorter than the direct trip */
    assert_false(darp_route_feasible(ev, 0, stops, 2, t));
    int bad[] = {2, 1};
    assert_false(darp_route_feasible(ev, 0, bad, 2, NULL));
    assert_true(darp_route_feasible(ev, 0, NULL, 0, NULL));
    darp_route_eval_free(ev);
    darp_model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_departure_delay_needed),
        cmocka_unit_test(test_feasibility_matches_bellman_ford),
        cmocka_unit_test(test_long_staircases_match_bellman_ford),
        cmocka_unit_test(test_best_insertion_matches_enumeration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
