/* Unit tests for inventory/maintenance: yearly, half-yearly and
 * from-completion schedules against hand-computed dates; invalid rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/maintenance.h"

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

static struct maintenance_rule *
rule(const char *text)
{
    struct maintenance_rule *r = NULL;

    assert_int_equal(maintenance_rule_create(text, &r), MAINTENANCE_OK);
    assert_non_null(r);
    return r;
}

static void
test_yearly_fixed(void **state)
{
    struct maintenance_rule *r = rule("FREQ=YEARLY");
    struct civil_date out[8], next, done;
    size_t n;

    (void)state;
    assert_string_equal(maintenance_rule_text_get(r), "FREQ=YEARLY");
    assert_int_equal(
        maintenance_dates(r, D(2024, 2, 29), D(2024, 1, 1), D(2029, 12, 31), out, 8, &n),
        MAINTENANCE_OK);
    assert_int_equal(n, 5);
    assert_date(out[0], 2025, 2, 28); /* clamped, not skipped to 2028 */
    assert_date(out[1], 2026, 2, 28);
    assert_date(out[3], 2028, 2, 29);
    assert_date(out[4], 2029, 2, 28);
    /* Never done: the first date after the purchase. */
    assert_int_equal(maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 5, 10), NULL, &next),
                     MAINTENANCE_OK);
    assert_date(next, 2025, 5, 10);
    /* Done a week early: that counts for 10 May 2025, next 10 May 2026. */
    done = D(2025, 5, 3);
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 5, 10), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2026, 5, 10);
    /* Done two months late: still for 2025, the fixed date stays 10 May. */
    done = D(2025, 7, 10);
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 5, 10), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2026, 5, 10);
    /* An intake check just after delivery counts for the anchor, not 2025. */
    done = D(2024, 5, 20);
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 5, 10), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2025, 5, 10);
    maintenance_rule_free(r);
}

static void
test_half_yearly(void **state)
{
    struct maintenance_rule *r = rule("FREQ=MONTHLY;INTERVAL=6");
    struct civil_date out[8];
    size_t n;

    (void)state;
    assert_int_equal(maintenance_dates(r, D(2024, 8, 31), D(2025, 1, 1), D(2027, 1, 1), out, 8, &n),
                     MAINTENANCE_OK);
    assert_int_equal(n, 4);
    assert_date(out[0], 2025, 2, 28);
    assert_date(out[1], 2025, 8, 31);
    assert_date(out[2], 2026, 2, 28);
    assert_date(out[3], 2026, 8, 31);
    /* cap bounds the output */
    assert_int_equal(maintenance_dates(r, D(2024, 8, 31), D(2025, 1, 1), D(2027, 1, 1), out, 2, &n),
                     MAINTENANCE_OK);
    assert_int_equal(n, 2);
    maintenance_rule_free(r);
}

static void
test_from_completion(void **state)
{
    struct maintenance_rule *r = rule("FREQ=MONTHLY;INTERVAL=6");
    struct civil_date next, done = D(2025, 3, 17);

    (void)state;
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_COMPLETION, D(2024, 8, 31), NULL, &next),
        MAINTENANCE_OK);
    assert_date(next, 2025, 2, 28);
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_COMPLETION, D(2024, 8, 31), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2025, 9, 17);
    /* The fixed schedule would ignore when it was done. */
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 8, 31), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2025, 8, 31);
    /* A completion before the anchor (previous life of a re-issued item) is ignored. */
    done = D(2023, 1, 1);
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_COMPLETION, D(2024, 8, 31), &done, &next),
        MAINTENANCE_OK);
    assert_date(next, 2025, 2, 28);
    maintenance_rule_free(r);
}

static void
test_counted_rule_ends(void **state)
{
    struct maintenance_rule *r = rule("FREQ=YEARLY;COUNT=3");
    struct civil_date next, done = D(2026, 1, 10);

    (void)state;
    /* COUNT includes the anchor itself: 2024 (anchor), 2025, 2026. */
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 1, 15), &done, &next),
        MAINTENANCE_ENDED);
    maintenance_rule_free(r);
    r = rule("FREQ=WEEKLY;INTERVAL=26");
    assert_int_equal(
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2026, 11, 23), NULL, &next),
        MAINTENANCE_OK);
    assert_date(next, 2027, 5, 24);
    maintenance_rule_free(r);
}

