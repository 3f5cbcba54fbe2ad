/* Building contraction hierarchies: nodes are contracted in order of a lazy
 * priority (edge difference plus contracted neighbours); a shortcut u->x is
 * added only when a bounded witness search finds no path at most as short. */
#include "routing/ch.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "routing/graph_heap.h"

#define INF32 UINT32_MAX
/* Witness searches stop after this many settled nodes. A stopped search may
 * add a superfluous shortcut but never drops a needed one, so the limit only
 * trades build time against query time. */
#define WITNESS_SETTLE_LIMIT     400
#define WITNESS_SIM_SETTLE_LIMIT 80

struct edge {
    uint32_t node, w;
};

struct elist {
    struct edge *a;
    uint32_t len, cap;
};

struct ctx {
    uint32_t n;
    struct elist *out, *in; /* among uncontracted nodes only */
    struct elist *up, *down;
    uint32_t *deleted;   /* contracted neighbours, a priority term */
    uint8_t *contracted; /* already contracted */
    /* witness search scratch */
    uint32_t *dist;
    uint32_t *touched;
    uint32_t ntouched;
    struct graph_heap heap;
};

static void
elist_push(struct elist *l, uint32_t node, uint32_t w)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->a = xreallocarray(l->a, l->cap, sizeof *l->a);
    }
    l->a[l->len++] = (struct edge){node, w};
}

/* Add node with weight w, or lower an existing entry's weight. */
static void
elist_set_min(struct elist *l, uint32_t node, uint32_t w)
{
    for (uint32_t i = 0; i < l->len; i++) {
        if (l->a[i].node == node) {
            if (w < l->a[i].w)
                l->a[i].w = w;
            return;
        }
    }
    elist_push(l, node, w);
}

static void
elist_remove(struct elist *l, uint32_t node)
{
    for (uint32_t i = 0; i < l->len; i++) {
        if (l->a[i].node == node) {
            l->a[i] = l->a[--l->len];
            return;
        }
    }
}

static void
witness_reset(struct ctx *c)
{
    for (uint32_t i = 0; i < c->ntouched; i++)
        c->dist[c->touched[i]] = INF32;
    c->ntouched = 0;
    c->heap.len = 0;
}

/* Dijkstra from s among uncontracted nodes, avoiding skip, up to weight
 * limit; c->dist holds the results until the next witness_reset. */
static void
witness_search(struct ctx *c, uint32_t s, uint32_t skip, uint32_t limit, uint32_t settle_limit)
{
    witness_reset(c);
    c->dist[s] = 0;
    c->touched[c->ntouched++] = s;
    graph_heap_push(&c->heap, 0, s);
    uint32_t settled = 0;
    while (c->heap.len && settled < settle_limit) {
        struct graph_heap_item it = graph_heap_pop(&c->heap);
        if (it.key > c->dist[it.node])
            continue;
        if (it.key > limit)
            break;
        settled++;
        const struct elist *l = &c->out[it.node];
        for (uint32_t i = 0; i < l->len; i++) {
            uint32_t x = l->a[i].node;
            if (x == skip)
                continue;
            uint64_t d = it.key + l->a[i].w;
            if (d < c->dist[x]) {
                if (c->dist[x] == INF32)
                    c->touched[c->ntouched++] = x;
                c->dist[x] = (uint32_t)d;
                graph_heap_push(&c->heap, d, x);
            }
        }
    }
}

/* Shortcuts needed to contract v; added to the graph unless simulate. */
static int
contract(struct ctx *c, uint32_t v, int simulate)
{
    int count = 0;
    struct elist *in = &c->in[v], *out = &c->out[v];
    for (uint32_t i = 0; i < in->len; i++) {
        uint32_t u = in->a[i].node, wu = in->a[i].w;
        uint32_t maxw = 0, targets = 0;
        for (uint32_t j = 0; j < out->len; j++) {
            if (out->a[j].node == u)
                continue;
            targets++;
            if (out->a[j].w > maxw)
                maxw = out->a[j].w;
        }
        if (targets == 0)
            continue;
        witness_search(c, u, v, wu + maxw,
                       simulate ? WITNESS_SIM_SETTLE_LIMIT : WITNESS_SETTLE_LIMIT);
        for (uint32_t j = 0; j < out->len; j++) {
            uint32_t x = out->a[j].node;
            uint32_t via = wu + out->a[j].w;
            if (x == u || c->dist[x] <= via)
                continue;
            count++;
            if (!simulate) {
                elist_set_min(&c->out[u], x, via);
                elist_set_min(&c->in[x], u, via);
            }
        }
    }
    return count;
}

