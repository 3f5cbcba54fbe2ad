/* Loading a service day and mapping it onto the dial-a-ride model. */
#include "dispatch/day.h"

#include "common/numparse.h"
#include "common/xalloc.h"
#include "outbox/ride_event.h"
#include "routing/distance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rides the planner moves; the stops of the others (completed, no-show)
 * stay on their runs as the record of what was driven. */
#define OPEN_RIDES "('requested', 'scheduled', 'picked_up')"
/* A scalar subquery, looked up by key for each of the run's stops: as an
 * EXISTS the planner may join it instead, and with the statistics of a
 * day that grew since the last ANALYZE it chose to scan every booking. */
#define OPEN_STOP "(SELECT b.status FROM bookings b WHERE b.id = stops.booking_id) IN " OPEN_RIDES
static struct db_stmt st_runs = {
    "day_runs",
    "SELECT r.id, r.vehicle_id, extract(epoch FROM r.start_at)::bigint, "
    "extract(epoch FROM r.end_at)::bigint, v.seats, v.wheelchair_places, v.scootmobiel_places, "
    "v.depot_lat, v.depot_lon, (SELECT coalesce(max(s.seq), 0) FROM stops s JOIN bookings b ON "
    "b.id = s.booking_id WHERE s.run_id = r.id AND b.status NOT IN " OPEN_RIDES ") FROM runs r "
    "JOIN vehicles v ON v.id = r.vehicle_id WHERE r.service_date = $1 AND r.status = 'active' "
    "ORDER BY r.id",
    1, 0};
#define RIDE_COLUMNS                                                                               \
    "SELECT b.id, b.status, b.pickup_lat, b.pickup_lon, b.dropoff_lat, b.dropoff_lon, "            \
    "extract(epoch FROM b.window_earliest)::bigint, extract(epoch FROM b.window_latest)::bigint, " \
    "b.direct_s, b.time_kind = 'arrive_by', b.aid, b.companions, coalesce(p.run_id, 0), "          \
    "coalesce(p.seq, 0), coalesce(d.seq, 0), coalesce(p.locked OR d.locked, false), "              \
    "coalesce(extract(epoch FROM p.planned_at)::bigint, 0), "                                      \
    "coalesce(extract(epoch FROM p.actual_at)::bigint, 0), "                                       \
    "coalesce(extract(epoch FROM d.actual_at)::bigint, 0)"
#define RIDE_FROM                                                                                  \
    " FROM bookings b LEFT JOIN stops p ON p.booking_id = b.id AND p.kind = 'pickup' "             \
    "LEFT JOIN stops d ON d.booking_id = b.id AND d.kind = 'dropoff' "
#define RIDE_N_COLUMNS 19
static struct db_stmt st_rides = {
    "day_rides",
    RIDE_COLUMNS RIDE_FROM "WHERE b.service_date = $1 AND b.status IN ('requested', 'scheduled', "
                           "'picked_up') ORDER BY b.id",
    1, 0};
/* The caller's new ride, and whether its day has runs: one round trip,
 * before the lock. */
static struct db_stmt st_ride_head = {
    "day_ride_head",
    RIDE_COLUMNS ", EXISTS (SELECT 1 FROM runs WHERE service_date = $2::date AND status = "
                 "'active')" RIDE_FROM "WHERE b.id = $1",
    2, 0};
/* The day's planning lock with the day's version read after it was granted
 * (sql/015) and the caller's transaction id. */
static struct db_stmt st_lock_head = {"day_lock_head", "SELECT ritmo_lock_day($1), txid_current()",
                                      1, 0};
static struct db_stmt st_clear_run = {"day_clear_run",
                                      "DELETE FROM stops WHERE run_id = $1 AND " OPEN_STOP, 1, 0};
/* A run's stops written in one statement, whatever their number: the
 * writes happen under the day's planning lock, so round trips and rows
 * count. Stops of the route are upserted, and only those that changed are
 * rewritten (a ride inserted into a run moves the stops after it, not
 * those before); the run's other stops are deleted; the rides are marked
 * scheduled, and those that were not come back to be announced. */
