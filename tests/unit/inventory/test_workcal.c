/* Unit tests for inventory/workcal: Dutch holidays per year, working days,
 * TZif offsets around DST changes, local-time conversion, business seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory/workcal.h"

static struct civil_date
D(int y, int m, int d) {
    return (struct civil_date){y, m, d};
}

/* Unix seconds of a local wall time with a hand-given offset in hours. */
static int64_t
at(int y, int mo, int d, int h, int mi, int off_h)
{
    return civil_date_to_days(D(y, mo, d)) * 86400 + h * 3600 + mi * 60 - off_h * 3600;
}

static int
setup_default(void **state)
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

static void
assert_date(struct civil_date got, int y, int m, int d)
{
    assert_int_equal(got.year, y);
    assert_int_equal(got.month, m);
    assert_int_equal(got.day, d);
}

static void
test_easter(void **state)
{
    static const int known[][3] = {
        {2000, 4, 23}, {2019, 4, 21}, {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2027, 3, 28},
        {2028, 4, 16}, {2029, 4, 1},  {2030, 4, 21}, {2038, 4, 25}, {2285, 3, 22},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        assert_date(workcal_easter_sunday(known[i][0]), known[i][0], known[i][1], known[i][2]);
}

/* Checks a year's list against "MM-DD" strings in order. */
static void
assert_holidays(int year, bool good_friday, enum workcal_liberation_day lib,
                const char *const *expected, size_t n_expected)
{
    struct workcal_holiday list[WORKCAL_MAX_DUTCH_HOLIDAYS];
    size_t n = workcal_dutch_holidays(year, good_friday, lib, list);
    char buf[CIVIL_DATE_BUFSZ];

    assert_int_equal(n, n_expected);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].date.year, year);
        assert_string_equal(civil_date_format(list[i].date, buf) + 5, expected[i]);
        if (i > 0)
            assert_true(civil_date_compare(list[i - 1].date, list[i].date) < 0);
    }
}

static void
test_dutch_holidays(void **state)
{
    static const char *const y2024[] = {"01-01", "03-31", "04-01", "04-27", "05-09",
                                        "05-19", "05-20", "12-25", "12-26"};
    /* 2025: King's Day on Saturday 26 April (27th a Sunday); lustrum. */
    static const char *const y2025[] = {"01-01", "04-20", "04-21", "04-26", "05-05",
                                        "05-29", "06-08", "06-09", "12-25", "12-26"};
    static const char *const y2026[] = {"01-01", "04-05", "04-06", "04-27", "05-14",
                                        "05-24", "05-25", "12-25", "12-26"};
    static const char *const y2026_all[] = {"01-01", "04-03", "04-05", "04-06", "04-27", "05-05",
                                            "05-14", "05-24", "05-25", "12-25", "12-26"};
    static const char *const y2027[] = {"01-01", "03-28", "03-29", "04-27", "05-06",
                                        "05-16", "05-17", "12-25", "12-26"};
    static const char *const y2028[] = {"01-01", "04-16", "04-17", "04-27", "05-25",
                                        "06-04", "06-05", "12-25", "12-26"};
    static const char *const y2029[] = {"01-01", "04-01", "04-02", "04-27", "05-10",
                                        "05-20", "05-21", "12-25", "12-26"};
    static const char *const y2030[] = {"01-01", "04-21", "04-22", "04-27", "05-05",
                                        "05-30", "06-09", "06-10", "12-25", "12-26"};
    /* 2035: Ascension (3 May) before Liberation Day in a lustrum year. */
    static const char *const y2035[] = {"01-01", "03-25", "03-26", "04-27", "05-03",
                                        "05-05", "05-13", "05-14", "12-25", "12-26"};
    /* 2013: still Queen's Day, 30 April. */
    static const char *const y2013[] = {"01-01", "03-31", "04-01", "04-30", "05-09",
                                        "05-19", "05-20", "12-25", "12-26"};

    (void)state;
    assert_holidays(2024, false, WORKCAL_LIBERATION_LUSTRUM, y2024, 9);
    assert_holidays(2025, false, WORKCAL_LIBERATION_LUSTRUM, y2025, 10);
    assert_holidays(2026, false, WORKCAL_LIBERATION_LUSTRUM, y2026, 9);
    assert_holidays(2026, true, WORKCAL_LIBERATION_EVERY_YEAR, y2026_all, 11);
    assert_holidays(2027, false, WORKCAL_LIBERATION_LUSTRUM, y2027, 9);
    assert_holidays(2028, false, WORKCAL_LIBERATION_LUSTRUM, y2028, 9);
    assert_holidays(2029, false, WORKCAL_LIBERATION_LUSTRUM, y2029, 9);
    assert_holidays(2030, false, WORKCAL_LIBERATION_LUSTRUM, y2030, 10);
    assert_holidays(2035, false, WORKCAL_LIBERATION_LUSTRUM, y2035, 10);
    assert_holidays(2013, false, WORKCAL_LIBERATION_LUSTRUM, y2013, 9);
}

