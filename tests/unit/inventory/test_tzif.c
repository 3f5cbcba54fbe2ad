/* Unit tests for inventory/tzif: hand-built TZif images whose only rules are
 * the POSIX footer (M, J and zero-based day forms), and bad names/images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/civil_date.h"
#include "inventory/tzif.h"

/* Unix seconds of a UTC wall time. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
    return civil_date_to_days((struct civil_date){y, mo, d}) * 86400 + h * 3600 + mi * 60;
}

static size_t
put_header(unsigned char *p, char version, uint32_t typecnt, uint32_t charcnt)
{
    uint32_t counts[6] = {0, 0, 0, 0, typecnt, charcnt};

    memset(p, 0, 44);
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)version;
    for (int i = 0; i < 6; i++) {
        p[20 + 4 * i] = (unsigned char)(counts[i] >> 24);
        p[21 + 4 * i] = (unsigned char)(counts[i] >> 16);
        p[22 + 4 * i] = (unsigned char)(counts[i] >> 8);
        p[23 + 4 * i] = (unsigned char)counts[i];
    }
    return 44;
}

/* One local time type (offset std_off), no transitions, then the footer. */
static size_t
build(unsigned char *buf, int32_t std_off, const char *footer)
{
    size_t n = 0;
    uint32_t u = (uint32_t)std_off;

    for (int block = 0; block < 2; block++) {
        n += put_header(buf + n, '2', 1, 4);
        buf[n++] = (unsigned char)(u >> 24);
        buf[n++] = (unsigned char)(u >> 16);
        buf[n++] = (unsigned char)(u >> 8);
        buf[n++] = (unsigned char)u;
        buf[n++] = 0; /* isdst */
        buf[n++] = 0; /* abbreviation index */
        memcpy(buf + n, "XXX", 4);
        n += 4;
    }
    buf[n++] = '\n';
    memcpy(buf + n, footer, strlen(footer));
    n += strlen(footer);
    buf[n++] = '\n';
    return n;
}

static void
test_footer_m_rules(void **state)
{
    unsigned char buf[512];
    size_t len = build(buf, 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
    struct tzif *tz;

    (void)state;
    assert_int_equal(tzif_parse(buf, len, &tz), TZIF_OK);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 3, 29, 0, 59)), 3600);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 3, 29, 1, 0)), 7200);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 10, 25, 0, 59)), 7200);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 10, 25, 1, 0)), 3600);
    /* 2027: last Sundays are 28 March and 31 October. */
    assert_int_equal(tzif_utc_offset(tz, utc(2027, 3, 28, 1, 0)), 7200);
    assert_int_equal(tzif_utc_offset(tz, utc(2027, 10, 31, 1, 0)), 3600);
    /* Local 2026-03-29 02:30 is skipped: it becomes 03:30 CEST = 01:30 UTC. */
    assert_int_equal(tzif_from_local(tz, utc(2026, 3, 29, 2, 30)), utc(2026, 3, 29, 1, 30));
    tzif_free(tz);
}

static void
test_footer_other_forms(void **state)
{
    unsigned char buf[512];
    size_t len;
    struct tzif *tz;

    (void)state;
    /* Southern hemisphere with J and zero-based forms: DST from day J300
     * (27 October) to day 90 (1 April in 2026, zero-based). */
    len = build(buf, 36000, "<+10>-10<+11>,J300/2,90/3");
    assert_int_equal(tzif_parse(buf, len, &tz), TZIF_OK);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 1, 15, 0, 0)), 39600);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 6, 15, 0, 0)), 36000);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 12, 15, 0, 0)), 39600);
    /* DST ends 1 April 2026 03:00 local DST = 31 March 16:00 UTC. */
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 3, 31, 15, 59)), 39600);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 3, 31, 16, 0)), 36000);
    tzif_free(tz);
    /* No DST at all. */
    len = build(buf, 10800, "<+03>-3");
    assert_int_equal(tzif_parse(buf, len, &tz), TZIF_OK);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 7, 1, 0, 0)), 10800);
    assert_int_equal(tzif_from_local(tz, utc(2026, 7, 1, 3, 0)), utc(2026, 7, 1, 0, 0));
    tzif_free(tz);
    /* A footer we cannot read keeps the table's offsets. */
    len = build(buf, -18000, "EST5EDT,M3.2.0,garbage");
    assert_int_equal(tzif_parse(buf, len, &tz), TZIF_OK);
    assert_int_equal(tzif_utc_offset(tz, utc(2026, 7, 1, 0, 0)), -18000);
    tzif_free(tz);
}

static void
test_bad_input(void **state)
{
    unsigned char buf[512];
    size_t len = build(buf, 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
    struct tzif *tz = (struct tzif *)buf;

    (void)state;
    assert_int_equal(tzif_parse(buf, 43, &tz), TZIF_BAD_FILE);
    assert_null(tz);
    buf[0] = 'X';
    assert_int_equal(tzif_parse(buf, len, &tz), TZIF_BAD_FILE);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "../../etc/passwd", &tz), TZIF_BAD_NAME);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "/etc/passwd", &tz), TZIF_BAD_NAME);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "Europe/Amsterdam;rm", &tz), TZIF_BAD_NAME);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "", &tz), TZIF_BAD_NAME);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "Mars/Olympus", &tz), TZIF_NOT_FOUND);
    assert_int_equal(tzif_load("/usr/share/zoneinfo", "Europe/Amsterdam", &tz), TZIF_OK);
    tzif_free(tz);
    tzif_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_footer_m_rules),
        cmocka_unit_test(test_footer_other_forms),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
