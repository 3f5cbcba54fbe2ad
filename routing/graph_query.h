/* Shortest paths on a loaded graph: point to point and many to many, by
 * distance or by travel time, with contraction hierarchies or (as baseline
 * and test oracle) plain Dijkstra. All functions are thread-safe: scratch
 * space comes from a pool inside the graph. */
#ifndef RITMO_ROUTING_GRAPH_QUERY_H
#define RITMO_ROUTING_GRAPH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/graph.h"

enum graph_algo {
    GRAPH_ALGO_CH,       /* contraction hierarchies: the fast one */
    GRAPH_ALGO_DIJKSTRA, /* bidirectional Dijkstra on the road graph */
};

/* Shortest weight (decimetres or deciseconds, by metric) from snapped point
 * from to snapped point to; GRAPH_INF when there is no path. */
uint32_t graph_route(const struct graph *g, const struct graph_snap *from,
                     const struct graph_snap *to, enum graph_metric metric, enum graph_algo algo);

/* The same between two nodes (tests and benchmarks). */
uint32_t graph_route_nodes(const struct graph *g, uint32_t s, uint32_t t, enum graph_metric metric,
                           enum graph_algo algo);

/* Weights from every from[i] to every to[j] into out[i * nto + j]
 * (GRAPH_INF where there is no path). The CH version uses buckets
 * (Knopp et al. 2007): one upward search per point. */
void graph_matrix(const struct graph *g, const struct graph_snap *from, size_t nfrom,
                  const struct graph_snap *to, size_t nto, enum graph_metric metric,
                  enum graph_algo algo, uint32_t *out);

/* The shortest path as points (from's road position, the nodes, to's road
 * position). *points is caller-owned (free). False when unreachable. */
bool graph_path(const struct graph *g, const struct graph_snap *from, const struct graph_snap *to,
                enum graph_metric metric, struct geo_point **points, size_t *npoints,
                uint32_t *weight) __attribute__((warn_unused_result));

#endif
