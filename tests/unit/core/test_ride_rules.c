/* Unit tests of the booking rules: times, windows, service hours, the pro
 * rata grant and series expansion. */
#include "core/timefmt.h"
#include "transport/ride_rules.h"
#include "transport/series.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

static struct workcal *tz;

static int
setup(void **state)
{
    (void)state;
    struct workcal_config c;
    workcal_config_init(&c);
    return workcal_create(&c, &tz) == WORKCAL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    workcal_free(tz);
    return 0;
}

static int64_t
at(const char *text)
{
    int64_t t = 0;
    assert_true(timefmt_parse(text, &t));
    return t;
}

static void
test_timefmt(void **state)
{
    (void)state;
    assert_int_equal(at("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(at("2026-11-24T09:30:00+01:00"), at("2026-11-24T08:30:00Z"));
    assert_int_equal(at("2026-07-01T12:00:00.250+02:00"), at("2026-07-01T10:00:00Z"));
    assert_int_equal(at("2026-03-29T01:59:59-03:30"), at("2026-03-29T05:29:59Z"));
    int64_t t;
    assert_false(timefmt_parse("2026-11-24T09:30:00", &t));  /* no offset */
    assert_false(timefmt_parse("2026-02-30T09:30:00Z", &t)); /* no such day */
    assert_false(timefmt_parse("2026-11-24 09:30:00Z", &t)); /* space */
    assert_false(timefmt_parse("2026-11-24T24:00:00Z", &t));
    assert_false(timefmt_parse("2026-11-24T09:30:00+1:00", &t));
    assert_false(timefmt_parse("2026-11-24T09:30:00Zjunk", &t));
    assert_false(timefmt_parse("", &t));
}

static void
test_grant_pro_rata(void **state)
{
    (void)state;
    struct grant_period full = {{2026, 1, 1}, {2026, 12, 31}, 2000};
    assert_int_equal(allowance_grant_m(&full, 1, 2026, true), 2000000);
    assert_int_equal(allowance_grant_m(&full, 1, 2027, true), 0);
    /* 1 April to 31 December 2026: 275 of 365 days = 1506.849 km -> 1506.8 */
    struct grant_period part = {{2026, 4, 1}, {2027, 3, 31}, 2000};
    assert_int_equal(allowance_grant_m(&part, 1, 2026, true), 1506800);
    /* and 1 January to 31 March 2027: 90 days = 493.150 km -> 493.2 */
    assert_int_equal(allowance_grant_m(&part, 1, 2027, true), 493200);
    /* a leap year has 366 days: 1 July to 31 Dec 2028 is 184 days */
    struct grant_period leap = {{2028, 7, 1}, {2028, 12, 31}, 1500};
    assert_int_equal(allowance_grant_m(&leap, 1, 2028, true), 754100); /* 754.098 */
    /* pro rata off: the full annual km in every year touched */
    assert_int_equal(allowance_grant_m(&part, 1, 2027, false), 2000000);
    /* two indications in one year add up */
    struct grant_period two[] = {{{2026, 1, 1}, {2026, 6, 30}, 1000},
                                 {{2026, 7, 1}, {2026, 12, 31}, 2000}};
    /* 181 days of 1000 km = 495.890; 184 days of 2000 km = 1008.219 */
    assert_int_equal(allowance_grant_m(two, 2, 2026, true), 495900 + 1008200);
    assert_true(allowance_km(1506849) == 1506.8);
    assert_true(allowance_km(1506850) == 1506.9);
    assert_true(allowance_km(-1250) == -1.3);
}

static struct ride_policy
policy(void)
{
    struct ride_policy p = {.lead_s = 3600,
                            .window_before_s = 0,
                            .window_after_s = 900,
                            .max_ride_factor = 1.5,
                            .max_ride_extra_s = 600,
                            .service_max_m = 25000,
                            .area = {51.6, 4.3, 52.05, 5.1},
                            .open_min = 360,
                            .close_min = 1440,
                            .horizon_s = 400 * 86400};
    return p;
}

static void
test_plan_windows(void **state)
{
    (void)state;
    struct ride_policy p = policy();
    struct ride_plan plan;
    int64_t now = at("2026-11-23T12:00:00+01:00");
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-24T09:30:00+01:00"), 600, now, &plan),
        RIDE_OK);
    assert_int_equal(plan.window_earliest, at("2026-11-24T09:30:00+01:00"));
    assert_int_equal(plan.window_latest, at("2026-11-24T09:45:00+01:00"));
    assert_int_equal(plan.max_ride_s, 600 * 3 / 2 + 600);
    /* arrive by 08:30: arrival window 08:15-08:30, picked up 10 minutes before 08:15 */
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_ARRIVE_BY, at("2026-11-24T08:30:00+01:00"), 600, now, &plan),
        RIDE_OK);
    assert_int_equal(plan.window_earliest, at("2026-11-24T08:15:00+01:00"));
    assert_int_equal(plan.window_latest, at("2026-11-24T08:30:00+01:00"));
    assert_int_equal(plan.pickup_estimate, at("2026-11-24T08:05:00+01:00"));
    assert_int_equal(plan.pickup_local.date.day, 24);
}

