/* Unit tests of src/aids/aid_schedule.c: an item's next maintenance from
 * its model's rule, anchor, re-issue and last completion. */
#include "aids/aid_schedule.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static struct aid
item(const char *rule, const char *anchor_mode, struct civil_date anchor)
{
    struct aid a;
    memset(&a, 0, sizeof a);
    snprintf(a.status, sizeof a.status, "depot");
    snprintf(a.maintenance_rule, sizeof a.maintenance_rule, "%s", rule);
    snprintf(a.maintenance_anchor, sizeof a.maintenance_anchor, "%s", anchor_mode);
    a.purchase_date = a.anchor_date = anchor;
    return a;
}

static void
expect_next(struct aid *a, int y, int m, int d)
{
    assert_true(aid_schedule_update(a));
    assert_int_equal(a->next_maintenance_on.year, y);
    assert_int_equal(a->next_maintenance_on.month, m);
    assert_int_equal(a->next_maintenance_on.day, d);
}

static void
test_fixed_rules_clamp_month_ends(void **state)
{
    (void)state;
    struct aid a = item("FREQ=YEARLY", "fixed", (struct civil_date){2024, 8, 31});
    expect_next(&a, 2025, 8, 31);
    a = item("FREQ=MONTHLY;INTERVAL=6", "fixed", (struct civil_date){2024, 8, 31});
    expect_next(&a, 2025, 2, 28);
    /* done a week early: counts for that date, the next one is a period on */
    a.last_maintenance_on = (struct civil_date){2025, 2, 21};
    expect_next(&a, 2025, 8, 31);
}

static void
test_reissue_ignores_earlier_maintenance(void **state)
{
    (void)state;
    struct aid a = item("FREQ=YEARLY", "fixed", (struct civil_date){2024, 1, 31});
    a.anchor_date = (struct civil_date){2026, 9, 15}; /* re-issued */
    a.last_maintenance_on = (struct civil_date){2026, 1, 10};
    expect_next(&a, 2027, 9, 15);
}

static void
test_completion_and_write_off(void **state)
{
    (void)state;
    struct aid a = item("FREQ=MONTHLY;INTERVAL=6", "completion", (struct civil_date){2025, 1, 5});
    expect_next(&a, 2025, 7, 5);
    a.last_maintenance_on = (struct civil_date){2026, 3, 17};
    expect_next(&a, 2026, 9, 17);
    snprintf(a.status, sizeof a.status, "written_off");
    assert_true(aid_schedule_update(&a));
    assert_int_equal(a.next_maintenance_on.year, 0);
    /* a schedule that has ended leaves nothing due */
    a = item("FREQ=YEARLY;COUNT=2", "fixed", (struct civil_date){2020, 1, 1});
    a.last_maintenance_on = (struct civil_date){2021, 1, 1};
    assert_true(aid_schedule_update(&a));
    assert_int_equal(a.next_maintenance_on.year, 0);
    /* a stored rule that no longer parses is a broken invariant */
    a = item("FREQ=NEVER", "fixed", (struct civil_date){2020, 1, 1});
    assert_false(aid_schedule_update(&a));
}

static void
test_depreciation_params(void **state)
{
    (void)state;
    struct aid a = item("FREQ=YEARLY", "fixed", (struct civil_date){2024, 1, 31});
    a.purchase_price_cents = 123456;
    a.residual_cents = 12346;
    a.depreciation_months = 60;
    struct depreciation_params p;
    aid_schedule_depreciation(&a, &p);
    assert_int_equal(depreciation_check(&p), DEPRECIATION_OK);
    assert_int_equal(depreciation_book_value_cents(&p, (struct civil_date){2026, 7, 31}), 67901);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_rules_clamp_month_ends),
        cmocka_unit_test(test_reissue_ignores_earlier_maintenance),
        cmocka_unit_test(test_completion_and_write_off),
        cmocka_unit_test(test_depreciation_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
