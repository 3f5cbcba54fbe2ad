/* Live insertion and day planning over the routing/ solver. */
#include "dispatch/dispatch.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "dispatch/day.h"
#include "dispatch/day_cache.h"
#include "dispatch/fleet_store.h"
#include "dispatch/manifest_store.h"
#include "http/metrics.h"
#include "outbox/outbox.h"
#include "routing/darp_insert.h"
#include "routing/darp_solve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
write_run(struct db_conn *c, struct day *d, struct darp_insert_plan *plan, int v)
{
    int n, n_fixed;
    const int *stops = darp_insert_plan_route_get(plan, v, &n, &n_fixed);
    struct darp_route_eval *ev = darp_route_eval_create(d->m);
    enum db_status s = day_write_route(c, d, ev, v, stops, n, false);
    darp_route_eval_free(ev);
    return s;
}

struct insertion {
    struct day sub;
    struct darp_insert_plan *plan;
    double delta;
    int v;  /* the run, in the day */
    int kk; /* the new ride, in sub */
};

static void
insertion_clear(struct insertion *x)
{
    darp_insert_plan_free(x->plan);
    day_clear(&x->sub);
    memset(x, 0, sizeof *x);
}

/* Tries ride k on run v (carrying rides[0..n-1]); keeps it in *best when
 * cheaper than what is there, or as cheap on a run listed earlier. */
static void
try_run(const struct app *app, const struct day *d, struct day_arcs *a, int v, const int *rides,
        int n, int k, struct insertion *best)
{
    struct insertion x = {.v = v, .kk = -1};
    char err[256];
    day_subset_of(d, &v, 1, rides, n, k, &x.sub, &x.kk);
    struct darp_insert_result res;
    if (day_build_arcs_model(app, &x.sub, a, err, sizeof err)) {
        x.plan = current_plan(&x.sub);
        if (darp_insert_find(x.plan, x.kk, &res) &&
            (!best->plan || res.at.delta < best->delta ||
             (res.at.delta == best->delta && v < best->v)) &&
            darp_insert_apply(x.plan, x.kk, &res)) {
            x.delta = res.at.delta;
            insertion_clear(best);
            *best = x;
            return;
        }
    } else {
        log_warn("could not plan run %lld on %s: %s", (long long)d->runs[v].id, d->date, err);
    }
    insertion_clear(&x);
}

/* Cheap tests before building a run's model: the run is on the road while
 * the ride is, and its vehicle has the kind of place the ride needs. */
static bool
may_carry(const struct app *app, const struct day *d, int v, int k)
{
    const struct day_ride *x = &d->rides[k];
    const struct day_run *run = &d->runs[v];
    int64_t from = x->arrive_by ? x->window_earliest - x->direct_s : x->window_earliest;
    int64_t until = x->arrive_by ? x->window_latest : x->window_latest + x->direct_s;
    return from < run->end_at && until > run->start_at && day_ride_fits_vehicle(app, d, k, v);
}

struct candidate {
    double bound;
    int v;
};

static int
by_bound(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->bound != y->bound)
        return x->bound < y->bound ? -1 : 1;
    return x->v - y->v;
}

/* Slack on comparing a bound with a cost summed in another order. */
#define BOUND_EPS 1e-6

/* The cheapest place for ride k over the day's runs. Runs are tried in
 * order of their lower bound and the search stops at the first bound above
 * the best insertion found: the same answer as trying every run, for a
 * fraction of the models. */
static void
find_place(const struct app *app, struct day *d, int k, struct insertion *best)
{
    struct day_arcs a;
    char err[256];
    if (!day_arcs_measure(app, d, k, &a, err, sizeof err)) {
        log_warn("could not insert into %s: %s", d->date, err);
        return;
    }
    int *first, *list = day_rides_by_run(d, k, &first);
    struct candidate *cand = xcalloc((size_t)d->n_runs + 1, sizeof *cand);
    int n = 0;
    for (int v = 0; v < d->n_runs; v++)
        if (may_carry(app, d, v, k))
            cand[n++] = (struct candidate){day_arcs_lower_bound(&a, v), v};
    qsort(cand, (size_t)n, sizeof *cand, by_bound);
    for (int i = 0; i < n && !(best->plan && cand[i].bound > best->delta + BOUND_EPS); i++) {
        int v = cand[i].v;
        try_run(app, d, &a, v, list + first[v], first[v + 1] - first[v], k, best);
    }
    free(cand);
    free(list);
    free(first);
    day_arcs_clear(&a);
}

