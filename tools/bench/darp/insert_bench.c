/* Latency of real-time insertion (darp_insert_find) into a generated day plan
 * of about 1,000 rides on 50 vehicles, or into a solved benchmark instance. */
#include "routing/darp_insert.h"
#include "routing/darp_instance.h"
#include "routing/darp_solve.h"

#include "common/numparse.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 2026;

static double
urand(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static double
clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double
now_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A region of 20 x 20 km, 40 km/h, day 06:00-22:00 (minutes 360-1320),
 * three depots, vehicles with 4 seats and 1 wheelchair place. */
static struct darp_model *
generate(int n_req, int n_veh)
{
    int nn = 2 * n_req + 2 * 3;
    struct darp_model *m = darp_model_create(nn, n_req, n_veh, 2);
    double *x = calloc((size_t)nn, sizeof(double)), *y = calloc((size_t)nn, sizeof(double));
    for (int i = 0; i < nn; i++)
        x[i] = 20 * urand(), y[i] = 20 * urand();
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < nn; j++) {
            double km = 1.3 * hypot(x[i] - x[j], y[i] - y[j]); /* road detour factor */
            m->cost[(size_t)i * nn + j] = km;
            m->time[(size_t)i * nn + j] = km * 1.5;
        }
    for (int d = 0; d < 6; d++) /* three start/end depot pairs */
        m->nodes[2 * n_req + d] = (struct darp_node){360, 1320, 0, {0, 0}, -1};
    for (int r = 0; r < n_req; r++) {
        int p = r, dn = n_req + r;
        bool wc = urand() < 0.1;
        int seats = wc ? 0 : 1 + (urand() < 0.2);
        double direct = m->time[(size_t)p * nn + dn], svc = wc ? 5 : 2;
        double t = 390 + 900 * urand();
        m->nodes[p] = (struct darp_node){360, 1320, svc, {seats, wc}, r};
        m->nodes[dn] = (struct darp_node){360, 1320, svc, {-seats, -wc}, r};
        if (urand() < 0.5) /* outbound: promised arrival, else promised pickup */
            m->nodes[dn].e = t, m->nodes[dn].l = t + 15;
        else
            m->nodes[p].e = t, m->nodes[p].l = t + 15;
        m->requests[r] = (struct darp_request){p, dn, fmax(1.5 * direct, direct + 20)};
    }
    for (int v = 0; v < n_veh; v++) {
        int d = v % 3;
        m->vehicles[v] =
            (struct darp_vehicle){2 * n_req + 2 * d, 2 * n_req + 2 * d + 1, {4, 1}, 360, 1320, 960};
    }
    free(x);
    free(y);
    darp_model_tighten_windows(m);
    return m;
}

/* Fixes every stop whose earliest service start is before `now`. */
static void
fix_before(struct darp_insert_plan *plan, const struct darp_model *m, double now)
{
    struct darp_route_eval *ev = darp_route_eval_create(m);
    double *t = calloc((size_t)(2 * m->n_requests + 4), sizeof(double));
    int *copy = calloc((size_t)(2 * m->n_requests + 4), sizeof(int));
    for (int v = 0; v < m->n_vehicles; v++) {
        int n, nf, k = 0;
        const int *s = darp_insert_plan_route_get(plan, v, &n, &nf);
        memcpy(copy, s, (size_t)n * sizeof(int));
        if (darp_route_feasible(ev, v, copy, n, t))
            while (k < n && t[k + 1] < now)
                k++;
        if (!darp_insert_plan_set_route(plan, v, copy, n, k))
            fprintf(stderr, "could not fix route %d\n", v);
    }
    free(t);
    free(copy);
    darp_route_eval_free(ev);
}

static void
print_percentiles(const char *label, const char *kind, double *lat, int np, int found)
{
    qsort(lat, (size_t)np, sizeof(double), cmp_double);
    printf("%s: %d probes, %d insertable; %s us: median %.1f p95 %.1f p99 %.1f max %.1f\n", label,
           np, found, kind, lat[np / 2], lat[(int)(0.95 * (np - 1))], lat[(int)(0.99 * (np - 1))],
           lat[np - 1]);
}

/* Times darp_insert_find for every request in probes[]. Wall time includes
 * preemption on a shared machine; thread CPU time shows the work itself. */
