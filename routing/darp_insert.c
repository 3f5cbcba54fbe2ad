/* Cheapest feasible insertion of one request into a plan with fixed stops,
 * fast enough to answer inside a booking request. */
#include "routing/darp_insert.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct insert_route {
    int *s;
    int n, n_fixed;
};

struct darp_insert_plan {
    const struct darp_model *m;
    struct darp_route_eval *ev;
    struct insert_route *r;
    int *where; /* per request: vehicle, or -1 */
    int *tmp;
    int cap;
};

struct darp_insert_plan *
darp_insert_plan_create(const struct darp_model *m)
{
    struct darp_insert_plan *p = xcalloc(1, sizeof(*p));
    p->m = m;
    p->ev = darp_route_eval_create(m);
    p->cap = 2 * m->n_requests + 4;
    p->r = xcalloc((size_t)(m->n_vehicles > 0 ? m->n_vehicles : 1), sizeof(*p->r));
    for (int v = 0; v < m->n_vehicles; v++)
        p->r[v].s = xcalloc((size_t)p->cap, sizeof(int));
    p->where = xcalloc((size_t)m->n_requests + 1, sizeof(int));
    for (int r = 0; r < m->n_requests; r++)
        p->where[r] = -1;
    p->tmp = xcalloc((size_t)p->cap, sizeof(int));
    return p;
}

void
darp_insert_plan_free(struct darp_insert_plan *p)
{
    if (!p)
        return;
    for (int v = 0; v < p->m->n_vehicles; v++)
        free(p->r[v].s);
    free(p->r);
    free(p->where);
    free(p->tmp);
    darp_route_eval_free(p->ev);
    free(p);
}

/* Every stop a request node not planned on another vehicle. */
static bool
stops_available(const struct darp_insert_plan *p, int v, const int *stops, int n)
{
    for (int i = 0; i < n; i++) {
        if (stops[i] < 0 || stops[i] >= p->m->n_nodes)
            return false;
        int r = p->m->nodes[stops[i]].request;
        if (r < 0 || (p->where[r] >= 0 && p->where[r] != v))
            return false;
    }
    return true;
}

bool
darp_insert_plan_set_route(struct darp_insert_plan *p, int v, const int *stops, int n, int n_fixed)
{
    const struct darp_model *m = p->m;
    if (v < 0 || v >= m->n_vehicles || n < 0 || n + 4 > p->cap || n_fixed < 0 || n_fixed > n)
        return false;
    if (!stops_available(p, v, stops, n) || !darp_route_feasible(p->ev, v, stops, n, NULL))
        return false;
    struct insert_route *R = &p->r[v];
    for (int i = 0; i < R->n; i++)
        p->where[m->nodes[R->s[i]].request] = -1;
    if (n > 0)
        memcpy(R->s, stops, (size_t)n * sizeof(int));
    R->n = n;
    R->n_fixed = n_fixed;
    for (int i = 0; i < n; i++)
        p->where[m->nodes[stops[i]].request] = v;
    return true;
}

const int *
darp_insert_plan_route_get(const struct darp_insert_plan *p, int v, int *n, int *n_fixed)
{
    *n = p->r[v].n;
    *n_fixed = p->r[v].n_fixed;
    return p->r[v].s;
}

double
darp_insert_plan_cost(const struct darp_insert_plan *p)
{
    double sum = 0;
    for (int v = 0; v < p->m->n_vehicles; v++)
        sum += darp_route_cost(p->m, v, p->r[v].s, p->r[v].n);
    return sum;
}

bool
darp_insert_find(struct darp_insert_plan *p, int request, struct darp_insert_result *out)
{
    const struct darp_model *m = p->m;
    if (request < 0 || request >= m->n_requests || p->where[request] >= 0)
        return false;
    double best = INFINITY;
    out->vehicle = -1;
    for (int v = 0; v < m->n_vehicles; v++) {
        const struct insert_route *R = &p->r[v];
        struct darp_insertion ins;
        /* the bound skips every candidate that could not beat the best so far */
        if (darp_route_best_insertion(p->ev, v, R->s, R->n, request, R->n_fixed, best, &ins)) {
            best = ins.delta;
            out->vehicle = v;
            out->at = ins;
        }
    }
    return out->vehicle >= 0;
}

bool
darp_insert_apply(struct darp_insert_plan *p, int request, const struct darp_insert_result *res)
{
    const struct darp_model *m = p->m;
    if (res->vehicle < 0 || res->vehicle >= m->n_vehicles || request < 0 ||
        request >= m->n_requests || p->where[request] >= 0)
        return false;
    struct insert_route *R = &p->r[res->vehicle];
    if (R->n + 4 > p->cap || res->at.pickup_pos < R->n_fixed || res->at.pickup_pos < 0 ||
        res->at.dropoff_pos <= res->at.pickup_pos || res->at.dropoff_pos > R->n + 1)
        return false;
    darp_route_apply_insertion(m, R->s, R->n, request, &res->at, p->tmp);
    /* re-checked so that a stale result can never make the plan infeasible */
    if (!darp_route_feasible(p->ev, res->vehicle, p->tmp, R->n + 2, NULL))
        return false;
    memcpy(R->s, p->tmp, (size_t)(R->n + 2) * sizeof(int));
    R->n += 2;
    p->where[request] = res->vehicle;
    return true;
}