/* The time since t0 into the metrics as job (one count each). */
static void
observe_since(const struct app *app, const char *job, const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (app->metrics)
        metrics_observe_job(app->metrics, job,
                            (double)(t1.tv_sec - t0->tv_sec) +
                                (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
}

/* Where ride k goes on day d, timed into the metrics as job. */
static void
find_place_timed(const struct app *app, struct day *d, int k, struct insertion *best,
                 const char *job)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    find_place(app, d, k, best);
    observe_since(app, job, &t0);
}

/* The early place's run has changed since: ride k is tried on that run as
 * it is now (one small model, not the day's). The place found is kept when
 * it costs no more than the early one did, for then it still beats every
 * run that has not changed since, just as a place on an unchanged run
 * does; false, and the day is searched again, otherwise. */
static bool
place_again(const struct app *app, const struct day *d, int k, const struct insertion *early,
            struct insertion *best)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int v = day_run_index(d, early->sub.runs[0].id);
    struct insertion x = {.v = v, .kk = -1};
    char err[256];
    struct darp_insert_result res;
    bool ok = v >= 0; /* a run that is gone: the day is searched again */
    if (ok) {
        day_subset(d, &v, 1, k, &x.sub, &x.kk);
        ok = day_build_insert_model(app, &x.sub, x.kk, err, sizeof err);
    }
    if (ok) {
        x.plan = current_plan(&x.sub);
        ok = darp_insert_find(x.plan, x.kk, &res) && res.at.delta <= early->delta + BOUND_EPS &&
             darp_insert_apply(x.plan, x.kk, &res);
    }
    if (ok) {
        x.delta = res.at.delta;
        *best = x;
    } else {
        insertion_clear(&x);
    }
    observe_since(app, ok ? "insertion_again_kept" : "insertion_again_dropped", &t0);
    return ok;
}

/* The place of the new ride on the day as this process last saw it,
 * before the day's lock: bookings for one day wait for each other only
 * while they write. *early_version: the version of the day it was found
 * on; -1 when this process has not seen the day. */
static void
find_place_early(const struct app *app, const char *date, const struct day_head *head,
                 struct insertion *early, int64_t *early_version)
{
    struct day d;
    *early_version = -1;
    if (!day_cache_copy(app->days, date, DAY_CACHE_ANY, &d, early_version))
        return;
    day_add_ride(&d, head);
    find_place_timed(app, &d, d.n_rides - 1, early, "insertion_before_lock");
    day_clear(&d);
}

