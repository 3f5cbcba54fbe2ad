/* libFuzzer target: the graph-file loader (mmap, checksum, validation) and
 * queries on whatever it accepts. Input: the bytes of a graph file.
 *
 * Each input is loaded twice: as given, which reaches the header checks
 * and the checksum, and with file_size and checksum set to fit the bytes,
 * which reaches the validation of every array behind the checksum (a file
 * damaged in a way the checksum misses). A graph that loads is queried:
 * routes by both algorithms, snapping, a path and a matrix; they must stay
 * inside the mapping, whatever the weights and indices say.
 * RITMO_FUZZ_TRACE=1 prints the status of each load. */
#include "common/log.h"
#include "routing/graph.h"
#include "routing/graph_internal.h"
#include "routing/graph_query.h"

#include "fuzz_file.h"

#include <stddef.h>
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
query(const struct graph *g)
{
    uint32_t n = graph_node_count(g);
    for (uint32_t k = 0; k < 4; k++) {
        uint32_t s = (k * 5u) % n, t = (k * 11u + 3u) % n;
        for (int m = 0; m < GRAPH_METRICS; m++) {
            (void)graph_route_nodes(g, s, t, (enum graph_metric)m, GRAPH_ALGO_CH);
            (void)graph_route_nodes(g, s, t, (enum graph_metric)m, GRAPH_ALGO_DIJKSTRA);
        }
    }
    struct geo_point lo, hi;
    graph_bbox(g, &lo, &hi);
    struct geo_point pts[3] = {graph_node_point(g, 0),
                               graph_node_point(g, n - 1),
                               {(lo.lat + hi.lat) / 2, (lo.lon + hi.lon) / 2}};
    struct graph_snap snaps[3];
    size_t ns = 0;
    for (size_t i = 0; i < 3; i++)
        if (graph_snap(g, pts[i], 2000, &snaps[ns]))
            ns++;
    if (ns < 2)
        return;
    for (int m = 0; m < GRAPH_METRICS; m++) {
        (void)graph_route(g, &snaps[0], &snaps[1], (enum graph_metric)m, GRAPH_ALGO_CH);
        (void)graph_route(g, &snaps[0], &snaps[1], (enum graph_metric)m, GRAPH_ALGO_DIJKSTRA);
        uint32_t out[9];
        graph_matrix(g, snaps, ns, snaps, ns, (enum graph_metric)m, GRAPH_ALGO_CH, out);
        graph_matrix(g, snaps, ns, snaps, ns, (enum graph_metric)m, GRAPH_ALGO_DIJKSTRA, out);
    }
    struct geo_point *path = NULL;
    size_t npath;
    uint32_t w;
    if (graph_path(g, &snaps[0], &snaps[1], GRAPH_METRIC_TIME, &path, &npath, &w))
        free(path);
}

static void
load(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file_write("in.graph", data, size);
    struct graph *g = NULL;
    enum graph_status st = graph_load(path, &g);
    if (getenv("RITMO_FUZZ_TRACE")) /* for reading the corpus: how far each got */
        fprintf(stderr, "%s\n", graph_status_str(st));
    if (st == GRAPH_OK) {
        query(g);
        graph_free(g);
    } else if (g) {
        abort(); /* a graph with an error */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    if (size < sizeof(struct graph_header))
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        abort();
    memcpy(fixed, data, size);
    uint64_t file_size = size;
    memcpy(fixed + offsetof(struct graph_header, file_size), &file_size, sizeof file_size);
    uint64_t sum = graph_checksum(fixed, size);
    memcpy(fixed + offsetof(struct graph_header, checksum), &sum, sizeof sum);
    load(fixed, size);
    free(fixed);
    return 0;
}