static void
test_working_days(void **state)
{
    const struct workcal *cal = *state;

    assert_true(workcal_is_holiday(cal, D(2025, 4, 26)));
    assert_false(workcal_is_holiday(cal, D(2025, 4, 27)));
    assert_true(workcal_is_holiday(cal, D(2025, 5, 5)));
    assert_false(workcal_is_holiday(cal, D(2026, 5, 5)));
    assert_false(workcal_is_holiday(cal, D(2026, 4, 3))); /* Good Friday: default off */
    assert_true(workcal_is_working_day(cal, D(2026, 4, 3)));
    assert_false(workcal_is_working_day(cal, D(2026, 4, 6)));   /* Easter Monday */
    assert_false(workcal_is_working_day(cal, D(2026, 11, 21))); /* Saturday */
    assert_true(workcal_is_working_day(cal, D(2026, 11, 23)));
    /* Outside the precomputed range the slow path answers the same. */
    assert_true(workcal_is_holiday(cal, D(2250, 12, 25)));
    assert_false(workcal_is_working_day(cal, D(1960, 4, 18))); /* Easter Monday 1960 */
    assert_int_equal(workcal_working_days_between(cal, D(2026, 11, 23), D(2026, 11, 30)), 5);
    /* Ordered Wed 23 Dec 2026: Thu 24, Mon 28, Tue 29, Wed 30, Thu 31, Fri 1 Jan no. */
    assert_int_equal(workcal_working_days_between(cal, D(2026, 12, 23), D(2027, 1, 4)), 6);
    assert_int_equal(workcal_working_days_between(cal, D(2026, 12, 23), D(2026, 12, 23)), 0);
    assert_date(workcal_add_working_days(cal, D(2026, 12, 23), 3), 2026, 12, 29);
    assert_date(workcal_add_working_days(cal, D(2026, 4, 2), 1), 2026, 4, 3);
    assert_date(workcal_add_working_days(cal, D(2026, 4, 3), 1), 2026, 4, 7);
    assert_date(workcal_add_working_days(cal, D(2026, 4, 3), 0), 2026, 4, 3);
}

static void
test_extra_holidays_and_config(void **state)
{
    struct civil_date extra[] = {{2026, 11, 24}, {2026, 5, 15}};
    struct workcal_config c;
    struct workcal *cal = NULL;

    (void)state;
    workcal_config_init(&c);
    c.extra_holidays = extra;
    c.n_extra_holidays = 2;
    c.good_friday = true;
    c.liberation_day = WORKCAL_LIBERATION_EVERY_YEAR;
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
    assert_true(workcal_is_holiday(cal, D(2026, 11, 24)));
    assert_true(workcal_is_holiday(cal, D(2026, 5, 15)));
    assert_true(workcal_is_holiday(cal, D(2026, 4, 3)));
    assert_true(workcal_is_holiday(cal, D(2026, 5, 5)));
    workcal_free(cal);

    workcal_config_init(&c);
    c.time_zone = "../etc/passwd";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_TIME_ZONE_NAME);
    assert_null(cal);
    c.time_zone = "Europe/Atlantis";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_TIME_ZONE_NOT_FOUND);
    c.time_zone = "iso3166.tab";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_TIME_ZONE_FILE);
    workcal_config_init(&c);
    c.hours[2].close_minute = 1441;
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_HOURS);
    workcal_config_init(&c);
    c.hours[2].open_minute = 18 * 60;
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_HOURS);
    memset(c.hours, 0, sizeof(c.hours));
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_NO_OPEN_DAY);
    workcal_config_init(&c);
    extra[0].day = 31;
    c.extra_holidays = extra;
    c.n_extra_holidays = 1;
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_HOLIDAY);
    assert_string_equal(workcal_status_name(WORKCAL_BAD_HOLIDAY), "bad_holiday");
}