enum db_status
dispatch_insert(struct db_conn *c, const struct app *app, int64_t booking_id, const char *date,
                bool *scheduled)
{
    *scheduled = false;
    struct day_head head;
    enum db_status s = day_ride_head(c, date, booking_id, &head);
    if (s != DB_OK || !head.has_runs) {
        day_head_clear(&head);
        return s;
    }
    struct insertion early = {0}, best = {0};
    int64_t early_version;
    find_place_early(app, date, &head, &early, &early_version);
    struct day d = {0};
    if ((s = day_lock(c, date, &head)) != DB_OK)
        goto out;
    /* The day as this process last saw it, while nobody has changed it
     * since, with the new ride added. */
    int64_t version = head.version;
    if (day_cache_copy(app->days, date, version, &d, NULL))
        day_add_ride(&d, &head);
    else if ((s = day_load(c, app, date, &d)) != DB_OK)
        goto out;
    int k = ride_index(&d, booking_id);
    if (k < 0) {
        s = DB_ERROR; /* the caller's own new ride: a bug */
        goto out;
    }
    /* The early place stands when its run is as it was then: the run the
     * ride goes on is written as found, and other runs may have filled up
     * meanwhile (they can only have changed by bookings that came first).
     * When its run has changed, the ride is tried there again; failing
     * that, and when nothing fitted on a day that has changed since, the
     * place is found again over the whole day under the lock. */
    if (early.plan && day_subset_rebase(&early.sub, early.kk, &d, k)) {
        best = early;
        memset(&early, 0, sizeof early);
    } else if (early.plan && place_again(app, &d, k, &early, &best)) {
        /* kept in best */
    } else if (early.plan || early_version != version) {
        find_place_timed(app, &d, k, &best, "insertion_under_lock");
    }
    if (best.plan) {
        s = write_run(c, &best.sub, best.plan, 0);
        *scheduled = s == DB_OK;
        if (s == DB_OK) {
            day_merge_subset(&d, &best.sub);
            version = head.txid; /* what the triggers of sql/013 wrote */
        }
    }
    /* A ride left unassigned changes no stop, so the version stays; it
     * plays no part in later insertions either way. On a failure the
     * transaction rolls back and the day is not kept. */
    if (s == DB_OK)
        day_cache_put(app->days, version, &d);
out:
    day_clear(&d);
    insertion_clear(&best);
    insertion_clear(&early);
    day_head_clear(&head);
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
static void
solving(void *ctx, double fraction, double best_cost)
{
    const struct plan_progress *pr = ctx;
    pr->fn(pr->ctx, "solving", fraction, best_cost);
}

static struct darp_insert_plan *
solved_plan(const struct day *d, double time_limit_s, const struct plan_progress *pr)
{
    struct darp_solve_params p;
    darp_solve_params_init(&p);
    p.time_limit = time_limit_s;
    if (pr) {
        p.on_progress = solving;
        p.progress_ctx = (void *)pr;
    }
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
write_plan(struct db_conn *c, struct day *d, struct darp_insert_plan *plan, struct plan_result *out)
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
              const struct plan_progress *pr, struct plan_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (pr)
        pr->fn(pr->ctx, "loading", 0, 0);
    enum db_status s = fleet_lock_day(c, date);
    struct day d;
    if (s != DB_OK || (s = day_load(c, app, date, &d)) != DB_OK)
        return s;
    if (pr)
        pr->fn(pr->ctx, "travel times", 0, 0);
    if (!day_build_model(app, &d, err, errlen)) {
        day_clear(&d);
        return DB_ERROR;
    }
    out->full = !any_fixed(&d);
    struct darp_insert_plan *plan =
        out->full ? solved_plan(&d, time_limit_s, pr) : current_plan(&d);
    if (!out->full) {
        struct darp_insert_result res;
        for (int k = 0; k < d.n_rides; k++)
            if (d.rides[k].run < 0 && darp_insert_find(plan, k, &res) &&
                !darp_insert_apply(plan, k, &res))
                log_warn("could not apply an insertion on %s", date);
    }
    measure(&d, plan, out);
    if (pr)
        pr->fn(pr->ctx, "writing", 1, 0);
    s = write_plan(c, &d, plan, out);
    darp_insert_plan_free(plan);
    day_clear(&d);
    return s;
}

/* Writes runs u and v (u may be -1) from the plan. */
static enum db_status
write_runs(struct db_conn *c, struct day *d, struct darp_insert_plan *plan, int u, int v)
{
    enum db_status s = u >= 0 && u != v ? write_run(c, d, plan, u) : DB_OK;
    return s == DB_OK ? write_run(c, d, plan, v) : s;
}

/* The override of dispatch_assign once the ride is off its old run. */
static enum db_status
place_on_run(struct db_conn *c, const struct app *app, struct day *d, struct darp_insert_plan *plan,
             int k, int u, int v, bool force, enum assign_outcome *out)
{
    int n, n_fixed;
    const int *cur = darp_insert_plan_route_get(plan, v, &n, &n_fixed);
    int *next = xcalloc((size_t)n + 2, sizeof *next);
    struct darp_route_eval *ev = darp_route_eval_create(d->m);
    struct darp_insertion ins;
    enum db_status s = DB_OK;
    if (!day_ride_fits_vehicle(app, d, k, v)) {
        *out = ASSIGN_CAPACITY;
    } else if (darp_route_best_insertion(ev, v, cur, n, k, n_fixed, INFINITY, &ins)) {
        darp_route_apply_insertion(d->m, cur, n, k, &ins, next);
        if (!darp_insert_plan_set_route(plan, v, next, n + 2, n_fixed))
            s = DB_ERROR;
        else
            s = write_runs(c, d, plan, u, v);
        *out = ASSIGN_DONE;
    } else if (force) {
        memcpy(next, cur, (size_t)n * sizeof *next);
        next[n] = day_pickup_node(d, k);
        next[n + 1] = day_pickup_node(d, k) + 1;
        s = u >= 0 && u != v ? write_run(c, d, plan, u) : DB_OK;
        if (s == DB_OK)
            s = day_write_route(c, d, ev, v, next, n + 2, true);
        *out = ASSIGN_FORCED;
    } else {
        *out = ASSIGN_INFEASIBLE;
    }
    darp_route_eval_free(ev);
    free(next);
    return s;
}

enum db_status
dispatch_assign(struct db_conn *c, const struct app *app, int64_t booking_id, const char *date,
                int64_t run_id, bool force, enum assign_outcome *out)
{
    struct day d, sub = {0};
    char err[256];
    enum db_status s = fleet_lock_day(c, date);
    if (s != DB_OK || (s = day_load(c, app, date, &d)) != DB_OK)
        return s;
    int k = ride_index(&d, booking_id), v = day_run_index(&d, run_id);
    *out = k < 0 || !strcmp(d.rides[k].status, "picked_up") ? ASSIGN_NOT_OPEN
           : v < 0                                          ? ASSIGN_NO_RUN
                                                            : ASSIGN_DONE;
    if (*out != ASSIGN_DONE)
        goto out;
    /* Only the target run and the ride's old run (if any) change. */
    int runs[2] = {v, d.rides[k].run}, kk = -1;
    d.rides[k].run = -1; /* the plan without the ride */
    day_subset(&d, runs, runs[1] >= 0 && runs[1] != v ? 2 : 1, k, &sub, &kk);
    if (!day_build_insert_model(app, &sub, kk, err, sizeof err)) {
        log_warn("could not plan %s: %s", date, err);
        s = DB_ERROR;
        goto out;
    }
    struct darp_insert_plan *plan = current_plan(&sub);
    s = place_on_run(c, app, &sub, plan, kk, sub.n_runs > 1 ? 1 : -1, 0, force, out);
    darp_insert_plan_free(plan);
out:
    day_clear(&sub);
    day_clear(&d);
    return s;
}

static struct db_stmt st_cancel_run = {
    "dispatch_cancel_run",
    "UPDATE runs SET status = 'cancelled', cancel_reason = $2 WHERE id = $1 AND status = "
    "'active' AND NOT EXISTS (SELECT 1 FROM stops s JOIN bookings b ON b.id = s.booking_id "
    "WHERE s.run_id = $1 AND b.status = 'picked_up')",
    2, 0};
static struct db_stmt st_run_rides = {
    "dispatch_run_rides",
    "SELECT DISTINCT s.booking_id FROM stops s JOIN bookings b ON b.id = s.booking_id WHERE "
    "s.run_id = $1 AND b.status IN ('requested', 'scheduled', 'picked_up')",
    1, 0};
static struct db_stmt st_drop_run_stops = {
    "dispatch_drop_run_stops",
    "DELETE FROM stops WHERE run_id = $1 AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = "
    "stops.booking_id AND b.status IN ('requested', 'scheduled', 'picked_up'))",
    1, 0};

/* Marks the run cancelled and returns the rides it carried. */
static enum db_status
close_run(struct db_conn *c, int64_t run_id, const char *reason, int64_t **rides, int *n)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    const char *p2[] = {id, reason}, *p1[] = {id};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_cancel_run, p2, &rows);
    if (s == DB_OK && rows != 1)
        s = DB_CONFLICT;
    PGresult *r = s == DB_OK ? db_exec(c, &st_run_rides, p1, &s) : NULL;
    if (!r)
        return s;
    *n = PQntuples(r);
    *rides = xcalloc((size_t)*n + 1, sizeof **rides);
    for (int i = 0; i < *n; i++)
        (*rides)[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    PQclear(r);
    return db_exec_cmd(c, &st_drop_run_stops, p1, NULL);
}

