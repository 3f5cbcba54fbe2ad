/* From road segments to a serialized, queryable graph: largest strongly
 * connected component, CSR arrays, snapping grid, contraction hierarchies. */
#include "routing/graph_build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"
#include "routing/ch.h"
#include "routing/graph_internal.h"

/* Grid cell height: GRAPH_GRID_STEP_E7; the width is chosen at the middle
 * latitude so that cells are about square. Over an area that would need
 * more than GRID_CELLS_PER_SEG cells a segment (a sparse network, or a few
 * roads far apart) the cells are made coarser, so that the grid stays in
 * proportion to the roads and within what graph_load accepts. */
#define GRID_CELLS_PER_SEG 4
#define GRID_MIN_CELLS     4096

void
graph_roads_init(struct graph_roads *r)
{
    memset(r, 0, sizeof *r);
}

void
graph_roads_clear(struct graph_roads *r)
{
    free(r->lat_e7);
    free(r->lon_e7);
    free(r->seg_u);
    free(r->seg_v);
    free(r->seg_dist_dm);
    free(r->seg_time_ds);
    free(r->seg_flags);
    memset(r, 0, sizeof *r);
}

uint32_t
graph_roads_add_node(struct graph_roads *r, double lat, double lon)
{
    if (r->n == r->cap_n) {
        r->cap_n = r->cap_n ? r->cap_n * 2 : 1024;
        r->lat_e7 = xreallocarray(r->lat_e7, r->cap_n, sizeof *r->lat_e7);
        r->lon_e7 = xreallocarray(r->lon_e7, r->cap_n, sizeof *r->lon_e7);
    }
    r->lat_e7[r->n] = (int32_t)lround(lat * 1e7);
    r->lon_e7[r->n] = (int32_t)lround(lon * 1e7);
    return r->n++;
}

void
graph_roads_add_segment(struct graph_roads *r, uint32_t u, uint32_t v, unsigned flags,
                        uint32_t dist_dm, uint32_t time_ds)
{
    if (r->nseg == r->cap_seg) {
        r->cap_seg = r->cap_seg ? r->cap_seg * 2 : 1024;
        r->seg_u = xreallocarray(r->seg_u, r->cap_seg, sizeof *r->seg_u);
        r->seg_v = xreallocarray(r->seg_v, r->cap_seg, sizeof *r->seg_v);
        r->seg_dist_dm = xreallocarray(r->seg_dist_dm, r->cap_seg, sizeof *r->seg_dist_dm);
        r->seg_time_ds = xreallocarray(r->seg_time_ds, r->cap_seg, sizeof *r->seg_time_ds);
        r->seg_flags = xreallocarray(r->seg_flags, r->cap_seg, sizeof *r->seg_flags);
    }
    uint32_t i = r->nseg++;
    r->seg_u[i] = u;
    r->seg_v[i] = v;
    r->seg_flags[i] = (uint8_t)flags;
    r->seg_dist_dm[i] = dist_dm ? dist_dm : 1;
    r->seg_time_ds[i] = time_ds ? time_ds : 1;
}

/* Directed arcs of the kept segments, as parallel arrays. */
struct arcs {
    uint32_t m;
    uint32_t *tail, *head, *w[GRAPH_METRICS];
};

static void
arcs_from_segments(const struct graph_roads *r, const uint8_t *seg_keep, const uint32_t *map,
                   struct arcs *a)
{
    size_t cap = 2 * (size_t)r->nseg + 1;
    a->m = 0;
    a->tail = xmalloc(cap * sizeof(uint32_t));
    a->head = xmalloc(cap * sizeof(uint32_t));
    for (int k = 0; k < GRAPH_METRICS; k++)
        a->w[k] = xmalloc(cap * sizeof(uint32_t));
    for (uint32_t s = 0; s < r->nseg; s++) {
        if (seg_keep && !seg_keep[s])
            continue;
        uint32_t u = map ? map[r->seg_u[s]] : r->seg_u[s];
        uint32_t v = map ? map[r->seg_v[s]] : r->seg_v[s];
        for (int dir = 0; dir < 2; dir++) {
            if (!(r->seg_flags[s] & (dir ? GRAPH_SEG_BWD : GRAPH_SEG_FWD)))
                continue;
            a->tail[a->m] = dir ? v : u;
            a->head[a->m] = dir ? u : v;
            a->w[0][a->m] = r->seg_dist_dm[s];
            a->w[1][a->m] = r->seg_time_ds[s];
            a->m++;
        }
    }
}

