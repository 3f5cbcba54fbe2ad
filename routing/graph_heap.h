/* A binary min-heap of (key, node) for the Dijkstra searches of the graph
 * modules. Stale entries are not removed: searches skip a popped node whose
 * key is larger than its current distance ("lazy deletion"), which is
 * simpler and faster than decrease-key on road graphs. */
#ifndef RITMO_ROUTING_GRAPH_HEAP_H
#define RITMO_ROUTING_GRAPH_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/xalloc.h"

struct graph_heap_item {
    uint64_t key;
    uint32_t node;
};

struct graph_heap {
    struct graph_heap_item *a;
    size_t len, cap;
};

static inline void
graph_heap_push(struct graph_heap *h, uint64_t key, uint32_t node)
{
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 256;
        h->a = xreallocarray(h->a, h->cap, sizeof *h->a);
    }
    size_t i = h->len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->a[p].key <= key)
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = (struct graph_heap_item){key, node};
}

static inline struct graph_heap_item
graph_heap_pop(struct graph_heap *h)
{
    struct graph_heap_item top = h->a[0];
    struct graph_heap_item last = h->a[--h->len];
    size_t i = 0, n = h->len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h->a[c + 1].key < h->a[c].key)
            c++;
        if (last.key <= h->a[c].key)
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (n)
        h->a[i] = last;
    return top;
}

#endif
