/* Road routing benchmark: import, load, point-to-point latency of
 * contraction hierarchies against the project's own bidirectional Dijkstra,
 * and matrix times, on the OpenStreetMap extracts named on the command line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/numparse.h"
#include "common/xalloc.h"
#include "routing/distance.h"
#include "routing/graph.h"
#include "routing/graph_build.h"
#include "routing/graph_query.h"
#include "routing/osm_import.h"

#define P2P_CH       20000
#define P2P_DIJKSTRA 2000
#define LOADS        21

static volatile uint64_t sink;

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i];
}

static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Random points in the bounding box that lie within 500 m of a road. */
static void
random_snaps(const struct graph *g, struct graph_snap *out, size_t n, uint32_t seed)
{
    struct geo_point lo, hi;
    graph_bbox(g, &lo, &hi);
    for (size_t k = 0; k < n;) {
        struct geo_point p = {lo.lat + (hi.lat - lo.lat) * (next_rand(&seed) % 100000) / 1e5,
                              lo.lon + (hi.lon - lo.lon) * (next_rand(&seed) % 100000) / 1e5};
        if (graph_snap(g, p, 500, &out[k]))
            k++;
    }
}

/* Per-query latency in microseconds over n random point pairs. */
static void
p2p(const struct graph *g, enum graph_metric metric, enum graph_algo algo, size_t n, double *med,
    double *p95, double *p99)
{
    struct graph_snap *s = xmalloc(2 * n * sizeof *s);
    double *t = xmalloc(n * sizeof *t);
    random_snaps(g, s, 2 * n, 4242);
    for (size_t i = 0; i < n; i++) {
        double t0 = now_s();
        sink += graph_route(g, &s[2 * i], &s[2 * i + 1], metric, algo);
        t[i] = (now_s() - t0) * 1e6;
    }
    *med = quantile(t, n, 0.5);
    *p95 = quantile(t, n, 0.95);
    *p99 = quantile(t, n, 0.99);
    free(s);
    free(t);
}

static double
matrix_time(const struct graph *g, size_t n, enum graph_algo algo)
{
    struct graph_snap *s = xmalloc(n * sizeof *s);
    uint32_t *out = xmalloc(n * n * sizeof *out);
    random_snaps(g, s, n, 99);
    double t0 = now_s();
    graph_matrix(g, s, n, s, n, GRAPH_METRIC_TIME, algo, out);
    double t = now_s() - t0;
    sink += out[n * n - 1];
    free(s);
    free(out);
    return t;
}

/* What a booking pays: dist_route on the graph provider, i.e. two snaps
 * and one CH query per metric. Median and p99 in microseconds. */
static void
provider_route(const char *graph_path, const struct graph *g, double *med, double *p99)
{
    enum { N = 20000 };
    struct dist_provider *p = NULL;
    char *spec = xasprintf("graph:%s", graph_path);
    if (dist_provider_create(spec, NULL, &p) != DIST_OK)
        exit(1);
    struct graph_snap *s = xmalloc(2 * N * sizeof *s);
    double *t = xmalloc(N * sizeof *t);
    random_snaps(g, s, 2 * N, 777);
    for (size_t i = 0; i < N; i++) {
        struct dist_result r;
        double t0 = now_s();
        if (dist_route(p, s[2 * i].on_road, s[2 * i + 1].on_road, &r) != DIST_OK)
            exit(1);
        t[i] = (now_s() - t0) * 1e6;
        sink += (uint64_t)r.metres;
    }
    *med = quantile(t, N, 0.5);
    *p99 = quantile(t, N, 0.99);
    dist_provider_free(p);
    free(spec);
    free(s);
    free(t);
}

static double
load_ms(const char *path)
{
    double t[LOADS];
    for (int i = 0; i < LOADS; i++) {
        struct graph *g = NULL;
        double t0 = now_s();
        if (graph_load(path, &g) != GRAPH_OK)
            exit(1);
        t[i] = (now_s() - t0) * 1e3;
        graph_free(g);
    }
    return quantile(t, LOADS, 0.5);
}

