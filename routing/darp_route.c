/* Exact route feasibility for the dial-a-ride problem by least/greatest
 * solutions of the schedule's difference constraints, plus cheapest insertion. */
#include "routing/darp_route.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The schedule of a fixed visiting order s_0 (start depot) .. s_{K-1} (end
 * depot) is a system of difference constraints on the service starts B_k:
 *
 *   forward (travel):  B_{k+1} >= B_k + c_k     c_k = service_k + t(s_k, s_k+1)
 *   windows:           e_k <= B_k <= l_k
 *   ride time:         B_b - B_a <= L_r + service_a   pickup a, dropoff b
 *   route duration:    B_{K-1} - B_0 <= T
 *
 * With W_k = c_0 + ... + c_{k-1} (driving and service before k) and the
 * waiting so far y_k = B_k - W_k this becomes
 *
 *   y_0 <= y_1 <= ... <= y_{K-1}        waiting is never negative
 *   a_k <= y_k <= b_k                   a_k = e_k - W_k, b_k = l_k - W_k
 *   y_j - y_i <= g_i  for an arc i->j   g = L_r + service_a - (W_b - W_a)
 *                                       for a ride, T - W_{K-1} for the route
 *
 * and every index starts at most one arc (a pickup its ride, the start depot
 * the duration). g_i < 0 means the ride (or route) is too long even without
 * waiting: infeasible. Otherwise the constraints other than y_k <= b_k have
 * a pointwise least solution y*, and a schedule exists iff y* <= b (every
 * solution lies above y*), so the test is exact.
 *
 * y*_k is the longest path to k from a source with edges source->k (a_k),
 * k->k+1 (0) and j->i (-g_i) for each arc. Cut any such path at the first
 * visit of its lowest index m: the rest only walks right and jumps back at
 * non-positive cost, so it is never better than walking from m to k. Hence
 *
 *   y*_k = max_{m <= k} P_m,   P_m = max(a_m, max(P over (m, j]) - g_m)
 *
 * where P_m is the best path that ends at m and stays at or right of m, and
 * the second term exists when m starts the arc m->j. One sweep from right to
 * left computes P with a range maximum over (m, j]: the indices still able to
 * be a maximum form a stack with values rising to the right, and a
 * union-find maps any index to the stack entry that covers it. The whole test
 * is O(K alpha(K)), linear in practice, whatever the pattern of rides; a
 * second sweep takes prefix maxima and compares with b. The greatest
 * solution (the latest schedule, for the insertion pre-checks) is the same
 * computation on the mirrored route.
 */

/* fmax/fmin are library calls at -O2 (NaN rules); times here are never NaN. */
static inline double
dmax(double a, double b)
{
    return a > b ? a : b;
}

static inline double
dmin(double a, double b)
{
    return a < b ? a : b;
}

struct darp_route_eval {
    const struct darp_model *m;
    int cap;  /* max sequence length incl. depots */
    int *seq; /* current sequence incl. depots */
    int *ins; /* scratch sequence for insertion candidates */
    double *c, *we, *wl, *lb, *early, *late;
    /* the waiting form (see the top of the file) and its sweep */
    double *W, *lo, *hi, *g, *mg, *y, *P;
    int *to, *mto, *uf_parent, *uf_rank, *uf_label, *stack;
    int *ppos;         /* per request: sequence index of its pickup */
    unsigned *stamp_p; /* per request: generation when pickup seen */
    unsigned *stamp_d;
    unsigned gen;
    int (*load)[DARP_MAX_DIMS]; /* load after each sequence index */
    struct darp_insertion *cand;
    int ncand_cap;
    /* The route last prepared for insertion, with its earliest and latest
     * schedules and loads: repair asks about many requests per route. */
    int base_v, base_K;
    int *base_seq;
    double *base_early, *base_late;
    double *base_W; /* driving and service time before each index */
    int *base_on;   /* passengers on board after each index */
    int (*base_load)[DARP_MAX_DIMS];
};