static void
arcs_clear(struct arcs *a)
{
    free(a->tail);
    free(a->head);
    for (int k = 0; k < GRAPH_METRICS; k++)
        free(a->w[k]);
}

/* Counting sort of arcs by from[]: first[n+1] and the arc order perm[m]. */
static void
csr_order(uint32_t n, uint32_t m, const uint32_t *from, uint32_t *first, uint32_t *perm)
{
    memset(first, 0, (n + 1) * sizeof *first);
    for (uint32_t i = 0; i < m; i++)
        first[from[i] + 1]++;
    for (uint32_t v = 0; v < n; v++)
        first[v + 1] += first[v];
    uint32_t *fill = xmalloc((n + 1) * sizeof *fill);
    memcpy(fill, first, (n + 1) * sizeof *fill);
    for (uint32_t i = 0; i < m; i++)
        perm[fill[from[i]]++] = i;
    free(fill);
}

struct tarjan_frame {
    uint32_t v, it;
};

/* Iterative Tarjan: comp[v] receives the component id; returns the count. */
static uint32_t
scc(uint32_t n, const uint32_t *first, const uint32_t *adj, uint32_t *comp)
{
    const uint32_t unset = UINT32_MAX;
    uint32_t *index = xmalloc(n * sizeof *index), *low = xmalloc(n * sizeof *low);
    uint32_t *stack = xmalloc(n * sizeof *stack);
    uint8_t *on = xcalloc(n, 1);
    struct tarjan_frame *call = xmalloc(n * sizeof *call);
    uint32_t next = 0, sp = 0, ncomp = 0;
    for (uint32_t v = 0; v < n; v++)
        index[v] = unset;
    for (uint32_t s = 0; s < n; s++) {
        if (index[s] != unset)
            continue;
        uint32_t depth = 0;
        call[depth++] = (struct tarjan_frame){s, first[s]};
        index[s] = low[s] = next++;
        stack[sp++] = s;
        on[s] = 1;
        while (depth) {
            struct tarjan_frame *f = &call[depth - 1];
            uint32_t v = f->v;
            if (f->it < first[v + 1]) {
                uint32_t w = adj[f->it++];
                if (index[w] == unset) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = 1;
                    call[depth++] = (struct tarjan_frame){w, first[w]};
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            depth--;
            if (depth && low[v] < low[call[depth - 1].v])
                low[call[depth - 1].v] = low[v];
        }
    }
    free(index);
    free(low);
    free(stack);
    free(on);
    free(call);
    return ncomp;
}

/* Mark the nodes of the largest strongly connected component; a car that
 * enters a smaller one (a clipped street, a one-way dead end) could not get
 * back, so those roads must not be routable. */
static uint32_t
largest_scc(const struct graph_roads *r, uint8_t *keep)
{
    struct arcs a;
    arcs_from_segments(r, NULL, NULL, &a);
    uint32_t *first = xmalloc(((size_t)r->n + 1) * sizeof *first);
    uint32_t *perm = xmalloc(((size_t)a.m + 1) * sizeof *perm);
    uint32_t *adj = xmalloc(((size_t)a.m + 1) * sizeof *adj);
    csr_order(r->n, a.m, a.tail, first, perm);
    for (uint32_t i = 0; i < a.m; i++)
        adj[i] = a.head[perm[i]];
    uint32_t *comp = xmalloc(((size_t)r->n + 1) * sizeof *comp);
    uint32_t ncomp = scc(r->n, first, adj, comp);
    uint32_t *size = xcalloc((size_t)ncomp + 1, sizeof *size);
    uint32_t best = 0;
    for (uint32_t v = 0; v < r->n; v++)
        size[comp[v]]++;
    for (uint32_t c = 0; c < ncomp; c++)
        if (size[c] > size[best])
            best = c;
    for (uint32_t v = 0; v < r->n; v++)
        keep[v] = ncomp > 0 && comp[v] == best;
    free(size);
    free(comp);
    free(adj);
    free(perm);
    free(first);
    arcs_clear(&a);
    return ncomp;
}

/* Everything that goes into the file, owned while the build runs. */
struct built {
    struct graph_header hdr;
    uint32_t n, nseg;
    int32_t *lat, *lon;
    uint32_t *seg_u, *seg_v, *seg_w[GRAPH_METRICS];
    uint8_t *seg_flags;
    uint32_t *fwd_first, *fwd_head, *fwd_w[GRAPH_METRICS];
    uint32_t *bwd_first, *bwd_head, *bwd_w[GRAPH_METRICS];
    uint32_t *cell_first, *cell_seg;
    struct ch_result ch[GRAPH_METRICS];
};

static void
built_clear(struct built *b)
{
    free(b->lat);
    free(b->lon);
    free(b->seg_u);
    free(b->seg_v);
    free(b->seg_flags);
    free(b->fwd_first);
    free(b->fwd_head);
    free(b->bwd_first);
    free(b->bwd_head);
    free(b->cell_first);
    free(b->cell_seg);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        free(b->seg_w[k]);
        free(b->fwd_w[k]);
        free(b->bwd_w[k]);
        ch_result_clear(&b->ch[k]);
    }
}

