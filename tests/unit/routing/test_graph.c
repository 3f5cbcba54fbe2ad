/* Road graph on the synthetic town: import (one-way, roundabout, access,
 * largest component), snapping, CH against Dijkstra, matrix, and the file
 * format refusing damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "routing/graph.h"
#include "routing/graph_internal.h"
#include "routing/graph_query.h"
#include "routing/osm_import.h"
#include "town_fixture.h"

struct town {
    char *dir, *osm, *graph_path;
    struct graph *g;
    struct osm_import_report rep;
};

static int
setup(void **state)
{
    struct town *t = xcalloc(1, sizeof *t);
    t->dir = town_tmpdir();
    if (!t->dir)
        return -1;
    t->osm = xasprintf("%s/town.osm", t->dir);
    t->graph_path = xasprintf("%s/town.graph", t->dir);
    if (town_write(t->osm) != 0)
        return -1;
    if (osm_import_graph(t->osm, &t->g, &t->rep) != OSM_IMPORT_OK)
        return -1;
    *state = t;
    return 0;
}

static int
teardown(void **state)
{
    struct town *t = *state;
    graph_free(t->g);
    unlink(t->osm);
    unlink(t->graph_path);
    rmdir(t->dir);
    free(t->dir);
    free(t->osm);
    free(t->graph_path);
    free(t);
    return 0;
}

static uint32_t
route_pts(const struct graph *g, struct geo_point a, struct geo_point b, enum graph_metric m,
          enum graph_algo algo)
{
    struct graph_snap sa, sb;
    assert_true(graph_snap(g, a, 500, &sa));
    assert_true(graph_snap(g, b, 500, &sb));
    return graph_route(g, &sa, &sb, m, algo);
}

static double
metres(const struct graph *g, struct geo_point a, struct geo_point b)
{
    uint32_t ch = route_pts(g, a, b, GRAPH_METRIC_DIST, GRAPH_ALGO_CH);
    uint32_t dj = route_pts(g, a, b, GRAPH_METRIC_DIST, GRAPH_ALGO_DIJKSTRA);
    assert_int_equal(ch, dj);
    assert_int_not_equal(ch, GRAPH_INF);
    return ch / 10.0;
}

/* The island, the footway and the one-way spur are not routable; the grid
 * and the roundabout with its two roads are. */
static void
test_import_keeps_largest_component(void **state)
{
    struct town *t = *state;
    /* the bollard node is left out with its four segments */
    assert_int_equal(graph_node_count(t->g), TOWN_N * TOWN_N - 1 + TOWN_RING);
    assert_int_equal(t->rep.build.nodes_in, TOWN_N * TOWN_N - 1 + TOWN_RING + 3 + 1);
    assert_int_equal(t->rep.barriers, 1);
    assert_true(t->rep.build.components >= 3);
    /* grid rows and columns, ring, two access roads */
    uint32_t segs = 2 * TOWN_N * (TOWN_N - 1) - 4 + TOWN_RING + 2;
    assert_int_equal(graph_segment_count(t->g), segs);
}

static void
test_oneway_rows(void **state)
{
    struct town *t = *state;
    int r = TOWN_ONEWAY_EAST_ROW;
    double block = geo_haversine_m(town_node(r, 1), town_node(r, 2));
    double east = metres(t->g, town_node(r, 1), town_node(r, 2));
    double west = metres(t->g, town_node(r, 2), town_node(r, 1));
    assert_true(fabs(east - block) < 0.2);
    assert_true(west > 2.5 * block); /* around the block */
    r = TOWN_ONEWAY_WEST_ROW;
    east = metres(t->g, town_node(r, 1), town_node(r, 2));
    west = metres(t->g, town_node(r, 2), town_node(r, 1));
    assert_true(fabs(west - block) < 0.2);
    assert_true(east > 2.5 * block);
    /* two-way rows: the same both ways */
    assert_true(fabs(metres(t->g, town_node(1, 1), town_node(1, 2)) -
                     metres(t->g, town_node(1, 2), town_node(1, 1))) < 0.01);
}

static void
test_roundabout_is_oneway(void **state)
{
    struct town *t = *state;
    double arc = geo_haversine_m(town_ring(1), town_ring(2));
    double with = metres(t->g, town_ring(1), town_ring(2));
    double against = metres(t->g, town_ring(2), town_ring(1));
    assert_true(fabs(with - arc) < 0.2);
    assert_true(against > 4.5 * arc);
}

