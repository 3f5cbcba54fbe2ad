/* Loading a service day and mapping it onto the dial-a-ride model. */
#include "dispatch/day.h"

#include "common/numparse.h"
#include "common/xalloc.h"
#include "routing/distance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt st_runs = {
    "day_runs",
    "SELECT r.id, r.vehicle_id, extract(epoch FROM r.start_at)::bigint, "
    "extract(epoch FROM r.end_at)::bigint, v.seats, v.wheelchair_places, v.scootmobiel_places, "
    "v.depot_lat, v.depot_lon FROM runs r JOIN vehicles v ON v.id = r.vehicle_id WHERE "
    "r.service_date = $1 AND r.status = 'active' ORDER BY r.id",
    1, 0};
static struct db_stmt st_rides = {
    "day_rides",
    "SELECT b.id, b.status, b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon, "
    "extract(epoch FROM b.window_earliest)::bigint, extract(epoch FROM b.window_latest)::bigint, "
    "b.direct_s, b.time_kind = 'arrive_by', b.aid, b.companions, coalesce(p.run_id, 0), "
    "coalesce(p.seq, 0), coalesce(d.seq, 0), coalesce(p.locked OR d.locked, false), "
    "coalesce(extract(epoch FROM p.planned_at)::bigint, 0), "
    "coalesce(extract(epoch FROM p.actual_at)::bigint, 0), "
    "coalesce(extract(epoch FROM d.actual_at)::bigint, 0) FROM bookings b LEFT JOIN stops p ON "
    "p.booking_id = b.id AND p.kind = 'pickup' "
    "LEFT JOIN stops d ON d.booking_id = b.id AND d.kind = 'dropoff' WHERE b.service_date = $1 "
    "AND b.status IN ('requested', 'scheduled', 'picked_up') ORDER BY b.id",
    1, 0};
static struct db_stmt st_clear_run = {"day_clear_run", "DELETE FROM stops WHERE run_id = $1", 1, 0};
static struct db_stmt st_insert_stop = {
    "day_insert_stop",
    "INSERT INTO stops (run_id, booking_id, kind, seq, planned_at, locked, actual_at) VALUES ($1, "
    "$2, $3, $4, to_timestamp($5), $6, to_timestamp(nullif($7::bigint, 0)))",
    7, 0};
static struct db_stmt st_scheduled = {
    "day_scheduled",
    "UPDATE bookings SET status = 'scheduled', sequence = sequence + 1, updated_at = now() WHERE "
    "id = $1 AND status = 'requested'",
    1, 0};
static struct db_stmt st_unassign = {
    "day_unassign",
    "WITH gone AS (DELETE FROM stops WHERE booking_id = $1) UPDATE bookings SET status = "
    "'requested', sequence = sequence + 1, updated_at = now() WHERE id = $1 AND status = "
    "'scheduled'",
    1, 0};

static void
read_run(const PGresult *r, int i, struct day_run *run)
{
    run->id = db_i64(r, i, 0);
    run->vehicle_id = db_i64(r, i, 1);
    run->start_at = db_i64(r, i, 2);
    run->end_at = db_i64(r, i, 3);
    for (int k = 0; k < 3; k++)
        run->capacity[k] = (int)db_i64(r, i, 4 + k);
    run->depot.lat = strtod(PQgetvalue(r, i, 7), NULL);
    run->depot.lon = strtod(PQgetvalue(r, i, 8), NULL);
}

