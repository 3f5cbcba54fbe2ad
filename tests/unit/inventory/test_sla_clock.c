/* Unit tests for inventory/sla_clock with hand-computed due times: weekends,
 * holidays, DST changes, reports outside hours, pauses without drift. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/sla_clock.h"

/* Unix seconds of a local wall time with a hand-given offset in hours
 * (+1 CET, +2 CEST), independent of the code under test. */
static int64_t
at(int y, int mo, int d, int h, int mi, int off_h)
{
    return civil_date_to_days((struct civil_date){y, mo, d}) * 86400 + h * 3600 + mi * 60 -
           off_h * 3600;
}

static int
setup(void **state)
{
    struct workcal_config c;
    struct workcal *cal;

    workcal_config_init(&c);
    if (workcal_create(&c, &cal) != WORKCAL_OK)
        return -1;
    *state = cal;
    return 0;
}

static int
teardown(void **state)
{
    workcal_free(*state);
    return 0;
}

static int64_t
due(const struct workcal *cal, enum sla_unit unit, int64_t start, int64_t amount,
    const struct sla_pause *p, size_t n)
{
    int64_t d = -1;

    assert_int_equal(sla_due_at(cal, unit, start, amount, p, n, &d), SLA_OK);
    return d;
}

static void
test_business_response_over_weekend(void **state)
{
    const struct workcal *cal = *state;

    /* Friday 20 Nov 2026 16:30, 4 business hours: Monday 11:30. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 20, 16, 30, 1), 240, NULL, 0),
                     at(2026, 11, 23, 11, 30, 1));
    /* Friday 3 April 2026 16:30 (Good Friday works), Easter Monday closed:
     * Tuesday 7 April 11:30. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 4, 3, 16, 30, 2), 240, NULL, 0),
                     at(2026, 4, 7, 11, 30, 2));
    /* Budget ending exactly at closing is due at closing. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 20, 13, 0, 1), 240, NULL, 0),
                     at(2026, 11, 20, 17, 0, 1));
    /* Report on Saturday counts from Monday 08:00. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 21, 10, 0, 1), 90, NULL, 0),
                     at(2026, 11, 23, 9, 30, 1));
    /* Report at 06:00 counts from 08:00 the same day. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 24, 6, 0, 1), 60, NULL, 0),
                     at(2026, 11, 24, 9, 0, 1));
    /* Zero minutes: the next opening. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 21, 10, 0, 1), 0, NULL, 0),
                     at(2026, 11, 23, 8, 0, 1));
}

static void
test_business_across_dst(void **state)
{
    const struct workcal *cal = *state;

    /* Friday 27 March 2026 15:00 CET, 8 h: 2 h Friday, 6 h Monday -> 14:00 CEST. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 3, 27, 15, 0, 1), 480, NULL, 0),
                     at(2026, 3, 30, 14, 0, 2));
    /* Friday 23 October 2026 16:00 CEST, 5 h: 1 h Friday, 4 h Monday -> 12:00 CET. */
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 10, 23, 16, 0, 2), 300, NULL, 0),
                     at(2026, 10, 26, 12, 0, 1));
}

static void
test_wall_clock(void **state)
{
    const struct workcal *cal = *state;
    const struct sla_pause p[] = {
        {at(2026, 11, 24, 10, 30, 1), at(2026, 11, 24, 11, 0, 1)},
        {at(2026, 11, 24, 10, 45, 1), at(2026, 11, 24, 11, 15, 1)},
    };

    /* Saturday 28 March 23:00 CET + 4 h over the spring-forward night:
     * 04:00 CEST on the wall clock (only 5 wall-clock hours later). */
    assert_int_equal(due(cal, SLA_WALL_MINUTES, at(2026, 3, 28, 23, 0, 1), 240, NULL, 0),
                     at(2026, 3, 29, 4, 0, 2));
    /* Saturday 24 October 23:00 CEST + 4 h over the fall-back night: 02:00 CET. */
    assert_int_equal(due(cal, SLA_WALL_MINUTES, at(2026, 10, 24, 23, 0, 2), 240, NULL, 0),
                     at(2026, 10, 25, 2, 0, 1));
    /* Weekends and holidays do not matter. */
    assert_int_equal(due(cal, SLA_WALL_MINUTES, at(2026, 12, 25, 10, 0, 1), 120, NULL, 0),
                     at(2026, 12, 25, 12, 0, 1));
    /* Overlapping pauses count once: 10:30-11:15 is 45 minutes. */
    assert_int_equal(due(cal, SLA_WALL_MINUTES, at(2026, 11, 24, 10, 0, 1), 120, p, 2),
                     at(2026, 11, 24, 12, 45, 1));
}