static void
test_restricted_roads_unused(void **state)
{
    struct town *t = *state;
    struct geo_point a = town_node(0, 0), b = town_node(TOWN_N - 1, TOWN_N - 1);
    double manhattan =
        geo_haversine_m(a, town_node(0, TOWN_N - 1)) + geo_haversine_m(town_node(0, TOWN_N - 1), b);
    double d = metres(t->g, a, b);
    assert_true(d > manhattan - 1.0);
    assert_true(d > 1.3 * geo_haversine_m(a, b));
}

static void
test_barriers(void **state)
{
    struct town *t = *state;
    int r = TOWN_BOLLARD_ROW, c = TOWN_BOLLARD_COL, g = TOWN_GATE_COL;
    double block = geo_haversine_m(town_node(r, 0), town_node(r, 1));
    /* around the bollard: more than the two blocks straight through */
    assert_true(metres(t->g, town_node(r, c - 1), town_node(r, c + 1)) > 3.5 * block);
    /* through the gate: straight */
    double through = geo_haversine_m(town_node(r, g - 1), town_node(r, g)) +
                     geo_haversine_m(town_node(r, g), town_node(r, g + 1));
    assert_true(fabs(metres(t->g, town_node(r, g - 1), town_node(r, g + 1)) - through) < 0.3);
}

static void
test_time_uses_speeds(void **state)
{
    struct town *t = *state;
    /* residential 30 km/h default; the tertiary column has maxspeed 50 */
    struct geo_point a = town_node(1, 0), b = town_node(2, 0);
    uint32_t ds = route_pts(t->g, a, b, GRAPH_METRIC_TIME, GRAPH_ALGO_CH);
    double expect = geo_haversine_m(a, b) / (30 / 3.6);
    assert_true(fabs(ds / 10.0 - expect) < 0.2);
    a = town_node(1, TOWN_N - 1);
    b = town_node(2, TOWN_N - 1);
    ds = route_pts(t->g, a, b, GRAPH_METRIC_TIME, GRAPH_ALGO_CH);
    expect = geo_haversine_m(a, b) / (50 * 0.8 / 3.6);
    assert_true(fabs(ds / 10.0 - expect) < 0.2);
}

static void
test_snapping(void **state)
{
    struct town *t = *state;
    struct graph_snap s;
    /* 30 m north of the middle of a block on row 1 */
    struct geo_point mid = {TOWN_LAT0 + TOWN_DLAT + 30.0 / 111195.0, TOWN_LON0 + 2.5 * TOWN_DLON};
    assert_true(graph_snap(t->g, mid, 500, &s));
    assert_true(fabs(s.dist_m - 30.0) < 0.5);
    assert_true(fabs(s.t - 0.5) < 0.01);
    assert_true(fabs(s.on_road.lat - (TOWN_LAT0 + TOWN_DLAT)) < 1e-6);
    assert_false(graph_snap(t->g, mid, 20, &s));
    /* the island was dropped: more than 10 km from any routable road */
    assert_false(graph_snap(t->g, town_island(1), 500, &s));
    struct geo_point far = {TOWN_LAT0 + 0.02, TOWN_LON0};
    assert_false(graph_snap(t->g, far, 500, &s));
    struct geo_point bad = {NAN, 4.0};
    assert_false(graph_snap(t->g, bad, 500, &s));
}

/* Points along one segment: only the direct way (or around) counts. */
static void
test_same_segment(void **state)
{
    struct town *t = *state;
    int r = TOWN_ONEWAY_EAST_ROW;
    struct geo_point a = {TOWN_LAT0 + r * TOWN_DLAT, TOWN_LON0 + 1.2 * TOWN_DLON};
    struct geo_point b = {TOWN_LAT0 + r * TOWN_DLAT, TOWN_LON0 + 1.7 * TOWN_DLON};
    double fwd = metres(t->g, a, b), back = metres(t->g, b, a);
    double straight = geo_haversine_m(a, b);
    assert_true(fabs(fwd - straight) < 0.3);
    assert_true(back > 300.0);
}

static void
random_point(const struct graph *g, struct geo_point *p)
{
    struct geo_point lo, hi;
    graph_bbox(g, &lo, &hi);
    p->lat = lo.lat + (hi.lat - lo.lat) * (rand() / (double)RAND_MAX);
    p->lon = lo.lon + (hi.lon - lo.lon) * (rand() / (double)RAND_MAX);
}