static void
read_ride(const PGresult *r, int i, const struct day *d, struct day_ride *x)
{
    x->booking_id = db_i64(r, i, 0);
    snprintf(x->status, sizeof x->status, "%s", PQgetvalue(r, i, 1));
    x->from =
        (struct geo_point){strtod(PQgetvalue(r, i, 2), NULL), strtod(PQgetvalue(r, i, 3), NULL)};
    x->to =
        (struct geo_point){strtod(PQgetvalue(r, i, 4), NULL), strtod(PQgetvalue(r, i, 5), NULL)};
    x->window_earliest = db_i64(r, i, 6);
    x->window_latest = db_i64(r, i, 7);
    x->direct_s = db_i64(r, i, 8);
    x->arrive_by = PQgetvalue(r, i, 9)[0] == 't';
    snprintf(x->aid, sizeof x->aid, "%s", PQgetvalue(r, i, 10));
    x->companions = (int)db_i64(r, i, 11);
    int64_t run_id = db_i64(r, i, 12);
    x->run = -1;
    for (int v = 0; v < d->n_runs; v++)
        if (d->runs[v].id == run_id)
            x->run = v;
    x->pickup_seq = (int)db_i64(r, i, 13);
    x->dropoff_seq = (int)db_i64(r, i, 14);
    x->locked = PQgetvalue(r, i, 15)[0] == 't';
    x->planned_pickup = db_i64(r, i, 16);
    x->pickup_actual = db_i64(r, i, 17);
    x->dropoff_actual = db_i64(r, i, 18);
}

enum db_status
day_load(struct db_conn *c, const struct app *app, const char *date, struct day *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->date, sizeof d->date, "%s", date);
    struct civil_date cd;
    if (!civil_date_parse(date, &cd))
        return DB_ERROR;
    d->t0 = workcal_from_local(app->tz, civil_date_to_days(cd), 0);
    const char *params[] = {date};
    enum db_status s;
    PGresult *r = db_exec(c, &st_runs, params, &s);
    if (!r)
        return s;
    d->n_runs = PQntuples(r);
    d->runs = xcalloc((size_t)d->n_runs, sizeof *d->runs);
    for (int i = 0; i < d->n_runs; i++)
        read_run(r, i, &d->runs[i]);
    PQclear(r);
    if (!(r = db_exec(c, &st_rides, params, &s)))
        return s;
    d->n_rides = PQntuples(r);
    d->rides = xcalloc((size_t)d->n_rides, sizeof *d->rides);
    for (int i = 0; i < d->n_rides; i++)
        read_ride(r, i, d, &d->rides[i]);
    PQclear(r);
    return DB_OK;
}

static double
minutes(const struct day *d, int64_t t)
{
    return (double)(t - d->t0) / 60.0;
}

/* A ride's load over seats, wheelchair and scootmobiel places. */
static void
ride_load(const struct app *app, const struct day_ride *x, int load[3])
{
    load[0] = x->companions;
    load[1] = load[2] = 0;
    if (!strcmp(x->aid, "wheelchair"))
        load[1] = 1;
    else if (!strcmp(x->aid, "scootmobiel") && !app->cfg->scootmobiel_transfer)
        load[2] = 1;
    else
        load[0]++;
}

static void
ride_nodes(const struct app *app, struct day *d, int k)
{
    const struct day_ride *x = &d->rides[k];
    struct darp_node *p = &d->m->nodes[day_pickup_node(d, k)], *q = p + 1;
    double direct = (double)x->direct_s / 60.0;
    double max_ride = (double)ride_max_ride_s(&app->policy, x->direct_s) / 60.0;
    double service = (double)(!strcmp(x->aid, "wheelchair") ? app->cfg->wheelchair_service_min
                                                            : app->cfg->stop_service_min);
    int load[3];
    ride_load(app, x, load);
    p->request = q->request = k;
    p->service = q->service = service;
    for (int i = 0; i < 3; i++) {
        p->load[i] = load[i];
        q->load[i] = -load[i];
    }
    /* The promised window is a hard constraint: the pickup window of a
     * pickup_at ride, the arrival window of an arrive_by ride. */
    if (x->arrive_by) {
        q->e = minutes(d, x->window_earliest);
        q->l = minutes(d, x->window_latest);
        p->e = q->e - max_ride - service;
        p->l = q->l - direct - service;
    } else {
        p->e = minutes(d, x->window_earliest);
        p->l = minutes(d, x->window_latest);
        q->e = p->e + service + direct;
        q->l = p->l + service + max_ride;
    }
    /* What really happened is fixed: the rest is timed from it. */
    if (x->pickup_actual)
        p->e = p->l = minutes(d, x->pickup_actual);
    if (x->dropoff_actual)
        q->e = q->l = minutes(d, x->dropoff_actual);
    if (x->pickup_actual && q->l < p->e)
        q->l = p->e + service + max_ride; /* a late pickup still has its ride time */
    d->served[day_pickup_node(d, k)] = x->pickup_actual != 0;
    d->served[day_pickup_node(d, k) + 1] = x->dropoff_actual != 0;
    d->m->requests[k] =
        (struct darp_request){day_pickup_node(d, k), day_pickup_node(d, k) + 1, max_ride};
}

