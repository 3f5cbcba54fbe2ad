/* API tests of road distances: a server using the built-in router on a
 * graph built by `ritmo graph build` from a synthetic town, GET /v1/route,
 * and bookings measured on the roads. */
#include "harness.h"
#include "routing/geo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../unit/routing/town_fixture.h"

static struct harness H;
static char *dir, *desk;
static char osm[300], graph[300];

static int
setup(void **state)
{
    (void)state;
    dir = town_tmpdir();
    if (!dir)
        return -1;
    snprintf(osm, sizeof osm, "%s/town.osm", dir);
    snprintf(graph, sizeof graph, "%s/town.graph", dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' graph build --osm '%s' --out '%s' 2>/dev/null", RITMO_BIN, osm,
             graph);
    if (town_write(osm) != 0 || system(cmd) != 0) {
        fprintf(stderr, "could not build the town graph\n");
        return -1;
    }
    char routing[400];
    snprintf(routing, sizeof routing, "RITMO_ROUTING=graph:%s", graph);
    const char *env[] = {routing, NULL};
    if (!harness_start(&H, env))
        return -1;
    desk = harness_token(&H, "dispatcher", NULL, NULL);
    return desk ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    bool ok = harness_stop(&H);
    unlink(osm);
    unlink(graph);
    rmdir(dir);
    free(dir);
    free(desk);
    return ok ? 0 : -1;
}

static struct http_resp
route(struct geo_point a, struct geo_point b)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/route?from=%.7f,%.7f&to=%.7f,%.7f", a.lat, a.lon, b.lat,
             b.lon);
    return harness_request(&H, "GET", path, desk, NULL, NULL);
}

static void
test_route_on_roads(void **state)
{
    (void)state;
    struct http_resp r = route(town_node(0, 0), town_node(7, 7));
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "provider")), "graph");
    double km = json_number_value(json_object_get(r.json, "distance_km"));
    double straight = geo_haversine_m(town_node(0, 0), town_node(7, 7)) / 1000.0;
    assert_true(km >= straight - 0.05); /* roads are never shorter than the crow flies */
    json_t *coords = json_object_get(json_object_get(r.json, "geometry"), "coordinates");
    assert_true(json_array_size(coords) >= 3);
    assert_true(json_integer_value(json_object_get(r.json, "duration_s")) > 0);
    http_resp_clear(&r);
    /* one-way streets: along the east-bound row and back differ */
    struct http_resp east =
        route(town_node(TOWN_ONEWAY_EAST_ROW, 1), town_node(TOWN_ONEWAY_EAST_ROW, 6));
    struct http_resp west =
        route(town_node(TOWN_ONEWAY_EAST_ROW, 6), town_node(TOWN_ONEWAY_EAST_ROW, 1));
    assert_int_equal(east.status, 200);
    assert_int_equal(west.status, 200);
    assert_true(json_number_value(json_object_get(west.json, "distance_km")) >
                json_number_value(json_object_get(east.json, "distance_km")));
    http_resp_clear(&east);
    http_resp_clear(&west);
    /* far from any road */
    struct geo_point field = {TOWN_LAT0 + 0.03, TOWN_LON0 + 0.05};
    r = route(field, town_node(1, 1));
    assert_int_equal(r.status, 422);
    assert_string_equal(http_resp_error_code(&r), "outside_service_area");
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/v1/route?from=52,4.36", desk, NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(http_resp_error_code(&r), "missing_field");
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/v1/route?from=95,4&to=52,4.36", desk, NULL, NULL);
    assert_int_equal(r.status, 400);
    http_resp_clear(&r);
}

static void
test_booking_measured_on_roads(void **state)
{
    (void)state;
    struct geo_point home = town_node(1, 1), shop = town_node(6, 6);
    char body[1024];
    snprintf(body, sizeof body,
             "{\"pass_number\":\"R-1\",\"name\":\"Road\",\"home\":{\"address\":\"Grid 1\","
             "\"lat\":%.7f,\"lon\":%.7f}}",
             home.lat, home.lon);
    struct http_resp c = harness_request(&H, "POST", "/v1/clients", desk, body, NULL);
    assert_int_equal(c.status, 201);
    const char *cid = json_string_value(json_object_get(c.json, "id"));
    char path[96];
    snprintf(path, sizeof path, "/v1/clients/%s/indications", cid);
    time_t now = time(NULL);
    char from[16], until[16], when[40];
    strftime(from, sizeof from, "%Y-%m-%d", gmtime(&(time_t){now - 86400 * 10}));
    strftime(until, sizeof until, "%Y-%m-%d", gmtime(&(time_t){now + 86400 * 400}));
    strftime(when, sizeof when, "%Y-%m-%dT10:00:00Z", gmtime(&(time_t){now + 86400 * 3}));
    snprintf(body, sizeof body,
             "{\"kind\":\"transport\",\"valid_from\":\"%s\",\"valid_until\":\"%s\"}", from, until);
    struct http_resp i = harness_request(&H, "POST", path, desk, body, NULL);
    assert_int_equal(i.status, 201);
    http_resp_clear(&i);
    snprintf(body, sizeof body,
             "{\"client_id\":\"%s\",\"pickup\":{\"address\":\"Grid 1\",\"lat\":%.7f,\"lon\":%.7f},"
             "\"dropoff\":{\"address\":\"Shop\",\"lat\":%.7f,\"lon\":%.7f},\"pickup_at\":\"%s\","
             "\"channel\":\"phone\"}",
             cid, home.lat, home.lon, shop.lat, shop.lon, when);
    struct http_resp b = harness_request(&H, "POST", "/v1/bookings", desk, body, NULL);
    assert_int_equal(b.status, 201);
    assert_string_equal(json_string_value(json_object_get(b.json, "distance_provider")), "graph");
    struct http_resp r = route(home, shop);
    assert_true(fabs(json_number_value(json_object_get(b.json, "distance_km")) -
                     json_number_value(json_object_get(r.json, "distance_km"))) < 0.001);
    http_resp_clear(&r);
    http_resp_clear(&b);
    /* a pickup in a field, far from the roads, is outside the service area */
    struct geo_point field = {TOWN_LAT0 + 0.03, TOWN_LON0 + 0.05};
    snprintf(body, sizeof body,
             "{\"client_id\":\"%s\",\"pickup\":{\"address\":\"Field\",\"lat\":%.7f,\"lon\":%.7f},"
             "\"dropoff\":{\"address\":\"Shop\",\"lat\":%.7f,\"lon\":%.7f},\"pickup_at\":\"%s\","
             "\"channel\":\"phone\"}",
             cid, field.lat, field.lon, shop.lat, shop.lon, when);
    b = harness_request(&H, "POST", "/v1/bookings", desk, body, NULL);
    assert_int_equal(b.status, 422);
    assert_string_equal(http_resp_error_code(&b), "outside_service_area");
    http_resp_clear(&b);
    http_resp_clear(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_on_roads),
        cmocka_unit_test(test_booking_measured_on_roads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