static void
test_ch_equals_dijkstra_all_pairs(void **state)
{
    struct town *t = *state;
    uint32_t n = graph_node_count(t->g);
    for (int m = 0; m < GRAPH_METRICS; m++) {
        for (uint32_t s = 0; s < n; s++) {
            for (uint32_t d = 0; d < n; d++) {
                uint32_t ch = graph_route_nodes(t->g, s, d, m, GRAPH_ALGO_CH);
                uint32_t dj = graph_route_nodes(t->g, s, d, m, GRAPH_ALGO_DIJKSTRA);
                assert_int_equal(ch, dj);
                assert_int_not_equal(ch, GRAPH_INF);
            }
        }
    }
}

static void
test_matrix_matches_point_queries(void **state)
{
    struct town *t = *state;
    enum { NF = 17, NT = 23 };
    struct graph_snap from[NF], to[NT];
    srand(42);
    for (int i = 0; i < NF + NT; i++) {
        struct geo_point p;
        random_point(t->g, &p);
        assert_true(graph_snap(t->g, p, 1000, i < NF ? &from[i] : &to[i - NF]));
    }
    uint32_t *ch = xmalloc(NF * NT * sizeof *ch), *dj = xmalloc(NF * NT * sizeof *dj);
    for (int m = 0; m < GRAPH_METRICS; m++) {
        graph_matrix(t->g, from, NF, to, NT, m, GRAPH_ALGO_CH, ch);
        graph_matrix(t->g, from, NF, to, NT, m, GRAPH_ALGO_DIJKSTRA, dj);
        for (int i = 0; i < NF; i++) {
            for (int j = 0; j < NT; j++) {
                uint32_t p2p = graph_route(t->g, &from[i], &to[j], m, GRAPH_ALGO_DIJKSTRA);
                assert_int_equal(ch[i * NT + j], dj[i * NT + j]);
                assert_int_equal(ch[i * NT + j], p2p);
                assert_int_equal(graph_route(t->g, &from[i], &to[j], m, GRAPH_ALGO_CH), p2p);
            }
        }
    }
    free(ch);
    free(dj);
}

static void
test_path(void **state)
{
    struct town *t = *state;
    struct graph_snap a, b;
    struct geo_point *pts;
    size_t n;
    uint32_t w;
    assert_true(graph_snap(t->g, town_node(1, 1), 500, &a));
    assert_true(graph_snap(t->g, town_node(1, 4), 500, &b));
    assert_true(graph_path(t->g, &a, &b, GRAPH_METRIC_DIST, &pts, &n, &w));
    assert_int_equal(w, graph_route(t->g, &a, &b, GRAPH_METRIC_DIST, GRAPH_ALGO_CH));
    assert_true(n >= 4);
    double len = 0;
    for (size_t i = 0; i + 1 < n; i++)
        len += geo_haversine_m(pts[i], pts[i + 1]);
    assert_true(fabs(len - w / 10.0) < 1.0);
    free(pts);
}

/* ---- the file format ---- */

static unsigned char *
read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = xmalloc(*size + 1);
    assert_int_equal(fread(buf, 1, *size, f), *size);
    fclose(f);
    return buf;
}

static void
write_all(const char *path, const unsigned char *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    fclose(f);
}

static enum graph_status
load_status(const char *path)
{
    struct graph *g = NULL;
    enum graph_status st = graph_load(path, &g);
    assert_true(st == GRAPH_OK ? g != NULL : g == NULL);
    graph_free(g);
    return st;
}

static void
test_save_load_roundtrip(void **state)
{
    struct town *t = *state;
    struct graph *g = NULL;
    assert_int_equal(graph_save(t->g, t->graph_path), GRAPH_OK);
    assert_int_equal(graph_load(t->graph_path, &g), GRAPH_OK);
    assert_int_equal(graph_node_count(g), graph_node_count(t->g));
    assert_int_equal(graph_size_bytes(g), graph_size_bytes(t->g));
    for (int i = 0; i < TOWN_N; i++) {
        struct geo_point a = town_node(i, 0), b = town_node(TOWN_N - 1 - i, TOWN_N - 1);
        assert_int_equal(route_pts(g, a, b, GRAPH_METRIC_DIST, GRAPH_ALGO_CH),
                         route_pts(t->g, a, b, GRAPH_METRIC_DIST, GRAPH_ALGO_CH));
    }
    graph_free(g);
}

