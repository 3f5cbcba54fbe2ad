/* Building a routable graph in memory from road nodes and segments: keeps
 * the largest strongly connected component, adds the snapping grid and the
 * contraction hierarchies, and serializes it in the graph file layout. */
#ifndef RITMO_ROUTING_GRAPH_BUILD_H
#define RITMO_ROUTING_GRAPH_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "routing/graph.h"

/* Road network before the build: a value struct the caller owns
 * (graph_roads_init / graph_roads_clear). A segment joins two nodes; flags
 * say which directions a car may drive (1: u->v, 2: v->u). */
struct graph_roads {
    uint32_t n, nseg;
    size_t cap_n, cap_seg;
    int32_t *lat_e7, *lon_e7;
    uint32_t *seg_u, *seg_v, *seg_dist_dm, *seg_time_ds;
    uint8_t *seg_flags;
};

void graph_roads_init(struct graph_roads *r);
void graph_roads_clear(struct graph_roads *r);
/* Add a node; returns its index. */
uint32_t graph_roads_add_node(struct graph_roads *r, double lat, double lon);
/* Add a segment between existing nodes; weights in decimetres and
 * deciseconds (at least 1). */
void graph_roads_add_segment(struct graph_roads *r, uint32_t u, uint32_t v, unsigned flags,
                             uint32_t dist_dm, uint32_t time_ds);

struct graph_build_report {
    uint32_t nodes_in, nodes_kept;
    uint32_t segs_in, segs_kept;
    uint32_t components; /* strongly connected components in the input */
    double ch_seconds;   /* time spent contracting both metrics */
};

/* Build the graph; *out is caller-owned (graph_free). report may be NULL. */
enum graph_status graph_build(const struct graph_roads *r, struct graph **out,
                              struct graph_build_report *report)
    __attribute__((warn_unused_result));

#endif