enum db_status
dispatch_cancel_run(struct db_conn *c, const struct app *app, int64_t run_id, const char *date,
                    const char *reason, struct cancel_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t *rides = NULL;
    int n = 0;
    struct day d = {0};
    char err[256];
    enum db_status s = fleet_lock_day(c, date);
    if (s == DB_OK)
        s = close_run(c, run_id, reason, &rides, &n);
    if (s == DB_OK)
        s = day_load(c, app, date, &d); /* the cancelled run is no longer in it */
    if (s == DB_OK && d.n_runs && !day_build_model(app, &d, err, sizeof err))
        s = DB_ERROR;
    out->placed = xcalloc((size_t)n + 1, sizeof *out->placed);
    out->unplaced = xcalloc((size_t)n + 1, sizeof *out->unplaced);
    struct darp_insert_plan *plan = s == DB_OK && d.n_runs ? current_plan(&d) : NULL;
    bool *touched = xcalloc((size_t)d.n_runs + 1, sizeof *touched);
    for (int i = 0; i < n && s == DB_OK; i++) {
        int k = ride_index(&d, rides[i]);
        struct darp_insert_result res;
        if (k >= 0 && plan && darp_insert_find(plan, k, &res) && darp_insert_apply(plan, k, &res)) {
            touched[res.vehicle] = true;
            out->placed[out->n_placed++] = rides[i];
        } else {
            out->unplaced[out->n_unplaced++] = rides[i];
            if (k >= 0)
                s = day_unassign(c, &d, k);
        }
    }
    for (int v = 0; v < d.n_runs && s == DB_OK; v++)
        if (touched[v])
            s = write_run(c, &d, plan, v);
    free(touched);
    if (plan)
        darp_insert_plan_free(plan);
    free(rides);
    day_clear(&d);
    return s;
}

