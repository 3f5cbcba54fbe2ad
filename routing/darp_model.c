/* Allocation, validation and window tightening of the dial-a-ride model. */
#include "routing/darp_model.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct darp_model *
darp_model_create(int n_nodes, int n_requests, int n_vehicles, int n_dims)
{
    struct darp_model *m = xcalloc(1, sizeof(*m));
    m->n_nodes = n_nodes;
    m->n_requests = n_requests;
    m->n_vehicles = n_vehicles;
    m->n_dims = n_dims;
    m->nodes = xcalloc((size_t)n_nodes, sizeof(*m->nodes));
    m->requests = xcalloc((size_t)(n_requests > 0 ? n_requests : 1), sizeof(*m->requests));
    m->vehicles = xcalloc((size_t)(n_vehicles > 0 ? n_vehicles : 1), sizeof(*m->vehicles));
    m->time = xcalloc((size_t)n_nodes * (size_t)n_nodes, sizeof(double));
    m->cost = xcalloc((size_t)n_nodes * (size_t)n_nodes, sizeof(double));
    for (int i = 0; i < n_nodes; i++)
        m->nodes[i].request = -1;
    for (int v = 0; v < n_vehicles; v++) {
        m->vehicles[v].shift_start = 0;
        m->vehicles[v].shift_end = INFINITY;
        m->vehicles[v].max_duration = INFINITY;
    }
    return m;
}

void
darp_model_free(struct darp_model *m)
{
    if (!m)
        return;
    free(m->nodes);
    free(m->requests);
    free(m->vehicles);
    free(m->time);
    free(m->cost);
    free(m);
}

static bool
node_ok(const struct darp_model *m, int i)
{
    return i >= 0 && i < m->n_nodes;
}

static bool
validate_request(const struct darp_model *m, int r, char *err, size_t errlen)
{
    const struct darp_request *q = &m->requests[r];
    if (!node_ok(m, q->pickup) || !node_ok(m, q->dropoff) || q->pickup == q->dropoff) {
        snprintf(err, errlen, "request %d has invalid pickup/dropoff nodes", r);
        return false;
    }
    const struct darp_node *p = &m->nodes[q->pickup], *d = &m->nodes[q->dropoff];
    if (p->request != r || d->request != r) {
        snprintf(err, errlen, "nodes of request %d do not point back to it", r);
        return false;
    }
    for (int k = 0; k < m->n_dims; k++) {
        if (p->load[k] < 0 || p->load[k] != -d->load[k]) {
            snprintf(err, errlen, "request %d: dropoff load does not undo pickup load", r);
            return false;
        }
    }
    if (!(q->max_ride >= 0)) {
        snprintf(err, errlen, "request %d: negative maximum ride time", r);
        return false;
    }
    return true;
}

bool
darp_model_validate(const struct darp_model *m, char *err, size_t errlen)
{
    for (int i = 0; i < m->n_nodes; i++) {
        for (int j = 0; j < m->n_nodes; j++) {
            if (!(darp_model_time(m, i, j) >= 0) || !(darp_model_cost(m, i, j) >= 0)) {
                snprintf(err, errlen, "arc %d->%d: negative or missing time/cost", i, j);
                return false;
            }
        }
    }
    return darp_model_validate_nodes(m, err, errlen);
}

bool
darp_model_validate_nodes(const struct darp_model *m, char *err, size_t errlen)
{
    if (m->n_dims < 1 || m->n_dims > DARP_MAX_DIMS) {
        snprintf(err, errlen, "capacity dimensions must be 1..%d", DARP_MAX_DIMS);
        return false;
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const struct darp_node *nd = &m->nodes[i];
        if (!(nd->e <= nd->l) || !(nd->service >= 0)) {
            snprintf(err, errlen, "node %d: empty time window or negative service time", i);
            return false;
        }
    }
    for (int r = 0; r < m->n_requests; r++)
        if (!validate_request(m, r, err, errlen))
            return false;
    for (int v = 0; v < m->n_vehicles; v++) {
        const struct darp_vehicle *veh = &m->vehicles[v];
        if (!node_ok(m, veh->start) || !node_ok(m, veh->end) || m->nodes[veh->start].request >= 0 ||
            m->nodes[veh->end].request >= 0) {
            snprintf(err, errlen, "vehicle %d: depots must be non-request nodes", v);
            return false;
        }
        for (int k = 0; k < m->n_dims; k++) {
            if (veh->capacity[k] < 0) {
                snprintf(err, errlen, "vehicle %d: negative capacity", v);
                return false;
            }
        }
    }
    return true;
}

/* Earliest a vehicle can reach node i and latest it can leave i to return. */
static void
depot_bounds(const struct darp_model *m, int i, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int v = 0; v < m->n_vehicles; v++) {
        const struct darp_vehicle *veh = &m->vehicles[v];
        const struct darp_node *s = &m->nodes[veh->start], *t = &m->nodes[veh->end];
        double dep = fmax(s->e, veh->shift_start);
        double ret = fmin(t->l, veh->shift_end);
        double a = dep + s->service + darp_model_time(m, veh->start, i);
        double b = ret - m->nodes[i].service - darp_model_time(m, i, veh->end);
        *lo = fmin(*lo, a);
        *hi = fmax(*hi, b);
    }
}

void
darp_model_tighten_windows(struct darp_model *m)
{
    /* Two passes let depot bounds and pickup/dropoff coupling feed each other. */
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < m->n_requests; r++) {
            const struct darp_request *q = &m->requests[r];
            struct darp_node *p = &m->nodes[q->pickup], *d = &m->nodes[q->dropoff];
            double lo, hi;
            if (m->n_vehicles > 0) {
                depot_bounds(m, q->pickup, &lo, &hi);
                p->e = fmax(p->e, lo);
                depot_bounds(m, q->dropoff, &lo, &hi);
                d->l = fmin(d->l, hi);
            }
            double tpd = p->service + darp_model_time(m, q->pickup, q->dropoff);
            /* dropoff no earlier than direct travel, no later than the ride limit */
            d->e = fmax(d->e, p->e + tpd);
            d->l = fmin(d->l, p->l + p->service + q->max_ride);
            p->e = fmax(p->e, d->e - p->service - q->max_ride);
            p->l = fmin(p->l, d->l - tpd);
        }
    }
}
