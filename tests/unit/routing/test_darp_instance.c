/* Parser of the DARP benchmark format: inline good and malformed files, and
 * the real instances with their published reference routes when present. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "routing/darp_instance.h"
#include "routing/darp_route.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BENCH_DIR RITMO_SOURCE_DIR "/../shared/bench/darp"

/* a/b layout: F = n requests, end-depot line present */
static const char *const AB_TEXT = "2 2 480 3 30\n"
                                   "  0   0.000   0.000   0   0    0  480\n"
                                   "  1   3.000   4.000   3   1    0 1440\n"
                                   "  2   0.000   4.000   3   2   10   25\n"
                                   "  3   6.000   8.000   3  -1   20   35\n"
                                   "  4   1.000   1.000   3  -2    0 1440\n"
                                   "  5   0.000   0.000   0   0    0  480\n";

/* pr layout: F = 2n nodes, no end-depot line */
static const char *const PR_TEXT = "1 2 480 6 90\r\n"
                                   "0 -1.0 2.0 0 0 0 1440\r\n"
                                   "1 2.0 6.0 10 1 0 1440\r\n"
                                   "\r\n"
                                   "2 -3.0 -2.0 10 -1 100 130\r\n";

static void
test_parse_ab(void **state)
{
    (void)state;
    struct darp_instance *in;
    char err[256];
    assert_true(darp_instance_parse(AB_TEXT, "dir/x2-2", &in, err, sizeof(err)));
    assert_string_equal(in->name, "x2-2");
    assert_int_equal(in->vehicles, 2);
    assert_int_equal(in->requests, 2);
    assert_int_equal(in->capacity, 3);
    assert_true(in->has_end_depot);
    const struct darp_model *m = in->model;
    assert_int_equal(m->n_nodes, 6);
    assert_int_equal(m->n_vehicles, 2);
    assert_int_equal(m->requests[1].pickup, 2);
    assert_int_equal(m->requests[1].dropoff, 4);
    assert_true(m->requests[1].max_ride == 30);
    assert_int_equal(m->nodes[4].load[0], -2);
    assert_true(m->nodes[3].e == 20 && m->nodes[3].l == 35);
    assert_true(fabs(darp_model_time(m, 0, 1) - 5.0) < 1e-12);
    assert_true(fabs(darp_model_cost(m, 1, 3) - 5.0) < 1e-12);
    assert_int_equal(m->vehicles[1].end, 5);
    assert_true(m->vehicles[0].max_duration == 480);
    assert_true(darp_model_validate(m, err, sizeof(err)));
    darp_instance_free(in);
}

static void
test_parse_pr_without_end_depot(void **state)
{
    (void)state;
    struct darp_instance *in;
    char err[256];
    assert_true(darp_instance_parse(PR_TEXT, "pr99", &in, err, sizeof(err)));
    assert_int_equal(in->requests, 1);
    assert_false(in->has_end_depot);
    const struct darp_model *m = in->model;
    assert_int_equal(m->n_nodes, 4);
    assert_true(m->nodes[3].l == 1440 && m->nodes[3].request == -1);
    assert_true(darp_model_time(m, 2, 3) == darp_model_time(m, 2, 0));
    assert_true(darp_model_validate(m, err, sizeof(err)));
    darp_instance_free(in);
}

static void
expect_error(const char *text, const char *needle)
{
    struct darp_instance *in = (void *)1;
    char err[256] = "";
    assert_false(darp_instance_parse(text, "bad", &in, err, sizeof(err)));
    assert_null(in);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void
test_malformed_files_name_the_line(void **state)
{
    (void)state;
    expect_error("", "line 1");
    expect_error("2 2 480 3\n", "line 1: header needs 5 fields");
    /* a missing node line makes the counts inconsistent with the header */
    expect_error("2 2 480 3 30\n0 0 0 0 0 0 480\n1 1 1 3 1 0 1440\n", "line 1: header says F = 2");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n1 2 x 10 1 0 1440\n2 1 1 10 -1 0 1440\n",
                 "line 3: field 3 \"x\" is not a number");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n1 2 2 10 1 0\n2 1 1 10 -1 0 1440\n",
                 "line 3: node needs 7 fields");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n2 2 2 10 1 0 1440\n2 1 1 10 -1 0 1440\n",
                 "line 3: node id 2, expected 1");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n1 2 2 10 1 0 1440\n2 1 1 10 -2 0 1440\n",
                 "line 4: dropoff load -2 does not match pickup load 1");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n\n1 2 2 10 1 50 40\n2 1 1 10 -1 0 1440\n",
                 "line 4: bad load, service time or time window");
    expect_error("1 2 480 6 90\n0 0 0 0 0 0 1440\n1 2 2 10 1.5 0 1440\n2 1 1 10 -1 0 1440\n",
                 "line 3");
    expect_error("0 2 480 6 90\n0 0 0 0 0 0 1440\n1 2 2 10 1 0 1440\n2 1 1 10 -1 0 1440\n",
                 "line 1: header values out of range");
}

static void
test_load_missing_file(void **state)
{
    (void)state;
    struct darp_instance *in;
    char err[256];
    assert_false(darp_instance_load("/nonexistent/a2-16", &in, err, sizeof(err)));
    assert_non_null(strstr(err, "could not open \"/nonexistent/a2-16\""));
}

static bool
bench_present(void)
{
    struct stat st;
    if (stat(BENCH_DIR "/instances/a2-16", &st) == 0)
        return true;
    print_message("skipped: benchmark data not found at %s\n", BENCH_DIR);
    return false;
}