/* Tells the gateway that a waiting passenger's pickup moved. */
static enum db_status
announce_eta(struct db_conn *c, const struct app *app, const struct day_ride *x, int64_t eta)
{
    if (!app->cfg->notify_url[0])
        return DB_OK;
    char when[WORKCAL_RFC3339_BUFSZ];
    json_t *p = json_pack("{s:I, s:s}", "booking_id", (json_int_t)x->booking_id, "eta",
                          workcal_format_rfc3339(app->tz, eta, when));
    enum db_status s = p ? outbox_add(c, "ride.eta_changed", app->cfg->notify_url, p) : DB_ERROR;
    json_decref(p);
    return s;
}

/* Writes run v's new planned times (ETAs) and announces moved pickups. */
static enum db_status
retime_run(struct db_conn *c, const struct app *app, const struct day *d, int v)
{
    int *stops = xcalloc((size_t)(2 * d->n_rides + 1), sizeof *stops);
    double *times = xcalloc((size_t)(2 * d->n_rides + 2), sizeof *times);
    struct darp_route_eval *ev = darp_route_eval_create(d->m);
    int n_fixed, n = day_current_route(d, v, stops, &n_fixed);
    day_route_times(d, ev, v, stops, n, times);
    enum db_status s = DB_OK;
    for (int i = 0; i < n && s == DB_OK; i++) {
        int k = (stops[i] - 2 * d->n_runs) / 2;
        bool dropoff = (stops[i] - 2 * d->n_runs) % 2;
        const struct day_ride *x = &d->rides[k];
        int64_t at = d->t0 + llround(times[i + 1] * 60.0);
        s = manifest_set_planned(c, d->runs[v].id, dropoff ? x->dropoff_seq : x->pickup_seq, at);
        if (s == DB_OK && !dropoff && !x->pickup_actual && x->planned_pickup &&
            llabs(at - x->planned_pickup) >= 300)
            s = announce_eta(c, app, x, at);
    }
    darp_route_eval_free(ev);
    free(times);
    free(stops);
    return s;
}

enum db_status
dispatch_served(struct db_conn *c, const struct app *app, int64_t booking_id, const char *date,
                const char *kind, int64_t at)
{
    bool found;
    int64_t run_id = 0;
    /* the lock first: a plan in progress would otherwise write the stop
     * over without its actual time */
    enum db_status s = fleet_lock_day(c, date);
    if (s == DB_OK)
        s = manifest_set_actual(c, booking_id, kind, at, &found);
    if (s != DB_OK || !found || (s = manifest_run_of_booking(c, booking_id, &run_id)) != DB_OK)
        return s;
    struct day d;
    char err[256];
    if ((s = day_load(c, app, date, &d)) != DB_OK)
        return s;
    /* The run of the ride, which itself may no longer be open (no-show). */
    int v = day_run_index(&d, run_id), none;
    struct day run = {0};
    if (v >= 0) {
        day_subset(&d, &v, 1, -1, &run, &none);
        if (day_build_insert_model(app, &run, -1, err, sizeof err))
            s = retime_run(c, app, &run, 0);
        else
            log_warn("could not re-time %s: %s", date, err);
    }
    day_clear(&run);
    day_clear(&d);
    return s;
}
