/* Dial-a-ride solver: parallel regret insertion for a first plan, improved by
 * adaptive large neighbourhood search (Ropke & Pisinger 2006) under annealing. */
#include "routing/darp_solve.h"

#include "routing/darp_route.h"

#include "common/log.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { DESTROY_RANDOM, DESTROY_WORST, DESTROY_RELATED, DESTROY_ROUTE, N_DESTROY };
enum {
    REPAIR_GREEDY,
    REPAIR_REGRET2,
    REPAIR_REGRET3,
    REPAIR_GREEDY_NOISE,
    REPAIR_REGRET2_NOISE,
    REPAIR_REGRET3_NOISE,
    N_REPAIR
};

/* Adaptive weights (Ropke & Pisinger's values): scores for a new best, an
 * improvement of the current solution and an accepted worse solution. */
#define SCORE_BEST     33.0
#define SCORE_BETTER   9.0
#define SCORE_ACCEPTED 13.0
#define SEGMENT        100
#define REACTION       0.1
/* Iterations without a new best after which the search continues from the
 * best plan (measured on pr10/pr20/a8-96: 1000-4000 all help a little). */
#define RESET_AFTER 2000

struct route {
    int *s;
    int n;
    double cost;
};

struct plan {
    struct route *r;
    int nv;
    int *unserved;
    int nu;
    double cost; /* arc cost only */
};

/* A request with a removal score. */
struct scored {
    double score;
    int r;
};

/* Best insertion of one unserved request into one route. */
struct slot {
    double delta; /* possibly with noise: what the choice looks at */
    struct darp_insertion ins;
    bool ok;
};

/* What regret_of found for one unserved request, kept while the slots
 * that decided it stay the same. */
struct regret_row {
    double regret, best;
    double kth; /* the k-th smallest delta: slots above it do not matter */
    int best_v;
    bool ok, valid;
};

struct solver {
    const struct darp_model *m;
    struct darp_route_eval *ev;
    uint64_t rng;
    double penalty;
    double max_arc;          /* longest arc cost, > 0 */
    double horizon;          /* span of the finite time windows, > 0 */
    int cap;                 /* route array capacity */
    struct slot *cache;      /* [request * nv + v] */
    struct regret_row *rows; /* per request */
    int *tmp, *tmp2;
    double *times; /* per node: earliest service start in the current plan */
    double *sched; /* one route's schedule */
    int *save;     /* one route's stops */
    double *score; /* per request, scratch for removals */
    int *order;
    struct scored *sorted;
    bool noise;
};

/* ---- random numbers (splitmix64: tiny, good enough, reproducible) ---- */