/* Keep the nodes and segments of the largest component, renumbered. */
static void
build_keep(const struct graph_roads *r, struct built *b, struct graph_build_report *rep)
{
    uint8_t *keep = xcalloc((size_t)r->n + 1, 1);
    rep->components = largest_scc(r, keep);
    uint32_t *map = xmalloc(((size_t)r->n + 1) * sizeof *map);
    b->lat = xmalloc(((size_t)r->n + 1) * sizeof *b->lat);
    b->lon = xmalloc(((size_t)r->n + 1) * sizeof *b->lon);
    for (uint32_t v = 0; v < r->n; v++) {
        map[v] = UINT32_MAX;
        if (!keep[v])
            continue;
        map[v] = b->n;
        b->lat[b->n] = r->lat_e7[v];
        b->lon[b->n] = r->lon_e7[v];
        b->n++;
    }
    size_t cap = (size_t)r->nseg + 1;
    b->seg_u = xmalloc(cap * sizeof(uint32_t));
    b->seg_v = xmalloc(cap * sizeof(uint32_t));
    b->seg_flags = xmalloc(cap);
    for (int k = 0; k < GRAPH_METRICS; k++)
        b->seg_w[k] = xmalloc(cap * sizeof(uint32_t));
    for (uint32_t s = 0; s < r->nseg; s++) {
        if (!keep[r->seg_u[s]] || !keep[r->seg_v[s]])
            continue;
        b->seg_u[b->nseg] = map[r->seg_u[s]];
        b->seg_v[b->nseg] = map[r->seg_v[s]];
        b->seg_flags[b->nseg] = r->seg_flags[s];
        b->seg_w[0][b->nseg] = r->seg_dist_dm[s];
        b->seg_w[1][b->nseg] = r->seg_time_ds[s];
        b->nseg++;
    }
    free(map);
    free(keep);
}

/* Forward and backward CSR adjacency of the kept segments. */
static void
build_csr(struct built *b, uint32_t *m_out)
{
    struct graph_roads view = {.n = b->n,
                               .nseg = b->nseg,
                               .seg_u = b->seg_u,
                               .seg_v = b->seg_v,
                               .seg_dist_dm = b->seg_w[0],
                               .seg_time_ds = b->seg_w[1],
                               .seg_flags = b->seg_flags};
    struct arcs a;
    arcs_from_segments(&view, NULL, NULL, &a);
    uint32_t m = a.m;
    uint32_t *perm = xmalloc(((size_t)m + 1) * sizeof *perm);
    for (int dir = 0; dir < 2; dir++) {
        uint32_t *first = xmalloc(((size_t)b->n + 1) * sizeof *first);
        uint32_t *head = xmalloc(((size_t)m + 1) * sizeof *head);
        csr_order(b->n, m, dir ? a.head : a.tail, first, perm);
        for (uint32_t i = 0; i < m; i++)
            head[i] = dir ? a.tail[perm[i]] : a.head[perm[i]];
        for (int k = 0; k < GRAPH_METRICS; k++) {
            uint32_t *w = xmalloc(((size_t)m + 1) * sizeof *w);
            for (uint32_t i = 0; i < m; i++)
                w[i] = a.w[k][perm[i]];
            (dir ? b->bwd_w : b->fwd_w)[k] = w;
        }
        *(dir ? &b->bwd_first : &b->fwd_first) = first;
        *(dir ? &b->bwd_head : &b->fwd_head) = head;
    }
    free(perm);
    arcs_clear(&a);
    *m_out = m;
}