static void
test_load_rejects_damaged_files(void **state)
{
    struct town *t = *state;
    size_t size;
    assert_int_equal(graph_save(t->g, t->graph_path), GRAPH_OK);
    unsigned char *good = read_all(t->graph_path, &size);
    unsigned char *bad = xmalloc(size);
    char *path = xasprintf("%s/bad.graph", t->dir);

    memcpy(bad, good, size);
    bad[0] = 'X';
    write_all(path, bad, size);
    assert_int_equal(load_status(path), GRAPH_ERR_MAGIC);

    memcpy(bad, good, size);
    bad[8] = 99; /* version field */
    write_all(path, bad, size);
    assert_int_equal(load_status(path), GRAPH_ERR_VERSION);

    memcpy(bad, good, size);
    bad[size / 2] ^= 0x10;
    write_all(path, bad, size);
    assert_int_equal(load_status(path), GRAPH_ERR_CHECKSUM);

    write_all(path, good, size - 8);
    assert_int_equal(load_status(path), GRAPH_ERR_CORRUPT);
    write_all(path, good, 40);
    assert_int_equal(load_status(path), GRAPH_ERR_CORRUPT);
    write_all(path, good, 0);
    assert_int_not_equal(load_status(path), GRAPH_OK);
    write_all(path, (const unsigned char *)"hello, this is not a graph file at all", 38);
    assert_int_equal(load_status(path), GRAPH_ERR_MAGIC);
    unlink(path);
    assert_int_equal(load_status(path), GRAPH_ERR_IO);

    /* a grid damaged past the checksum (found by tests/fuzz: a tiny cell
     * made snapping search empty cells for minutes) */
    struct graph_header h;
    memcpy(bad, good, size);
    memcpy(&h, bad, sizeof h);
    h.grid_step_e7[0] = 1;
    memcpy(bad, &h, sizeof h);
    h.checksum = graph_checksum(bad, size);
    memcpy(bad, &h, sizeof h);
    write_all(path, bad, size);
    assert_int_equal(load_status(path), GRAPH_ERR_CORRUPT);

    write_all(path, good, size);
    assert_int_equal(load_status(path), GRAPH_OK);
    unlink(path);
    free(path);
    free(bad);
    free(good);
}

static void
test_import_rejects_bad_input(void **state)
{
    struct town *t = *state;
    struct graph *g = NULL;
    char *path = xasprintf("%s/missing.osm", t->dir);
    assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_ERR_OPEN);
    free(path);

    /* truncated XML */
    size_t size;
    unsigned char *xml = read_all(t->osm, &size);
    path = xasprintf("%s/cut.osm", t->dir);
    write_all(path, xml, size / 2);
    assert_int_not_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_OK);
    unlink(path);
    free(path);

    /* garbage with a .pbf suffix */
    path = xasprintf("%s/junk.osm.pbf", t->dir);
    for (size_t i = 0; i < size; i++)
        xml[i] = (unsigned char)(i * 7919u >> 3);
    write_all(path, xml, size);
    assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_ERR_PARSE);
    unlink(path);
    free(path);

    /* elements libreadosm 1.1 would pass on to strlen(NULL): refused first
     * (found by tests/fuzz) */
    static const char *const incomplete[] = {
        "<osm version=\"0.6\"><node id=\"1\" lat=\"52\" lon=\"4\"><tag k=\"barrier\"/></node>"
        "</osm>\n",
        "<osm version=\"0.6\"><way id=\"1\"><nd ref=\"1\"/><tag v=\"residential\"/></way></osm>\n",
        "<osm version=\"0.6\"><relation id=\"1\"><member type=\"way\" ref=\"1\"/></relation>"
        "</osm>\n",
    };
    path = xasprintf("%s/incomplete.OSM", t->dir);
    for (size_t i = 0; i < sizeof incomplete / sizeof incomplete[0]; i++) {
        write_all(path, (const unsigned char *)incomplete[i], strlen(incomplete[i]));
        assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_ERR_PARSE);
    }
    unlink(path);
    free(path);

    /* well-formed but without a single car road */
    path = xasprintf("%s/paths.osm", t->dir);
    const char *paths = "<?xml version='1.0'?>\n<osm version=\"0.6\">\n"
                        " <node id=\"1\" lat=\"52.0\" lon=\"4.0\"/>\n"
                        " <node id=\"2\" lat=\"52.001\" lon=\"4.0\"/>\n"
                        " <way id=\"1\"><nd ref=\"1\"/><nd ref=\"2\"/>"
                        "<tag k=\"highway\" v=\"footway\"/></way>\n</osm>\n";
    write_all(path, (const unsigned char *)paths, strlen(paths));
    assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_ERR_EMPTY);
    unlink(path);
    free(path);
    free(xml);
    assert_null(g);
}

