/* The routable road graph: a versioned binary file loaded by mmap, node
 * coordinates, and snapping of a point to the nearest road segment. */
#ifndef RITMO_ROUTING_GRAPH_H
#define RITMO_ROUTING_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/geo.h"

/* "No path": the weight of an unreachable target. */
#define GRAPH_INF UINT32_MAX

/* Edge weights: distance in decimetres, travel time in deciseconds. */
enum graph_metric { GRAPH_METRIC_DIST = 0, GRAPH_METRIC_TIME = 1 };
#define GRAPH_METRICS 2

struct graph;

enum graph_status {
    GRAPH_OK = 0,
    GRAPH_ERR_IO,       /* cannot open, read, map or write the file */
    GRAPH_ERR_MAGIC,    /* not a ritmo graph file */
    GRAPH_ERR_VERSION,  /* a graph file of another format version */
    GRAPH_ERR_CHECKSUM, /* contents do not match the stored checksum */
    GRAPH_ERR_CORRUPT,  /* truncated, or inconsistent counts and arrays */
    GRAPH_ERR_EMPTY,    /* no routable road at all */
};

/* A static description such as "checksum mismatch"; never NULL. */
const char *graph_status_str(enum graph_status st);

/* Map and check a graph file. On success *out is caller-owned (graph_free);
 * it stays valid even if the file is later replaced, because the mapping is
 * private and read-only. */
enum graph_status graph_load(const char *path, struct graph **out)
    __attribute__((warn_unused_result));
/* Write the graph to path (through a temporary file and rename). */
enum graph_status graph_save(const struct graph *g, const char *path)
    __attribute__((warn_unused_result));
void graph_free(struct graph *g);

uint32_t graph_node_count(const struct graph *g);
uint32_t graph_arc_count(const struct graph *g);
uint32_t graph_segment_count(const struct graph *g);
/* Size of the serialized graph (the file) in bytes. */
size_t graph_size_bytes(const struct graph *g);
struct geo_point graph_node_point(const struct graph *g, uint32_t node);
void graph_bbox(const struct graph *g, struct geo_point *min, struct geo_point *max);

/* Where a point meets the road network: segment seg, at fraction t (0 at its
 * first node, 1 at its second), dist_m metres from the point. */
struct graph_snap {
    uint32_t seg;
    double t;
    double dist_m;
    struct geo_point on_road;
};

/* Nearest routable segment within limit_m metres; false when there is none
 * (the point is outside the service area). Thread-safe, no allocation. */
bool graph_snap(const struct graph *g, struct geo_point p, double limit_m, struct graph_snap *out)
    __attribute__((warn_unused_result));

/* The end nodes of a segment, for tests and path output. */
void graph_segment_nodes(const struct graph *g, uint32_t seg, uint32_t *u, uint32_t *v);

#endif