static int
bench(const char *osm)
{
    struct graph *g = NULL;
    struct osm_import_report rep;
    double t0 = now_s();
    if (osm_import_graph(osm, &g, &rep) != OSM_IMPORT_OK) {
        fprintf(stderr, "cannot import %s\n", osm);
        return 1;
    }
    double import_s = now_s() - t0;
    char path[] = "/tmp/ritmo-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    if (graph_save(g, path) != GRAPH_OK)
        return 1;
    const char *name = strrchr(osm, '/') ? strrchr(osm, '/') + 1 : osm;
    printf("## %s\n\n", name);
    printf("- graph: %u nodes, %u arcs, %u segments, file %.2f MB\n", graph_node_count(g),
           graph_arc_count(g), graph_segment_count(g), graph_size_bytes(g) / 1e6);
    printf("- import: %.2f s total (reading OSM %.2f s, build %.2f s of which CH %.2f s)\n",
           import_s, rep.read_seconds, rep.build_seconds, rep.build.ch_seconds);
    printf("- load (mmap + checksum + validation), median of %d: %.2f ms\n\n", LOADS,
           load_ms(path));
    printf("| query (random snapped points) | CH median µs | CH p95 | CH p99 | Dijkstra "
           "median µs | Dijkstra p95 | Dijkstra p99 | speed-up (median) |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int m = 0; m < GRAPH_METRICS; m++) {
        double cm, c95, c99, dm, d95, d99;
        p2p(g, m, GRAPH_ALGO_CH, P2P_CH, &cm, &c95, &c99);
        p2p(g, m, GRAPH_ALGO_DIJKSTRA, P2P_DIJKSTRA, &dm, &d95, &d99);
        printf("| point to point, %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f× |\n",
               m ? "time" : "distance", cm, c95, c99, dm, d95, d99, dm / cm);
    }
    double pm, p99;
    provider_route(path, g, &pm, &p99);
    printf("\n- dist_route on the graph provider (2 snaps + distance and time queries): "
           "median %.1f µs, p99 %.1f µs\n",
           pm, p99);
    printf(
        "\n| matrix (time metric) | CH | Dijkstra (one-to-many) | speed-up |\n|---|---|---|---|\n");
    size_t sizes[] = {100, 1000};
    for (int i = 0; i < 2; i++) {
        double c = matrix_time(g, sizes[i], GRAPH_ALGO_CH);
        double d = matrix_time(g, sizes[i], GRAPH_ALGO_DIJKSTRA);
        printf("| %zu×%zu | %.1f ms | %.1f ms | %.0f× |\n", sizes[i], sizes[i], c * 1e3, d * 1e3,
               d / c);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\n- peak resident memory of the benchmark process so far: %.1f MB\n\n",
           ru.ru_maxrss / 1024.0);
    unlink(path);
    graph_free(g);
    return 0;
}

/* Stress case: an n x n street grid with random weights and some one-way
 * streets, which has no natural hierarchy and is the worst case for
 * contraction hierarchies. */
static int
bench_grid(int n)
{
    struct graph_roads r;
    struct graph_build_report rep;
    struct graph *g = NULL;
    uint32_t seed = 3;
    graph_roads_init(&r);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            graph_roads_add_node(&r, 52 + i * 0.0009, 4 + j * 0.00146);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            uint32_t v = (uint32_t)(i * n + j);
            unsigned flags = next_rand(&seed) % 10 == 0 ? 1 : 3;
            if (j + 1 < n)
                graph_roads_add_segment(&r, v, v + 1, flags, 1000 + next_rand(&seed) % 200,
                                        1000 + next_rand(&seed) % 2000);
            if (i + 1 < n)
                graph_roads_add_segment(&r, v, v + (uint32_t)n, 3, 1000 + next_rand(&seed) % 200,
                                        1000 + next_rand(&seed) % 2000);
        }
    }
    double t0 = now_s();
    if (graph_build(&r, &g, &rep) != GRAPH_OK)
        return 1;
    printf("## synthetic %d×%d grid\n\n- graph: %u nodes, file %.1f MB, build %.2f s\n\n", n, n,
           graph_node_count(g), graph_size_bytes(g) / 1e6, now_s() - t0);
    double cm, c95, c99, dm, d95, d99;
    p2p(g, GRAPH_METRIC_TIME, GRAPH_ALGO_CH, 2000, &cm, &c95, &c99);
    p2p(g, GRAPH_METRIC_TIME, GRAPH_ALGO_DIJKSTRA, 200, &dm, &d95, &d99);
    printf("- point to point (time): CH median %.1f µs (p99 %.1f), Dijkstra median %.1f µs "
           "(p99 %.1f)\n",
           cm, c99, dm, d99);
    printf("- 1000×1000 matrix: CH %.1f ms\n\n", matrix_time(g, 1000, GRAPH_ALGO_CH) * 1e3);
    graph_free(g);
    graph_roads_clear(&r);
    return 0;
}

int
main(int argc, char **argv)
{
    int64_t side;
    if (argc == 3 && strcmp(argv[1], "--grid") == 0 && parse_int64(argv[2], 2, 2000, &side))
        return bench_grid((int)side);
    if (argc < 2) {
        fprintf(stderr, "usage: bench_routing FILE.osm.pbf... | bench_routing --grid N\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (bench(argv[i]) != 0)
            return 1;
    return 0;
}