static void
test_plan_refusals(void **state)
{
    (void)state;
    struct ride_policy p = policy();
    struct ride_plan plan;
    int64_t now = at("2026-11-23T12:00:00+01:00");
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-23T12:59:00+01:00"), 600, now, &plan),
        RIDE_TOO_LATE);
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-23T13:00:00+01:00"), 600, now, &plan),
        RIDE_OK);
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-24T05:59:00+01:00"), 600, now, &plan),
        RIDE_OUTSIDE_HOURS);
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-24T23:55:00+01:00"), 600, now, &plan),
        RIDE_OUTSIDE_HOURS); /* would arrive after midnight */
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2026-11-24T23:50:00+01:00"), 600, now, &plan),
        RIDE_OK); /* arrives at 24:00 exactly */
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2028-01-24T10:00:00+01:00"), 600, now, &plan),
        RIDE_TOO_FAR_AHEAD);
    /* summer time: 06:30 local is 04:30Z */
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2027-07-01T04:30:00Z"), 600, now, &plan),
        RIDE_OK);
    assert_int_equal(
        ride_plan_make(&p, tz, RIDE_PICKUP_AT, at("2027-07-01T03:30:00Z"), 600, now, &plan),
        RIDE_OUTSIDE_HOURS);
    struct geo_point home = {51.8105, 4.6651}, near = {51.7961, 4.6781}, utrecht = {52.0894, 5.11};
    assert_true(ride_in_service_area(&p, home, near));
    assert_false(ride_in_service_area(&p, home, utrecht));
}

static void
test_series(void **state)
{
    (void)state;
    struct civil_date *d;
    size_t n;
    struct civil_date start = {2027, 10, 19};
    assert_int_equal(
        series_expand("RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5", start, 8 * 3600, 100, &d, &n),
        SERIES_OK);
    assert_int_equal(n, 5);
    assert_int_equal(d[0].day, 19);
    assert_int_equal(d[1].day, 21);
    assert_int_equal(d[4].month, 11);
    assert_int_equal(d[4].day, 2);
    free(d);
    assert_int_equal(series_expand("FREQ=WEEKLY;UNTIL=20271231T235959", start, 0, 100, &d, &n),
                     SERIES_OK);
    assert_int_equal(n, 11);
    free(d);
    assert_int_equal(series_expand("FREQ=WEEKLY", start, 0, 100, &d, &n), SERIES_NO_END);
    assert_int_equal(series_expand("FREQ=HOURLY;COUNT=3", start, 0, 100, &d, &n), SERIES_TOO_OFTEN);
    assert_int_equal(series_expand("FREQ=DAILY;COUNT=500", start, 0, 100, &d, &n), SERIES_TOO_MANY);
    assert_int_equal(series_expand("FREQ=SOMETIMES;COUNT=2", start, 0, 100, &d, &n),
                     SERIES_INVALID);
    assert_int_equal(series_expand("", start, 0, 100, &d, &n), SERIES_INVALID);
    assert_null(d);
    /* found by tests/fuzz (fuzz_rrule): times of day gave one date twice,
     * and so the same ride twice */
    assert_int_equal(series_expand("FREQ=DAILY;BYHOUR=8,17;COUNT=4", start, 0, 100, &d, &n),
                     SERIES_TIME_PARTS);
    assert_int_equal(series_expand("FREQ=WEEKLY;BYMINUTE=0,30;COUNT=4", start, 0, 100, &d, &n),
                     SERIES_TIME_PARTS);
    assert_null(d);
    /* found by tests/fuzz: libical's RSCALE text leaked (LeakSanitizer
     * fails this test if it still does), and a weekly rule from 1 January
     * of year 1 started in December */
    assert_int_equal(
        series_expand("RSCALE=GREGORIAN;SKIP=FORWARD;FREQ=MONTHLY;COUNT=3", start, 0, 100, &d, &n),
        SERIES_OK);
    assert_int_equal(n, 3);
    free(d);
    assert_int_equal(series_expand("FREQ=WEEKLY;BYDAY=WE;COUNT=5", (struct civil_date){1, 1, 1},
                                   8 * 3600, 100, &d, &n),
                     SERIES_INVALID);
    assert_null(d);
    /* found by tests/fuzz: libical 3.0 read outside its tables on this one */
    assert_int_equal(series_expand("FREQ=YEARLY;BYWEEKNO=42;COUNT=3",
                                   (struct civil_date){2026, 3, 29}, 8 * 3600, 100, &d, &n),
                     SERIES_WEEKNO);
    assert_null(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timefmt),      cmocka_unit_test(test_grant_pro_rata),
        cmocka_unit_test(test_plan_windows), cmocka_unit_test(test_plan_refusals),
        cmocka_unit_test(test_series),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
