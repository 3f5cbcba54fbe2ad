/* The provider interface: haversine defaults, spec parsing, the graph
 * provider on the synthetic town (outside-area and invalid points, matrix,
 * path), and one provider shared by several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "routing/distance.h"
#include "routing/graph.h"
#include "routing/osm_import.h"
#include "town_fixture.h"

struct fixture {
    char *dir, *osm, *graph_path, *spec;
};

static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct graph *g = NULL;
    f->dir = town_tmpdir();
    if (!f->dir)
        return -1;
    f->osm = xasprintf("%s/town.osm", f->dir);
    f->graph_path = xasprintf("%s/town.graph", f->dir);
    f->spec = xasprintf("graph:%s", f->graph_path);
    if (town_write(f->osm) != 0 || osm_import_graph(f->osm, &g, NULL) != OSM_IMPORT_OK ||
        graph_save(g, f->graph_path) != GRAPH_OK)
        return -1;
    graph_free(g);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->osm);
    unlink(f->graph_path);
    rmdir(f->dir);
    free(f->dir);
    free(f->osm);
    free(f->graph_path);
    free(f->spec);
    free(f);
    return 0;
}

static void
test_haversine_provider(void **state)
{
    (void)state;
    struct dist_provider *p = NULL;
    struct dist_result r;
    assert_int_equal(dist_provider_create(NULL, NULL, &p), DIST_OK);
    assert_string_equal(dist_provider_kind(p), "haversine");
    struct geo_point a = {52.0, 4.36}, b = {52.01, 4.36};
    assert_int_equal(dist_route(p, a, b, &r), DIST_OK);
    double straight = geo_haversine_m(a, b);
    assert_true(fabs(r.metres - 1.3 * straight) < 1e-6);
    assert_true(fabs(r.seconds - 1.3 * straight / (25 / 3.6)) < 1e-6);
    assert_string_equal(r.provider, "haversine");
    /* beyond 5 km the far speed applies */
    struct geo_point c = {52.1, 4.36};
    assert_int_equal(dist_route(p, a, c, &r), DIST_OK);
    double m = 1.3 * geo_haversine_m(a, c);
    assert_true(fabs(r.seconds - (5000 / (25 / 3.6) + (m - 5000) / (60 / 3.6))) < 1e-6);
    struct geo_point bad = {95, 4};
    assert_int_equal(dist_route(p, bad, b, &r), DIST_ERR_INVALID_POINT);
    dist_provider_free(p);

    struct dist_options o;
    dist_options_init(&o);
    o.detour_factor = 1.0;
    assert_int_equal(dist_provider_create("haversine", &o, &p), DIST_OK);
    assert_int_equal(dist_route(p, a, b, &r), DIST_OK);
    assert_true(fabs(r.metres - straight) < 1e-6);
    struct dist_stats st;
    dist_provider_stats(p, &st);
    assert_int_equal(st.queries, 1);
    dist_provider_free(p);
    dist_provider_free(NULL);
}

static void
test_bad_specs(void **state)
{
    (void)state;
    struct dist_provider *p = NULL;
    assert_int_equal(dist_provider_create("dijkstra", NULL, &p), DIST_ERR_CONFIG);
    assert_int_equal(dist_provider_create("graph:", NULL, &p), DIST_ERR_CONFIG);
    assert_int_equal(dist_provider_create("osrm:ftp://x", NULL, &p), DIST_ERR_CONFIG);
    assert_int_equal(dist_provider_create("graph:/nonexistent/x.graph", NULL, &p),
                     DIST_ERR_UNAVAILABLE);
    struct dist_options o;
    dist_options_init(&o);
    o.detour_factor = 0.5;
    assert_int_equal(dist_provider_create("haversine", &o, &p), DIST_ERR_CONFIG);
    assert_null(p);
    assert_string_equal(dist_status_code(DIST_ERR_OUTSIDE_AREA), "outside_service_area");
}

static void
test_graph_provider(void **state)
{
    struct fixture *f = *state;
    struct dist_provider *p = NULL;
    struct dist_result r;
    assert_int_equal(dist_provider_create(f->spec, NULL, &p), DIST_OK);
    assert_string_equal(dist_provider_kind(p), "graph");
    /* 20 m beside the grid: road distance along the row */
    struct geo_point on_row = {TOWN_LAT0 + TOWN_DLAT, TOWN_LON0 + 1.3 * TOWN_DLON};
    struct geo_point a = on_row, b = town_node(1, 4);
    a.lat += 20.0 / 111195.0;
    assert_int_equal(dist_route(p, a, b, &r), DIST_OK);
    double along = geo_haversine_m(on_row, b);
    assert_true(fabs(r.metres - along) < 0.5);
    assert_true(fabs(r.seconds - along / (30 / 3.6)) < 0.5);
    assert_true(fabs(r.snap_from_m - 20.0) < 0.5);
    assert_true(r.snap_to_m < 0.01);
    assert_string_equal(r.provider, "graph");
    /* the island is not served */
    assert_int_equal(dist_route(p, town_island(1), b, &r), DIST_ERR_OUTSIDE_AREA);
    struct geo_point nowhere = {TOWN_LAT0 + 0.02, TOWN_LON0};
    assert_int_equal(dist_route(p, b, nowhere, &r), DIST_ERR_OUTSIDE_AREA);
    struct geo_point bad = {NAN, 4};
    assert_int_equal(dist_route(p, bad, b, &r), DIST_ERR_INVALID_POINT);
    dist_provider_free(p);

    /* a tighter snap limit turns the same point into an error */
    struct dist_options o;
    dist_options_init(&o);
    o.snap_limit_m = 10;
    assert_int_equal(dist_provider_create(f->spec, &o, &p), DIST_OK);
    assert_int_equal(dist_route(p, a, b, &r), DIST_ERR_OUTSIDE_AREA);
    dist_provider_free(p);
}