static int64_t
priority(struct ctx *c, uint32_t v)
{
    int shortcuts = contract(c, v, 1);
    int removed = (int)(c->in[v].len + c->out[v].len);
    return 4 * (int64_t)(shortcuts - removed) + 2 * (int64_t)c->deleted[v] + ((int64_t)1 << 40);
}

/* Contract v for real: its remaining arcs become its upward arcs. */
static void
contract_node(struct ctx *c, uint32_t v)
{
    contract(c, v, 0);
    struct elist *in = &c->in[v], *out = &c->out[v];
    for (uint32_t j = 0; j < out->len; j++) {
        elist_push(&c->up[v], out->a[j].node, out->a[j].w);
        elist_remove(&c->in[out->a[j].node], v);
        c->deleted[out->a[j].node]++;
    }
    for (uint32_t i = 0; i < in->len; i++) {
        elist_push(&c->down[v], in->a[i].node, in->a[i].w);
        elist_remove(&c->out[in->a[i].node], v);
        c->deleted[in->a[i].node]++;
    }
    free(in->a);
    free(out->a);
    memset(in, 0, sizeof *in);
    memset(out, 0, sizeof *out);
    c->contracted[v] = 1;
}

static void
flatten(uint32_t n, struct elist *lists, uint32_t **first, uint32_t **head, uint32_t **w,
        uint32_t *count)
{
    size_t total = 0;
    for (uint32_t v = 0; v < n; v++)
        total += lists[v].len;
    *first = xmalloc(((size_t)n + 1) * sizeof **first);
    *head = xmalloc((total + 1) * sizeof **head);
    *w = xmalloc((total + 1) * sizeof **w);
    uint32_t k = 0;
    for (uint32_t v = 0; v < n; v++) {
        (*first)[v] = k;
        for (uint32_t i = 0; i < lists[v].len; i++) {
            (*head)[k] = lists[v].a[i].node;
            (*w)[k] = lists[v].a[i].w;
            k++;
        }
        free(lists[v].a);
    }
    (*first)[n] = k;
    *count = k;
}

static void
ctx_init(struct ctx *c, uint32_t n, const uint32_t *first, const uint32_t *head, const uint32_t *w)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    size_t nn = (size_t)n + 1;
    c->out = xcalloc(nn, sizeof *c->out);
    c->in = xcalloc(nn, sizeof *c->in);
    c->up = xcalloc(nn, sizeof *c->up);
    c->down = xcalloc(nn, sizeof *c->down);
    c->deleted = xcalloc(nn, sizeof *c->deleted);
    c->contracted = xcalloc(nn, 1);
    c->dist = xmalloc(nn * sizeof *c->dist);
    c->touched = xmalloc(nn * sizeof *c->touched);
    for (uint32_t v = 0; v < n; v++)
        c->dist[v] = INF32;
    for (uint32_t u = 0; u < n; u++) {
        for (uint32_t a = first[u]; a < first[u + 1]; a++) {
            if (head[a] == u)
                continue;
            elist_set_min(&c->out[u], head[a], w[a]);
            elist_set_min(&c->in[head[a]], u, w[a]);
        }
    }
}

static void
ctx_clear(struct ctx *c)
{
    free(c->out);
    free(c->in);
    free(c->up);
    free(c->down);
    free(c->deleted);
    free(c->contracted);
    free(c->dist);
    free(c->touched);
    free(c->heap.a);
}

void
ch_build(uint32_t n, const uint32_t *first, const uint32_t *head, const uint32_t *w,
         struct ch_result *r)
{
    struct ctx c;
    struct graph_heap order = {0};
    ctx_init(&c, n, first, head, w);
    for (uint32_t v = 0; v < n; v++)
        graph_heap_push(&order, (uint64_t)priority(&c, v), v);
    /* Lazy updates: a popped node whose priority has grown beyond the next
     * one goes back into the queue. */
    while (order.len) {
        struct graph_heap_item it = graph_heap_pop(&order);
        if (c.contracted[it.node])
            continue;
        uint64_t p = (uint64_t)priority(&c, it.node);
        if (order.len && p > order.a[0].key) {
            graph_heap_push(&order, p, it.node);
            continue;
        }
        contract_node(&c, it.node);
    }
    free(order.a);
    memset(r, 0, sizeof *r);
    flatten(n, c.up, &r->up_first, &r->up_head, &r->up_w, &r->n_up);
    flatten(n, c.down, &r->down_first, &r->down_head, &r->down_w, &r->n_down);
    for (uint32_t v = 0; v < n; v++) {
        free(c.out[v].a);
        free(c.in[v].a);
    }
    ctx_clear(&c);
}

void
ch_result_clear(struct ch_result *r)
{
    free(r->up_first);
    free(r->up_head);
    free(r->up_w);
    free(r->down_first);
    free(r->down_head);
    free(r->down_w);
    memset(r, 0, sizeof *r);
}