static uint64_t
rng_next(struct solver *S)
{
    uint64_t z = (S->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double
rng_unit(struct solver *S)
{
    return (double)(rng_next(S) >> 11) * (1.0 / 9007199254740992.0);
}

static int
rng_int(struct solver *S, int lo, int hi)
{
    return lo + (int)(rng_next(S) % (uint64_t)(hi - lo + 1));
}

/* ---- plans ---- */

static void
plan_init(struct plan *P, const struct solver *S)
{
    P->nv = S->m->n_vehicles;
    P->r = xcalloc((size_t)P->nv, sizeof(*P->r));
    for (int v = 0; v < P->nv; v++)
        P->r[v].s = xcalloc((size_t)S->cap, sizeof(int));
    P->unserved = xcalloc((size_t)S->m->n_requests + 1, sizeof(int));
    P->nu = 0;
    P->cost = 0;
}

static void
plan_clear(struct plan *P)
{
    for (int v = 0; v < P->nv; v++)
        free(P->r[v].s);
    free(P->r);
    free(P->unserved);
}

static void
plan_copy(struct plan *dst, const struct plan *src)
{
    for (int v = 0; v < src->nv; v++) {
        dst->r[v].n = src->r[v].n;
        dst->r[v].cost = src->r[v].cost;
        memcpy(dst->r[v].s, src->r[v].s, (size_t)src->r[v].n * sizeof(int));
    }
    dst->nu = src->nu;
    memcpy(dst->unserved, src->unserved, (size_t)src->nu * sizeof(int));
    dst->cost = src->cost;
}

static double
plan_objective(const struct solver *S, const struct plan *P)
{
    return P->cost + S->penalty * P->nu;
}

static void
route_set_cost(struct solver *S, struct plan *P, int v)
{
    double old = P->r[v].cost;
    P->r[v].cost = darp_route_cost(S->m, v, P->r[v].s, P->r[v].n);
    P->cost += P->r[v].cost - old;
}

/* Removes request r from route v; undone (false) if what remains is
 * infeasible, which needs travel times without the triangle inequality. */
static bool
route_remove(struct solver *S, struct plan *P, int v, int r)
{
    const struct darp_request *q = &S->m->requests[r];
    struct route *R = &P->r[v];
    int k = 0;
    for (int i = 0; i < R->n; i++)
        if (R->s[i] != q->pickup && R->s[i] != q->dropoff)
            S->tmp[k++] = R->s[i];
    if (!darp_route_feasible(S->ev, v, S->tmp, k, NULL))
        return false;
    memcpy(R->s, S->tmp, (size_t)k * sizeof(int));
    R->n = k;
    route_set_cost(S, P, v);
    P->unserved[P->nu++] = r;
    return true;
}

static void
route_insert(struct solver *S, struct plan *P, int v, int r, const struct darp_insertion *ins)
{
    struct route *R = &P->r[v];
    darp_route_apply_insertion(S->m, R->s, R->n, r, ins, S->tmp);
    memcpy(R->s, S->tmp, (size_t)(R->n + 2) * sizeof(int));
    R->n += 2;
    route_set_cost(S, P, v);
}

/* Vehicle of each request (-1 unserved) into where[]. */
static void
plan_where(const struct solver *S, const struct plan *P, int *where)
{
    for (int r = 0; r < S->m->n_requests; r++)
        where[r] = -1;
    for (int v = 0; v < P->nv; v++)
        for (int i = 0; i < P->r[v].n; i++)
            where[S->m->nodes[P->r[v].s[i]].request] = v;
}

/* ---- repair: regret-k insertion with a per (request, route) cache ---- */

static void
slot_compute(struct solver *S, const struct plan *P, int r, int v)
{
    struct slot *c = &S->cache[(size_t)r * (size_t)P->nv + (size_t)v];
    const struct route *R = &P->r[v];
    c->ok = darp_route_best_insertion(S->ev, v, R->s, R->n, r, 0, INFINITY, &c->ins);
    c->delta = c->ok ? c->ins.delta : INFINITY;
    if (c->ok && S->noise) /* Ropke & Pisinger's noise: diversifies the choices */
        c->delta = fmax(0, c->delta + (2 * rng_unit(S) - 1) * 0.025 * S->max_arc);
}

/* Regret value of request r over routes (k = 1: plain greedy) into w;
 * w->ok false when it fits nowhere. */
static void
regret_of(struct solver *S, const struct plan *P, int r, int k, struct regret_row *w)
{
    double top[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    w->best_v = -1;
    w->valid = true;
    for (int v = 0; v < P->nv; v++) {
        double d = S->cache[(size_t)r * (size_t)P->nv + (size_t)v].delta;
        if (d < top[0])
            w->best_v = v;
        for (int h = 0; h < k; h++) {
            if (d < top[h]) {
                memmove(top + h + 1, top + h, (size_t)(k - h - 1) * sizeof(double));
                top[h] = d;
                break;
            }
        }
    }
    w->kth = top[k - 1];
    w->ok = w->best_v >= 0;
    if (!w->ok)
        return;
    w->best = top[0];
    w->regret = 0;
    for (int h = 1; h < k; h++) /* a missing option counts as the penalty */
        w->regret += (isfinite(top[h]) ? top[h] : top[0] + S->penalty) - top[0];
}

/* Each round inserts the request with the highest regret at its best
 * place, then re-checks the grown route for the others; a request's regret
 * is recomputed over all routes only when that route's slot was, or now
 * is, among its k best (else its top k are unchanged). */
static void
repair(struct solver *S, struct plan *P, int k)
{
    for (int v = 0; v < P->nv; v++) /* route-major: the evaluator caches the route */
        for (int u = 0; u < P->nu; u++)
            slot_compute(S, P, P->unserved[u], v);
    for (int u = 0; u < P->nu; u++)
        S->rows[P->unserved[u]].valid = false;
    for (;;) {
        int pick = -1, pick_v = -1;
        double pick_regret = -1, pick_best = INFINITY;
        for (int u = 0; u < P->nu; u++) {
            struct regret_row *w = &S->rows[P->unserved[u]];
            if (!w->valid)
                regret_of(S, P, P->unserved[u], k, w);
            if (!w->ok)
                continue;
            bool better = k == 1 ? w->best < pick_best
                                 : (w->regret > pick_regret ||
                                    (w->regret == pick_regret && w->best < pick_best));
            if (better) {
                pick = u;
                pick_v = w->best_v;
                pick_regret = w->regret;
                pick_best = w->best;
            }
        }
        if (pick < 0)
            return;
        int r = P->unserved[pick];
        P->unserved[pick] = P->unserved[--P->nu];
        route_insert(S, P, pick_v, r, &S->cache[(size_t)r * (size_t)P->nv + (size_t)pick_v].ins);
        /* A request that fitted nowhere on the route does not fit now that
         * it carries one more: dropping stops from a feasible route keeps it
         * feasible (same times, and with the triangle inequality no leg gets
         * longer), so routes that only grow only lose options. Without the
         * triangle inequality this may miss a place, never make one up. */
        for (int u = 0; u < P->nu; u++) {
            int q = P->unserved[u];
            struct slot *c = &S->cache[(size_t)q * (size_t)P->nv + (size_t)pick_v];
            if (!c->ok)
                continue;
            double old = c->delta;
            slot_compute(S, P, q, pick_v);
            if (old <= S->rows[q].kth || c->delta <= S->rows[q].kth)
                S->rows[q].valid = false;
        }
    }
}

/* ---- destroy operators ---- */

/* Served requests into S->order; returns how many. */
static int
served_requests(struct solver *S, const struct plan *P)
{
    int n = 0;
    for (int v = 0; v < P->nv; v++)
        for (int i = 0; i < P->r[v].n; i++) {
            int node = P->r[v].s[i];
            int r = S->m->nodes[node].request;
            if (S->m->requests[r].pickup == node)
                S->order[n++] = r;
        }
    return n;
}

static void
destroy_random(struct solver *S, struct plan *P, int q, int *where)
{
    int n = served_requests(S, P);
    for (int c = 0; c < q && n > 0; c++) {
        int k = rng_int(S, 0, n - 1), r = S->order[k];
        S->order[k] = S->order[--n];
        (void)route_remove(S, P, where[r], r);
    }
}

/* Cost saved by taking request r out of its route. */
static double
removal_saving(struct solver *S, const struct plan *P, int v, int r)
{
    const struct darp_request *q = &S->m->requests[r];
    const struct route *R = &P->r[v];
    int k = 0;
    for (int i = 0; i < R->n; i++)
        if (R->s[i] != q->pickup && R->s[i] != q->dropoff)
            S->tmp2[k++] = R->s[i];
    return R->cost - darp_route_cost(S->m, v, S->tmp2, k);
}

/* Descending score, ties by request index: a total order, so the result does
 * not depend on the sort algorithm. */
static int
scored_cmp(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->r - y->r;
}

static void
sort_by_score(struct solver *S, int *a, int n, const double *sc)
{
    for (int i = 0; i < n; i++)
        S->sorted[i] = (struct scored){sc[a[i]], a[i]};
    qsort(S->sorted, (size_t)n, sizeof(*S->sorted), scored_cmp);
    for (int i = 0; i < n; i++)
        a[i] = S->sorted[i].r;
}

/* Picks index floor(y^p * n), biased towards the front of a sorted list. */
static int
biased_index(struct solver *S, int n, double p)
{
    int k = (int)(pow(rng_unit(S), p) * n);
    return k < n ? k : n - 1;
}

static void
destroy_worst(struct solver *S, struct plan *P, int q, int *where)
{
    for (int c = 0; c < q; c++) {
        int n = served_requests(S, P);
        if (n == 0)
            return;
        for (int i = 0; i < n; i++)
            S->score[S->order[i]] = removal_saving(S, P, where[S->order[i]], S->order[i]);
        sort_by_score(S, S->order, n, S->score);
        int r = S->order[biased_index(S, n, 3)];
        if (route_remove(S, P, where[r], r))
            where[r] = -1;
    }
}

/* Earliest service times of every node in the plan, for relatedness. */
static void
plan_times(struct solver *S, const struct plan *P)
{
    for (int v = 0; v < P->nv; v++) {
        const struct route *R = &P->r[v];
        if (!darp_route_feasible(S->ev, v, R->s, R->n, S->sched))
            continue; /* cannot happen: plans hold feasible routes only */
        for (int i = 0; i < R->n; i++)
            S->times[R->s[i]] = S->sched[i + 1];
    }
}

/* Ropke & Pisinger's weights on normalised terms: distance 9, time 3 (raw
 * minutes would swamp kilometres on a day-long horizon). */
static double
relatedness(const struct solver *S, int a, int b)
{
    const struct darp_model *m = S->m;
    const struct darp_request *x = &m->requests[a], *y = &m->requests[b];
    double dist =
        darp_model_cost(m, x->pickup, y->pickup) + darp_model_cost(m, x->dropoff, y->dropoff);
    double dt = fabs(S->times[x->pickup] - S->times[y->pickup]) +
                fabs(S->times[x->dropoff] - S->times[y->dropoff]);
    return 9 * dist / S->max_arc + 3 * dt / S->horizon;
}

/* Shaw removal: requests close in space and time to ones already removed. */
static void
destroy_related(struct solver *S, struct plan *P, int q, int *where)
{
    int n = served_requests(S, P);
    if (n == 0)
        return;
    plan_times(S, P);
    int first = P->nu, k = rng_int(S, 0, n - 1), seed = S->order[k];
    S->order[k] = S->order[--n];
    if (route_remove(S, P, where[seed], seed))
        where[seed] = -1;
    for (int c = 1; c < q && n > 0; c++) {
        int base = P->unserved[rng_int(S, first, P->nu - 1)];
        for (int i = 0; i < n; i++)
            S->score[S->order[i]] = -relatedness(S, base, S->order[i]);
        sort_by_score(S, S->order, n, S->score);
        int idx = biased_index(S, n, 6), r = S->order[idx];
        memmove(S->order + idx, S->order + idx + 1, (size_t)(n - idx - 1) * sizeof(int));
        n--;
        if (route_remove(S, P, where[r], r))
            where[r] = -1;
    }
}

/* Empties one random route, plus random requests to reach q. */
static void
destroy_route(struct solver *S, struct plan *P, int q, int *where)
{
    int v = rng_int(S, 0, P->nv - 1), removed = 0;
    while (P->r[v].n > 0) {
        int r = S->m->nodes[P->r[v].s[0]].request;
        if (!route_remove(S, P, v, r))
            break;
        where[r] = -1;
        removed++;
    }
    if (removed < q)
        destroy_random(S, P, q - removed, where);
}

/* ---- local search: move single requests to their best place ---- */

/* Takes each served request out and puts it back at its cheapest position
 * over all routes, while that lowers the cost; where[] must be current. */
static bool
relocate_pass(struct solver *S, struct plan *P, int *where)
{
    bool improved = false;
    int n = served_requests(S, P);
    for (int k = n - 1; k > 0; k--) { /* seeded shuffle: no fixed order bias */
        int j = rng_int(S, 0, k), t = S->order[k];
        S->order[k] = S->order[j];
        S->order[j] = t;
    }
    int *order = xcalloc((size_t)n + 1, sizeof(int));
    memcpy(order, S->order, (size_t)n * sizeof(int));
    for (int k = 0; k < n; k++) {
        int r = order[k], v = where[r];
        struct route *R = &P->r[v];
        int saved_n = R->n;
        double before = P->cost, saved_cost = R->cost;
        memcpy(S->save, R->s, (size_t)R->n * sizeof(int));
        if (!route_remove(S, P, v, r))
            continue;
        double best = before - P->cost - 1e-9; /* must beat putting it back */
        int best_v = -1;
        struct darp_insertion ins, best_ins = {0};
        for (int u = 0; u < P->nv; u++) {
            if (darp_route_best_insertion(S->ev, u, P->r[u].s, P->r[u].n, r, 0, best, &ins) &&
                ins.delta < best) {
                best = ins.delta;
                best_v = u;
                best_ins = ins;
            }
        }
        P->nu--; /* r was appended to unserved by route_remove */
        if (best_v >= 0) {
            route_insert(S, P, best_v, r, &best_ins);
            where[r] = best_v;
            improved = true;
        } else {
            memcpy(R->s, S->save, (size_t)saved_n * sizeof(int));
            R->n = saved_n;
            R->cost = saved_cost;
            P->cost = before;
        }
    }
    free(order);
    return improved;
}

static double
now_seconds(bool cpu)
{
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The final polish: relocation passes until none improves, at most 10.
 * The time limit is the caller's budget, so after the first pass no
 * further one begins once the run has used a tenth more than the limit: a
 * pass over a day of 3,000 rides takes over a second, and ten of them
 * made a 30 s plan take 45. Small models finish all passes well inside
 * that margin. */
static void
local_search(struct solver *S, struct plan *P, int *where, const struct darp_solve_params *p,
             double t0)
{
    plan_where(S, P, where);
    for (int pass = 0; pass < 10; pass++) {
        if (pass > 0 && p->time_limit > 0 && now_seconds(p->cpu_clock) - t0 >= 1.1 * p->time_limit)
            break;
        if (!relocate_pass(S, P, where))
            break;
    }
}

/* ---- the search ---- */

static int
roulette(struct solver *S, const double *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    double x = rng_unit(S) * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static void
destroy(struct solver *S, struct plan *P, int op, int q, int *where)
{
    plan_where(S, P, where);
    switch (op) {
    case DESTROY_RANDOM:
        destroy_random(S, P, q, where);
        break;
    case DESTROY_WORST:
        destroy_worst(S, P, q, where);
        break;
    case DESTROY_RELATED:
        destroy_related(S, P, q, where);
        break;
    default:
        destroy_route(S, P, q, where);
        break;
    }
}

static void
do_repair(struct solver *S, struct plan *P, int op)
{
    static const int regret_k[N_REPAIR] = {1, 2, 3, 1, 2, 3};
    S->noise = op >= REPAIR_GREEDY_NOISE;
    repair(S, P, regret_k[op]);
    S->noise = false;
}

struct alns {
    double wd[N_DESTROY], wr[N_REPAIR];
    double sd[N_DESTROY], sr[N_REPAIR];
    int nd[N_DESTROY], nr[N_REPAIR];
};

static void
alns_update_weights(struct alns *A)
{
    for (int i = 0; i < N_DESTROY; i++) {
        if (A->nd[i])
            A->wd[i] = A->wd[i] * (1 - REACTION) + REACTION * A->sd[i] / A->nd[i];
        A->wd[i] = fmax(A->wd[i], 0.05);
        A->sd[i] = 0;
        A->nd[i] = 0;
    }
    for (int i = 0; i < N_REPAIR; i++) {
        if (A->nr[i])
            A->wr[i] = A->wr[i] * (1 - REACTION) + REACTION * A->sr[i] / A->nr[i];
        A->wr[i] = fmax(A->wr[i], 0.05);
        A->sr[i] = 0;
        A->nr[i] = 0;
    }
}

/* Fraction of the budget used, by iterations when bounded, else by time. */
static double
progress(const struct darp_solve_params *p, long it, double elapsed)
{
    if (p->max_iterations > 0)
        return (double)it / (double)p->max_iterations;
    return elapsed / p->time_limit;
}

static void
search(struct solver *S, const struct darp_solve_params *p, struct plan *best, long *iters,
       double t0)
{
    const struct darp_model *m = S->m;
    struct plan cur, cand;
    struct alns A;
    int *where = xcalloc((size_t)m->n_requests + 1, sizeof(int));
    plan_init(&cur, S);
    plan_init(&cand, S);
    plan_copy(&cur, best);
    for (int i = 0; i < N_DESTROY; i++)
        A.wd[i] = 1, A.sd[i] = 0, A.nd[i] = 0;
    for (int i = 0; i < N_REPAIR; i++)
        A.wr[i] = 1, A.sr[i] = 0, A.nr[i] = 0;
    /* start temperature: a 5 % worse plan is accepted with probability 1/2 */
    double temp0 = 0.05 * fmax(best->cost, 1e-9) / log(2.0), temp_end = temp0 * 0.002;
    int n = m->n_requests;
    int qmin = n < 4 ? 1 : 2, qmax = (int)fmin(fmax(4, 0.3 * n), 40);
    if (qmax > n)
        qmax = n;
    long it = 0, last_best = 0;
    double told = -1;
    for (;; it++) {
        double el = now_seconds(p->cpu_clock) - t0;
        if ((p->max_iterations > 0 && it >= p->max_iterations) ||
            (p->time_limit > 0 && el >= p->time_limit) || n == 0)
            break;
        double frac = fmin(1, progress(p, it, el));
        if (p->on_progress && el - told >= 0.1) {
            p->on_progress(p->progress_ctx, frac, best->cost);
            told = el;
        }
        double temp = temp0 * pow(temp_end / temp0, frac);
        int d = roulette(S, A.wd, N_DESTROY), r = roulette(S, A.wr, N_REPAIR);
        int q = rng_int(S, qmin, qmax);
        plan_copy(&cand, &cur);
        destroy(S, &cand, d, q, where);
        do_repair(S, &cand, r);
        double fc = plan_objective(S, &cand), fcur = plan_objective(S, &cur);
        double score = 0;
        if (fc < plan_objective(S, best) - 1e-9) {
            plan_copy(best, &cand);
            score = SCORE_BEST;
            if (p->verbose)
                log_info("darp: iteration %ld: cost %.2f, unserved %d", it, best->cost, best->nu);
        } else if (fc < fcur - 1e-9) {
            score = SCORE_BETTER;
        } else if (fc > fcur + 1e-9 && rng_unit(S) < exp(-(fc - fcur) / temp)) {
            score = SCORE_ACCEPTED;
        }
        if (score > 0 || fc <= fcur)
            plan_copy(&cur, &cand);
        if (score == SCORE_BEST)
            last_best = it;
        else if (it - last_best >= RESET_AFTER) {
            plan_copy(&cur, best); /* long without progress: continue from the best */
            last_best = it;
        }
        A.sd[d] += score, A.nd[d]++;
        A.sr[r] += score, A.nr[r]++;
        if ((it + 1) % SEGMENT == 0)
            alns_update_weights(&A);
    }
    *iters = it;
    local_search(S, best, where, p, t0); /* final polish; never worsens */
    free(where);
    plan_clear(&cur);
    plan_clear(&cand);
}

static void
solver_init(struct solver *S, const struct darp_model *m, const struct darp_solve_params *p)
{
    memset(S, 0, sizeof(*S));
    S->m = m;
    S->ev = darp_route_eval_create(m);
    S->rng = p->seed;
    S->cap = 2 * m->n_requests + 4;
    size_t nr = (size_t)m->n_requests + 1;
    S->cache = xcalloc(nr * (size_t)(m->n_vehicles > 0 ? m->n_vehicles : 1), sizeof(*S->cache));
    S->rows = xcalloc(nr, sizeof(*S->rows));
    S->tmp = xcalloc((size_t)S->cap, sizeof(int));
    S->tmp2 = xcalloc((size_t)S->cap, sizeof(int));
    S->times = xcalloc((size_t)m->n_nodes, sizeof(double));
    S->sched = xcalloc((size_t)S->cap, sizeof(double));
    S->save = xcalloc((size_t)S->cap, sizeof(int));
    S->score = xcalloc(nr, sizeof(double));
    S->order = xcalloc(nr, sizeof(int));
    S->sorted = xcalloc(nr, sizeof(*S->sorted));
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->n_nodes; j++)
            S->max_arc = fmax(S->max_arc, darp_model_cost(m, i, j));
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < m->n_nodes; i++) {
        if (isfinite(m->nodes[i].e))
            lo = fmin(lo, m->nodes[i].e);
        if (isfinite(m->nodes[i].l))
            hi = fmax(hi, m->nodes[i].l);
    }
    S->horizon = hi > lo ? hi - lo : 1;
    if (!(S->max_arc > 0))
        S->max_arc = 1;
    /* more than any route could ever save by dropping the request */
    S->penalty = p->unserved_penalty > 0 ? p->unserved_penalty : 10 * (2 * S->max_arc + 1) + 1000;
}

static void
solver_clear(struct solver *S)
{
    darp_route_eval_free(S->ev);
    free(S->cache);
    free(S->rows);
    free(S->tmp);
    free(S->tmp2);
    free(S->times);
    free(S->sched);
    free(S->save);
    free(S->score);
    free(S->order);
    free(S->sorted);
}

/* Copies the plan out, re-checking every route; a route that fails (a bug)
 * is dropped to unserved rather than returned. */
static struct darp_solution *
export_plan(struct solver *S, const struct plan *P)
{
    const struct darp_model *m = S->m;
    struct darp_solution *sol = xcalloc(1, sizeof(*sol));
    sol->n_vehicles = P->nv;
    sol->routes = xcalloc((size_t)(P->nv > 0 ? P->nv : 1), sizeof(int *));
    sol->n_stops = xcalloc((size_t)(P->nv > 0 ? P->nv : 1), sizeof(int));
    sol->unserved = xcalloc((size_t)m->n_requests + 1, sizeof(int));
    for (int u = 0; u < P->nu; u++)
        sol->unserved[sol->n_unserved++] = P->unserved[u];
    for (int v = 0; v < P->nv; v++) {
        const struct route *R = &P->r[v];
        sol->routes[v] = xcalloc((size_t)R->n + 1, sizeof(int));
        if (!darp_route_feasible(S->ev, v, R->s, R->n, NULL)) {
            log_error("darp: internal error: route %d infeasible, its requests left unserved", v);
            for (int i = 0; i < R->n; i++)
                if (m->requests[m->nodes[R->s[i]].request].pickup == R->s[i])
                    sol->unserved[sol->n_unserved++] = m->nodes[R->s[i]].request;
            continue;
        }
        memcpy(sol->routes[v], R->s, (size_t)R->n * sizeof(int));
        sol->n_stops[v] = R->n;
        sol->cost += darp_route_cost(m, v, R->s, R->n);
    }
    return sol;
}

void
darp_solve_params_init(struct darp_solve_params *p)
{
    *p = (struct darp_solve_params){.seed = 1, .time_limit = 10};
}

struct darp_solution *
darp_solve(const struct darp_model *m, const struct darp_solve_params *p)
{
    struct solver S;
    struct plan best;
    double t0 = now_seconds(p->cpu_clock);
    long iters = 0;
    solver_init(&S, m, p);
    plan_init(&best, &S);
    for (int r = 0; r < m->n_requests; r++)
        best.unserved[best.nu++] = r;
    repair(&S, &best, m->n_vehicles > 1 ? 2 : 1); /* parallel regret-2 construction */
    if (p->verbose)
        log_info("darp: construction: cost %.2f, unserved %d", best.cost, best.nu);
    if (p->max_iterations > 0 || p->time_limit > 0)
        search(&S, p, &best, &iters, t0);
    struct darp_solution *sol = export_plan(&S, &best);
    sol->iterations = iters;
    sol->elapsed = now_seconds(p->cpu_clock) - t0;
    plan_clear(&best);
    solver_clear(&S);
    return sol;
}

void
darp_solution_free(struct darp_solution *s)
{
    if (!s)
        return;
    for (int v = 0; v < s->n_vehicles; v++)
        free(s->routes[v]);
    free(s->routes);
    free(s->n_stops);
    free(s->unserved);
    free(s);
}

int
darp_solution_vehicles_used(const struct darp_solution *s)
{
    int used = 0;
    for (int v = 0; v < s->n_vehicles; v++)
        used += s->n_stops[v] > 0;
    return used;
}

bool
darp_solution_check(const struct darp_model *m, const struct darp_solution *s, char *err,
                    size_t errlen)
{
    bool ok = false;
    int *seen = xcalloc((size_t)m->n_nodes, sizeof(int));
    struct darp_route_eval *ev = darp_route_eval_create(m);
    double total = 0;
    if (s->n_vehicles != m->n_vehicles) {
        snprintf(err, errlen, "solution has %d vehicles, model %d", s->n_vehicles, m->n_vehicles);
        goto out;
    }
    for (int v = 0; v < s->n_vehicles; v++) {
        for (int i = 0; i < s->n_stops[v]; i++) {
            int node = s->routes[v][i];
            if (node < 0 || node >= m->n_nodes || seen[node]++) {
                snprintf(err, errlen, "route %d: stop %d invalid or visited twice", v, node);
                goto out;
            }
        }
        if (!darp_route_feasible(ev, v, s->routes[v], s->n_stops[v], NULL)) {
            snprintf(err, errlen, "route %d is infeasible", v);
            goto out;
        }
        total += darp_route_cost(m, v, s->routes[v], s->n_stops[v]);
    }
    for (int u = 0; u < s->n_unserved; u++) {
        int r = s->unserved[u];
        if (r < 0 || r >= m->n_requests || seen[m->requests[r].pickup]++) {
            snprintf(err, errlen, "unserved request %d invalid or also served", r);
            goto out;
        }
    }
    for (int r = 0; r < m->n_requests; r++) {
        if (!seen[m->requests[r].pickup]) {
            snprintf(err, errlen, "request %d is neither served nor listed unserved", r);
            goto out;
        }
    }
    if (fabs(total - s->cost) > 1e-6 * fmax(1, total)) {
        snprintf(err, errlen, "cost %.6f differs from the routes' %.6f", s->cost, total);
        goto out;
    }
    ok = true;
out:
    free(seen);
    darp_route_eval_free(ev);
    return ok;
}
