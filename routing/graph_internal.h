/* Private to the graph modules (graph.c, graph_build.c, graph_query.c): the
 * file header, the layout of the arrays in the file and the loaded graph. */
#ifndef RITMO_ROUTING_GRAPH_INTERNAL_H
#define RITMO_ROUTING_GRAPH_INTERNAL_H

#include <stdint.h>

#include "routing/graph.h"

#define GRAPH_MAGIC   "RITMOGRF"
#define GRAPH_VERSION 1u

/* The snapping grid: cells at least GRAPH_GRID_STEP_E7 (0.002 degrees,
 * about 222 m) high, at most GRAPH_MAX_GRID_CELLS of them (graph_load
 * refuses other grids). */
#define GRAPH_GRID_STEP_E7   20000
#define GRAPH_MAX_GRID_CELLS 100000000u

/* Segment direction flags: a car may drive from u to v, from v to u. */
#define GRAPH_SEG_FWD 1u
#define GRAPH_SEG_BWD 2u

/* Fixed-size little-endian header at offset 0; the arrays follow in the
 * order of graph_layout(), each starting on an 8-byte boundary. The checksum
 * covers the header up to the checksum field and everything after it. */
struct graph_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint32_t n_nodes;
    uint32_t n_arcs;
    uint32_t n_segs;
    uint32_t grid_rows;
    uint32_t grid_cols;
    uint32_t n_cell_entries;
    uint32_t ch_up[GRAPH_METRICS];
    uint32_t ch_down[GRAPH_METRICS];
    int32_t bbox_e7[4]; /* min lat, min lon, max lat, max lon */
    int32_t grid_origin_e7[2];
    int32_t grid_step_e7[2]; /* cell height (lat) and width (lon) */
    uint32_t reserved[6];
    uint64_t file_size;
    uint64_t checksum;
};

/* A contraction hierarchy for one metric: "up" holds arcs v->w to higher
 * ranks (forward search), "down" holds arcs w->v from higher ranks, stored
 * at v as (w, weight) (backward search). */
struct graph_ch {
    const uint32_t *up_first, *up_head, *up_w;
    const uint32_t *down_first, *down_head, *down_w;
};

struct graph_pool;

struct graph {
    struct graph_header hdr;
    uint32_t n, m, nseg;
    const int32_t *lat_e7, *lon_e7;
    const uint32_t *fwd_first, *fwd_head, *fwd_w[GRAPH_METRICS];
    const uint32_t *bwd_first, *bwd_head, *bwd_w[GRAPH_METRICS];
    const uint32_t *seg_u, *seg_v, *seg_w[GRAPH_METRICS];
    const uint8_t *seg_flags;
    const uint32_t *cell_first, *cell_seg;
    struct graph_ch ch[GRAPH_METRICS];
    /* Exactly one of map (from graph_load) or buf (from graph_build) is set. */
    void *map;
    void *buf;
    size_t size;
    /* Query scratch space, reused across calls (graph_query.c). */
    struct graph_pool *pool;
};

/* Offsets of each array for the counts in hdr; returns the total size. */
struct graph_layout {
    size_t lat, lon;
    size_t fwd_first, fwd_head, fwd_w[GRAPH_METRICS];
    size_t bwd_first, bwd_head, bwd_w[GRAPH_METRICS];
    size_t seg_u, seg_v, seg_w[GRAPH_METRICS], seg_flags;
    size_t cell_first, cell_seg;
    size_t up_first[GRAPH_METRICS], up_head[GRAPH_METRICS], up_w[GRAPH_METRICS];
    size_t down_first[GRAPH_METRICS], down_head[GRAPH_METRICS], down_w[GRAPH_METRICS];
    size_t total;
};

void graph_layout_compute(const struct graph_header *hdr, struct graph_layout *lay);
uint64_t graph_checksum(const void *data, size_t size);
/* Check and wire up a serialized graph held in data (size bytes). */
enum graph_status graph_attach(struct graph *g, const void *data, size_t size)
    __attribute__((warn_unused_result));
/* Allocate the struct around data; owned_buf is freed by graph_free. */
struct graph *graph_alloc(void);
/* The scratch pool of graph_query.c, created with the graph. */
struct graph_pool *graph_pool_create(void);
void graph_pool_free(struct graph_pool *pool);

#endif
