/* The binary graph file: layout, checksum, loading by mmap with validation,
 * saving, and snapping points to road segments through the spatial grid. */
#include "routing/graph_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"

#define DEG_M (GEO_EARTH_RADIUS_M * 3.14159265358979323846 / 180.0)

const char *
graph_status_str(enum graph_status st)
{
    switch (st) {
    case GRAPH_OK:
        return "ok";
    case GRAPH_ERR_IO:
        return "input/output error";
    case GRAPH_ERR_MAGIC:
        return "not a ritmo graph file";
    case GRAPH_ERR_VERSION:
        return "unsupported graph file version";
    case GRAPH_ERR_CHECKSUM:
        return "checksum mismatch";
    case GRAPH_ERR_CORRUPT:
        return "truncated or corrupt graph file";
    case GRAPH_ERR_EMPTY:
        return "no routable roads";
    }
    return "unknown error";
}

/* Advance *off by count elements of size bytes, keeping 8-byte alignment so
 * that every array in the mapping is naturally aligned. */
static size_t
take(size_t *off, size_t count, size_t size)
{
    size_t at = *off;
    *off += (count * size + 7u) & ~(size_t)7u;
    return at;
}

void
graph_layout_compute(const struct graph_header *h, struct graph_layout *l)
{
    size_t off = sizeof(struct graph_header);
    size_t n = h->n_nodes, m = h->n_arcs, s = h->n_segs;
    size_t cells = (size_t)h->grid_rows * h->grid_cols;
    l->lat = take(&off, n, 4);
    l->lon = take(&off, n, 4);
    l->fwd_first = take(&off, n + 1, 4);
    l->fwd_head = take(&off, m, 4);
    l->bwd_first = take(&off, n + 1, 4);
    l->bwd_head = take(&off, m, 4);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        l->fwd_w[k] = take(&off, m, 4);
        l->bwd_w[k] = take(&off, m, 4);
    }
    l->seg_u = take(&off, s, 4);
    l->seg_v = take(&off, s, 4);
    for (int k = 0; k < GRAPH_METRICS; k++)
        l->seg_w[k] = take(&off, s, 4);
    l->seg_flags = take(&off, s, 1);
    l->cell_first = take(&off, cells + 1, 4);
    l->cell_seg = take(&off, h->n_cell_entries, 4);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        l->up_first[k] = take(&off, n + 1, 4);
        l->up_head[k] = take(&off, h->ch_up[k], 4);
        l->up_w[k] = take(&off, h->ch_up[k], 4);
        l->down_first[k] = take(&off, n + 1, 4);
        l->down_head[k] = take(&off, h->ch_down[k], 4);
        l->down_w[k] = take(&off, h->ch_down[k], 4);
    }
    l->total = off;
}

static uint64_t
mix(uint64_t h, uint64_t w)
{
    h ^= w * 0x9E3779B97F4A7C15ull;
    h = (h << 31) | (h >> 33);
    return h * 0xC2B2AE3D27D4EB4Full;
}

static uint64_t
checksum_update(uint64_t h, const unsigned char *p, size_t size)
{
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = mix(h, w);
    }
    for (; i < size; i++)
        h = mix(h, p[i]);
    return h;
}

/* Checksum of a serialized graph: header without its checksum field, then
 * all the arrays. Word-wise so that a 10 MB file takes a few milliseconds. */
uint64_t
graph_checksum(const void *data, size_t size)
{
    const unsigned char *p = data;
    uint64_t h = 0x243F6A8885A308D3ull;
    h = checksum_update(h, p, offsetof(struct graph_header, checksum));
    if (size > sizeof(struct graph_header))
        h = checksum_update(h, p + sizeof(struct graph_header), size - sizeof(struct graph_header));
    return mix(h, size);
}

/* A CSR offset array: starts at 0, never decreases, ends at count; every
 * target below limit. */
static bool
csr_valid(const uint32_t *first, uint32_t n, const uint32_t *head, uint32_t count, uint32_t limit)
{
    if (first[0] != 0 || first[n] != count)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (first[i] > first[i + 1])
            return false;
    for (uint32_t i = 0; i < count; i++)
        if (head[i] >= limit)
            return false;
    return true;
}

/* The grid as graph_build lays it out: from the south-west corner of a
 * bounding box on the globe, cells at least GRAPH_GRID_STEP_E7 high and as
 * wide, as many as cover the box. A grid damaged past the checksum (a
 * tiny cell, an origin far away) made snapping search rings of empty cells
 * for minutes (found by tests/fuzz). */