static void
test_working_days(void **state)
{
    const struct workcal *cal = *state;

    /* Tuesday 17 Nov 10:15 + 5 working days: Tuesday 24 Nov 10:15. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 11, 17, 10, 15, 1), 5, NULL, 0),
                     at(2026, 11, 24, 10, 15, 1));
    /* Friday 16:30 + 5: next Friday 16:30. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 11, 20, 16, 30, 1), 5, NULL, 0),
                     at(2026, 11, 27, 16, 30, 1));
    /* Outside hours the clock starts at the next opening, Monday 08:00:
     * Saturday, Friday 17:30 and Monday 07:00 are all due Monday 30 Nov 08:00. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 11, 21, 10, 0, 1), 5, NULL, 0),
                     at(2026, 11, 30, 8, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 11, 20, 17, 30, 1), 5, NULL, 0),
                     at(2026, 11, 30, 8, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 11, 23, 7, 0, 1), 5, NULL, 0),
                     at(2026, 11, 30, 8, 0, 1));
    /* Wednesday 23 Dec 09:00 + 3: Thu 24, (Christmas, weekend), Mon 28, Tue 29. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 12, 23, 9, 0, 1), 3, NULL, 0),
                     at(2026, 12, 29, 9, 0, 1));
    /* Across the spring change: Thursday 26 March 10:00 CET + 2 working days
     * is Monday 30 March 10:00 CEST (the local time is kept). */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2026, 3, 26, 10, 0, 1), 2, NULL, 0),
                     at(2026, 3, 30, 10, 0, 2));
    /* King's Day 2025 is Saturday 26 April: Friday 25 April + 1 = Monday 28. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2025, 4, 25, 11, 0, 2), 1, NULL, 0),
                     at(2025, 4, 28, 11, 0, 2));
    /* Liberation Day 2025 (lustrum) is a holiday: Friday 2 May + 1 = Tuesday 6 May. */
    assert_int_equal(due(cal, SLA_WORKING_DAYS, at(2025, 5, 2, 11, 0, 2), 1, NULL, 0),
                     at(2025, 5, 6, 11, 0, 2));
}

static void
test_working_days_with_pauses_no_drift(void **state)
{
    const struct workcal *cal = *state;
    int64_t start = at(2026, 11, 16, 10, 0, 1); /* Monday; due Monday 23 Nov 10:00 */
    /* P1 Tue 15:00 - Wed 11:00 across the night: 2 h + 3 h of business time.
     * P2 Fri 16:30 - Mon 08:30 across the weekend: 0.5 h + 0.5 h.
     * P3 inside P1: no extra time. */
    struct sla_pause p[] = {
        {at(2026, 11, 17, 15, 0, 1), at(2026, 11, 18, 11, 0, 1)},
        {at(2026, 11, 20, 16, 30, 1), at(2026, 11, 23, 8, 30, 1)},
        {at(2026, 11, 18, 9, 0, 1), at(2026, 11, 18, 10, 0, 1)},
    };
    struct sla_pause reversed[] = {p[2], p[1], p[0]};
    int64_t elapsed;

    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, NULL, 0), at(2026, 11, 23, 10, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, p, 1), at(2026, 11, 23, 15, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, p, 2), at(2026, 11, 23, 16, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, p, 3), at(2026, 11, 23, 16, 0, 1));
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, reversed, 3), at(2026, 11, 23, 16, 0, 1));
    /* Recomputing many times from the same list gives the same answer. */
    for (int i = 0; i < 100; i++)
        assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, p, 3), at(2026, 11, 23, 16, 0, 1));
    /* A pause entirely outside business hours changes nothing. */
    struct sla_pause night = {at(2026, 11, 18, 18, 0, 1), at(2026, 11, 19, 7, 0, 1)};
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, &night, 1), at(2026, 11, 23, 10, 0, 1));
    /* Seven paused hours end exactly at Monday's closing: due at the next
     * opening, Tuesday 08:00. */
    struct sla_pause seven = {at(2026, 11, 17, 9, 0, 1), at(2026, 11, 17, 16, 0, 1)};
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, &seven, 1), at(2026, 11, 24, 8, 0, 1));
    /* Elapsed business time Monday 10:00 to Monday 23 Nov 16:00 minus pauses:
     * 5 x 9 h + 6 h - 6 h paused = 45 h. */
    assert_int_equal(sla_elapsed_seconds(cal, SLA_WORKING_DAYS, start, at(2026, 11, 23, 16, 0, 1),
                                         p, 3, &elapsed),
                     SLA_OK);
    assert_int_equal(elapsed, 45 * 3600);
    assert_int_equal(sla_paused_seconds(p, 3, start, at(2026, 11, 23, 16, 0, 1), &elapsed), SLA_OK);
    assert_int_equal(elapsed, 20 * 3600 + (64 * 3600));
}

