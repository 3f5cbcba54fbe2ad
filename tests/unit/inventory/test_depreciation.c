/* Unit tests for inventory/depreciation: book values by month, rounding,
 * residual floor, month-end purchases, cost to date and recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/depreciation.h"

static struct civil_date
D(int y, int m, int d) {
    return (struct civil_date){y, m, d};
}

/* EUR 1234.56 bought 31 Jan 2024, 10 % residual, 60 months. */
static struct depreciation_params
scooter(void)
{
    struct depreciation_params p = {123456, 0, {2024, 1, 31}, 60};

    assert_true(depreciation_residual_from_pct(p.price_cents, 1000, &p.residual_cents));
    return p;
}

static void
test_residual_rounding(void **state)
{
    int64_t r;

    (void)state;
    assert_true(depreciation_residual_from_pct(123456, 1000, &r));
    assert_int_equal(r, 12346); /* 12345.6 rounds up */
    assert_true(depreciation_residual_from_pct(123450, 1000, &r));
    assert_int_equal(r, 12345);
    assert_true(depreciation_residual_from_pct(5, 1000, &r));
    assert_int_equal(r, 1); /* 0.5 rounds half up */
    assert_true(depreciation_residual_from_pct(100000, 1250, &r));
    assert_int_equal(r, 12500);
    assert_true(depreciation_residual_from_pct(100000, 0, &r));
    assert_int_equal(r, 0);
    assert_false(depreciation_residual_from_pct(100000, 10001, &r));
    assert_false(depreciation_residual_from_pct(-1, 1000, &r));
}

static void
test_check(void **state)
{
    struct depreciation_params p = scooter();

    (void)state;
    assert_int_equal(depreciation_check(&p), DEPRECIATION_OK);
    p.months = 0;
    assert_int_equal(depreciation_check(&p), DEPRECIATION_BAD_MONTHS);
    p = scooter();
    p.price_cents = -1;
    assert_int_equal(depreciation_check(&p), DEPRECIATION_BAD_PRICE);
    p = scooter();
    p.residual_cents = p.price_cents + 1;
    assert_int_equal(depreciation_check(&p), DEPRECIATION_BAD_RESIDUAL);
    p = scooter();
    p.start = D(2023, 2, 29);
    assert_int_equal(depreciation_check(&p), DEPRECIATION_BAD_DATE);
    assert_string_equal(depreciation_status_name(DEPRECIATION_BAD_MONTHS), "bad_months");
}

static void
test_book_value_table(void **state)
{
    struct depreciation_params p = scooter();
    static const struct {
        struct civil_date as_of;
        int months;
        int64_t book;
    } rows[] = {
        {{2023, 12, 1}, 0, 123456}, /* before purchase: the price */
        {{2024, 1, 31}, 0, 123456}, /* purchase day */
        {{2024, 2, 28}, 0, 123456}, /* not a whole month yet (leap year) */
        {{2024, 2, 29}, 1, 121605}, /* 111110 / 60 = 1851.83 -> 1851 */
        {{2024, 3, 30}, 1, 121605}, /* 31 Jan + 2 months = 31 Mar */
        {{2024, 3, 31}, 2, 119753}, /* 3703.67 -> 3703 */
        {{2026, 7, 31}, 30, 67901}, /* exactly half: 55555 */
        {{2029, 1, 30}, 59, 14198}, /* 109258.17 -> 109258 */
        {{2029, 1, 31}, 60, 12346}, /* end: the residual value */
        {{2035, 6, 1}, 60, 12346},  /* after: never below residual */
    };

    (void)state;
    assert_int_equal(p.residual_cents, 12346);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(depreciation_months_elapsed(&p, rows[i].as_of), rows[i].months);
        assert_int_equal(depreciation_book_value_cents(&p, rows[i].as_of), rows[i].book);
    }
    struct civil_date end = depreciation_ends(&p);
    assert_int_equal(end.year, 2029);
    assert_int_equal(end.month, 1);
    assert_int_equal(end.day, 31);
}

