/* Unit tests for inventory/civil_date: day numbers, weekdays, month clamping,
 * months between dates and strict ISO parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/civil_date.h"

static struct civil_date
D(int y, int m, int d) {
    return (struct civil_date){y, m, d};
}

static void
assert_date(struct civil_date got, int y, int m, int d)
{
    assert_int_equal(got.year, y);
    assert_int_equal(got.month, m);
    assert_int_equal(got.day, d);
}

static void
test_days_round_trip(void **state)
{
    (void)state;
    assert_int_equal(civil_date_to_days(D(1970, 1, 1)), 0);
    assert_int_equal(civil_date_to_days(D(2000, 3, 1)), 11017);
    assert_int_equal(civil_date_to_days(D(1969, 12, 31)), -1);
    assert_int_equal(civil_date_to_days(D(2024, 2, 29)), 19782);
    for (int64_t d = -800000; d < 800000; d += 7) {
        struct civil_date c = civil_date_from_days(d);
        assert_true(civil_date_valid(c) || c.year < 1);
        assert_int_equal(civil_date_to_days(c), d);
    }
}

static void
test_weekday(void **state)
{
    (void)state;
    assert_int_equal(civil_date_weekday(D(1970, 1, 1)), CIVIL_THURSDAY);
    assert_int_equal(civil_date_weekday(D(2025, 4, 27)), CIVIL_SUNDAY);
    assert_int_equal(civil_date_weekday(D(2026, 11, 23)), CIVIL_MONDAY);
    assert_int_equal(civil_date_weekday(D(1969, 12, 28)), CIVIL_SUNDAY);
}

static void
test_leap_years(void **state)
{
    (void)state;
    assert_true(civil_date_is_leap_year(2024));
    assert_true(civil_date_is_leap_year(2000));
    assert_false(civil_date_is_leap_year(1900));
    assert_false(civil_date_is_leap_year(2100));
    assert_false(civil_date_is_leap_year(2025));
    assert_int_equal(civil_date_days_in_month(2024, 2), 29);
    assert_int_equal(civil_date_days_in_month(2023, 2), 28);
    assert_int_equal(civil_date_days_in_month(2023, 4), 30);
    assert_false(civil_date_valid(D(2023, 2, 29)));
    assert_true(civil_date_valid(D(2024, 2, 29)));
    assert_false(civil_date_valid(D(2024, 13, 1)));
    assert_false(civil_date_valid(D(2024, 4, 31)));
}

static void
test_add_months_clamps(void **state)
{
    (void)state;
    assert_date(civil_date_add_months(D(2025, 1, 31), 1), 2025, 2, 28);
    assert_date(civil_date_add_months(D(2024, 1, 31), 1), 2024, 2, 29);
    assert_date(civil_date_add_months(D(2024, 2, 29), 12), 2025, 2, 28);
    assert_date(civil_date_add_months(D(2024, 2, 29), 48), 2028, 2, 29);
    assert_date(civil_date_add_months(D(2025, 3, 31), 1), 2025, 4, 30);
    assert_date(civil_date_add_months(D(2025, 12, 15), 1), 2026, 1, 15);
    assert_date(civil_date_add_months(D(2025, 3, 31), -1), 2025, 2, 28);
    assert_date(civil_date_add_months(D(2025, 1, 15), -13), 2023, 12, 15);
    assert_date(civil_date_add_months(D(2025, 8, 31), 60), 2030, 8, 31);
    /* Clamping does not accumulate: always computed from the original day. */
    assert_date(civil_date_add_months(D(2025, 1, 31), 2), 2025, 3, 31);
}

static void
test_months_between(void **state)
{
    (void)state;
    assert_int_equal(civil_date_months_between(D(2025, 1, 31), D(2025, 2, 28)), 1);
    assert_int_equal(civil_date_months_between(D(2025, 1, 31), D(2025, 2, 27)), 0);
    assert_int_equal(civil_date_months_between(D(2024, 1, 31), D(2024, 2, 28)), 0);
    assert_int_equal(civil_date_months_between(D(2024, 1, 31), D(2024, 2, 29)), 1);
    assert_int_equal(civil_date_months_between(D(2024, 1, 31), D(2024, 3, 30)), 1);
    assert_int_equal(civil_date_months_between(D(2024, 1, 31), D(2024, 3, 31)), 2);
    assert_int_equal(civil_date_months_between(D(2024, 2, 29), D(2025, 2, 28)), 12);
    assert_int_equal(civil_date_months_between(D(2020, 5, 10), D(2025, 5, 9)), 59);
    assert_int_equal(civil_date_months_between(D(2020, 5, 10), D(2025, 5, 10)), 60);
    assert_int_equal(civil_date_months_between(D(2025, 5, 10), D(2025, 5, 10)), 0);
    assert_int_equal(civil_date_months_between(D(2025, 5, 10), D(2025, 3, 10)), -2);
    assert_int_equal(civil_date_months_between(D(2025, 5, 10), D(2025, 3, 11)), -1);
}

static void
test_parse_format(void **state)
{
    struct civil_date d;
    char buf[CIVIL_DATE_BUFSZ];

    (void)state;
    assert_true(civil_date_parse("2024-02-29", &d));
    assert_date(d, 2024, 2, 29);
    assert_string_equal(civil_date_format(d, buf), "2024-02-29");
    assert_string_equal(civil_date_format(D(987, 3, 4), buf), "0987-03-04");
    assert_false(civil_date_parse("2023-02-29", &d));
    assert_false(civil_date_parse("2024-2-29", &d));
    assert_false(civil_date_parse("2024-02-29T00:00", &d));
    assert_false(civil_date_parse("2024-02-2", &d));
    assert_false(civil_date_parse("", &d));
    assert_false(civil_date_parse(NULL, &d));
    assert_false(civil_date_parse("0000-01-01", &d));
    assert_false(civil_date_parse("+024-01-01", &d));
    assert_false(civil_date_parse("2024-00-10", &d));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_round_trip), cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_leap_years),      cmocka_unit_test(test_add_months_clamps),
        cmocka_unit_test(test_months_between),  cmocka_unit_test(test_parse_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