static void
test_business_with_pauses(void **state)
{
    const struct workcal *cal = *state;
    /* Response 4 business hours from Friday 16:30; a pause over the weekend
     * and Monday morning until 10:00 moves it 2 business hours: 13:30. */
    struct sla_pause p = {at(2026, 11, 21, 9, 0, 1), at(2026, 11, 23, 10, 0, 1)};
    /* A pause that started before the report is clipped to it. */
    struct sla_pause before = {at(2026, 11, 20, 15, 0, 1), at(2026, 11, 20, 16, 45, 1)};

    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 20, 16, 30, 1), 240, &p, 1),
                     at(2026, 11, 23, 13, 30, 1));
    assert_int_equal(due(cal, SLA_BUSINESS_MINUTES, at(2026, 11, 20, 16, 30, 1), 240, &before, 1),
                     at(2026, 11, 23, 11, 45, 1));
}

static void
test_open_pause_and_errors(void **state)
{
    const struct workcal *cal = *state;
    int64_t start = at(2026, 11, 16, 10, 0, 1), d, e;
    struct sla_pause open = {at(2026, 11, 17, 15, 0, 1), SLA_PAUSE_OPEN};
    struct sla_pause late = {at(2026, 12, 1, 15, 0, 1), SLA_PAUSE_OPEN};
    struct sla_pause backwards = {at(2026, 11, 18, 11, 0, 1), at(2026, 11, 17, 15, 0, 1)};

    assert_int_equal(sla_due_at(cal, SLA_WORKING_DAYS, start, 5, &open, 1, &d), SLA_PAUSED);
    assert_int_equal(d, SLA_PAUSE_OPEN);
    assert_int_equal(sla_due_at(cal, SLA_WALL_MINUTES, start, 60 * 48, &open, 1, &d), SLA_PAUSED);
    /* An open pause after the due time does not matter. */
    assert_int_equal(sla_due_at(cal, SLA_WORKING_DAYS, start, 5, &late, 1, &d), SLA_OK);
    assert_int_equal(d, at(2026, 11, 23, 10, 0, 1));
    /* Elapsed stops at the open pause: Monday 10-17 + Tuesday 8-15 = 14 h. */
    assert_int_equal(sla_elapsed_seconds(cal, SLA_BUSINESS_MINUTES, start,
                                         at(2026, 11, 20, 12, 0, 1), &open, 1, &e),
                     SLA_OK);
    assert_int_equal(e, 14 * 3600);
    assert_int_equal(sla_due_at(cal, SLA_WORKING_DAYS, start, 5, &backwards, 1, &d), SLA_BAD_PAUSE);
    assert_int_equal(sla_due_at(cal, SLA_WORKING_DAYS, start, -1, NULL, 0, &d), SLA_BAD_AMOUNT);
    assert_int_equal(sla_due_at(cal, SLA_BUSINESS_MINUTES, -5, 10, NULL, 0, &d), SLA_BAD_INSTANT);
    assert_int_equal(sla_due_at(cal, (enum sla_unit)7, start, 10, NULL, 0, &d), SLA_BAD_UNIT);
    assert_int_equal(sla_due_at(cal, SLA_WALL_MINUTES, WORKCAL_MAX_INSTANT - 60, 10, NULL, 0, &d),
                     SLA_OUT_OF_RANGE);
    assert_string_equal(sla_status_name(SLA_BAD_PAUSE), "bad_pause");
}

static void
test_many_pauses_heap(void **state)
{
    const struct workcal *cal = *state;
    struct sla_pause p[40];
    int64_t start = at(2026, 11, 16, 8, 0, 1);

    /* 40 ten-minute pauses every hour on Monday and Tuesday business hours:
     * 40 x 10 min = 400 min paused, so 5 working days end 6 h 40 min later. */
    for (int i = 0; i < 40; i++) {
        int day = 16 + i / 9, hour = 8 + i % 9;
        if (i >= 36) {
            day = 20;
            hour = 8 + (i - 36);
        }
        p[i].from = at(2026, 11, day, hour, 0, 1);
        p[i].until = p[i].from + 600;
    }
    assert_int_equal(due(cal, SLA_WORKING_DAYS, start, 5, p, 40), at(2026, 11, 23, 14, 40, 1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_business_response_over_weekend),
        cmocka_unit_test(test_business_across_dst),
        cmocka_unit_test(test_wall_clock),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_working_days_with_pauses_no_drift),
        cmocka_unit_test(test_business_with_pauses),
        cmocka_unit_test(test_open_pause_and_errors),
        cmocka_unit_test(test_many_pauses_heap),
    };
    return cmocka_run_group_tests_name("sla_clock", tests, setup, teardown);
}