struct darp_route_eval *
darp_route_eval_create(const struct darp_model *m)
{
    struct darp_route_eval *ev = xcalloc(1, sizeof(*ev));
    size_t nr = (size_t)(m->n_requests > 0 ? m->n_requests : 1);
    ev->m = m;
    ev->cap = 2 * m->n_requests + 4;
    size_t cap = (size_t)ev->cap;
    ev->seq = xcalloc(cap, sizeof(int));
    ev->ins = xcalloc(cap, sizeof(int));
    ev->c = xcalloc(cap, sizeof(double));
    ev->we = xcalloc(cap, sizeof(double));
    ev->wl = xcalloc(cap, sizeof(double));
    ev->lb = xcalloc(cap, sizeof(double));
    ev->W = xcalloc(cap, sizeof(double));
    ev->lo = xcalloc(cap, sizeof(double));
    ev->hi = xcalloc(cap, sizeof(double));
    ev->g = xcalloc(cap, sizeof(double));
    ev->mg = xcalloc(cap, sizeof(double));
    ev->y = xcalloc(cap, sizeof(double));
    ev->P = xcalloc(cap, sizeof(double));
    ev->to = xcalloc(cap, sizeof(int));
    ev->mto = xcalloc(cap, sizeof(int));
    ev->uf_parent = xcalloc(cap, sizeof(int));
    ev->uf_rank = xcalloc(cap, sizeof(int));
    ev->uf_label = xcalloc(cap, sizeof(int));
    ev->stack = xcalloc(cap, sizeof(int));
    ev->early = xcalloc(cap, sizeof(double));
    ev->late = xcalloc(cap, sizeof(double));
    ev->load = xcalloc(cap, sizeof(*ev->load));
    ev->ppos = xcalloc(nr, sizeof(int));
    ev->stamp_p = xcalloc(nr, sizeof(unsigned));
    ev->stamp_d = xcalloc(nr, sizeof(unsigned));
    ev->base_v = -1;
    ev->base_seq = xcalloc(cap, sizeof(int));
    ev->base_early = xcalloc(cap, sizeof(double));
    ev->base_late = xcalloc(cap, sizeof(double));
    ev->base_W = xcalloc(cap, sizeof(double));
    ev->base_on = xcalloc(cap, sizeof(int));
    ev->base_load = xcalloc(cap, sizeof(*ev->base_load));
    ev->ncand_cap = 64;
    ev->cand = xcalloc((size_t)ev->ncand_cap, sizeof(*ev->cand));
    return ev;
}

void
darp_route_eval_free(struct darp_route_eval *ev)
{
    if (!ev)
        return;
    free(ev->seq);
    free(ev->ins);
    free(ev->c);
    free(ev->we);
    free(ev->wl);
    free(ev->lb);
    free(ev->W);
    free(ev->lo);
    free(ev->hi);
    free(ev->g);
    free(ev->mg);
    free(ev->y);
    free(ev->P);
    free(ev->to);
    free(ev->mto);
    free(ev->uf_parent);
    free(ev->uf_rank);
    free(ev->uf_label);
    free(ev->stack);
    free(ev->early);
    free(ev->late);
    free(ev->load);
    free(ev->ppos);
    free(ev->stamp_p);
    free(ev->stamp_d);
    free(ev->cand);
    free(ev->base_seq);
    free(ev->base_early);
    free(ev->base_late);
    free(ev->base_W);
    free(ev->base_on);
    free(ev->base_load);
    free(ev);
}

static unsigned
next_gen(struct darp_route_eval *ev)
{
    if (++ev->gen == 0) { /* wrapped: clear so old stamps cannot match */
        size_t nr = (size_t)(ev->m->n_requests > 0 ? ev->m->n_requests : 1);
        memset(ev->stamp_p, 0, nr * sizeof(unsigned));
        memset(ev->stamp_d, 0, nr * sizeof(unsigned));
        ev->gen = 1;
    }
    return ev->gen;
}