static void
test_month_end_and_leap(void **state)
{
    /* Bought 29 Feb 2024, 12 months: ends 28 Feb 2025 (clamped). */
    struct depreciation_params p = {120000, 0, {2024, 2, 29}, 12};
    struct civil_date end = depreciation_ends(&p);

    (void)state;
    assert_int_equal(end.year, 2025);
    assert_int_equal(end.month, 2);
    assert_int_equal(end.day, 28);
    assert_int_equal(depreciation_book_value_cents(&p, D(2024, 3, 28)), 120000);
    assert_int_equal(depreciation_book_value_cents(&p, D(2024, 3, 29)), 110000);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 2, 27)), 10000);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 2, 28)), 0);
    /* Bought 31 Aug, the 30th of a 30-day month counts as the month's end. */
    p.start = D(2025, 8, 31);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 9, 29)), 120000);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 9, 30)), 110000);
}

static void
test_rounding_is_monotone_and_exact(void **state)
{
    /* 1000 cents over 3 months: accumulated 333, 666, 1000 (rounded down),
     * so book values 667, 334, 0; then a long odd period stays monotone. */
    struct depreciation_params p = {1000, 0, {2025, 1, 1}, 3};
    int64_t prev = p.price_cents;

    (void)state;
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 2, 1)), 667);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 3, 1)), 334);
    assert_int_equal(depreciation_book_value_cents(&p, D(2025, 4, 1)), 0);
    p = (struct depreciation_params){99999, 3333, {2020, 1, 31}, 37};
    prev = p.price_cents;
    for (int m = 0; m <= 40; m++) {
        int64_t v = depreciation_book_value_cents(&p, civil_date_add_months(p.start, m));
        assert_true(v <= prev);
        assert_true(v >= p.residual_cents);
        assert_true(v <= p.price_cents);
        prev = v;
    }
    assert_int_equal(prev, 3333);
}

static void
test_cost_to_date(void **state)
{
    int64_t costs[] = {4500, 12000, 0, 899};
    int64_t bad[] = {100, -1};
    int64_t huge[] = {INT64_MAX};
    int64_t total;

    (void)state;
    assert_true(depreciation_cost_to_date_cents(250000, costs, 4, &total));
    assert_int_equal(total, 267399);
    assert_true(depreciation_cost_to_date_cents(250000, NULL, 0, &total));
    assert_int_equal(total, 250000);
    assert_false(depreciation_cost_to_date_cents(250000, bad, 2, &total));
    assert_false(depreciation_cost_to_date_cents(1, huge, 1, &total));
}

static void
test_recovery(void **state)
{
    struct depreciation_params p = scooter();
    struct depreciation_recovery r;
    char *text;

    (void)state;
    depreciation_recovery(&p, D(2026, 8, 15), &r);
    assert_int_equal(r.months_elapsed, 30);
    assert_int_equal(r.months_remaining, 30);
    assert_int_equal(r.depreciable_cents, 111110);
    assert_int_equal(r.accumulated_cents, 55555);
    assert_int_equal(r.book_value_cents, 67901);
    assert_int_equal(r.recoverable_cents, 55555);
    assert_true(r.period_running);
    text = depreciation_recovery_explain_dup(&r);
    assert_non_null(strstr(text, "111110 x 30 / 60 = 55555"));
    assert_non_null(strstr(text, "remaining 30 months is 111110 - 55555 = 55555 cents"));
    free(text);

    depreciation_recovery(&p, D(2024, 2, 29), &r);
    assert_int_equal(r.months_remaining, 59);
    assert_int_equal(r.recoverable_cents, 111110 - 1851);

    depreciation_recovery(&p, D(2029, 1, 31), &r);
    assert_false(r.period_running);
    assert_int_equal(r.recoverable_cents, 0);
    assert_int_equal(r.book_value_cents, 12346);

    depreciation_recovery(&p, D(2020, 1, 1), &r);
    assert_int_equal(r.recoverable_cents, 111110);
    assert_int_equal(r.book_value_cents, 123456);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residual_rounding),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_book_value_table),
        cmocka_unit_test(test_month_end_and_leap),
        cmocka_unit_test(test_rounding_is_monotone_and_exact),
        cmocka_unit_test(test_cost_to_date),
        cmocka_unit_test(test_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
