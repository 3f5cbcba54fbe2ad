/* Points and the haversine distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "routing/geo.h"

static void
test_haversine_known_distances(void **state)
{
    (void)state;
    /* Dordrecht station to Zwijndrecht station, about 2.3 km */
    struct geo_point a = {51.8078, 4.6685}, b = {51.8146, 4.6402};
    double d = geo_haversine_m(a, b);
    assert_true(d > 2000 && d < 2200);
    /* one degree of latitude on the mean sphere */
    struct geo_point c = {52.0, 4.0}, e = {53.0, 4.0};
    assert_true(fabs(geo_haversine_m(c, e) - 111195.08) < 0.1);
    assert_true(geo_haversine_m(a, a) == 0.0);
    assert_true(fabs(geo_haversine_m(a, b) - geo_haversine_m(b, a)) < 1e-9);
    /* antipodes: half the circumference, no NaN */
    struct geo_point n = {0, 0}, s = {0, 180};
    assert_true(fabs(geo_haversine_m(n, s) - 3.14159265358979 * GEO_EARTH_RADIUS_M) < 1.0);
}

static void
test_point_parse(void **state)
{
    (void)state;
    struct geo_point p;
    assert_true(geo_point_parse("51.8078,4.6685", &p));
    assert_true(p.lat == 51.8078 && p.lon == 4.6685);
    assert_true(geo_point_parse("-33.5,-70.25", &p));
    assert_true(p.lat == -33.5 && p.lon == -70.25);
    assert_false(geo_point_parse("51.8", &p));
    assert_false(geo_point_parse("91,4", &p));
    assert_false(geo_point_parse("51,181", &p));
    assert_false(geo_point_parse("51,4,5", &p));
    assert_false(geo_point_parse("abc,4", &p));
    assert_false(geo_point_parse(",4", &p));
    assert_false(geo_point_parse("51,", &p));
    assert_false(geo_point_parse("nan,4", &p));
    assert_false(geo_point_parse(NULL, &p));
}

static void
test_point_valid(void **state)
{
    (void)state;
    struct geo_point ok = {52, 4}, bad = {NAN, 4}, inf = {52, INFINITY}, far = {-91, 0};
    assert_true(geo_point_valid(ok));
    assert_false(geo_point_valid(bad));
    assert_false(geo_point_valid(inf));
    assert_false(geo_point_valid(far));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_haversine_known_distances),
        cmocka_unit_test(test_point_parse),
        cmocka_unit_test(test_point_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