/* Found by tests/fuzz: a node off the globe (latitude 96.8) made a 300 MB
 * grid out of three nodes, and a road around the world overflowed the
 * grid arithmetic. */
static void
test_import_far_and_false_coordinates(void **state)
{
    struct town *t = *state;
    char *path = xasprintf("%s/far.osm", t->dir);
    const char *off_globe = "<osm version=\"0.6\">\n"
                            " <node id=\"1\" lat=\"51.8\" lon=\"4.65\"/>\n"
                            " <node id=\"2\" lat=\"96.8\" lon=\"4.6505\"/>\n"
                            " <node id=\"3\" lat=\"51.801\" lon=\"4.651\"/>\n"
                            " <node id=\"4\" lat=\"51.802\" lon=\"4.652\"/>\n"
                            " <way id=\"1\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
                            "<nd ref=\"4\"/><tag k=\"highway\" v=\"residential\"/></way>\n"
                            "</osm>\n";
    write_all(path, (const unsigned char *)off_globe, strlen(off_globe));
    struct graph *g = NULL;
    struct osm_import_report rep;
    assert_int_equal(osm_import_graph(path, &g, &rep), OSM_IMPORT_OK);
    assert_int_equal(rep.refs_missing, 2); /* the two stretches to node 2 */
    assert_int_equal(graph_node_count(g), 2);
    assert_true(graph_size_bytes(g) < 100000);
    graph_free(g);

    const char *world = "<osm version=\"0.6\">\n"
                        " <node id=\"1\" lat=\"-89.9\" lon=\"-179.9\"/>\n"
                        " <node id=\"2\" lat=\"0\" lon=\"0\"/>\n"
                        " <node id=\"3\" lat=\"89.9\" lon=\"179.9\"/>\n"
                        " <way id=\"1\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
                        "<tag k=\"highway\" v=\"residential\"/></way>\n"
                        "</osm>\n";
    write_all(path, (const unsigned char *)world, strlen(world));
    assert_int_equal(osm_import_graph(path, &g, NULL), OSM_IMPORT_OK);
    assert_int_equal(graph_node_count(g), 3);
    assert_true(graph_size_bytes(g) < 100000);
    assert_int_equal(graph_save(g, t->graph_path), GRAPH_OK);
    assert_int_equal(load_status(t->graph_path), GRAPH_OK);
    assert_int_equal(graph_route_nodes(g, 0, 2, GRAPH_METRIC_DIST, GRAPH_ALGO_CH),
                     graph_route_nodes(g, 0, 2, GRAPH_METRIC_DIST, GRAPH_ALGO_DIJKSTRA));
    graph_free(g);
    unlink(path);
    free(path);
}

static void
test_maxspeed_parsing(void **state)
{
    (void)state;
    assert_true(osm_import_maxspeed("50") == 50);
    assert_true(fabs(osm_import_maxspeed("30 mph") - 48.28) < 0.01);
    assert_true(osm_import_maxspeed("NL:urban") == 50);
    assert_true(osm_import_maxspeed("NL:rural") == 80);
    assert_true(osm_import_maxspeed("NL:zone30") == 30);
    assert_true(osm_import_maxspeed("walk") == 10);
    assert_true(osm_import_maxspeed("signals") == 0);
    assert_true(osm_import_maxspeed("50;30") == 0);
    assert_true(osm_import_class_speed("footway") == 0);
    assert_true(osm_import_class_speed("residential") == 30);
    assert_true(osm_import_class_speed(NULL) == 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_keeps_largest_component),
        cmocka_unit_test(test_oneway_rows),
        cmocka_unit_test(test_roundabout_is_oneway),
        cmocka_unit_test(test_restricted_roads_unused),
        cmocka_unit_test(test_barriers),
        cmocka_unit_test(test_time_uses_speeds),
        cmocka_unit_test(test_snapping),
        cmocka_unit_test(test_same_segment),
        cmocka_unit_test(test_ch_equals_dijkstra_all_pairs),
        cmocka_unit_test(test_matrix_matches_point_queries),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_save_load_roundtrip),
        cmocka_unit_test(test_load_rejects_damaged_files),
        cmocka_unit_test(test_import_rejects_bad_input),
        cmocka_unit_test(test_import_far_and_false_coordinates),
        cmocka_unit_test(test_maxspeed_parsing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