static void
build_bbox(struct built *b)
{
    int32_t *bb = b->hdr.bbox_e7;
    bb[0] = bb[1] = INT32_MAX;
    bb[2] = bb[3] = INT32_MIN;
    for (uint32_t v = 0; v < b->n; v++) {
        bb[0] = b->lat[v] < bb[0] ? b->lat[v] : bb[0];
        bb[1] = b->lon[v] < bb[1] ? b->lon[v] : bb[1];
        bb[2] = b->lat[v] > bb[2] ? b->lat[v] : bb[2];
        bb[3] = b->lon[v] > bb[3] ? b->lon[v] : bb[3];
    }
}

/* Grid cell range covered by the bounding box of segment s. */
static void
seg_cells(const struct built *b, uint32_t s, uint32_t rc[4])
{
    const struct graph_header *h = &b->hdr;
    int64_t la = b->lat[b->seg_u[s]], lb = b->lat[b->seg_v[s]];
    int64_t oa = b->lon[b->seg_u[s]], ob = b->lon[b->seg_v[s]];
    rc[0] = (uint32_t)(((la < lb ? la : lb) - h->grid_origin_e7[0]) / h->grid_step_e7[0]);
    rc[1] = (uint32_t)(((la > lb ? la : lb) - h->grid_origin_e7[0]) / h->grid_step_e7[0]);
    rc[2] = (uint32_t)(((oa < ob ? oa : ob) - h->grid_origin_e7[1]) / h->grid_step_e7[1]);
    rc[3] = (uint32_t)(((oa > ob ? oa : ob) - h->grid_origin_e7[1]) / h->grid_step_e7[1]);
}

/* Origin, cell size and cell counts of the grid over the bounding box
 * (spans in int64_t: a span of longitudes does not fit an int32_t). */
static void
grid_size(struct graph_header *h, uint32_t nseg)
{
    double midlat = ((double)h->bbox_e7[0] + h->bbox_e7[2]) * 0.5e-7;
    double coslat = fmax(cos(midlat * 3.14159265358979 / 180), 1e-3);
    int64_t lat_span = (int64_t)h->bbox_e7[2] - h->bbox_e7[0];
    int64_t lon_span = (int64_t)h->bbox_e7[3] - h->bbox_e7[1];
    uint64_t limit = (uint64_t)nseg * GRID_CELLS_PER_SEG;
    limit = limit < GRID_MIN_CELLS ? GRID_MIN_CELLS : limit;
    limit = limit > GRAPH_MAX_GRID_CELLS ? GRAPH_MAX_GRID_CELLS : limit;
    h->grid_origin_e7[0] = h->bbox_e7[0];
    h->grid_origin_e7[1] = h->bbox_e7[1];
    for (int64_t step = GRAPH_GRID_STEP_E7;; step *= 2) {
        int64_t step_lon = llround(fmin((double)step / coslat, 1.8e9));
        uint64_t rows = (uint64_t)(lat_span / step) + 1, cols = (uint64_t)(lon_span / step_lon) + 1;
        if (rows * cols <= limit || step >= 900000000) {
            h->grid_step_e7[0] = (int32_t)step;
            h->grid_step_e7[1] = (int32_t)step_lon;
            h->grid_rows = (uint32_t)rows;
            h->grid_cols = (uint32_t)cols;
            return;
        }
    }
}

static void
build_grid(struct built *b)
{
    struct graph_header *h = &b->hdr;
    grid_size(h, b->nseg);
    size_t cells = (size_t)h->grid_rows * h->grid_cols;
    b->cell_first = xcalloc(cells + 1, sizeof *b->cell_first);
    uint32_t rc[4];
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass == 1) {
            for (size_t c = 0; c < cells; c++)
                b->cell_first[c + 1] += b->cell_first[c];
            h->n_cell_entries = b->cell_first[cells];
            b->cell_seg = xmalloc(((size_t)h->n_cell_entries + 1) * sizeof *b->cell_seg);
            fill = xmalloc((cells + 1) * sizeof *fill);
            memcpy(fill, b->cell_first, (cells + 1) * sizeof *fill);
        }
        for (uint32_t s = 0; s < b->nseg; s++) {
            seg_cells(b, s, rc);
            for (uint32_t r = rc[0]; r <= rc[1]; r++) {
                for (uint32_t c = rc[2]; c <= rc[3]; c++) {
                    size_t cell = (size_t)r * h->grid_cols + c;
                    if (pass == 0)
                        b->cell_first[cell + 1]++;
                    else
                        b->cell_seg[fill[cell]++] = s;
                }
            }
        }
        free(fill);
    }
}