static void
run_nodes(struct day *d, int v)
{
    const struct day_run *run = &d->runs[v];
    struct darp_vehicle *veh = &d->m->vehicles[v];
    double a = minutes(d, run->start_at), b = minutes(d, run->end_at);
    for (int k = 0; k < 2; k++)
        d->m->nodes[2 * v + k] = (struct darp_node){a, b, 0, {0}, -1};
    *veh = (struct darp_vehicle){2 * v, 2 * v + 1, {0}, a, b, b - a};
    for (int i = 0; i < 3; i++)
        veh->capacity[i] = run->capacity[i];
}

static struct geo_point
node_point(const struct day *d, int i)
{
    if (i < 2 * d->n_runs)
        return d->runs[i / 2].depot;
    int k = (i - 2 * d->n_runs) / 2;
    return (i - 2 * d->n_runs) % 2 ? d->rides[k].to : d->rides[k].from;
}

bool
day_build_model(const struct app *app, struct day *d, char *err, size_t errlen)
{
    int n = 2 * d->n_runs + 2 * d->n_rides;
    d->m = darp_model_create(n, d->n_rides, d->n_runs, 3);
    d->served = xcalloc((size_t)n, sizeof *d->served);
    for (int v = 0; v < d->n_runs; v++)
        run_nodes(d, v);
    for (int k = 0; k < d->n_rides; k++)
        ride_nodes(app, d, k);
    struct geo_point *pts = xcalloc((size_t)n, sizeof *pts);
    for (int i = 0; i < n; i++)
        pts[i] = node_point(d, i);
    double *metres = xcalloc((size_t)n * (size_t)n, sizeof *metres);
    double *secs = xcalloc((size_t)n * (size_t)n, sizeof *secs);
    enum dist_status st =
        dist_matrix(app->dist, pts, (size_t)n, pts, (size_t)n, metres, secs, NULL);
    bool ok = st == DIST_OK;
    if (!ok)
        snprintf(err, errlen, "travel times for %s cannot be computed (%s)", d->date,
                 dist_status_code(st));
    /* The operational cost of an arc: minutes driven plus a weight per km. */
    for (size_t i = 0; ok && i < (size_t)n * (size_t)n; i++) {
        bool reach = isfinite(secs[i]) && isfinite(metres[i]);
        d->m->time[i] = reach ? secs[i] / 60.0 : 1e9;
        d->m->cost[i] =
            reach ? secs[i] / 60.0 + app->cfg->plan_km_weight * metres[i] / 1000.0 : 1e9;
    }
    free(pts);
    free(secs);
    d->metres = metres;
    if (ok && !darp_model_validate(d->m, err, errlen))
        ok = false;
    return ok;
}

void
day_clear(struct day *d)
{
    free(d->runs);
    free(d->rides);
    free(d->metres);
    free(d->served);
    darp_model_free(d->m);
    memset(d, 0, sizeof *d);
}

/* Orders a run's stops by their sequence numbers. */
struct seq_stop {
    int seq, node;
    bool fixed;
};

static int
by_seq(const void *a, const void *b)
{
    return ((const struct seq_stop *)a)->seq - ((const struct seq_stop *)b)->seq;
}

int
day_current_route(const struct day *d, int v, int *stops, int *n_fixed)
{
    struct seq_stop *s = xcalloc((size_t)(2 * d->n_rides + 1), sizeof *s);
    int n = 0;
    for (int k = 0; k < d->n_rides; k++) {
        const struct day_ride *x = &d->rides[k];
        if (x->run != v)
            continue;
        bool moving = !strcmp(x->status, "picked_up");
        s[n++] = (struct seq_stop){x->pickup_seq, day_pickup_node(d, k), moving || x->locked};
        s[n++] = (struct seq_stop){x->dropoff_seq, day_pickup_node(d, k) + 1, x->locked};
    }
    qsort(s, (size_t)n, sizeof *s, by_seq);
    /* Everything up to the last stop that may not move stays in place. */
    *n_fixed = 0;
    for (int i = 0; i < n; i++) {
        stops[i] = s[i].node;
        if (s[i].fixed)
            *n_fixed = i + 1;
    }
    free(s);
    return n;
}