static bool
grid_valid(const struct graph_header *h)
{
    const int32_t *bb = h->bbox_e7;
    if (bb[0] < -900000000 || bb[2] > 900000000 || bb[1] < -1800000000 || bb[3] > 1800000000 ||
        bb[0] > bb[2] || bb[1] > bb[3] || h->grid_origin_e7[0] != bb[0] ||
        h->grid_origin_e7[1] != bb[1] || h->grid_step_e7[0] < GRAPH_GRID_STEP_E7 ||
        h->grid_step_e7[1] < h->grid_step_e7[0])
        return false;
    int64_t rows = ((int64_t)bb[2] - bb[0]) / h->grid_step_e7[0] + 1;
    int64_t cols = ((int64_t)bb[3] - bb[1]) / h->grid_step_e7[1] + 1;
    return rows == h->grid_rows && cols == h->grid_cols &&
           (uint64_t)rows * (uint64_t)cols <= GRAPH_MAX_GRID_CELLS;
}

static enum graph_status
header_check(const struct graph_header *h, size_t size)
{
    if (memcmp(h->magic, GRAPH_MAGIC, 8) != 0)
        return GRAPH_ERR_MAGIC;
    if (h->version != GRAPH_VERSION)
        return GRAPH_ERR_VERSION;
    if (h->header_size != sizeof(struct graph_header) || h->file_size != size)
        return GRAPH_ERR_CORRUPT;
    if (!grid_valid(h))
        return GRAPH_ERR_CORRUPT;
    struct graph_layout lay;
    graph_layout_compute(h, &lay);
    if (lay.total != size)
        return GRAPH_ERR_CORRUPT;
    return GRAPH_OK;
}

static void
wire(struct graph *g, const unsigned char *p, const struct graph_layout *l)
{
#define AT(type, off) ((const type *)(const void *)(p + (off)))
    g->lat_e7 = AT(int32_t, l->lat);
    g->lon_e7 = AT(int32_t, l->lon);
    g->fwd_first = AT(uint32_t, l->fwd_first);
    g->fwd_head = AT(uint32_t, l->fwd_head);
    g->bwd_first = AT(uint32_t, l->bwd_first);
    g->bwd_head = AT(uint32_t, l->bwd_head);
    g->seg_u = AT(uint32_t, l->seg_u);
    g->seg_v = AT(uint32_t, l->seg_v);
    g->seg_flags = AT(uint8_t, l->seg_flags);
    g->cell_first = AT(uint32_t, l->cell_first);
    g->cell_seg = AT(uint32_t, l->cell_seg);
    for (int k = 0; k < GRAPH_METRICS; k++) {
        g->fwd_w[k] = AT(uint32_t, l->fwd_w[k]);
        g->bwd_w[k] = AT(uint32_t, l->bwd_w[k]);
        g->seg_w[k] = AT(uint32_t, l->seg_w[k]);
        g->ch[k].up_first = AT(uint32_t, l->up_first[k]);
        g->ch[k].up_head = AT(uint32_t, l->up_head[k]);
        g->ch[k].up_w = AT(uint32_t, l->up_w[k]);
        g->ch[k].down_first = AT(uint32_t, l->down_first[k]);
        g->ch[k].down_head = AT(uint32_t, l->down_head[k]);
        g->ch[k].down_w = AT(uint32_t, l->down_w[k]);
    }
#undef AT
}

/* Every index in the file is checked once here, so queries never need to:
 * a damaged file that slips past the checksum still cannot make a query
 * read outside the mapping. */
static bool
arrays_valid(const struct graph *g)
{
    const struct graph_header *h = &g->hdr;
    uint32_t cells = h->grid_rows * h->grid_cols;
    if (!csr_valid(g->fwd_first, g->n, g->fwd_head, g->m, g->n) ||
        !csr_valid(g->bwd_first, g->n, g->bwd_head, g->m, g->n) ||
        !csr_valid(g->cell_first, cells, g->cell_seg, h->n_cell_entries, g->nseg))
        return false;
    for (int k = 0; k < GRAPH_METRICS; k++) {
        const struct graph_ch *c = &g->ch[k];
        if (!csr_valid(c->up_first, g->n, c->up_head, h->ch_up[k], g->n) ||
            !csr_valid(c->down_first, g->n, c->down_head, h->ch_down[k], g->n))
            return false;
    }
    for (uint32_t i = 0; i < g->nseg; i++) {
        if (g->seg_u[i] >= g->n || g->seg_v[i] >= g->n || g->seg_flags[i] == 0 ||
            g->seg_flags[i] > 3)
            return false;
    }
    return true;
}

