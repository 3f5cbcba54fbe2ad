/* Unit tests of checked number parsing. */
#include "common/numparse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void
test_int64(void **state)
{
    (void)state;
    int64_t v;
    assert_true(parse_int64("42", 0, 100, &v));
    assert_int_equal(v, 42);
    assert_true(parse_int64("-7", -10, 10, &v));
    assert_int_equal(v, -7);
    assert_false(parse_int64("101", 0, 100, &v));
    assert_false(parse_int64("4 2", 0, 100, &v));
    assert_false(parse_int64("", 0, 100, &v));
    assert_false(parse_int64(NULL, 0, 100, &v));
    assert_false(parse_int64("0x10", 0, 100, &v));
    assert_false(parse_int64("9223372036854775808", INT64_MIN, INT64_MAX, &v));
}

static void
test_double(void **state)
{
    (void)state;
    double d;
    assert_true(parse_double("51.8105", -90, 90, &d));
    assert_true(d > 51.81 && d < 51.811);
    assert_false(parse_double("nan", -90, 90, &d));
    assert_false(parse_double("inf", -1e300, 1e300, &d));
    assert_false(parse_double("91", -90, 90, &d));
    assert_false(parse_double("1,5", 0, 10, &d));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_int64), cmocka_unit_test(test_double)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