/* Pairing, precedence and capacity; fills ppos and load. */
static bool
check_structure(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    const struct darp_model *m = ev->m;
    const struct darp_vehicle *veh = &m->vehicles[v];
    unsigned g = next_gen(ev);
    int open = 0;
    for (int d = 0; d < m->n_dims; d++)
        ev->load[0][d] = 0;
    for (int k = 1; k < K - 1; k++) {
        int node = seq[k];
        if (node < 0 || node >= m->n_nodes)
            return false;
        int r = m->nodes[node].request;
        if (r < 0)
            return false;
        if (m->requests[r].pickup == node) {
            if (ev->stamp_p[r] == g)
                return false;
            ev->stamp_p[r] = g;
            ev->ppos[r] = k;
            open++;
        } else {
            if (ev->stamp_p[r] != g || ev->stamp_d[r] == g)
                return false;
            ev->stamp_d[r] = g;
            open--;
        }
        for (int d = 0; d < m->n_dims; d++) {
            ev->load[k][d] = ev->load[k - 1][d] + m->nodes[node].load[d];
            if (ev->load[k][d] > veh->capacity[d])
                return false;
        }
    }
    return open == 0;
}

/* Windows and forward constants c_k of the sequence. */
static void
setup_times(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    const struct darp_model *m = ev->m;
    const struct darp_vehicle *veh = &m->vehicles[v];
    for (int k = 0; k < K; k++) {
        const struct darp_node *nd = &m->nodes[seq[k]];
        ev->we[k] = nd->e;
        ev->wl[k] = nd->l;
        if (k + 1 < K)
            ev->c[k] = nd->service + darp_model_time(m, seq[k], seq[k + 1]);
    }
    ev->we[0] = dmax(ev->we[0], veh->shift_start);
    ev->wl[0] = dmin(ev->wl[0], veh->shift_end);
    ev->we[K - 1] = dmax(ev->we[K - 1], veh->shift_start);
    ev->wl[K - 1] = dmin(ev->wl[K - 1], veh->shift_end);
}

/* Cumulative driving and service time W_k, and the arcs of the rides and of
 * the route duration in the waiting form (ppos must describe seq). */
static void
setup_arcs(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    const struct darp_model *m = ev->m;
    double *W = ev->W;
    W[0] = 0;
    for (int k = 0; k < K; k++) {
        if (k > 0)
            W[k] = W[k - 1] + ev->c[k - 1];
        ev->to[k] = -1;
    }
    for (int k = 1; k < K - 1; k++) {
        int r = m->nodes[seq[k]].request;
        if (m->requests[r].dropoff != seq[k])
            continue;
        int a = ev->ppos[r];
        ev->to[a] = k;
        ev->g[a] = m->requests[r].max_ride + m->nodes[seq[a]].service - (W[k] - W[a]);
    }
    ev->to[0] = K - 1;
    ev->g[0] = m->vehicles[v].max_duration - W[K - 1];
}