enum graph_status
graph_attach(struct graph *g, const void *data, size_t size)
{
    if (size < sizeof(struct graph_header))
        return size >= 8 && memcmp(data, GRAPH_MAGIC, 8) != 0 ? GRAPH_ERR_MAGIC : GRAPH_ERR_CORRUPT;
    memcpy(&g->hdr, data, sizeof g->hdr);
    enum graph_status st = header_check(&g->hdr, size);
    if (st != GRAPH_OK)
        return st;
    if (graph_checksum(data, size) != g->hdr.checksum)
        return GRAPH_ERR_CHECKSUM;
    struct graph_layout lay;
    graph_layout_compute(&g->hdr, &lay);
    g->n = g->hdr.n_nodes;
    g->m = g->hdr.n_arcs;
    g->nseg = g->hdr.n_segs;
    wire(g, data, &lay);
    if (!arrays_valid(g))
        return GRAPH_ERR_CORRUPT;
    if (g->n == 0 || g->nseg == 0)
        return GRAPH_ERR_EMPTY;
    g->size = size;
    return GRAPH_OK;
}

struct graph *
graph_alloc(void)
{
    struct graph *g = xcalloc(1, sizeof *g);
    g->pool = graph_pool_create();
    return g;
}

enum graph_status
graph_load(const char *path, struct graph **out)
{
    enum graph_status st = GRAPH_ERR_IO;
    struct graph *g = NULL;
    void *map = MAP_FAILED;
    size_t size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_warn("could not open graph file \"%s\": %s", path, strerror(errno));
        goto out;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || sb.st_size <= 0) {
        st = GRAPH_ERR_CORRUPT;
        goto out;
    }
    size = (size_t)sb.st_size;
    map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        log_warn("could not map graph file \"%s\": %s", path, strerror(errno));
        goto out;
    }
    g = graph_alloc();
    st = graph_attach(g, map, size);
    if (st != GRAPH_OK) {
        log_warn("cannot use graph file \"%s\": %s", path, graph_status_str(st));
        goto out;
    }
    g->map = map;
    map = MAP_FAILED;
    *out = g;
    g = NULL;
out:
    if (map != MAP_FAILED)
        munmap(map, size);
    graph_free(g);
    if (fd >= 0)
        close(fd);
    return st;
}

static const void *
graph_data(const struct graph *g)
{
    return g->map ? g->map : g->buf;
}

enum graph_status
graph_save(const struct graph *g, const char *path)
{
    enum graph_status st = GRAPH_ERR_IO;
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        log_warn("could not create \"%s\": %s", tmp, strerror(errno));
        goto out;
    }
    bool ok = fwrite(graph_data(g), 1, g->size, f) == g->size;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        log_warn("could not write graph file \"%s\": %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    st = GRAPH_OK;
out:
    free(tmp);
    return st;
}

void
graph_free(struct graph *g)
{
    if (!g)
        return;
    graph_pool_free(g->pool);
    if (g->map)
        munmap(g->map, g->size);
    free(g->buf);
    free(g);
}

uint32_t
graph_node_count(const struct graph *g)
{
    return g->n;
}

uint32_t
graph_arc_count(const struct graph *g)
{
    return g->m;
}

uint32_t
graph_segment_count(const struct graph *g)
{
    return g->nseg;
}

size_t
graph_size_bytes(const struct graph *g)
{
    return g->size;
}

struct geo_point
graph_node_point(const struct graph *g, uint32_t node)
{
    struct geo_point p = {g->lat_e7[node] * 1e-7, g->lon_e7[node] * 1e-7};
    return p;
}

void
graph_bbox(const struct graph *g, struct geo_point *min, struct geo_point *max)
{
    min->lat = g->hdr.bbox_e7[0] * 1e-7;
    min->lon = g->hdr.bbox_e7[1] * 1e-7;
    max->lat = g->hdr.bbox_e7[2] * 1e-7;
    max->lon = g->hdr.bbox_e7[3] * 1e-7;
}