static struct db_stmt st_write_stops = {
    "day_write_stops",
    "WITH u AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::int[], $5::bigint[], "
    "$6::bool[], $7::bigint[]) AS u(b, k, s, t, l, a)), "
    "up AS (INSERT INTO stops AS x (run_id, booking_id, kind, seq, planned_at, locked, "
    "actual_at) SELECT $1, u.b, u.k, u.s, to_timestamp(u.t), u.l, to_timestamp(nullif(u.a, 0)) "
    "FROM u ON CONFLICT (booking_id, kind) DO UPDATE SET run_id = EXCLUDED.run_id, seq = "
    "EXCLUDED.seq, planned_at = EXCLUDED.planned_at, locked = EXCLUDED.locked, actual_at = "
    "EXCLUDED.actual_at WHERE (x.run_id, x.seq, x.planned_at, x.locked, x.actual_at) IS "
    "DISTINCT FROM (EXCLUDED.run_id, EXCLUDED.seq, EXCLUDED.planned_at, EXCLUDED.locked, "
    "EXCLUDED.actual_at)), "
    "gone AS (DELETE FROM stops WHERE run_id = $1 AND (booking_id, kind) NOT IN (SELECT b, k "
    "FROM u) AND " OPEN_STOP "), "
    "sched AS (UPDATE bookings SET status = 'scheduled', sequence = sequence + 1, updated_at = "
    "now() WHERE id = ANY($2::bigint[]) AND status = 'requested' RETURNING id, client_id) "
    "SELECT id, client_id FROM sched",
    7, 0};
static struct db_stmt st_unassign = {
    "day_unassign",
    "WITH gone AS (DELETE FROM stops WHERE booking_id = $1) UPDATE bookings SET status = "
    "'requested', sequence = sequence + 1, updated_at = now() WHERE id = $1 AND status = "
    "'scheduled' RETURNING client_id",
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
    run->seq_base = (int)db_i64(r, i, 9);
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
    x->run = day_run_index(d, db_i64(r, i, 12));
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
    d->app = app;
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
    if (!(r = db_exec(c, &st_rides, params, &s))) {
        day_clear(d);
        return s;
    }
    d->n_rides = PQntuples(r);
    d->rides = xcalloc((size_t)d->n_rides, sizeof *d->rides);
    for (int i = 0; i < d->n_rides; i++)
        read_ride(r, i, d, &d->rides[i]);
    PQclear(r);
    return DB_OK;
}

/* Travel time and cost of an arc no road covers, or that was not measured. */
#define NO_ROAD 1e9

enum db_status
day_ride_head(struct db_conn *c, const char *date, int64_t booking_id, struct day_head *h)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)booking_id);
    const char *params[] = {id, date};
    enum db_status s;
    memset(h, 0, sizeof *h);
    PGresult *r = db_exec(c, &st_ride_head, params, &s);
    if (!r)
        return s;
    if (PQntuples(r) != 1) { /* the caller's own new ride: a bug */
        PQclear(r);
        return DB_ERROR;
    }
    h->has_runs = PQgetvalue(r, 0, RIDE_N_COLUMNS)[0] == 't';
    h->row = r;
    return DB_OK;
}

enum db_status
day_lock(struct db_conn *c, const char *date, struct day_head *h)
{
    const char *params[] = {date};
    enum db_status s;
    PGresult *r = db_exec(c, &st_lock_head, params, &s);
    if (!r)
        return s;
    h->version = db_i64(r, 0, 0);
    h->txid = db_i64(r, 0, 1);
    PQclear(r);
    return DB_OK;
}

int
day_run_index(const struct day *d, int64_t run_id)
{
    for (int v = 0; v < d->n_runs; v++)
        if (d->runs[v].id == run_id)
            return v;
    return -1;
}

void
day_add_ride(struct day *d, const struct day_head *h)
{
    d->rides = xreallocarray(d->rides, (size_t)d->n_rides + 1, sizeof *d->rides);
    read_ride(h->row, 0, d, &d->rides[d->n_rides++]);
    if (d->leg_to) { /* its two nodes, on no run yet */
        size_t n = (size_t)(2 * d->n_runs + 2 * d->n_rides);
        d->leg_to = xreallocarray(d->leg_to, n + 1, sizeof *d->leg_to);
        d->leg = xreallocarray(d->leg, n + 1, sizeof *d->leg);
        d->leg_to[n - 2] = d->leg_to[n - 1] = -1;
    }
}