static struct darp_instance *
load_bench(const char *name)
{
    char path[512], err[256];
    struct darp_instance *in;
    snprintf(path, sizeof(path), BENCH_DIR "/instances/%s", name);
    if (!darp_instance_load(path, &in, err, sizeof(err)))
        fail_msg("%s", err);
    return in;
}

/* Routes must be feasible on the file's windows and on the tightened ones
 * (tightening may not cut off any feasible route); returns the total cost. */
static double
check_routes(struct darp_instance *in, struct darp_instance *tight, int (*routes)[400], int *len,
             int nr)
{
    struct darp_route_eval *ev = darp_route_eval_create(in->model);
    struct darp_route_eval *evt = darp_route_eval_create(tight->model);
    double total = 0;
    assert_true(nr <= in->vehicles);
    for (int v = 0; v < nr; v++) {
        if (!darp_route_feasible(ev, v, routes[v], len[v], NULL))
            fail_msg("%s: reference route %d rejected", in->name, v);
        if (!darp_route_feasible(evt, v, routes[v], len[v], NULL))
            fail_msg("%s: reference route %d rejected after tightening", in->name, v);
        total += darp_route_cost(in->model, v, routes[v], len[v]);
    }
    darp_route_eval_free(ev);
    darp_route_eval_free(evt);
    return total;
}

static int routes_buf[16][400];
static int routes_len[16];

/* optimal_routes_rf.txt: "instance NAME cost C routes R ..." then R lines. */
static void
test_reference_optimal_routes(void **state)
{
    (void)state;
    if (!bench_present())
        skip();
    FILE *f = fopen(BENCH_DIR "/reference_solutions/optimal_routes_rf.txt", "r");
    assert_non_null(f);
    char line[8192], name[64];
    double cost;
    int nr, checked = 0;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "instance %63s cost %lf routes %d", name, &cost, &nr) != 3)
            continue;
        assert_true(nr > 0 && nr <= 16);
        for (int v = 0; v < nr; v++) {
            assert_non_null(fgets(line, sizeof(line), f));
            int k = 0, off = 0, node, used;
            while (sscanf(line + off, "%d%n", &node, &used) == 1) {
                routes_buf[v][k++] = node;
                off += used;
            }
            routes_len[v] = k;
        }
        struct darp_instance *in = load_bench(name), *tight = load_bench(name);
        darp_model_tighten_windows(tight->model);
        double total = check_routes(in, tight, routes_buf, routes_len, nr);
        if (fabs(total - cost) > 1e-5)
            fail_msg("%s: cost %.6f, reference %.6f", name, total, cost);
        darp_instance_free(in);
        darp_instance_free(tight);
        checked++;
    }
    fclose(f);
    assert_int_equal(checked, 31);
}

/* A .res route line: node ids are the numbers right before each "(". */
static int
res_route(const char *line, int *out, int depot_end)
{
    int k = 0;
    for (const char *s = strchr(line, '('); s; s = strchr(s + 1, '(')) {
        const char *e = s;
        while (e > line && e[-1] == ' ')
            e--;
        const char *b = e;
        while (b > line && b[-1] >= '0' && b[-1] <= '9')
            b--;
        int node = (int)strtol(b, NULL, 10);
        if (node != 0 && node != depot_end)
            out[k++] = node;
    }
    return k;
}

static void
test_reference_tabu_solutions(void **state)
{
    (void)state;
    if (!bench_present())
        skip();
    for (int i = 1; i <= 20; i++) {
        char name[16], path[512], line[16384];
        snprintf(name, sizeof(name), "pr%02d", i);
        snprintf(path, sizeof(path),
                 BENCH_DIR "/reference_solutions/cordeau-laporte-2003-tabu/%s.res", name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        double cost;
        assert_true(fgets(line, sizeof(line), f) && sscanf(line, "%lf", &cost) == 1);
        struct darp_instance *in = load_bench(name), *tight = load_bench(name);
        darp_model_tighten_windows(tight->model);
        int nr = 0;
        while (fgets(line, sizeof(line), f))
            if (strchr(line, '(') && nr < 16) {
                routes_len[nr] = res_route(line, routes_buf[nr], 2 * in->requests + 1);
                nr++;
            }
        fclose(f);
        double total = check_routes(in, tight, routes_buf, routes_len, nr);
        if (fabs(total - cost) > 0.006)
            fail_msg("%s: cost %.4f, reference %.2f", name, total, cost);
        darp_instance_free(in);
        darp_instance_free(tight);
    }
}

/* Every file parses, and agrees with bks.csv on requests and vehicles. */
static void
test_all_instances_parse(void **state)
{
    (void)state;
    if (!bench_present())
        skip();
    FILE *f = fopen(BENCH_DIR "/bks.csv", "r");
    assert_non_null(f);
    char line[512];
    int n, k, count = 0;
    while (fgets(line, sizeof(line), f)) {
        char *c1 = strchr(line, ',');
        if (!c1 || sscanf(c1 + 1, "%*[^,],%d,%d", &n, &k) != 2)
            continue;
        *c1 = '\0';
        struct darp_instance *in = load_bench(line);
        char err[256];
        assert_int_equal(in->requests, n);
        assert_int_equal(in->vehicles, k);
        assert_true(darp_model_validate(in->model, err, sizeof(err)));
        darp_instance_free(in);
        count++;
    }
    fclose(f);
    assert_int_equal(count, 68);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ab),
        cmocka_unit_test(test_parse_pr_without_end_depot),
        cmocka_unit_test(test_malformed_files_name_the_line),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_all_instances_parse),
        cmocka_unit_test(test_reference_optimal_routes),
        cmocka_unit_test(test_reference_tabu_solutions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