void
graph_segment_nodes(const struct graph *g, uint32_t seg, uint32_t *u, uint32_t *v)
{
    *u = g->seg_u[seg];
    *v = g->seg_v[seg];
}

/* Distance from p to segment (a, b) in a local flat projection around p,
 * exact enough at the few hundred metres snapping cares about. */
static double
point_segment_m(struct geo_point p, struct geo_point a, struct geo_point b, double coslat,
                double *t_out)
{
    double ax = (a.lon - p.lon) * coslat * DEG_M, ay = (a.lat - p.lat) * DEG_M;
    double bx = (b.lon - p.lon) * coslat * DEG_M, by = (b.lat - p.lat) * DEG_M;
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0.0 ? -(ax * dx + ay * dy) / len2 : 0.0;
    if (t < 0.0)
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    double x = ax + t * dx, y = ay + t * dy;
    *t_out = t;
    return sqrt(x * x + y * y);
}

static void
snap_cell(const struct graph *g, long row, long col, struct geo_point p, double coslat,
          struct graph_snap *best)
{
    if (row < 0 || col < 0 || row >= (long)g->hdr.grid_rows || col >= (long)g->hdr.grid_cols)
        return;
    size_t cell = (size_t)row * g->hdr.grid_cols + (size_t)col;
    for (uint32_t i = g->cell_first[cell]; i < g->cell_first[cell + 1]; i++) {
        uint32_t s = g->cell_seg[i];
        double t;
        double d = point_segment_m(p, graph_node_point(g, g->seg_u[s]),
                                   graph_node_point(g, g->seg_v[s]), coslat, &t);
        if (d < best->dist_m || (d == best->dist_m && s < best->seg)) {
            best->seg = s;
            best->t = t;
            best->dist_m = d;
        }
    }
}

bool
graph_snap(const struct graph *g, struct geo_point p, double limit_m, struct graph_snap *out)
{
    if (!geo_point_valid(p))
        return false;
    double coslat = cos(p.lat * 3.14159265358979323846 / 180.0);
    double cell_h = g->hdr.grid_step_e7[0] * 1e-7 * DEG_M;
    double cell_w = g->hdr.grid_step_e7[1] * 1e-7 * DEG_M * coslat;
    double cell_min = cell_h < cell_w ? cell_h : cell_w;
    long row = (long)floor((p.lat * 1e7 - g->hdr.grid_origin_e7[0]) / g->hdr.grid_step_e7[0]);
    long col = (long)floor((p.lon * 1e7 - g->hdr.grid_origin_e7[1]) / g->hdr.grid_step_e7[1]);
    long span = (long)(g->hdr.grid_rows + g->hdr.grid_cols);
    /* Far outside the bounding box: no ring search across empty cells. */
    struct geo_point lo, hi, near;
    graph_bbox(g, &lo, &hi);
    near.lat = fmin(fmax(p.lat, lo.lat), hi.lat);
    near.lon = fmin(fmax(p.lon, lo.lon), hi.lon);
    if (geo_haversine_m(p, near) > limit_m)
        return false;
    struct graph_snap best = {.seg = UINT32_MAX, .t = 0.0, .dist_m = INFINITY};
    /* Rings of cells around p; after ring r every segment closer than
     * r * cell_min has been seen. */
    for (long r = 0;; r++) {
        if (r == 0) {
            snap_cell(g, row, col, p, coslat, &best);
        } else {
            for (long c = col - r; c <= col + r; c++) {
                snap_cell(g, row - r, c, p, coslat, &best);
                snap_cell(g, row + r, c, p, coslat, &best);
            }
            for (long q = row - r + 1; q <= row + r - 1; q++) {
                snap_cell(g, q, col - r, p, coslat, &best);
                snap_cell(g, q, col + r, p, coslat, &best);
            }
        }
        double covered = (double)r * cell_min;
        if (best.dist_m <= covered || covered > limit_m || r > span + labs(row) + labs(col))
            break;
    }
    if (best.seg == UINT32_MAX || best.dist_m > limit_m)
        return false;
    struct geo_point a = graph_node_point(g, g->seg_u[best.seg]);
    struct geo_point b = graph_node_point(g, g->seg_v[best.seg]);
    best.on_road.lat = a.lat + best.t * (b.lat - a.lat);
    best.on_road.lon = a.lon + best.t * (b.lon - a.lon);
    *out = best;
    return true;
}