static void
test_invalid_rules(void **state)
{
    static const struct {
        const char *text;
        enum maintenance_status st;
    } rows[] = {
        {"", MAINTENANCE_BAD_RULE},
        {"garbage", MAINTENANCE_BAD_RULE},
        {"RRULE:FREQ=YEARLY", MAINTENANCE_BAD_RULE},
        {"FREQ=YEARLY;FOO=1", MAINTENANCE_BAD_RULE},
        {"FREQ=MONTHLY;INTERVAL=0", MAINTENANCE_BAD_RULE},
        {"FREQ=SECONDLY", MAINTENANCE_TOO_FREQUENT},
        {"FREQ=MINUTELY;INTERVAL=600", MAINTENANCE_TOO_FREQUENT},
        {"FREQ=HOURLY", MAINTENANCE_TOO_FREQUENT},
        {"FREQ=DAILY", MAINTENANCE_TOO_FREQUENT},
        {"FREQ=YEARLY;BYHOUR=3", MAINTENANCE_UNSUPPORTED},
        {"RSCALE=GREGORIAN;SKIP=OMIT;FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
         MAINTENANCE_NO_OCCURRENCE},
        {"FREQ=YEARLY;COUNT=1", MAINTENANCE_NO_OCCURRENCE},
        {"FREQ=YEARLY;UNTIL=19990101", MAINTENANCE_NO_OCCURRENCE},
        {"RSCALE=HEBREW;FREQ=YEARLY", MAINTENANCE_UNSUPPORTED},
        /* found by tests/fuzz: crashed libical from an anchor in late March */
        {"FREQ=YEARLY;BYWEEKNO=42", MAINTENANCE_UNSUPPORTED},
    };
    struct maintenance_rule *r = (struct maintenance_rule *)&r;

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(maintenance_rule_create(rows[i].text, &r), rows[i].st);
        assert_null(r);
    }
    assert_int_equal(maintenance_rule_create(NULL, &r), MAINTENANCE_BAD_RULE);
    r = rule("FREQ=DAILY;INTERVAL=90");
    maintenance_rule_free(r);
    maintenance_rule_free(NULL);
    assert_string_equal(maintenance_status_name(MAINTENANCE_TOO_FREQUENT), "too_frequent");
}

static void
test_bad_dates(void **state)
{
    struct maintenance_rule *r = rule("FREQ=YEARLY");
    struct civil_date next, out[2], bad = D(2025, 2, 29);
    size_t n;

    (void)state;
    assert_int_equal(maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, bad, NULL, &next),
                     MAINTENANCE_BAD_DATE);
    assert_int_equal(maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(2024, 1, 1), &bad, &next),
                     MAINTENANCE_BAD_DATE);
    assert_int_equal(maintenance_dates(r, D(2024, 1, 1), bad, D(2030, 1, 1), out, 2, &n),
                     MAINTENANCE_BAD_DATE);
    maintenance_rule_free(r);
    /* found by tests/fuzz: libical's Julian leap years before 1753 gave
     * 1000-02-29, a date the civil calendar lacks */
    r = rule("FREQ=MONTHLY;COUNT=12;BYMONTHDAY=30");
    enum maintenance_status st =
        maintenance_next_due(r, MAINTENANCE_ANCHOR_FIXED, D(1000, 2, 1), NULL, &next);
    assert_true(st == MAINTENANCE_ENDED || (st == MAINTENANCE_OK && civil_date_valid(next)));
    maintenance_rule_free(r);
}

/* Plain rules take a civil_date fast path; the same rule with an UNTIL far
 * away goes through libical's iterator. Both must give the same dates. */
static void
test_fast_path_matches_libical(void **state)
{
    static const char *const pairs[][2] = {
        {"FREQ=YEARLY", "FREQ=YEARLY;UNTIL=29991231"},
        {"FREQ=MONTHLY;INTERVAL=6", "FREQ=MONTHLY;INTERVAL=6;UNTIL=29991231"},
        {"FREQ=MONTHLY;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=3;UNTIL=29991231"},
        {"FREQ=WEEKLY;INTERVAL=26", "FREQ=WEEKLY;INTERVAL=26;UNTIL=29991231"},
        {"FREQ=DAILY;INTERVAL=90", "FREQ=DAILY;INTERVAL=90;UNTIL=29991231"},
    };

    (void)state;
    for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
        struct maintenance_rule *fast = rule(pairs[p][0]), *slow = rule(pairs[p][1]);
        /* Every anchor in a leap-year cycle's worth of month ends and more. */
        for (int64_t day = 19720; day < 19720 + 1461; day += 5) {
            struct civil_date anchor = civil_date_from_days(day), a[6], b[6], na, nb;
            struct civil_date from = civil_date_add_days(anchor, 400), done;
            size_t n1, n2;
            assert_int_equal(maintenance_dates(fast, anchor, from, D(2040, 1, 1), a, 6, &n1),
                             MAINTENANCE_OK);
            assert_int_equal(maintenance_dates(slow, anchor, from, D(2040, 1, 1), b, 6, &n2),
                             MAINTENANCE_OK);
            assert_int_equal(n1, n2);
            for (size_t i = 0; i < n1; i++)
                assert_int_equal(civil_date_compare(a[i], b[i]), 0);
            done = civil_date_add_days(anchor, 500);
            assert_int_equal(
                maintenance_next_due(fast, MAINTENANCE_ANCHOR_FIXED, anchor, &done, &na),
                MAINTENANCE_OK);
            assert_int_equal(
                maintenance_next_due(slow, MAINTENANCE_ANCHOR_FIXED, anchor, &done, &nb),
                MAINTENANCE_OK);
            assert_int_equal(civil_date_compare(na, nb), 0);
        }
        maintenance_rule_free(fast);
        maintenance_rule_free(slow);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yearly_fixed),
        cmocka_unit_test(test_half_yearly),
        cmocka_unit_test(test_from_completion),
        cmocka_unit_test(test_counted_rule_ends),
        cmocka_unit_test(test_invalid_rules),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_fast_path_matches_libical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