static void
test_graph_matrix_and_path(void **state)
{
    struct fixture *f = *state;
    struct dist_provider *p = NULL;
    assert_int_equal(dist_provider_create(f->spec, NULL, &p), DIST_OK);
    struct geo_point from[3] = {town_node(0, 0), town_node(3, 5), town_node(7, 2)};
    struct geo_point to[2] = {town_node(6, 6), town_node(3, 4)};
    double m[6], s[6];
    struct dist_matrix_info info;
    assert_int_equal(dist_matrix(p, from, 3, to, 2, m, s, &info), DIST_OK);
    assert_string_equal(info.provider, "graph");
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
            struct dist_result r;
            assert_int_equal(dist_route(p, from[i], to[j], &r), DIST_OK);
            assert_true(m[i * 2 + j] == r.metres);
            assert_true(s[i * 2 + j] == r.seconds);
        }
    }
    /* one metric only */
    double s_only[6];
    assert_int_equal(dist_matrix(p, from, 3, to, 2, NULL, s_only, NULL), DIST_OK);
    assert_memory_equal(s_only, s, sizeof s);
    struct geo_point bad_to[2] = {town_node(1, 1), town_island(0)};
    assert_int_equal(dist_matrix(p, from, 3, bad_to, 2, m, s, &info), DIST_ERR_OUTSIDE_AREA);
    assert_false(info.bad_is_from);
    assert_int_equal(info.bad_index, 1);

    struct geo_point *pts = NULL;
    size_t n = 0;
    struct dist_result r;
    assert_int_equal(dist_path(p, from[0], to[0], &pts, &n, &r), DIST_OK);
    assert_true(n > 2);
    assert_true(fabs(pts[0].lat - from[0].lat) < 1e-6);
    assert_true(fabs(pts[n - 1].lon - to[0].lon) < 1e-6);
    free(pts);
    dist_provider_free(p);

    /* haversine path: the straight line */
    assert_int_equal(dist_provider_create("haversine", NULL, &p), DIST_OK);
    assert_int_equal(dist_path(p, from[0], to[0], &pts, &n, &r), DIST_OK);
    assert_int_equal(n, 2);
    free(pts);
    assert_int_equal(dist_matrix(p, from, 3, to, 2, m, s, NULL), DIST_OK);
    assert_true(fabs(m[0] - 1.3 * geo_haversine_m(from[0], to[0])) < 1e-6);
    assert_int_equal(dist_matrix(p, from, 3, to, 2, m, NULL, NULL), DIST_OK);
    assert_int_equal(dist_matrix(p, from, 3, to, 2, NULL, s_only, NULL), DIST_OK);
    assert_memory_equal(s_only, s, sizeof s);
    dist_provider_free(p);
}

struct worker {
    struct dist_provider *p;
    int id;
    int failures;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < 300; k++) {
        int r1 = (k * 7 + w->id) % TOWN_N, c1 = (k * 3) % TOWN_N;
        int r2 = (k * 5 + 1) % TOWN_N, c2 = (k + w->id) % TOWN_N;
        struct dist_result a, b;
        if (dist_route(w->p, town_node(r1, c1), town_node(r2, c2), &a) != DIST_OK ||
            dist_route(w->p, town_node(r1, c1), town_node(r2, c2), &b) != DIST_OK ||
            a.metres != b.metres)
            w->failures++;
        double m[4], s[4];
        struct geo_point pts[2] = {town_node(r1, c1), town_node(r2, c2)};
        if (dist_matrix(w->p, pts, 2, pts, 2, m, s, NULL) != DIST_OK || m[1] != a.metres)
            w->failures++;
    }
    return NULL;
}

/* One provider, several threads: every answer equals the serial one. */
static void
test_shared_between_threads(void **state)
{
    struct fixture *f = *state;
    struct dist_provider *p = NULL;
    assert_int_equal(dist_provider_create(f->spec, NULL, &p), DIST_OK);
    enum { T = 4 };
    pthread_t th[T];
    struct worker w[T];
    for (int i = 0; i < T; i++) {
        w[i] = (struct worker){p, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    struct dist_stats st;
    dist_provider_stats(p, &st);
    assert_int_equal(st.queries, T * 300 * 3);
    dist_provider_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_haversine_provider),     cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_graph_provider),         cmocka_unit_test(test_graph_matrix_and_path),
        cmocka_unit_test(test_shared_between_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