void
day_head_clear(struct day_head *h)
{
    PQclear(h->row);
    memset(h, 0, sizeof *h);
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

/* The model without travel: runs, rides and their windows; every arc
 * unknown (as far as no road), until a fill below measures it. */
static void
model_shape(const struct app *app, struct day *d)
{
    int n = 2 * d->n_runs + 2 * d->n_rides;
    d->m = darp_model_create(n, d->n_rides, d->n_runs, 3);
    d->m->ride_weight = app->cfg->plan_ride_weight;
    d->served = xcalloc((size_t)n, sizeof *d->served);
    for (int v = 0; v < d->n_runs; v++)
        run_nodes(d, v);
    for (int k = 0; k < d->n_rides; k++)
        ride_nodes(app, d, k);
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++)
        d->m->time[i] = d->m->cost[i] = NO_ROAD;
}

/* The operational cost of an arc: minutes driven plus a weight per km. */
static struct day_arc
arc(const struct app *app, double metres, double secs)
{
    if (!isfinite(secs) || !isfinite(metres) || secs < 0 || metres < 0)
        return (struct day_arc){NO_ROAD, NO_ROAD}; /* so every arc is valid as built */
    return (struct day_arc){secs / 60.0, secs / 60.0 + app->cfg->plan_km_weight * metres / 1000.0};
}

static void
put_arc(struct day *d, int i, int j, struct day_arc c)
{
    size_t at = (size_t)i * (size_t)d->m->n_nodes + (size_t)j;
    d->m->time[at] = c.time;
    d->m->cost[at] = c.cost;
}

static bool
model_done(struct day *d, enum dist_status st, char *err, size_t errlen)
{
    if (st != DIST_OK) {
        snprintf(err, errlen, "travel times for %s cannot be computed (%s)", d->date,
                 dist_status_code(st));
        return false;
    }
    return darp_model_validate(d->m, err, errlen);
}

static struct geo_point *
node_points(const struct day *d)
{
    struct geo_point *pts = xcalloc((size_t)d->m->n_nodes, sizeof *pts);
    for (int i = 0; i < d->m->n_nodes; i++)
        pts[i] = node_point(d, i);
    return pts;
}

