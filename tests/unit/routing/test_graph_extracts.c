/* Exactness on the real OpenStreetMap extracts in ../shared/data/osm: the
 * contraction hierarchy equals plain Dijkstra to the decimetre on 1,000
 * random node pairs and on random address-like points, per metric. Skipped
 * when the shared data directory is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "routing/graph.h"
#include "routing/graph_query.h"
#include "routing/osm_import.h"

#define OSM_DIR RITMO_SOURCE_DIR "/../shared/data/osm/"
#define PAIRS   1000

static struct graph *
import_or_skip(const char *name)
{
    char *path = xasprintf("%s%s", OSM_DIR, name);
    struct graph *g = NULL;
    if (access(path, R_OK) != 0) {
        fprintf(stderr,
                "skipping: OpenStreetMap extract \"%s\" not present "
                "(../shared is absent outside the development machine)\n",
                path);
        free(path);
        skip();
    }
    struct osm_import_report rep;
    assert_int_equal(osm_import_graph(path, &g, &rep), OSM_IMPORT_OK);
    assert_true(rep.build.nodes_kept > 500);
    free(path);
    return g;
}

/* 32-bit xorshift: the same pairs on every machine. */
static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
check_node_pairs(const struct graph *g)
{
    uint32_t n = graph_node_count(g), seed = 12345;
    for (int m = 0; m < GRAPH_METRICS; m++) {
        for (int i = 0; i < PAIRS; i++) {
            uint32_t s = next_rand(&seed) % n, t = next_rand(&seed) % n;
            uint32_t ch = graph_route_nodes(g, s, t, m, GRAPH_ALGO_CH);
            uint32_t dj = graph_route_nodes(g, s, t, m, GRAPH_ALGO_DIJKSTRA);
            if (ch != dj)
                fail_msg("metric %d, nodes %u -> %u: CH %u, Dijkstra %u", m, s, t, ch, dj);
            /* one strongly connected component: everything is reachable */
            assert_int_not_equal(ch, GRAPH_INF);
        }
    }
}

static void
check_points_and_matrix(const struct graph *g)
{
    enum { K = 40 };
    struct graph_snap snaps[K];
    struct geo_point lo, hi;
    uint32_t seed = 777;
    int k = 0;
    graph_bbox(g, &lo, &hi);
    while (k < K) {
        struct geo_point p = {lo.lat + (hi.lat - lo.lat) * (next_rand(&seed) % 10000) / 1e4,
                              lo.lon + (hi.lon - lo.lon) * (next_rand(&seed) % 10000) / 1e4};
        if (graph_snap(g, p, 500, &snaps[k]))
            k++;
    }
    uint32_t *ch = xmalloc(K * K * sizeof *ch), *dj = xmalloc(K * K * sizeof *dj);
    for (int m = 0; m < GRAPH_METRICS; m++) {
        graph_matrix(g, snaps, K, snaps, K, m, GRAPH_ALGO_CH, ch);
        graph_matrix(g, snaps, K, snaps, K, m, GRAPH_ALGO_DIJKSTRA, dj);
        for (int i = 0; i < K; i++) {
            for (int j = 0; j < K; j++) {
                uint32_t p2p = graph_route(g, &snaps[i], &snaps[j], m, GRAPH_ALGO_DIJKSTRA);
                assert_int_equal(ch[i * K + j], p2p);
                assert_int_equal(dj[i * K + j], p2p);
                assert_int_equal(graph_route(g, &snaps[i], &snaps[j], m, GRAPH_ALGO_CH), p2p);
            }
            assert_int_equal(ch[i * K + i], 0);
        }
    }
    free(ch);
    free(dj);
}

/* Somewhere on a real map, some A->B differs from B->A (one-way streets). */
static void
check_asymmetry(const struct graph *g)
{
    uint32_t n = graph_node_count(g), seed = 99;
    int differ = 0;
    for (int i = 0; i < 200; i++) {
        uint32_t s = next_rand(&seed) % n, t = next_rand(&seed) % n;
        if (graph_route_nodes(g, s, t, GRAPH_METRIC_DIST, GRAPH_ALGO_CH) !=
            graph_route_nodes(g, t, s, GRAPH_METRIC_DIST, GRAPH_ALGO_CH))
            differ++;
    }
    assert_true(differ > 0);
}

static void
test_delft(void **state)
{
    (void)state;
    struct graph *g = import_or_skip("delft-tudelft-2022-01-24.osm.pbf");
    check_node_pairs(g);
    check_points_and_matrix(g);
    check_asymmetry(g);
    graph_free(g);
}

static void
test_liechtenstein(void **state)
{
    (void)state;
    struct graph *g = import_or_skip("liechtenstein-2015-07-27.osm.pbf");
    check_node_pairs(g);
    check_points_and_matrix(g);
    check_asymmetry(g);
    graph_free(g);
}

/* A real .osm.pbf cut short, or with a damaged block, fails cleanly. */
static void
test_truncated_and_corrupt_pbf(void **state)
{
    (void)state;
    const char *src = OSM_DIR "delft-tudelft-2022-01-24.osm.pbf";
    if (access(src, R_OK) != 0) {
        fprintf(stderr, "skipping: \"%s\" not present\n", src);
        skip();
    }
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    unsigned char *buf = xmalloc(1 << 20);
    size_t size = fread(buf, 1, 1 << 20, f);
    fclose(f);
    char dir[] = "/tmp/ritmo-pbf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/cut.osm.pbf", dir);
    size_t cuts[] = {size * 3 / 5 + 13, size / 3 + 7, 100};
    for (size_t i = 0; i < 3; i++) {
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, cuts[i], f), cuts[i]);
        fclose(f);
        struct graph *g = NULL;
        assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_ERR_PARSE);
        assert_null(g);
    }
    /* flip bytes inside a compressed block */
    for (size_t k = size / 2; k < size / 2 + 64; k++)
        buf[k] ^= 0x5a;
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    fclose(f);
    struct graph *g = NULL;
    assert_int_not_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_OK);
    assert_null(g);
    unlink(path);
    rmdir(dir);
    free(path);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delft),
        cmocka_unit_test(test_liechtenstein),
        cmocka_unit_test(test_truncated_and_corrupt_pbf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