static void
test_offsets_amsterdam(void **state)
{
    const struct workcal *cal = *state;
    /* Spring forward 29 Mar 2026 01:00 UTC, fall back 25 Oct 2026 01:00 UTC. */
    int64_t spring = at(2026, 3, 29, 1, 0, 0), fall = at(2026, 10, 25, 1, 0, 0);

    assert_int_equal(workcal_utc_offset(cal, spring - 1), 3600);
    assert_int_equal(workcal_utc_offset(cal, spring), 7200);
    assert_int_equal(workcal_utc_offset(cal, fall - 1), 7200);
    assert_int_equal(workcal_utc_offset(cal, fall), 3600);
    /* Far future comes from the POSIX footer rule: 29 March 2150. */
    assert_int_equal(workcal_utc_offset(cal, INT64_C(5687802000) - 1), 3600);
    assert_int_equal(workcal_utc_offset(cal, INT64_C(5687802000)), 7200);
    /* 1 July 1950: no DST in the Netherlands then. */
    assert_int_equal(workcal_utc_offset(cal, at(1950, 7, 1, 12, 0, 0)), 3600);
}

static void
test_other_zones(void **state)
{
    static const struct {
        const char *zone;
        int64_t t;
        int off;
    } rows[] = {
        {"America/New_York", 1710053999, -18000},
        {"America/New_York", 1710054000, -14400},
        {"America/New_York", 4119724800, -14400},
        {"Australia/Sydney", 1712419199, 39600},
        {"Australia/Sydney", 1712419200, 36000},
        {"Australia/Sydney", 5000000000, 36000},
        {"UTC", 0, 0},
    };
    struct workcal_config c;

    (void)state;
    workcal_config_init(&c);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct workcal *cal;
        c.time_zone = rows[i].zone;
        assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
        assert_int_equal(workcal_utc_offset(cal, rows[i].t), rows[i].off);
        workcal_free(cal);
    }
}

static void
test_local_conversion(void **state)
{
    const struct workcal *cal = *state;
    struct workcal_local l;
    char buf[WORKCAL_RFC3339_BUFSZ];
    int64_t day = civil_date_to_days(D(2026, 3, 29));
    int64_t autumn = civil_date_to_days(D(2026, 10, 25));

    workcal_to_local(cal, at(2026, 11, 24, 9, 30, 1), &l);
    assert_date(l.date, 2026, 11, 24);
    assert_int_equal(l.second_of_day, 9 * 3600 + 30 * 60);
    assert_string_equal(workcal_format_rfc3339(cal, at(2026, 11, 24, 9, 30, 1), buf),
                        "2026-11-24T09:30:00+01:00");
    assert_string_equal(workcal_format_rfc3339(cal, at(2026, 7, 1, 23, 59, 2), buf),
                        "2026-07-01T23:59:00+02:00");
    /* Ordinary times either side of the spring jump. */
    assert_int_equal(workcal_from_local(cal, day, 3600), at(2026, 3, 29, 1, 0, 1));
    assert_int_equal(workcal_from_local(cal, day, 3 * 3600), at(2026, 3, 29, 3, 0, 2));
    /* 02:30 does not exist: it becomes 03:30 CEST. */
    assert_int_equal(workcal_from_local(cal, day, 2 * 3600 + 1800), at(2026, 3, 29, 3, 30, 2));
    /* 02:30 on 25 Oct happens twice: the first (CEST) one. */
    assert_int_equal(workcal_from_local(cal, autumn, 2 * 3600 + 1800), at(2026, 10, 25, 2, 30, 2));
    assert_int_equal(workcal_from_local(cal, autumn, 3 * 3600), at(2026, 10, 25, 3, 0, 1));
    /* The local day of 29 March has 23 hours, 25 October 25. */
    assert_int_equal(workcal_from_local(cal, day + 1, 0) - workcal_from_local(cal, day, 0),
                     23 * 3600);
    assert_int_equal(workcal_from_local(cal, autumn, 86400) - workcal_from_local(cal, autumn, 0),
                     25 * 3600);
}

