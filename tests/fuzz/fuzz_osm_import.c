/* libFuzzer target: the OpenStreetMap import (the XML check, libreadosm,
 * then the graph build with contraction hierarchies) as `ritmo graph
 * build` runs it. Input: the bytes of an .osm (XML) file. (.osm.pbf is not
 * fuzzed: libreadosm's PBF reader trusts the sizes and string-table indexes
 * in the file, and a 25-byte file made it allocate 3.3 GB; a PBF extract
 * must come from a trusted source, docs/security.md.) On a graph it
 * built: shortest paths by contraction hierarchies equal plain Dijkstra's,
 * snapping and path output run, and the graph survives graph_save and
 * graph_load. */
#include "common/log.h"
#include "routing/graph.h"
#include "routing/graph_query.h"
#include "routing/osm_import.h"

#include "fuzz_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Refusals are logged as warnings: not for every input. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR);
    return 0;
}

static void
die(const char *what)
{
    fprintf(stderr, "fuzz_osm_import: %s\n", what);
    abort();
}

/* Routes between a few node pairs by both algorithms, and one path. */
static void
check_queries(const struct graph *g)
{
    uint32_t n = graph_node_count(g);
    for (uint32_t k = 0; k < 6; k++) {
        uint32_t s = (k * 5u) % n, t = (k * 11u + 3u) % n;
        for (int m = 0; m < GRAPH_METRICS; m++) {
            uint32_t ch = graph_route_nodes(g, s, t, (enum graph_metric)m, GRAPH_ALGO_CH);
            uint32_t dj = graph_route_nodes(g, s, t, (enum graph_metric)m, GRAPH_ALGO_DIJKSTRA);
            if (ch != dj) {
                fprintf(stderr, "nodes %u -> %u, metric %d: ch %u, dijkstra %u\n", s, t, m, ch, dj);
                die("contraction hierarchies and Dijkstra disagree");
            }
        }
    }
    struct graph_snap a, b;
    if (!graph_snap(g, graph_node_point(g, 0), 1000, &a) ||
        !graph_snap(g, graph_node_point(g, n - 1), 1000, &b))
        return;
    struct geo_point *points = NULL;
    size_t npoints;
    uint32_t w;
    if (graph_path(g, &a, &b, GRAPH_METRIC_TIME, &points, &npoints, &w) && npoints < 2)
        die("a path of fewer than two points");
    free(points);
}

static void
check_round_trip(const struct graph *g)
{
    char path[sizeof fuzz_path + 8];
    snprintf(path, sizeof path, "%s.graph", fuzz_path);
    struct graph *back = NULL;
    if (graph_save(g, path) != GRAPH_OK || graph_load(path, &back) != GRAPH_OK)
        die("a built graph does not save and load");
    if (graph_node_count(back) != graph_node_count(g) ||
        graph_segment_count(back) != graph_segment_count(g))
        die("a graph changed through save and load");
    graph_free(back);
    unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file_write("in.osm", data, size);
    struct graph *g = NULL;
    struct osm_import_report rep;
    if (osm_import_graph(path, &g, &rep) != OSM_IMPORT_OK) {
        if (g)
            die("a graph with an error");
        return 0;
    }
    if (graph_node_count(g) == 0 || graph_segment_count(g) == 0)
        die("an empty graph without an error");
    check_queries(g);
    check_round_trip(g);
    graph_free(g);
    return 0;
}