static void
put(unsigned char *buf, size_t off, const void *src, size_t count, size_t size)
{
    if (count)
        memcpy(buf + off, src, count * size);
}

/* Lay the arrays out exactly as in the file. */
static unsigned char *
serialize(struct built *b, size_t *size_out)
{
    struct graph_header *h = &b->hdr;
    struct graph_layout l;
    memcpy(h->magic, GRAPH_MAGIC, 8);
    h->version = GRAPH_VERSION;
    h->header_size = sizeof *h;
    graph_layout_compute(h, &l);
    h->file_size = l.total;
    unsigned char *buf = xcalloc(1, l.total);
    size_t n = b->n, m = h->n_arcs, s = b->nseg;
    put(buf, l.lat, b->lat, n, 4);
    put(buf, l.lon, b->lon, n, 4);
    put(buf, l.fwd_first, b->fwd_first, n + 1, 4);
    put(buf, l.fwd_head, b->fwd_head, m, 4);
    put(buf, l.bwd_first, b->bwd_first, n + 1, 4);
    put(buf, l.bwd_head, b->bwd_head, m, 4);
    put(buf, l.seg_u, b->seg_u, s, 4);
    put(buf, l.seg_v, b->seg_v, s, 4);
    put(buf, l.seg_flags, b->seg_flags, s, 1);
    put(buf, l.cell_first, b->cell_first, (size_t)h->grid_rows * h->grid_cols + 1, 4);
    put(buf, l.cell_seg, b->cell_seg, h->n_cell_entries, 4);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        const struct ch_result *c = &b->ch[k];
        put(buf, l.fwd_w[k], b->fwd_w[k], m, 4);
        put(buf, l.bwd_w[k], b->bwd_w[k], m, 4);
        put(buf, l.seg_w[k], b->seg_w[k], s, 4);
        put(buf, l.up_first[k], c->up_first, n + 1, 4);
        put(buf, l.up_head[k], c->up_head, c->n_up, 4);
        put(buf, l.up_w[k], c->up_w, c->n_up, 4);
        put(buf, l.down_first[k], c->down_first, n + 1, 4);
        put(buf, l.down_head[k], c->down_head, c->n_down, 4);
        put(buf, l.down_w[k], c->down_w, c->n_down, 4);
    }
    memcpy(buf, h, sizeof *h);
    h->checksum = graph_checksum(buf, l.total);
    memcpy(buf, h, sizeof *h);
    *size_out = l.total;
    return buf;
}

enum graph_status
graph_build(const struct graph_roads *r, struct graph **out, struct graph_build_report *report)
{
    enum graph_status st = GRAPH_ERR_EMPTY;
    struct graph_build_report rep = {.nodes_in = r->n, .segs_in = r->nseg};
    struct built b;
    struct graph *g = NULL;
    memset(&b, 0, sizeof b);
    build_keep(r, &b, &rep);
    rep.nodes_kept = b.n;
    rep.segs_kept = b.nseg;
    if (b.nseg == 0)
        goto out;
    build_csr(&b, &b.hdr.n_arcs);
    b.hdr.n_nodes = b.n;
    b.hdr.n_segs = b.nseg;
    build_bbox(&b);
    build_grid(&b);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        ch_build(b.n, b.fwd_first, b.fwd_head, b.fwd_w[k], &b.ch[k]);
        b.hdr.ch_up[k] = b.ch[k].n_up;
        b.hdr.ch_down[k] = b.ch[k].n_down;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rep.ch_seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    size_t size;
    unsigned char *buf = serialize(&b, &size);
    g = graph_alloc();
    g->buf = buf;
    st = graph_attach(g, buf, size);
    if (st != GRAPH_OK)
        goto out;
    *out = g;
    g = NULL;
out:
    graph_free(g);
    built_clear(&b);
    if (report)
        *report = rep;
    return st;
}