static void
measure(struct darp_insert_plan *plan, const int *probes, int np, const char *label)
{
    double *wall = calloc((size_t)np + 1, sizeof(double));
    double *cpu = calloc((size_t)np + 1, sizeof(double));
    int found = 0;
    for (int i = 0; i < np; i++) {
        struct darp_insert_result res;
        double t0 = now_us(), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
        found += darp_insert_find(plan, probes[i], &res);
        cpu[i] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
        wall[i] = now_us() - t0;
    }
    if (np > 0) {
        print_percentiles(label, "wall", wall, np, found);
        print_percentiles(label, "cpu", cpu, np, found);
    }
    free(wall);
    free(cpu);
}

static int
bench_generated(int target, int n_veh)
{
    int n_req = target + target / 3 + 1000;
    struct darp_model *m = generate(n_req, n_veh);
    struct darp_insert_plan *plan = darp_insert_plan_create(m);
    int planned = 0, r = 0;
    double t0 = now_us();
    /* the plan: bookings arrive in random order and are inserted greedily */
    for (; r < n_req - 1000 && planned < target; r++) {
        struct darp_insert_result res;
        if (darp_insert_find(plan, r, &res) && darp_insert_apply(plan, r, &res))
            planned++;
    }
    printf("generated plan: %d of %d rides placed on %d vehicles in %.1f s, cost %.1f km\n",
           planned, r, n_veh, (now_us() - t0) / 1e6, darp_insert_plan_cost(plan));
    fix_before(plan, m, 660); /* it is 11:00: everything planned before is fixed */
    int np = 0, *probes = calloc((size_t)n_req, sizeof(int));
    for (int k = n_req - 1000; k < n_req; k++)
        if (m->nodes[m->requests[k].pickup].e >= 660 || m->nodes[m->requests[k].dropoff].e >= 690)
            probes[np++] = k;
    measure(plan, probes, np, "insert into generated plan");
    free(probes);
    darp_insert_plan_free(plan);
    darp_model_free(m);
    return 0;
}

/* Solves the instance without every tenth request, then inserts those. */
static int
bench_instance(const char *path, double limit)
{
    struct darp_instance *in;
    char err[256];
    if (!darp_instance_load(path, &in, err, sizeof(err))) {
        fprintf(stderr, "cannot read \"%s\": %s\n", path, err);
        return 1;
    }
    struct darp_model *m = in->model;
    darp_model_tighten_windows(m);
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.time_limit = limit;
    struct darp_solution *sol = darp_solve(m, &p);
    struct darp_insert_plan *plan = darp_insert_plan_create(m);
    int *keep = calloc((size_t)m->n_nodes, sizeof(int)),
        *probes = calloc((size_t)m->n_requests, sizeof(int));
    int np = 0;
    for (int r = 0; r < m->n_requests; r += 10)
        probes[np++] = r;
    for (int v = 0; v < m->n_vehicles; v++) {
        int n = 0;
        for (int i = 0; i < sol->n_stops[v]; i++)
            if (m->nodes[sol->routes[v][i]].request % 10 != 0)
                keep[n++] = sol->routes[v][i];
        if (!darp_insert_plan_set_route(plan, v, keep, n, 0))
            fprintf(stderr, "route %d rejected\n", v);
    }
    char label[300];
    snprintf(label, sizeof(label), "insert into solved %s (one request at a time, plan unchanged)",
             in->name);
    /* repeat to get enough samples from a small instance */
    for (int rep = 0; rep < 3; rep++)
        measure(plan, probes, np, label);
    free(keep);
    free(probes);
    darp_insert_plan_free(plan);
    darp_solution_free(sol);
    darp_instance_free(in);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--instance") == 0 && argc >= 3) {
        double limit = 5;
        if (argc >= 4 && !parse_double(argv[3], 0, 3600, &limit))
            return 2;
        return bench_instance(argv[2], limit);
    }
    int64_t rides = 1000, veh = 50;
    if ((argc >= 2 && !parse_int64(argv[1], 1, 100000, &rides)) ||
        (argc >= 3 && !parse_int64(argv[2], 1, 10000, &veh))) {
        fprintf(stderr,
                "usage: darp_insert_bench [RIDES [VEHICLES]] | --instance FILE [SECONDS]\n");
        return 2;
    }
    return bench_generated((int)rides, (int)veh);
}
