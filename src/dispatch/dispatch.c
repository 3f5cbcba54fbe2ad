/* Live insertion and day planning over the routing/ solver. */
#include "dispatch/dispatch.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "dispatch/day.h"
#include "dispatch/fleet_store.h"
#include "routing/darp_insert.h"
#include "routing/darp_solve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
ride_index(const struct day *d, int64_t booking_id)
{
    for (int k = 0; k < d->n_rides; k++)
        if (d->rides[k].booking_id == booking_id)
            return k;
    return -1;
}

/* The day's current plan as an insertion plan; rides whose run no longer
 * fits (cannot happen with consistent data) are left out and logged. */
static struct darp_insert_plan *
current_plan(const struct day *d)
{
    struct darp_insert_plan *plan = darp_insert_plan_create(d->m);
    int *stops = xcalloc((size_t)(2 * d->n_rides + 1), sizeof *stops);
    for (int v = 0; v < d->n_runs; v++) {
        int n_fixed, n = day_current_route(d, v, stops, &n_fixed);
        if (n && !darp_insert_plan_set_route(plan, v, stops, n, n_fixed))
            log_warn("run %lld of %s no longer fits its windows; its stops stay as they are",
                     (long long)d->runs[v].id, d->date);
    }
    free(stops);
    return plan;
}

static enum db_status
write_run(struct db_conn *c, const struct day *d, struct darp_insert_plan *plan, int v)
{
    int n, n_fixed;
    const int *stops = darp_insert_plan_route_get(plan, v, &n, &n_fixed);
    struct darp_route_eval *ev = darp_route_eval_create(d->m);
    enum db_status s = day_write_route(c, d, ev, v, stops, n);
    darp_route_eval_free(ev);
    return s;
}

enum db_status
dispatch_insert(struct db_conn *c, const struct app *app, int64_t booking_id, const char *date,
                bool *scheduled)
{
    *scheduled = false;
    bool has_runs;
    enum db_status s = fleet_day_has_runs(c, date, &has_runs);
    if (s != DB_OK || !has_runs)
        return s;
    if ((s = fleet_lock_day(c, date)) != DB_OK)
        return s;
    struct day d;
    char err[256];
    if ((s = day_load(c, app, date, &d)) != DB_OK)
        goto out;
    int k = ride_index(&d, booking_id);
    if (k < 0 || !day_build_model(app, &d, err, sizeof err)) {
        if (k >= 0)
            log_warn("could not plan %s: %s", date, err);
        goto out;
    }
    struct darp_insert_plan *plan = current_plan(&d);
    struct darp_insert_result res;
    if (darp_insert_find(plan, k, &res) && darp_insert_apply(plan, k, &res)) {
        s = write_run(c, &d, plan, res.vehicle);
        *scheduled = s == DB_OK;
    }
    darp_insert_plan_free(plan);
out:
    day_clear(&d);
    return s;
}

static bool
any_fixed(const struct day *d)
{
    for (int k = 0; k < d->n_rides; k++)
        if (d->rides[k].locked || !strcmp(d->rides[k].status, "picked_up"))
            return true;
    return false;
}

/* Plans from scratch with the solver (no stop is fixed). */
static struct darp_insert_plan *
solved_plan(const struct day *d, double time_limit_s)
{
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.time_limit = time_limit_s;
    struct darp_model *m = d->m;
    struct darp_solution *sol = darp_solve(m, &p);
    struct darp_insert_plan *plan = darp_insert_plan_create(m);
    for (int v = 0; v < sol->n_vehicles; v++)
        if (sol->n_stops[v] &&
            !darp_insert_plan_set_route(plan, v, sol->routes[v], sol->n_stops[v], 0))
            log_error("the solver returned an infeasible route for run %lld",
                      (long long)d->runs[v].id);
    darp_solution_free(sol);
    return plan;
}

/* Sums km, vehicle hours and vehicles used over the plan. */
static void
measure(const struct day *d, struct darp_insert_plan *plan, struct plan_result *out)
{
    struct darp_route_eval *ev = darp_route_eval_create(d->m);
    double *times = xcalloc((size_t)(2 * d->n_rides + 2), sizeof *times);
    for (int v = 0; v < d->n_runs; v++) {
        int n, n_fixed;
        const int *stops = darp_insert_plan_route_get(plan, v, &n, &n_fixed);
        if (!n || !darp_route_feasible(ev, v, stops, n, times))
            continue;
        out->vehicles_used++;
        out->vehicle_hours += (times[n + 1] - times[0]) / 60.0;
        int prev = d->m->vehicles[v].start, nn = d->m->n_nodes;
        for (int i = 0; i <= n; i++) {
            int next = i < n ? stops[i] : d->m->vehicles[v].end;
            out->total_km += d->metres[(size_t)prev * (size_t)nn + (size_t)next] / 1000.0;
            prev = next;
        }
    }
    free(times);
    darp_route_eval_free(ev);
}

static enum db_status
write_plan(struct db_conn *c, const struct day *d, struct darp_insert_plan *plan,
           struct plan_result *out)
{
    enum db_status s = day_clear_stops(c, d);
    for (int v = 0; v < d->n_runs && s == DB_OK; v++)
        s = write_run(c, d, plan, v);
    bool *placed = xcalloc((size_t)d->n_rides + 1, sizeof *placed);
    for (int v = 0; v < d->n_runs; v++) {
        int n, n_fixed;
        const int *stops = darp_insert_plan_route_get(plan, v, &n, &n_fixed);
        for (int i = 0; i < n; i++)
            placed[(stops[i] - 2 * d->n_runs) / 2] = true;
    }
    out->unassigned_ids = xcalloc((size_t)d->n_rides + 1, sizeof *out->unassigned_ids);
    for (int k = 0; k < d->n_rides && s == DB_OK; k++) {
        if (placed[k]) {
            out->planned++;
            continue;
        }
        out->unassigned_ids[out->unassigned++] = d->rides[k].booking_id;
        s = day_unassign(c, d, k);
    }
    free(placed);
    return s;
}

enum db_status
dispatch_plan(struct db_conn *c, const struct app *app, const char *date, double time_limit_s,
              struct plan_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    enum db_status s = fleet_lock_day(c, date);
    struct day d;
    if (s != DB_OK || (s = day_load(c, app, date, &d)) != DB_OK)
        return s;
    if (!day_build_model(app, &d, err, errlen)) {
        day_clear(&d);
        return DB_ERROR;
    }
    out->full = !any_fixed(&d);
    struct darp_insert_plan *plan = out->full ? solved_plan(&d, time_limit_s) : current_plan(&d);
    if (!out->full) {
        struct darp_insert_result res;
        for (int k = 0; k < d.n_rides; k++)
            if (d.rides[k].run < 0 && darp_insert_find(plan, k, &res) &&
                !darp_insert_apply(plan, k, &res))
                log_warn("could not apply an insertion on %s", date);
    }
    measure(&d, plan, out);
    s = write_plan(c, &d, plan, out);
    darp_insert_plan_free(plan);
    day_clear(&d);
    return s;
}