bool
day_build_model(const struct app *app, struct day *d, char *err, size_t errlen)
{
    model_shape(app, d);
    int n = d->m->n_nodes;
    struct geo_point *pts = node_points(d);
    double *metres = xcalloc((size_t)n * (size_t)n, sizeof *metres);
    double *secs = xcalloc((size_t)n * (size_t)n, sizeof *secs);
    enum dist_status st =
        dist_matrix(app->dist, pts, (size_t)n, pts, (size_t)n, metres, secs, NULL);
    for (int i = 0; st == DIST_OK && i < n; i++)
        for (int j = 0; j < n; j++)
            put_arc(d, i, j,
                    arc(app, metres[(size_t)i * (size_t)n + (size_t)j],
                        secs[(size_t)i * (size_t)n + (size_t)j]));
    free(pts);
    free(secs);
    d->metres = metres;
    return model_done(d, st, err, errlen);
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

/* A counting sort by run: linear in the day, however many runs. */
int *
day_rides_by_run(const struct day *d, int skip, int **first)
{
    int *at = xcalloc((size_t)d->n_runs + 2, sizeof *at);
    int *list = xcalloc((size_t)d->n_rides + 1, sizeof *list);
    for (int k = 0; k < d->n_rides; k++)
        if (k != skip && d->rides[k].run >= 0)
            at[d->rides[k].run + 2]++;
    for (int v = 0; v < d->n_runs; v++)
        at[v + 2] += at[v + 1];
    for (int k = 0; k < d->n_rides; k++)
        if (k != skip && d->rides[k].run >= 0)
            list[at[d->rides[k].run + 1]++] = k;
    *first = at;
    return list;
}

/* Run v's stops in driving order (by sequence): rides[0..n-1] are the
 * rides on it. stops needs room for 2 * n. */
static int
run_stops(const struct day *d, const int *rides, int n, int *stops)
{
    struct seq_stop *s = xmalloc((size_t)(2 * n + 1) * sizeof *s);
    int m = 0;
    for (int i = 0; i < n; i++) {
        const struct day_ride *x = &d->rides[rides[i]];
        int p = day_pickup_node(d, rides[i]);
        s[m++] = (struct seq_stop){x->pickup_seq, p, false};
        s[m++] = (struct seq_stop){x->dropoff_seq, p + 1, false};
    }
    qsort(s, (size_t)m, sizeof *s, by_seq);
    for (int i = 0; i < m; i++)
        stops[i] = s[i].node;
    free(s);
    return m;
}

/* Measures the legs of runs[0..n_runs-1] as they are now into the day's
 * kept legs (d->leg_to, d->leg): depot, stops, depot. The nodes of the
 * rides on them must be in no other run's legs. */
static enum dist_status
measure_legs(struct day *d, const int *runs, int n_runs)
{
    int *first, *rides = day_rides_by_run(d, -1, &first);
    size_t cap = (size_t)(2 * d->n_runs + 2 * d->n_rides + 1);
    int *from = xmalloc(cap * sizeof *from), *to = xmalloc(cap * sizeof *to);
    int *stops = xmalloc(cap * sizeof *stops);
    size_t n_legs = 0;
    for (int i = 0; i < n_runs; i++) {
        int v = runs[i];
        int n = run_stops(d, rides + first[v], first[v + 1] - first[v], stops);
        for (int j = 0, prev = 2 * v; j <= n; j++) {
            int next = j < n ? stops[j] : 2 * v + 1;
            from[n_legs] = prev;
            to[n_legs++] = next;
            prev = next;
        }
    }
    struct geo_point *pa = xmalloc(cap * sizeof *pa), *pb = xmalloc(cap * sizeof *pb);
    double *metres = xmalloc(cap * sizeof *metres), *secs = xmalloc(cap * sizeof *secs);
    for (size_t i = 0; i < n_legs; i++) {
        pa[i] = node_point(d, from[i]);
        pb[i] = node_point(d, to[i]);
    }
    enum dist_status st = dist_pairs(d->app->dist, pa, pb, n_legs, metres, secs);
    for (size_t i = 0; st == DIST_OK && i < n_legs; i++) {
        d->leg_to[from[i]] = to[i];
        d->leg[from[i]] = arc(d->app, metres[i], secs[i]);
    }
    free(pa);
    free(pb);
    free(metres);
    free(secs);
    free(stops);
    free(from);
    free(to);
    free(rides);
    free(first);
    return st;
}

static void
drop_legs(struct day *d)
{
    free(d->leg_to);
    free(d->leg);
    d->leg_to = NULL;
    d->leg = NULL;
}

/* The day's legs, measured once and then kept up to date as its runs
 * change: a live insertion changes one run, so it measures that run's
 * legs and not the day's. */
static enum dist_status
keep_legs(struct day *d)
{
    if (d->leg_to)
        return DIST_OK;
    size_t n = (size_t)(2 * d->n_runs + 2 * d->n_rides);
    d->leg_to = xmalloc((n + 1) * sizeof *d->leg_to);
    d->leg = xcalloc(n + 1, sizeof *d->leg);
    for (size_t i = 0; i < n; i++)
        d->leg_to[i] = -1;
    int *all = xmalloc(((size_t)d->n_runs + 1) * sizeof *all);
    for (int v = 0; v < d->n_runs; v++)
        all[v] = v;
    enum dist_status st = measure_legs(d, all, d->n_runs);
    free(all);
    if (st != DIST_OK)
        drop_legs(d);
    return st;
}

bool
day_arcs_measure(const struct app *app, struct day *d, int k, struct day_arcs *a, char *err,
                 size_t errlen)
{
    size_t n = (size_t)(2 * d->n_runs + 2 * d->n_rides), cap = n + 1;
    memset(a, 0, sizeof *a);
    a->of = d;
    a->n = (int)n;
    a->ride = k >= 0 ? day_pickup_node(d, k) : -1;
    enum dist_status st = keep_legs(d);
    a->leg_to = d->leg_to;
    a->leg = d->leg;
    a->sub_of = xmalloc(cap * sizeof *a->sub_of);
    for (size_t i = 0; i < n; i++)
        a->sub_of[i] = -1;
    if (st == DIST_OK && k >= 0) { /* every node to and from the ride's pickup and dropoff */
        a->to_ride = xmalloc(2 * cap * sizeof *a->to_ride);
        a->from_ride = xmalloc(2 * cap * sizeof *a->from_ride);
        struct geo_point *pts = xmalloc(cap * sizeof *pts);
        for (size_t i = 0; i < n; i++)
            pts[i] = node_point(d, (int)i);
        double *metres = xmalloc(4 * cap * sizeof *metres), *secs = xmalloc(4 * cap * sizeof *secs);
        struct geo_point ride[2] = {d->rides[k].from, d->rides[k].to};
        st = dist_matrix(app->dist, pts, n, ride, 2, metres, secs, NULL);
        bool same = dist_symmetric(app->dist);
        for (size_t i = 0; same && st == DIST_OK && i < n; i++) {
            for (size_t e = 0; e < 2; e++) {
                metres[2 * n + e * n + i] = metres[2 * i + e];
                secs[2 * n + e * n + i] = secs[2 * i + e];
            }
        }
        if (st == DIST_OK && !same)
            st = dist_matrix(app->dist, ride, 2, pts, n, metres + 2 * n, secs + 2 * n, NULL);
        for (size_t i = 0; st == DIST_OK && i < n; i++) {
            for (int e = 0; e < 2; e++) {
                a->to_ride[2 * i + (size_t)e] =
                    arc(app, metres[2 * i + (size_t)e], secs[2 * i + (size_t)e]);
                a->from_ride[2 * i + (size_t)e] =
                    arc(app, metres[2 * n + (size_t)e * n + i], secs[2 * n + (size_t)e * n + i]);
            }
        }
        /* The new passengers' time on board is at least the direct leg (the
         * triangle inequality), and no one on board is delayed by less than
         * nothing: without this every run's lower bound would fall short of
         * its insertion cost by that much, and more runs would be built for
         * nothing. */
        int load[3];
        ride_load(app, &d->rides[k], load);
        if (st == DIST_OK)
            a->own_ride = app->cfg->plan_ride_weight * (load[0] + load[1] + load[2]) *
                          a->to_ride[2 * (size_t)a->ride + 1].time;
        free(pts);
        free(metres);
        free(secs);
    }
    if (st != DIST_OK)
        snprintf(err, errlen, "travel times for %s cannot be computed (%s)", d->date,
                 dist_status_code(st));
    return st == DIST_OK;
}

void
day_arcs_clear(struct day_arcs *a)
{
    free(a->to_ride);
    free(a->from_ride);
    free(a->sub_of);
    memset(a, 0, sizeof *a);
}

/* Node i of a subset as a node of the day it was taken from. */
static int
origin_node(const struct day *sub, const struct day_arcs *a, int i)
{
    if (sub == a->of)
        return i;
    if (i < 2 * sub->n_runs)
        return 2 * sub->run_origin[i / 2] + i % 2;
    int j = (i - 2 * sub->n_runs) / 2;
    return 2 * sub->parent_runs + 2 * sub->origin[j] + (i - 2 * sub->n_runs) % 2;
}

bool
day_build_arcs_model(const struct app *app, struct day *sub, struct day_arcs *a, char *err,
                     size_t errlen)
{
    model_shape(app, sub);
    int n = sub->m->n_nodes;
    int *day_of = xcalloc((size_t)n + 1, sizeof *day_of);
    for (int i = 0; i < n; i++)
        a->sub_of[day_of[i] = origin_node(sub, a, i)] = i;
    int ride = a->ride >= 0 ? a->sub_of[a->ride] : -1;
    for (int i = 0; i < n; i++) {
        int o = day_of[i], next = a->leg_to[o];
        for (int e = 0; ride >= 0 && e < 2; e++) {
            put_arc(sub, i, ride + e, a->to_ride[2 * o + e]);
            put_arc(sub, ride + e, i, a->from_ride[2 * o + e]);
        }
        if (next >= 0 && a->sub_of[next] >= 0)
            put_arc(sub, i, a->sub_of[next], a->leg[o]);
    }
    for (int i = 0; i < n; i++)
        a->sub_of[day_of[i]] = -1;
    free(day_of);
    return darp_model_validate_nodes(sub->m, err, errlen); /* arcs: see arc() */
}

bool
day_build_insert_model(const struct app *app, struct day *d, int k, char *err, size_t errlen)
{
    struct day_arcs a;
    bool ok = day_arcs_measure(app, d, k, &a, err, errlen) &&
              day_build_arcs_model(app, d, &a, err, errlen);
    day_arcs_clear(&a);
    return ok;
}

double
day_arcs_lower_bound(const struct day_arcs *a, int v)
{
    const struct day_arc *to = a->to_ride, *from = a->from_ride;
    int P = a->ride;
    double best_p = INFINITY, best_d = INFINITY, best_pd = INFINITY;
    for (int i = 2 * v, steps = 0; i != 2 * v + 1 && a->leg_to[i] >= 0 && steps < a->n; steps++) {
        int j = a->leg_to[i];
        double leg = a->leg[i].cost;
        best_p = fmin(best_p, to[2 * i].cost + from[2 * j].cost - leg);
        best_d = fmin(best_d, to[2 * i + 1].cost + from[2 * j + 1].cost - leg);
        best_pd = fmin(best_pd, to[2 * i].cost + to[2 * P + 1].cost + from[2 * j + 1].cost - leg);
        i = j;
    }
    return fmin(best_p + best_d, best_pd) + a->own_ride;
}

void
day_subset_of(const struct day *d, const int *runs, int n_runs, const int *rides, int n_rides,
              int k, struct day *out, int *kk)
{
    memset(out, 0, sizeof *out);
    out->app = d->app;
    memcpy(out->date, d->date, sizeof out->date);
    out->t0 = d->t0;
    out->runs = xcalloc((size_t)n_runs + 1, sizeof *out->runs);
    out->run_origin = xcalloc((size_t)n_runs + 1, sizeof *out->run_origin);
    for (int i = 0; i < n_runs; i++) {
        out->runs[i] = d->runs[runs[i]];
        out->run_origin[i] = runs[i];
    }
    out->n_runs = n_runs;
    out->parent_runs = d->n_runs;
    out->rides = xcalloc((size_t)n_rides + 2, sizeof *out->rides);
    out->origin = xcalloc((size_t)n_rides + 2, sizeof *out->origin);
    for (int j = 0; j <= n_rides; j++) {
        int from = j < n_rides ? rides[j] : k, at = -1;
        if (from < 0)
            break;
        for (int i = 0; i < n_runs && from != k; i++)
            if (d->rides[from].run == runs[i])
                at = i;
        if (from == k)
            *kk = out->n_rides;
        out->origin[out->n_rides] = from;
        out->rides[out->n_rides] = d->rides[from];
        out->rides[out->n_rides++].run = at;
    }
}

void
day_subset(const struct day *d, const int *runs, int n_runs, int k, struct day *out, int *kk)
{
    int *first, *by_run = day_rides_by_run(d, k, &first);
    int *rides = xcalloc((size_t)d->n_rides + 1, sizeof *rides), n = 0;
    for (int i = 0; i < n_runs; i++)
        for (int j = first[runs[i]]; j < first[runs[i] + 1]; j++)
            rides[n++] = by_run[j];
    day_subset_of(d, runs, n_runs, rides, n, k, out, kk);
    free(rides);
    free(by_run);
    free(first);
}

void
day_copy(const struct day *d, struct day *out)
{
    memset(out, 0, sizeof *out);
    out->app = d->app;
    memcpy(out->date, d->date, sizeof out->date);
    out->t0 = d->t0;
    out->n_runs = d->n_runs;
    out->runs = xcalloc((size_t)d->n_runs + 1, sizeof *out->runs);
    if (d->n_runs)
        memcpy(out->runs, d->runs, (size_t)d->n_runs * sizeof *out->runs);
    out->n_rides = d->n_rides;
    out->rides = xcalloc((size_t)d->n_rides + 1, sizeof *out->rides);
    if (d->n_rides)
        memcpy(out->rides, d->rides, (size_t)d->n_rides * sizeof *out->rides);
    if (d->leg_to) {
        size_t n = (size_t)(2 * d->n_runs + 2 * d->n_rides) + 1;
        out->leg_to = xmalloc(n * sizeof *out->leg_to);
        out->leg = xmalloc(n * sizeof *out->leg);
        memcpy(out->leg_to, d->leg_to, n * sizeof *out->leg_to);
        memcpy(out->leg, d->leg, n * sizeof *out->leg);
    }
}

static bool
same_point(struct geo_point a, struct geo_point b)
{
    return a.lat == b.lat && a.lon == b.lon;
}

static bool
same_run(const struct day_run *a, const struct day_run *b)
{
    return a->id == b->id && a->vehicle_id == b->vehicle_id && a->start_at == b->start_at &&
           a->end_at == b->end_at && !memcmp(a->capacity, b->capacity, sizeof a->capacity) &&
           a->seq_base == b->seq_base && same_point(a->depot, b->depot);
}

/* Everything of a ride a plan depends on, but the index of its run. */
static bool
same_ride(const struct day_ride *a, const struct day_ride *b)
{
    return a->booking_id == b->booking_id && !strcmp(a->status, b->status) &&
           same_point(a->from, b->from) && same_point(a->to, b->to) &&
           a->window_earliest == b->window_earliest && a->window_latest == b->window_latest &&
           a->direct_s == b->direct_s && a->arrive_by == b->arrive_by && !strcmp(a->aid, b->aid) &&
           a->companions == b->companions && a->pickup_seq == b->pickup_seq &&
           a->dropoff_seq == b->dropoff_seq && a->locked == b->locked &&
           a->planned_pickup == b->planned_pickup && a->pickup_actual == b->pickup_actual &&
           a->dropoff_actual == b->dropoff_actual;
}

bool
day_subset_rebase(struct day *sub, int kk, const struct day *d, int k)
{
    int v = sub->n_runs == 1 ? day_run_index(d, sub->runs[0].id) : -1;
    if (v < 0 || !same_run(&d->runs[v], &sub->runs[0]) || !same_ride(&d->rides[k], &sub->rides[kk]))
        return false;
    /* The run's rides in d, each matched with the subset's by booking. */
    int *origin = xcalloc((size_t)sub->n_rides + 1, sizeof *origin), found = 0;
    bool same = true;
    for (int i = 0; i < d->n_rides && same; i++) {
        if (d->rides[i].run != v)
            continue;
        int j = 0;
        while (j < sub->n_rides && (j == kk || sub->rides[j].booking_id != d->rides[i].booking_id))
            j++;
        same = j < sub->n_rides && same_ride(&d->rides[i], &sub->rides[j]);
        origin[j] = i;
        found++;
    }
    same = same && found == sub->n_rides - 1;
    if (same) {
        origin[kk] = k;
        memcpy(sub->origin, origin, (size_t)sub->n_rides * sizeof *origin);
        sub->run_origin[0] = v;
        sub->parent_runs = d->n_runs;
    }
    free(origin);
    return same;
}

void
day_merge_subset(struct day *d, const struct day *sub)
{
    /* The kept legs of the subset's runs are unlinked first, then measured
     * as the runs are now. */
    for (int r = 0; d->leg_to && r < sub->n_runs; r++) {
        int v = sub->run_origin[r];
        for (int i = 2 * v, steps = 0; i >= 0 && steps <= 2 * d->n_rides; steps++) {
            int next = d->leg_to[i];
            d->leg_to[i] = -1;
            i = next;
        }
    }
    for (int j = 0; j < sub->n_rides; j++) {
        struct day_ride x = sub->rides[j];
        x.run = x.run >= 0 ? sub->run_origin[x.run] : -1;
        d->rides[sub->origin[j]] = x;
    }
    if (d->leg_to && measure_legs(d, sub->run_origin, sub->n_runs) != DIST_OK)
        drop_legs(d); /* measured afresh when next needed, or the error told then */
}

void
day_clear(struct day *d)
{
    free(d->runs);
    free(d->rides);
    free(d->origin);
    free(d->run_origin);
    free(d->metres);
    free(d->served);
    drop_legs(d);
    darp_model_free(d->m);
    memset(d, 0, sizeof *d);
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

/* PostgreSQL array literals, one element at a time. */
struct pg_array {
    FILE *f;
    char *text;
    size_t len;
};

static void
pg_array_open(struct pg_array *a)
{
    a->text = NULL;
    a->f = open_memstream(&a->text, &a->len);
    if (!a->f)
        abort(); /* out of memory, as xalloc */
    fputc('{', a->f);
}

static void
pg_array_add(struct pg_array *a, const char *elem)
{
    if (ftell(a->f) > 1)
        fputc(',', a->f);
    fputs(elem, a->f);
}

static const char *
pg_array_close(struct pg_array *a)
{
    fputc('}', a->f);
    fclose(a->f);
    return a->text;
}

enum { COL_BOOKING, COL_KIND, COL_SEQ, COL_AT, COL_LOCKED, COL_ACTUAL, STOP_COLS };

/* Moves ride k between requested and scheduled with st (which changes
 * the row only when the ride is in the other state, and returns its
 * client) and announces the change: exactly one event per transition. */
static enum db_status
transition(struct db_conn *c, const struct day *d, int k, struct db_stmt *st, const char *topic,
           const char *status)
{
    const struct day_ride *x = &d->rides[k];
    char booking[24];
    snprintf(booking, sizeof booking, "%lld", (long long)x->booking_id);
    const char *p[] = {booking};
    enum db_status s;
    PGresult *r = db_exec(c, st, p, &s);
    if (!r)
        return s;
    struct ride_event ev = {x->booking_id, PQntuples(r) ? db_i64(r, 0, 0) : 0, status,
                            x->window_earliest, x->window_latest};
    PQclear(r);
    return ev.client_id ? ride_event_add(c, d->app, topic, &ev) : DB_OK;
}

/* ride.scheduled for a ride of the route that was requested until now. */
static enum db_status
announce_scheduled(struct db_conn *c, const struct day *d, const int *stops, int n,
                   int64_t booking_id, int64_t client_id)
{
    for (int i = 0; i < n; i++) {
        const struct day_ride *x = &d->rides[(stops[i] - 2 * d->n_runs) / 2];
        if (x->booking_id != booking_id)
            continue;
        struct ride_event ev = {booking_id, client_id, "scheduled", x->window_earliest,
                                x->window_latest};
        return ride_event_add(c, d->app, "ride.scheduled", &ev);
    }
    return DB_ERROR; /* the statement scheduled a ride not on the route: a bug */
}

enum db_status
day_write_route(struct db_conn *c, struct day *d, struct darp_route_eval *ev, int v,
                const int *stops, int n, bool force)
{
    double *times = xcalloc((size_t)n + 2, sizeof *times);
    if (!darp_route_feasible(ev, v, stops, n, times)) {
        if (!force) {
            free(times);
            return DB_ERROR;
        }
        drive(d, v, stops, n, times);
    }
    struct pg_array col[STOP_COLS];
    for (int i = 0; i < STOP_COLS; i++)
        pg_array_open(&col[i]);
    /* Last stop first: an insertion moves the stops after it up by one or
     * two places, and a stop written after the one above it takes a place
     * this transaction has already vacated, so (run, seq) finds no
     * conflict to check again at COMMIT (the constraint is deferred). */
    for (int i = n - 1; i >= 0; i--) {
        struct day_ride *x = &d->rides[(stops[i] - 2 * d->n_runs) / 2];
        bool dropoff = (stops[i] - 2 * d->n_runs) % 2;
        int64_t planned = d->t0 + llround(times[i + 1] * 60.0);
        char booking[24], seq[16], at[24], actual[24];
        snprintf(booking, sizeof booking, "%lld", (long long)x->booking_id);
        snprintf(seq, sizeof seq, "%d", d->runs[v].seq_base + i + 1);
        snprintf(at, sizeof at, "%lld", (long long)planned);
        snprintf(actual, sizeof actual, "%lld",
                 (long long)(dropoff ? x->dropoff_actual : x->pickup_actual));
        pg_array_add(&col[COL_BOOKING], booking);
        pg_array_add(&col[COL_KIND], dropoff ? "dropoff" : "pickup");
        pg_array_add(&col[COL_SEQ], seq);
        pg_array_add(&col[COL_AT], at);
        pg_array_add(&col[COL_LOCKED], x->locked ? "t" : "f");
        pg_array_add(&col[COL_ACTUAL], actual);
        /* the day as written, for whoever keeps it (day_cache) */
        x->run = v;
        *(dropoff ? &x->dropoff_seq : &x->pickup_seq) = d->runs[v].seq_base + i + 1;
        if (!dropoff)
            x->planned_pickup = planned;
        if (!strcmp(x->status, "requested"))
            snprintf(x->status, sizeof x->status, "scheduled");
    }
    free(times);
    char run[24];
    snprintf(run, sizeof run, "%lld", (long long)d->runs[v].id);
    const char *p[STOP_COLS + 1] = {run};
    for (int i = 0; i < STOP_COLS; i++)
        p[i + 1] = pg_array_close(&col[i]);
    enum db_status s;
    PGresult *r = db_exec(c, &st_write_stops, p, &s);
    for (int i = 0; i < STOP_COLS; i++)
        free(col[i].text);
    for (int i = 0; r && i < PQntuples(r) && s == DB_OK; i++)
        s = announce_scheduled(c, d, stops, n, db_i64(r, i, 0), db_i64(r, i, 1));
    PQclear(r);
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
    return transition(c, d, k, &st_unassign, "ride.unassigned", "requested");
}