/* Union-find over sequence indices, with path halving and union by rank. */
static int
uf_find(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static int
uf_union(int *parent, int *rank, int a, int b)
{
    if (a == b)
        return a;
    if (rank[a] < rank[b]) {
        int t = a;
        a = b;
        b = t;
    }
    parent[b] = a;
    if (rank[a] == rank[b])
        rank[a]++;
    return a;
}

/* Least nondecreasing y[0..K-1] with y >= lo and y_j - y_i <= g_i for every
 * arc to[i] = j > i (see the top of the file); false when some g is negative
 * or y breaks hi. */
static bool
least_monotone(struct darp_route_eval *ev, int K, const double *lo, const double *hi, const int *to,
               const double *g, double *y)
{
    double *P = ev->P;
    int *parent = ev->uf_parent, *rank = ev->uf_rank, *label = ev->uf_label, *stack = ev->stack;
    int sp = 0;
    for (int i = K - 1; i >= 0; i--) {
        double p = lo[i];
        if (to[i] >= 0) {
            if (g[i] < -DARP_EPS)
                return false;
            /* the stack entry covering to[i] holds the maximum over (i, to[i]] */
            p = dmax(p, P[label[uf_find(parent, to[i])]] - g[i]);
        }
        P[i] = p;
        parent[i] = i;
        rank[i] = 0;
        int root = i;
        while (sp > 0 && P[stack[sp - 1]] <= p) /* dominated from now on */
            root = uf_union(parent, rank, root, uf_find(parent, stack[--sp]));
        label[root] = i;
        stack[sp++] = i;
    }
    double run = -INFINITY;
    for (int k = 0; k < K; k++) {
        run = dmax(run, P[k]);
        if (run > hi[k] + DARP_EPS)
            return false;
        y[k] = run;
    }
    return true;
}

/* Earliest schedule into ev->early by the exact sweep; needs setup_times. */
static bool
least_exact(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    setup_arcs(ev, v, seq, K);
    const double *W = ev->W;
    for (int k = 0; k < K; k++) {
        ev->lo[k] = ev->we[k] - W[k];
        ev->hi[k] = ev->wl[k] - W[k];
    }
    if (!least_monotone(ev, K, ev->lo, ev->hi, ev->to, ev->g, ev->y))
        return false;
    for (int k = 0; k < K; k++)
        ev->early[k] = ev->y[k] + W[k];
    return true;
}

/* Latest schedule into ev->late: the least solution of the mirrored route
 * (index k -> K-1-k, y -> -y), whose arcs run from each dropoff back to its
 * pickup and from the end depot to the start. */
static bool
greatest_exact(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    setup_arcs(ev, v, seq, K);
    const double *W = ev->W;
    for (int k = 0; k < K; k++) {
        int mk = K - 1 - k;
        ev->lo[mk] = W[k] - ev->wl[k];
        ev->hi[mk] = W[k] - ev->we[k];
        ev->mto[k] = -1;
    }
    for (int i = 0; i < K; i++)
        if (ev->to[i] >= 0) {
            ev->mto[K - 1 - ev->to[i]] = K - 1 - i;
            ev->mg[K - 1 - ev->to[i]] = ev->g[i];
        }
    if (!least_monotone(ev, K, ev->lo, ev->hi, ev->mto, ev->mg, ev->y))
        return false;
    for (int k = 0; k < K; k++)
        ev->late[k] = W[k] - ev->y[K - 1 - k];
    return true;
}

/*
 * Most routes need little or no waiting for a ride time's sake, and then a
 * pass or two settles them; the exact sweep above costs about twice a pass.
 * The forward passes compute the earliest times that travel and the lower
 * bounds lb allow (window starts, raised where a ride was found too long:
 * the pickup must start at least that late in every schedule) and check the
 * rides and the duration against them. When all hold, those times are a
 * schedule and, being the least solution of fewer constraints, the least
 * one. After FAST_ROUNDS passes the exact sweep decides, so the answer stays
 * exact and the cost linear whatever the route.
 */
#define FAST_ROUNDS 3

enum pass_result { PASS_OK, PASS_WINDOW, PASS_RIDE };

/* One pass from index `from` on (ev->early[0..from-1] given). On PASS_RIDE
 * the broken rides' pickups (or the departure) got higher lower bounds and
 * *restart is the first of them. */
static enum pass_result
forward_pass(struct darp_route_eval *ev, int v, const int *seq, int K, int from, int *restart)
{
    const struct darp_model *m = ev->m;
    double *B = ev->early, *lb = ev->lb;
    for (int k = from; k < K; k++) {
        B[k] = k == 0 ? lb[0] : dmax(lb[k], B[k - 1] + ev->c[k - 1]);
        if (B[k] > ev->wl[k] + DARP_EPS)
            return PASS_WINDOW;
    }
    *restart = K;
    for (int k = from < 1 ? 1 : from; k < K - 1; k++) {
        int r = m->nodes[seq[k]].request;
        if (m->requests[r].dropoff != seq[k])
            continue;
        int a = ev->ppos[r];
        double need = B[k] - m->requests[r].max_ride - m->nodes[seq[a]].service;
        if (need > B[a] + DARP_EPS) {
            lb[a] = need;
            if (a < *restart)
                *restart = a;
        }
    }
    if (B[K - 1] - B[0] > m->vehicles[v].max_duration + DARP_EPS) {
        lb[0] = B[K - 1] - m->vehicles[v].max_duration;
        *restart = 0;
    }
    return *restart == K ? PASS_OK : PASS_RIDE;
}

/* Earliest schedule of seq given ev->early[0..from-1] and the lower bounds
 * ev->lb, all of them at or below the least schedule: then a broken window
 * is a proof. */
static bool
least_schedule_from(struct darp_route_eval *ev, int v, const int *seq, int K, int from)
{
    for (int round = 0; round < FAST_ROUNDS; round++) {
        int restart;
        enum pass_result r = forward_pass(ev, v, seq, K, from, &restart);
        if (r == PASS_OK)
            return true;
        if (r == PASS_WINDOW)
            return false;
        from = restart;
    }
    return least_exact(ev, v, seq, K);
}

/* Latest times that travel and the window ends allow (one pass, the mirror
 * of forward_pass): the greatest schedule when no ride is too long. More
 * rounds do not pay here: the exact sweep follows at once. */
static enum pass_result
backward_pass(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    const struct darp_model *m = ev->m;
    double *Z = ev->late;
    for (int k = K - 1; k >= 0; k--) {
        Z[k] = k == K - 1 ? ev->wl[k] : dmin(ev->wl[k], Z[k + 1] - ev->c[k]);
        if (Z[k] < ev->we[k] - DARP_EPS)
            return PASS_WINDOW;
    }
    for (int k = 1; k < K - 1; k++) {
        int r = m->nodes[seq[k]].request;
        if (m->requests[r].dropoff != seq[k])
            continue;
        int a = ev->ppos[r];
        if (Z[k] - Z[a] - m->nodes[seq[a]].service > m->requests[r].max_ride + DARP_EPS)
            return PASS_RIDE;
    }
    return Z[K - 1] - Z[0] > m->vehicles[v].max_duration + DARP_EPS ? PASS_RIDE : PASS_OK;
}

static bool
least_schedule(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    memcpy(ev->lb, ev->we, (size_t)K * sizeof(double));
    return least_schedule_from(ev, v, seq, K, 0);
}

/* The latest times upper-bound every schedule, so a window they break proves
 * infeasibility. */
static bool
greatest_schedule(struct darp_route_eval *ev, int v, const int *seq, int K)
{
    enum pass_result r = backward_pass(ev, v, seq, K);
    return r == PASS_OK || (r == PASS_RIDE && greatest_exact(ev, v, seq, K));
}

static int
fill_seq(struct darp_route_eval *ev, int v, const int *stops, int n)
{
    const struct darp_vehicle *veh = &ev->m->vehicles[v];
    ev->seq[0] = veh->start;
    if (n > 0)
        memcpy(ev->seq + 1, stops, (size_t)n * sizeof(int));
    ev->seq[n + 1] = veh->end;
    return n + 2;
}

static bool
eval_seq(struct darp_route_eval *ev, int v, const int *seq, int K, bool want_late)
{
    if (!check_structure(ev, v, seq, K))
        return false;
    setup_times(ev, v, seq, K);
    if (!least_schedule(ev, v, seq, K))
        return false;
    return !want_late || greatest_schedule(ev, v, seq, K);
}

bool
darp_route_window(struct darp_route_eval *ev, int v, const int *stops, int n, double *early,
                  double *late)
{
    if (v < 0 || v >= ev->m->n_vehicles || n < 0 || n + 2 > ev->cap)
        return false;
    int K = fill_seq(ev, v, stops, n);
    if (!eval_seq(ev, v, ev->seq, K, late != NULL))
        return false;
    if (early)
        memcpy(early, ev->early, (size_t)K * sizeof(double));
    if (late)
        memcpy(late, ev->late, (size_t)K * sizeof(double));
    return true;
}

bool
darp_route_feasible(struct darp_route_eval *ev, int v, const int *stops, int n, double *times)
{
    return darp_route_window(ev, v, stops, n, times, NULL);
}

/* Passengers a node brings on board (negative for a dropoff). */
static int
passengers(const struct darp_model *m, int node)
{
    int q = 0;
    for (int d = 0; d < m->n_dims; d++)
        q += m->nodes[node].load[d];
    return q;
}

/* Passenger-minutes on board (see darp_model.ride_weight). During a stop's
 * service the passengers who stay count: at a pickup those already on
 * board, at a dropoff those who remain. */
static double
ride_minutes(const struct darp_model *m, const int *stops, int n)
{
    double total = 0;
    int on = 0;
    for (int k = 0; k + 1 < n; k++) {
        int after = on + passengers(m, stops[k]);
        total += (after < on ? after : on) * m->nodes[stops[k]].service +
                 after * darp_model_time(m, stops[k], stops[k + 1]);
        on = after;
    }
    return total;
}

double
darp_route_cost(const struct darp_model *m, int v, const int *stops, int n)
{
    if (n == 0)
        return 0;
    const struct darp_vehicle *veh = &m->vehicles[v];
    double sum = darp_model_cost(m, veh->start, stops[0]);
    for (int k = 0; k + 1 < n; k++)
        sum += darp_model_cost(m, stops[k], stops[k + 1]);
    sum += darp_model_cost(m, stops[n - 1], veh->end);
    return m->ride_weight > 0 ? sum + m->ride_weight * ride_minutes(m, stops, n) : sum;
}

void
darp_route_apply_insertion(const struct darp_model *m, const int *stops, int n, int request,
                           const struct darp_insertion *ins, int *out)
{
    const struct darp_request *q = &m->requests[request];
    int k = 0;
    for (int pos = 0; pos < n + 2; pos++) {
        if (pos == ins->pickup_pos)
            out[pos] = q->pickup;
        else if (pos == ins->dropoff_pos)
            out[pos] = q->dropoff;
        else
            out[pos] = stops[k++];
    }
}

static void
push_cand(struct darp_route_eval *ev, int *ncand, double delta, int i, int j)
{
    if (*ncand == ev->ncand_cap) {
        ev->ncand_cap *= 2;
        ev->cand = xreallocarray(ev->cand, (size_t)ev->ncand_cap, sizeof(*ev->cand));
    }
    ev->cand[*ncand] = (struct darp_insertion){delta, i, j + 1};
    (*ncand)++;
}

static int
cand_cmp(const void *a, const void *b)
{
    const struct darp_insertion *x = a, *y = b;
    if (x->delta != y->delta)
        return x->delta < y->delta ? -1 : 1;
    if (x->pickup_pos != y->pickup_pos)
        return x->pickup_pos - y->pickup_pos;
    return x->dropoff_pos - y->dropoff_pos;
}

static bool
load_fits(const int *load, const int *capacity, int n_dims, const int *q)
{
    for (int d = 0; d < n_dims; d++)
        if (load[d] + q[d] > capacity[d])
            return false;
    return true;
}

/* Earliest service start at node x when coming from sequence index a. */
static double
arrive_from(const struct darp_route_eval *ev, int a, int x)
{
    const struct darp_model *m = ev->m;
    double t = ev->base_early[a] + m->nodes[ev->base_seq[a]].service +
               darp_model_time(m, ev->base_seq[a], x);
    return dmax(t, m->nodes[x].e);
}

/*
 * Candidates for pickup between sequence indices i and i+1 and dropoff
 * between j and j+1 (j >= i). The pre-checks use the earliest/latest
 * schedules of the current route: inserting stops can only delay the
 * earliest and advance the latest times of the existing ones (triangle
 * inequality), so a candidate failing them is infeasible.
 */
static int
collect_candidates(struct darp_route_eval *ev, int v, int K, int request, int min_pos, double bound)
{
    const struct darp_model *m = ev->m;
    const struct darp_request *q = &m->requests[request];
    const struct darp_node *P = &m->nodes[q->pickup], *D = &m->nodes[q->dropoff];
    const int *s = ev->base_seq;
    int p = q->pickup, d = q->dropoff, ncand = 0;
    double tpd = P->service + darp_model_time(m, p, d), rw = m->ride_weight;
    int qn = passengers(m, p);
    const int *on = ev->base_on;
    const double *W = ev->base_W;
    for (int i = min_pos; i < K - 1; i++) {
        if (ev->base_early[i] > P->l + DARP_EPS)
            break; /* schedules only get later along the route */
        double bp = arrive_from(ev, i, p);
        if (bp > P->l + DARP_EPS ||
            !load_fits(ev->base_load[i], m->vehicles[v].capacity, m->n_dims, P->load))
            continue;
        double cp = darp_model_cost(m, s[i], p) - darp_model_cost(m, s[i], s[i + 1]);
        /* dropoff right after the pickup */
        double bd = dmax(bp + tpd, D->e);
        if (bd <= D->l + DARP_EPS &&
            bd + D->service + darp_model_time(m, d, s[i + 1]) <= ev->base_late[i + 1] + DARP_EPS) {
            double delta = cp + darp_model_cost(m, p, d) + darp_model_cost(m, d, s[i + 1]);
            if (rw > 0) /* the detour for those on board, and the new ride */
                delta += rw * (on[i] * (darp_model_time(m, s[i], p) + tpd + D->service +
                                        darp_model_time(m, d, s[i + 1]) -
                                        darp_model_time(m, s[i], s[i + 1])) +
                               qn * darp_model_time(m, p, d));
            if (delta < bound)
                push_cand(ev, &ncand, delta, i, i);
        }
        if (bp + P->service + darp_model_time(m, p, s[i + 1]) > ev->base_late[i + 1] + DARP_EPS)
            continue;
        cp += darp_model_cost(m, p, s[i + 1]);
        /* ride minutes of the pickup's detour, and the new ride up to s[i + 1] */
        double rp = rw > 0 ? rw * (on[i] * (darp_model_time(m, s[i], p) + P->service +
                                            darp_model_time(m, p, s[i + 1]) -
                                            darp_model_time(m, s[i], s[i + 1])) +
                                   qn * (darp_model_time(m, p, s[i + 1]) - W[i + 1]))
                           : 0;
        /* latest pickup service end: bounds the ride time from below */
        double lp =
            dmin(P->l, ev->base_late[i + 1] - P->service - darp_model_time(m, p, s[i + 1])) +
            P->service;
        /* ej: earliest start at s[j] once the pickup has pushed the stops
         * after it (ride-time pushes ignored, so still a lower bound) */
        double ej = dmax(ev->base_early[i + 1], bp + P->service + darp_model_time(m, p, s[i + 1]));
        for (int j = i + 1; j < K - 1; j++) {
            if (j > i + 1)
                ej = dmax(ev->base_early[j],
                          ej + m->nodes[s[j - 1]].service + darp_model_time(m, s[j - 1], s[j]));
            if (!load_fits(ev->base_load[j], m->vehicles[v].capacity, m->n_dims, P->load))
                break; /* the passenger would be on board past capacity */
            if (ej > ev->base_late[j] + DARP_EPS || ej > D->l + DARP_EPS ||
                ej - lp > q->max_ride + DARP_EPS)
                break; /* the push is too late here, so for every later j too */
            bd = dmax(D->e, ej + m->nodes[s[j]].service + darp_model_time(m, s[j], d));
            if (bd > D->l + DARP_EPS || bd - lp > q->max_ride + DARP_EPS ||
                bd + D->service + darp_model_time(m, d, s[j + 1]) > ev->base_late[j + 1] + DARP_EPS)
                continue;
            double delta = cp + darp_model_cost(m, s[j], d) + darp_model_cost(m, d, s[j + 1]) -
                           darp_model_cost(m, s[j], s[j + 1]);
            if (rw > 0)
                delta +=
                    rp + rw * (on[j] * (darp_model_time(m, s[j], d) + D->service +
                                        darp_model_time(m, d, s[j + 1]) -
                                        darp_model_time(m, s[j], s[j + 1])) +
                               qn * (W[j] + m->nodes[s[j]].service + darp_model_time(m, s[j], d)));
            if (delta < bound)
                push_cand(ev, &ncand, delta, i, j);
        }
    }
    return ncand;
}

/* Evaluates the route once and keeps its schedules, unless it is the route
 * prepared last time (compared by content, so a stale cache cannot be used). */
static bool
prepare_base(struct darp_route_eval *ev, int v, const int *stops, int n)
{
    if (ev->base_v == v && ev->base_K == n + 2 &&
        (n == 0 || memcmp(ev->base_seq + 1, stops, (size_t)n * sizeof(int)) == 0))
        return true;
    ev->base_v = -1;
    int K = fill_seq(ev, v, stops, n);
    if (!eval_seq(ev, v, ev->seq, K, true))
        return false;
    memcpy(ev->base_seq, ev->seq, (size_t)K * sizeof(int));
    memcpy(ev->base_early, ev->early, (size_t)K * sizeof(double));
    memcpy(ev->base_late, ev->late, (size_t)K * sizeof(double));
    memcpy(ev->base_load, ev->load, (size_t)K * sizeof(*ev->load));
    ev->base_W[0] = 0;
    for (int k = 0; k < K; k++) {
        if (k > 0)
            ev->base_W[k] = ev->base_W[k - 1] + ev->c[k - 1];
        ev->base_on[k] = 0;
        for (int d = 0; d < ev->m->n_dims; d++)
            ev->base_on[k] += ev->load[k][d];
    }
    ev->base_v = v;
    ev->base_K = K;
    return true;
}

/* Index of the cheapest remaining candidate (ties by position). */
static int
cheapest(const struct darp_insertion *c, int n)
{
    int best = 0;
    for (int k = 1; k < n; k++)
        if (cand_cmp(&c[k], &c[best]) < 0)
            best = k;
    return best;
}

/* True when the insertion at new indices P (pickup) and D (dropoff) slows
 * down every old leg it splits: the detour through the new stops takes at
 * least as long as the leg did. That is the triangle inequality, checked
 * only where it matters; with it every constraint among the old stops is as
 * tight as before, so their old earliest times stay lower bounds. */
static bool
detour_not_shorter(const struct darp_route_eval *ev, const int *seq, int P, int D)
{
    int legs[2][2] = {{P - 1, P + 1}, {D - 1, D + 1}}, n = 2;
    if (D == P + 1) {
        legs[0][1] = D + 1;
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        int a = legs[i][0], b = legs[i][1];
        double detour = 0;
        for (int k = a; k < b; k++)
            detour += ev->c[k];
        if (detour + DARP_EPS <
            ev->m->nodes[seq[a]].service + darp_model_time(ev->m, seq[a], seq[b]))
            return false;
    }
    return true;
}

/* Exact check of the prepared route with one request inserted. Pairing and
 * capacity were settled exactly by the pre-checks, so only the schedule is
 * left. The passes start at the pickup from the route's earliest times (the
 * stops before it keep them) when those are lower bounds of the new least
 * schedule, else from the start. */
static bool
try_candidate(struct darp_route_eval *ev, int v, const int *stops, int n, int request,
              const struct darp_insertion *ins)
{
    const struct darp_model *m = ev->m;
    int *seq = ev->ins, K = n + 4;
    int P = ins->pickup_pos + 1, D = ins->dropoff_pos + 1;
    seq[0] = m->vehicles[v].start;
    darp_route_apply_insertion(m, stops, n, request, ins, seq + 1);
    seq[K - 1] = m->vehicles[v].end;
    setup_times(ev, v, seq, K);
    for (int k = 1; k < K - 3; k++) { /* old sequence index k moves right */
        int node = ev->base_seq[k], r = m->nodes[node].request;
        if (m->requests[r].pickup == node)
            ev->ppos[r] = k + (k >= P) + (k >= D - 1);
    }
    ev->ppos[request] = P;
    if (!detour_not_shorter(ev, seq, P, D)) /* old times may be too late */
        return least_schedule(ev, v, seq, K);
    memcpy(ev->early, ev->base_early, (size_t)P * sizeof(double));
    memcpy(ev->lb, ev->base_early, (size_t)P * sizeof(double));
    memcpy(ev->lb + P, ev->we + P, (size_t)(K - P) * sizeof(double));
    return least_schedule_from(ev, v, seq, K, P);
}

bool
darp_route_best_insertion(struct darp_route_eval *ev, int v, const int *stops, int n, int request,
                          int min_pos, double bound, struct darp_insertion *out)
{
    const struct darp_model *m = ev->m;
    if (v < 0 || v >= m->n_vehicles || n + 4 > ev->cap || min_pos < 0 || min_pos > n)
        return false;
    if (!prepare_base(ev, v, stops, n))
        return false;
    int ncand = collect_candidates(ev, v, ev->base_K, request, min_pos, bound);
    /* Exact checks in order of cost. The cheapest usually passes, so take
     * minima one at a time first and sort only when many fail. */
    for (int tries = 0; tries < 8 && ncand > 0; tries++) {
        int k = cheapest(ev->cand, ncand);
        struct darp_insertion ins = ev->cand[k];
        ev->cand[k] = ev->cand[--ncand];
        if (try_candidate(ev, v, stops, n, request, &ins)) {
            *out = ins;
            return true;
        }
    }
    qsort(ev->cand, (size_t)ncand, sizeof(*ev->cand), cand_cmp);
    for (int k = 0; k < ncand; k++) {
        if (try_candidate(ev, v, stops, n, request, &ev->cand[k])) {
            *out = ev->cand[k];
            return true;
        }
    }
    return false;
}