/* Times of a route driven stop after stop from the shift start, waiting
 * for each window to open: the plan of an override that breaks one. */
static void
drive(const struct day *d, int v, const int *stops, int n, double *times)
{
    const struct darp_model *m = d->m;
    int prev = m->vehicles[v].start;
    double t = m->vehicles[v].shift_start;
    times[0] = t;
    for (int i = 0; i <= n; i++) {
        int next = i < n ? stops[i] : m->vehicles[v].end;
        t += darp_model_time(m, prev, next);
        if (t < m->nodes[next].e || (i < n && d->served[next]))
            t = m->nodes[next].e; /* waits for the window; a served stop: its actual time */
        times[i + 1] = t;
        t += m->nodes[next].service;
        prev = next;
    }
}

bool
day_ride_fits_vehicle(const struct app *app, const struct day *d, int k, int v)
{
    int load[3];
    ride_load(app, &d->rides[k], load);
    for (int i = 0; i < 3; i++)
        if (load[i] > d->runs[v].capacity[i])
            return false;
    return true;
}

void
day_route_times(const struct day *d, struct darp_route_eval *ev, int v, const int *stops, int n,
                double *times)
{
    if (!darp_route_feasible(ev, v, stops, n, times))
        drive(d, v, stops, n, times);
}

enum db_status
day_write_route(struct db_conn *c, const struct day *d, struct darp_route_eval *ev, int v,
                const int *stops, int n, bool force)
{
    double *times = xcalloc((size_t)n + 2, sizeof *times);
    enum db_status s = DB_ERROR;
    if (!darp_route_feasible(ev, v, stops, n, times)) {
        if (!force)
            goto out;
        drive(d, v, stops, n, times);
    }
    char run[24], booking[24], seq[16], at[24];
    snprintf(run, sizeof run, "%lld", (long long)d->runs[v].id);
    const char *clear[] = {run};
    if ((s = db_exec_cmd(c, &st_clear_run, clear, NULL)) != DB_OK)
        goto out;
    for (int i = 0; i < n && s == DB_OK; i++) {
        int k = (stops[i] - 2 * d->n_runs) / 2;
        bool dropoff = (stops[i] - 2 * d->n_runs) % 2;
        snprintf(booking, sizeof booking, "%lld", (long long)d->rides[k].booking_id);
        snprintf(seq, sizeof seq, "%d", i + 1);
        snprintf(at, sizeof at, "%lld", (long long)(d->t0 + llround(times[i + 1] * 60.0)));
        char actual[24];
        snprintf(actual, sizeof actual, "%lld",
                 (long long)(dropoff ? d->rides[k].dropoff_actual : d->rides[k].pickup_actual));
        const char *p[] = {run,   booking, dropoff ? "dropoff" : "pickup",
                           seq,   at,      d->rides[k].locked ? "t" : "f",
                           actual};
        s = db_exec_cmd(c, &st_insert_stop, p, NULL);
        if (s == DB_OK && !dropoff) {
            const char *b[] = {booking};
            s = db_exec_cmd(c, &st_scheduled, b, NULL);
        }
    }
out:
    free(times);
    return s;
}

enum db_status
day_clear_stops(struct db_conn *c, const struct day *d)
{
    enum db_status s = DB_OK;
    for (int v = 0; v < d->n_runs && s == DB_OK; v++) {
        char run[24];
        snprintf(run, sizeof run, "%lld", (long long)d->runs[v].id);
        const char *p[] = {run};
        s = db_exec_cmd(c, &st_clear_run, p, NULL);
    }
    return s;
}

enum db_status
day_unassign(struct db_conn *c, const struct day *d, int k)
{
    char booking[24];
    snprintf(booking, sizeof booking, "%lld", (long long)d->rides[k].booking_id);
    const char *p[] = {booking};
    return db_exec_cmd(c, &st_unassign, p, NULL);
}