static void
test_business_time(void **state)
{
    const struct workcal *cal = *state;
    int64_t t;

    assert_true(workcal_is_open(cal, at(2026, 11, 20, 16, 30, 1)));
    assert_false(workcal_is_open(cal, at(2026, 11, 20, 17, 0, 1)));
    assert_true(workcal_is_open(cal, at(2026, 11, 20, 8, 0, 1)));
    assert_true(workcal_next_opening(cal, at(2026, 11, 20, 17, 0, 1), &t));
    assert_int_equal(t, at(2026, 11, 23, 8, 0, 1));
    assert_true(workcal_next_opening(cal, at(2026, 11, 20, 12, 0, 1), &t));
    assert_int_equal(t, at(2026, 11, 20, 12, 0, 1));
    /* Thursday 2 April 2026 after closing: Good Friday is a working day. */
    assert_true(workcal_next_opening(cal, at(2026, 4, 2, 18, 0, 2), &t));
    assert_int_equal(t, at(2026, 4, 3, 8, 0, 2));
    /* Friday 3 April after closing: Easter Monday closed, Tuesday 7 April. */
    assert_true(workcal_next_opening(cal, at(2026, 4, 3, 18, 0, 2), &t));
    assert_int_equal(t, at(2026, 4, 7, 8, 0, 2));
    /* Friday 16:30 to Monday 11:30 is four business hours. */
    assert_int_equal(
        workcal_business_seconds(cal, at(2026, 11, 20, 16, 30, 1), at(2026, 11, 23, 11, 30, 1)),
        4 * 3600);
    /* A whole week across the spring change: 5 x 9 hours. */
    assert_int_equal(
        workcal_business_seconds(cal, at(2026, 3, 23, 0, 0, 1), at(2026, 3, 30, 0, 0, 2)),
        45 * 3600);
    assert_int_equal(
        workcal_business_seconds(cal, at(2026, 3, 30, 0, 0, 2), at(2026, 3, 23, 0, 0, 1)), 0);
}

static void
test_round_the_clock_calendar(void **state)
{
    struct workcal_config c;
    struct workcal *cal;

    (void)state;
    workcal_config_init(&c);
    for (int i = 0; i < 7; i++) {
        c.hours[i].open_minute = 0;
        c.hours[i].close_minute = 1440;
    }
    c.dutch_holidays = false;
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
    /* Saturday to Monday across the spring change: 47 real hours. */
    assert_int_equal(
        workcal_business_seconds(cal, at(2026, 3, 28, 0, 0, 1), at(2026, 3, 30, 0, 0, 2)),
        47 * 3600);
    workcal_free(cal);
}

/* Writes len bytes of data as dir/name. */
static void
write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Damaged zone files are refused, never read out of bounds (ASan watches). */
static void
test_damaged_zone_files(void **state)
{
    char dir[] = "/tmp/ritmo_tzXXXXXX";
    unsigned char good[8192], bad[8192];
    size_t len;
    FILE *f = fopen(WORKCAL_DEFAULT_ZONEINFO_DIR "/Europe/Amsterdam", "rb");
    struct workcal_config c;
    struct workcal *cal = NULL;
    char path[512];

    (void)state;
    assert_non_null(f);
    len = fread(good, 1, sizeof(good), f);
    fclose(f);
    assert_true(len > 100);
    assert_non_null(mkdtemp(dir));
    workcal_config_init(&c);
    c.zoneinfo_dir = dir;
    /* A faithful copy works from the other directory. */
    write_file(dir, "Copy", good, len);
    c.time_zone = "Copy";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
    workcal_free(cal);
    /* Every truncation is refused or, past the data, still parses. */
    for (size_t cut = 0; cut < len; cut += 7) {
        write_file(dir, "Cut", good, cut);
        c.time_zone = "Cut";
        enum workcal_status st = workcal_create(&c, &cal);
        assert_true(st == WORKCAL_BAD_TIME_ZONE_FILE || st == WORKCAL_OK);
        workcal_free(cal);
    }
    /* Huge counts in the header. */
    memcpy(bad, good, len);
    memset(bad + 20, 0x7f, 24);
    write_file(dir, "Huge", bad, len);
    c.time_zone = "Huge";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_TIME_ZONE_FILE);
    write_file(dir, "Text", "not a zone file at all, just some words here..", 47);
    c.time_zone = "Text";
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_BAD_TIME_ZONE_FILE);
    static const char *const names[] = {"Copy", "Cut", "Huge", "Text"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_easter),
        cmocka_unit_test(test_dutch_holidays),
        cmocka_unit_test_setup_teardown(test_working_days, setup_default, teardown),
        cmocka_unit_test(test_extra_holidays_and_config),
        cmocka_unit_test_setup_teardown(test_offsets_amsterdam, setup_default, teardown),
        cmocka_unit_test(test_other_zones),
        cmocka_unit_test_setup_teardown(test_local_conversion, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_business_time, setup_default, teardown),
        cmocka_unit_test(test_round_the_clock_calendar),
        cmocka_unit_test(test_damaged_zone_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
