/* Queries on the road graph: bidirectional Dijkstra, contraction hierarchy
 * queries with stall-on-demand, bucket-based many-to-many, and paths. */
#include "routing/graph_query.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "routing/graph_heap.h"
#include "routing/graph_internal.h"

#define NONE UINT32_MAX

/* Per-query working memory: distances for both search directions. An entry
 * is valid only when its mark equals the current stamp, so starting a query
 * costs nothing however large the graph. */
struct scratch {
    struct scratch *next;
    uint32_t *dist[2], *mark[2], *pred;
    uint32_t stamp;
    struct graph_heap heap[2];
};

struct graph_pool {
    pthread_mutex_t lock;
    struct scratch *free;
};

struct seed {
    uint32_t node, off;
};

struct adj {
    const uint32_t *first, *head, *w;
};

struct graph_pool *
graph_pool_create(void)
{
    struct graph_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void
graph_pool_free(struct graph_pool *p)
{
    if (!p)
        return;
    while (p->free) {
        struct scratch *s = p->free;
        p->free = s->next;
        for (int d = 0; d < 2; d++) {
            free(s->dist[d]);
            free(s->mark[d]);
            free(s->heap[d].a);
        }
        free(s->pred);
        free(s);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static struct scratch *
acquire(const struct graph *g)
{
    pthread_mutex_lock(&g->pool->lock);
    struct scratch *s = g->pool->free;
    if (s)
        g->pool->free = s->next;
    pthread_mutex_unlock(&g->pool->lock);
    if (s)
        return s;
    s = xcalloc(1, sizeof *s);
    for (int d = 0; d < 2; d++) {
        s->dist[d] = xmalloc(((size_t)g->n + 1) * sizeof(uint32_t));
        s->mark[d] = xcalloc((size_t)g->n + 1, sizeof(uint32_t));
    }
    s->pred = xmalloc(((size_t)g->n + 1) * sizeof(uint32_t));
    return s;
}

static void
release(const struct graph *g, struct scratch *s)
{
    pthread_mutex_lock(&g->pool->lock);
    s->next = g->pool->free;
    g->pool->free = s;
    pthread_mutex_unlock(&g->pool->lock);
}

static void
begin(const struct graph *g, struct scratch *s)
{
    if (++s->stamp == 0) {
        for (int d = 0; d < 2; d++)
            memset(s->mark[d], 0, ((size_t)g->n + 1) * sizeof(uint32_t));
        s->stamp = 1;
    }
    s->heap[0].len = s->heap[1].len = 0;
}

static inline uint32_t
dget(const struct scratch *s, int d, uint32_t v)
{
    return s->mark[d][v] == s->stamp ? s->dist[d][v] : NONE;
}

static inline void
dset(struct scratch *s, int d, uint32_t v, uint32_t val)
{
    s->mark[d][v] = s->stamp;
    s->dist[d][v] = val;
}

/* Offset (in the metric) from the segment's first node to the point. The
 * same rounding everywhere keeps CH and Dijkstra answers identical. */
static uint32_t
snap_off_u(const struct graph *g, const struct graph_snap *p, int metric)
{
    return (uint32_t)llround(p->t * g->seg_w[metric][p->seg]);
}

/* Nodes a car reaches first when leaving point p, with their cost. */
static int
source_seeds(const struct graph *g, const struct graph_snap *p, int metric, struct seed *out)
{
    uint32_t w = g->seg_w[metric][p->seg], ou = snap_off_u(g, p, metric);
    int k = 0;
    if (g->seg_flags[p->seg] & GRAPH_SEG_FWD)
        out[k++] = (struct seed){g->seg_v[p->seg], w - ou};
    if (g->seg_flags[p->seg] & GRAPH_SEG_BWD)
        out[k++] = (struct seed){g->seg_u[p->seg], ou};
    return k;
}

/* Nodes from which a car arrives at point p, with the remaining cost. */
static int
target_seeds(const struct graph *g, const struct graph_snap *p, int metric, struct seed *out)
{
    uint32_t w = g->seg_w[metric][p->seg], ou = snap_off_u(g, p, metric);
    int k = 0;
    if (g->seg_flags[p->seg] & GRAPH_SEG_FWD)
        out[k++] = (struct seed){g->seg_u[p->seg], ou};
    if (g->seg_flags[p->seg] & GRAPH_SEG_BWD)
        out[k++] = (struct seed){g->seg_v[p->seg], w - ou};
    return k;
}

/* Both points on one segment: driving straight along it, if allowed. */
static uint32_t
same_segment(const struct graph *g, const struct graph_snap *a, const struct graph_snap *b,
             int metric)
{
    if (a->seg != b->seg)
        return NONE;
    uint32_t oa = snap_off_u(g, a, metric), ob = snap_off_u(g, b, metric);
    uint32_t best = NONE;
    if ((g->seg_flags[a->seg] & GRAPH_SEG_FWD) && oa <= ob)
        best = ob - oa;
    if ((g->seg_flags[a->seg] & GRAPH_SEG_BWD) && oa >= ob && oa - ob < best)
        best = oa - ob;
    return best;
}

static void
push_seeds(struct scratch *s, int d, const struct seed *seeds, int n)
{
    for (int i = 0; i < n; i++) {
        if (seeds[i].off < dget(s, d, seeds[i].node)) {
            dset(s, d, seeds[i].node, seeds[i].off);
            s->pred[seeds[i].node] = NONE;
            graph_heap_push(&s->heap[d], seeds[i].off, seeds[i].node);
        }
    }
}

/* Stall-on-demand: v need not be expanded when a higher node already
 * offers a shorter way into it (the arcs of the opposite direction). */
static bool
stalled(const struct scratch *s, int d, const struct adj *other, uint32_t v, uint32_t dv)
{
    for (uint32_t a = other->first[v]; a < other->first[v + 1]; a++) {
        uint32_t dw = dget(s, d, other->head[a]);
        if (dw != NONE && (uint64_t)dw + other->w[a] < dv)
            return true;
    }
    return false;
}

/* Settle one node in direction d; updates *best where the searches meet. */
static void
step(struct scratch *s, int d, const struct adj *adj, bool ch, uint64_t *best)
{
    struct graph_heap_item it = graph_heap_pop(&s->heap[d]);
    uint32_t v = it.node;
    if (it.key > dget(s, d, v))
        return;
    uint32_t o = dget(s, 1 - d, v);
    if (o != NONE && it.key + o < *best)
        *best = it.key + o;
    if (ch && stalled(s, d, &adj[1 - d], v, (uint32_t)it.key))
        return;
    const struct adj *a = &adj[d];
    for (uint32_t e = a->first[v]; e < a->first[v + 1]; e++) {
        uint32_t x = a->head[e];
        uint64_t nd = it.key + a->w[e];
        if (nd < dget(s, d, x)) {
            dset(s, d, x, (uint32_t)nd);
            graph_heap_push(&s->heap[d], nd, x);
            uint32_t ox = dget(s, 1 - d, x);
            if (ox != NONE && nd + ox < *best)
                *best = nd + ox;
        }
    }
}

static uint32_t
bidirectional(const struct adj adj[2], bool ch, struct scratch *s, const struct seed *src, int ns,
              const struct seed *dst, int nd)
{
    uint64_t best = NONE;
    push_seeds(s, 0, src, ns);
    push_seeds(s, 1, dst, nd);
    for (int i = 0; i < nd; i++) {
        uint32_t f = dget(s, 0, dst[i].node);
        if (f != NONE && (uint64_t)f + dst[i].off < best)
            best = (uint64_t)f + dst[i].off;
    }
    for (int turn = 0;; turn ^= 1) {
        struct graph_heap *h = s->heap;
        if (ch) {
            /* Each upward search runs until its smallest key reaches best. */
            bool live0 = h[0].len && h[0].a[0].key < best;
            bool live1 = h[1].len && h[1].a[0].key < best;
            if (!live0 && !live1)
                break;
            int d = live0 && live1 ? turn : (live0 ? 0 : 1);
            step(s, d, adj, true, &best);
        } else {
            if (!h[0].len || !h[1].len || h[0].a[0].key + h[1].a[0].key >= best)
                break;
            step(s, h[0].a[0].key <= h[1].a[0].key ? 0 : 1, adj, false, &best);
        }
    }
    return best >= NONE ? NONE : (uint32_t)best;
}

static void
adjacency(const struct graph *g, int metric, enum graph_algo algo, struct adj adj[2])
{
    if (algo == GRAPH_ALGO_CH) {
        const struct graph_ch *c = &g->ch[metric];
        adj[0] = (struct adj){c->up_first, c->up_head, c->up_w};
        adj[1] = (struct adj){c->down_first, c->down_head, c->down_w};
    } else {
        adj[0] = (struct adj){g->fwd_first, g->fwd_head, g->fwd_w[metric]};
        adj[1] = (struct adj){g->bwd_first, g->bwd_head, g->bwd_w[metric]};
    }
}

static uint32_t
route_seeds(const struct graph *g, const struct seed *src, int ns, const struct seed *dst, int nd,
            enum graph_metric metric, enum graph_algo algo)
{
    struct adj adj[2];
    adjacency(g, metric, algo, adj);
    struct scratch *s = acquire(g);
    begin(g, s);
    uint32_t w = bidirectional(adj, algo == GRAPH_ALGO_CH, s, src, ns, dst, nd);
    release(g, s);
    return w;
}

uint32_t
graph_route(const struct graph *g, const struct graph_snap *from, const struct graph_snap *to,
            enum graph_metric metric, enum graph_algo algo)
{
    struct seed src[2], dst[2];
    int ns = source_seeds(g, from, metric, src);
    int nd = target_seeds(g, to, metric, dst);
    uint32_t w = route_seeds(g, src, ns, dst, nd, metric, algo);
    uint32_t direct = same_segment(g, from, to, metric);
    return direct < w ? direct : w;
}

uint32_t
graph_route_nodes(const struct graph *g, uint32_t s, uint32_t t, enum graph_metric metric,
                  enum graph_algo algo)
{
    struct seed src = {s, 0}, dst = {t, 0};
    return route_seeds(g, &src, 1, &dst, 1, metric, algo);
}

/* A full upward search from the seeds; visit(v, dist) for every settled,
 * unstalled node. */
static void
upward(const struct adj adj[2], int d, struct scratch *s, const struct seed *seeds, int n,
       void (*visit)(void *, uint32_t, uint32_t), void *arg)
{
    push_seeds(s, d, seeds, n);
    while (s->heap[d].len) {
        struct graph_heap_item it = graph_heap_pop(&s->heap[d]);
        uint32_t v = it.node;
        if (it.key > dget(s, d, v))
            continue;
        if (stalled(s, d, &adj[1 - d], v, (uint32_t)it.key))
            continue;
        visit(arg, v, (uint32_t)it.key);
        for (uint32_t e = adj[d].first[v]; e < adj[d].first[v + 1]; e++) {
            uint32_t x = adj[d].head[e];
            uint64_t nd = it.key + adj[d].w[e];
            if (nd < dget(s, d, x)) {
                dset(s, d, x, (uint32_t)nd);
                graph_heap_push(&s->heap[d], nd, x);
            }
        }
    }
}

struct bucket_entry {
    uint32_t node, target, dist;
};

struct matrix_ctx {
    struct bucket_entry *ent;
    size_t len, cap;
    uint32_t target;
    const uint32_t *bfirst;
    const struct bucket_entry *sorted;
    uint32_t *row;
};

static void
collect(void *arg, uint32_t v, uint32_t d)
{
    struct matrix_ctx *m = arg;
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->ent = xreallocarray(m->ent, m->cap, sizeof *m->ent);
    }
    m->ent[m->len++] = (struct bucket_entry){v, m->target, d};
}

static void
scan(void *arg, uint32_t v, uint32_t d)
{
    struct matrix_ctx *m = arg;
    for (uint32_t i = m->bfirst[v]; i < m->bfirst[v + 1]; i++) {
        uint64_t c = (uint64_t)d + m->sorted[i].dist;
        if (c < m->row[m->sorted[i].target])
            m->row[m->sorted[i].target] = (uint32_t)c;
    }
}

static void
matrix_ch(const struct graph *g, const struct graph_snap *from, size_t nfrom,
          const struct graph_snap *to, size_t nto, int metric, uint32_t *out)
{
    struct adj adj[2];
    struct seed seeds[2];
    struct matrix_ctx m = {0};
    adjacency(g, metric, GRAPH_ALGO_CH, adj);
    struct scratch *s = acquire(g);
    for (size_t j = 0; j < nto; j++) {
        begin(g, s);
        m.target = (uint32_t)j;
        upward(adj, 1, s, seeds, target_seeds(g, &to[j], metric, seeds), collect, &m);
    }
    /* Buckets: the entries grouped by node (counting sort). */
    uint32_t *bfirst = xcalloc((size_t)g->n + 2, sizeof *bfirst);
    struct bucket_entry *sorted = xmalloc((m.len + 1) * sizeof *sorted);
    for (size_t i = 0; i < m.len; i++)
        bfirst[m.ent[i].node + 1]++;
    for (uint32_t v = 0; v < g->n; v++)
        bfirst[v + 1] += bfirst[v];
    for (size_t i = 0; i < m.len; i++)
        sorted[bfirst[m.ent[i].node]++] = m.ent[i];
    memmove(bfirst + 1, bfirst, (size_t)g->n * sizeof *bfirst);
    bfirst[0] = 0;
    m.bfirst = bfirst;
    m.sorted = sorted;
    for (size_t i = 0; i < nfrom; i++) {
        begin(g, s);
        m.row = out + i * nto;
        upward(adj, 0, s, seeds, source_seeds(g, &from[i], metric, seeds), scan, &m);
    }
    release(g, s);
    free(bfirst);
    free(sorted);
    free(m.ent);
}

/* Plain one-to-many Dijkstra for one source, stopping once every target
 * node is settled. */
static void
matrix_dijkstra_row(const struct graph *g, struct scratch *s, const struct adj *adj,
                    const struct graph_snap *from, const struct graph_snap *to, size_t nto,
                    int metric, uint32_t *row)
{
    struct seed seeds[2], tseeds[2];
    uint32_t pending = 0;
    begin(g, s);
    for (size_t j = 0; j < nto; j++) {
        int k = target_seeds(g, &to[j], metric, tseeds);
        for (int i = 0; i < k; i++) {
            if (dget(s, 1, tseeds[i].node) == NONE) {
                dset(s, 1, tseeds[i].node, 0);
                pending++;
            }
        }
    }
    push_seeds(s, 0, seeds, source_seeds(g, from, metric, seeds));
    while (s->heap[0].len && pending) {
        struct graph_heap_item it = graph_heap_pop(&s->heap[0]);
        if (it.key > dget(s, 0, it.node))
            continue;
        if (dget(s, 1, it.node) == 0) {
            dset(s, 1, it.node, 1);
            pending--;
        }
        for (uint32_t e = adj->first[it.node]; e < adj->first[it.node + 1]; e++) {
            uint64_t nd = it.key + adj->w[e];
            if (nd < dget(s, 0, adj->head[e])) {
                dset(s, 0, adj->head[e], (uint32_t)nd);
                graph_heap_push(&s->heap[0], nd, adj->head[e]);
            }
        }
    }
    for (size_t j = 0; j < nto; j++) {
        int k = target_seeds(g, &to[j], metric, tseeds);
        for (int i = 0; i < k; i++) {
            uint32_t d = dget(s, 0, tseeds[i].node);
            if (d != NONE && (uint64_t)d + tseeds[i].off < row[j])
                row[j] = d + tseeds[i].off;
        }
    }
}

void
graph_matrix(const struct graph *g, const struct graph_snap *from, size_t nfrom,
             const struct graph_snap *to, size_t nto, enum graph_metric metric,
             enum graph_algo algo, uint32_t *out)
{
    for (size_t i = 0; i < nfrom * nto; i++)
        out[i] = NONE;
    if (algo == GRAPH_ALGO_CH) {
        matrix_ch(g, from, nfrom, to, nto, metric, out);
    } else {
        struct adj adj[2];
        adjacency(g, metric, GRAPH_ALGO_DIJKSTRA, adj);
        struct scratch *s = acquire(g);
        for (size_t i = 0; i < nfrom; i++)
            matrix_dijkstra_row(g, s, &adj[0], &from[i], to, nto, metric, out + i * nto);
        release(g, s);
    }
    for (size_t i = 0; i < nfrom; i++) {
        for (size_t j = 0; j < nto; j++) {
            uint32_t direct = same_segment(g, &from[i], &to[j], metric);
            if (direct < out[i * nto + j])
                out[i * nto + j] = direct;
        }
    }
}

/* Dijkstra from the source seeds with predecessors, until the best arrival
 * at a target seed is final; returns the node the path enters p by. */
static uint32_t
path_search(const struct graph *g, struct scratch *s, const struct graph_snap *from,
            const struct graph_snap *to, int metric, uint64_t *best)
{
    struct seed src[2], dst[2];
    int nd = target_seeds(g, to, metric, dst);
    uint32_t last = NONE;
    push_seeds(s, 0, src, source_seeds(g, from, metric, src));
    while (s->heap[0].len && s->heap[0].a[0].key < *best) {
        struct graph_heap_item it = graph_heap_pop(&s->heap[0]);
        uint32_t v = it.node;
        if (it.key > dget(s, 0, v))
            continue;
        for (int i = 0; i < nd; i++) {
            if (dst[i].node == v && it.key + dst[i].off < *best) {
                *best = it.key + dst[i].off;
                last = v;
            }
        }
        for (uint32_t e = g->fwd_first[v]; e < g->fwd_first[v + 1]; e++) {
            uint64_t ndist = it.key + g->fwd_w[metric][e];
            uint32_t x = g->fwd_head[e];
            if (ndist < dget(s, 0, x)) {
                dset(s, 0, x, (uint32_t)ndist);
                s->pred[x] = v;
                graph_heap_push(&s->heap[0], ndist, x);
            }
        }
    }
    return last;
}

bool
graph_path(const struct graph *g, const struct graph_snap *from, const struct graph_snap *to,
           enum graph_metric metric, struct geo_point **points, size_t *npoints, uint32_t *weight)
{
    bool ok = false;
    uint64_t best = same_segment(g, from, to, metric);
    uint32_t direct = (uint32_t)best;
    struct scratch *s = acquire(g);
    begin(g, s);
    uint32_t last = path_search(g, s, from, to, metric, &best);
    if (best >= NONE)
        goto out;
    /* from's road position, the nodes back from last, to's road position */
    size_t n = 2;
    if (best < direct)
        for (uint32_t v = last; v != NONE; v = s->pred[v])
            n++;
    struct geo_point *pts = xmalloc(n * sizeof *pts);
    pts[0] = from->on_road;
    pts[n - 1] = to->on_road;
    size_t k = n - 2;
    if (best < direct)
        for (uint32_t v = last; v != NONE; v = s->pred[v])
            pts[k--] = graph_node_point(g, v);
    *points = pts;
    *npoints = n;
    *weight = (uint32_t)best;
    ok = true;
out:
    release(g, s);
    return ok;
}
