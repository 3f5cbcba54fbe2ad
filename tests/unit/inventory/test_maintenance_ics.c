/* Unit tests for inventory/maintenance_ics: the feed parses back with libical
 * into the same events, dates and (escaped) texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "inventory/maintenance_ics.h"

static void
test_feed_round_trip(void **state)
{
    const struct maintenance_ics_entry entries[] = {
        {"aid-42-2026-03-01@ritmo",
         {2026, 3, 1},
         "Inspection, scootmobiel; SN 1234",
         "Client: Spuiboulevard 300, Dordrecht"},
        {"aid-43-2026-02-28@ritmo", {2026, 2, 28}, "Service wheelchair", NULL},
        {NULL, {2026, 2, 28}, "skipped: no uid", NULL},
        {"bad-date", {2026, 2, 30}, "skipped: bad date", NULL},
    };
    char *text = maintenance_ics_dup("Supplier A", entries, 4, INT64_C(1795340400));
    icalcomponent *cal, *ev;
    int count = 0;

    (void)state;
    assert_non_null(strstr(text, "BEGIN:VCALENDAR\r\n"));
    assert_non_null(strstr(text, "DTSTART;VALUE=DATE:20260301\r\n"));
    assert_non_null(strstr(text, "DTEND;VALUE=DATE:20260302\r\n"));
    assert_non_null(strstr(text, "DTSTAMP:20261122T094000Z\r\n"));
    assert_non_null(strstr(text, "X-WR-CALNAME:Supplier A"));
    assert_non_null(strstr(text, "Inspection\\, scootmobiel\\; SN 1234"));
    cal = icalparser_parse_string(text);
    assert_non_null(cal);
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        struct icaltimetype start = icalcomponent_get_dtstart(ev);
        const struct maintenance_ics_entry *want = &entries[count];
        assert_string_equal(icalcomponent_get_uid(ev), want->uid);
        assert_string_equal(icalcomponent_get_summary(ev), want->summary);
        assert_true(start.is_date);
        assert_int_equal(start.year, want->due.year);
        assert_int_equal(start.month, want->due.month);
        assert_int_equal(start.day, want->due.day);
        count++;
    }
    assert_int_equal(count, 2);
    icalcomponent_free(cal);
    free(text);
}

static void
test_empty_feed(void **state)
{
    char *text = maintenance_ics_dup(NULL, NULL, 0, 0);
    icalcomponent *cal;

    (void)state;
    cal = icalparser_parse_string(text);
    assert_non_null(cal);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
    assert_non_null(strstr(text, "VERSION:2.0"));
    icalcomponent_free(cal);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_round_trip),
        cmocka_unit_test(test_empty_feed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
