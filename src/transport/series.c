/* RRULE expansion over libical's iterator, in floating (local) time. */
#include "transport/series.h"

#include "common/xalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

/* What the rule may not be, before anything is expanded. */
static enum series_status
rule_check(const struct icalrecurrencetype *recur)
{
    if (recur->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
        return SERIES_INVALID;
    if (recur->freq == ICAL_SECONDLY_RECURRENCE || recur->freq == ICAL_MINUTELY_RECURRENCE ||
        recur->freq == ICAL_HOURLY_RECURRENCE)
        return SERIES_TOO_OFTEN;
    if (recur->count == 0 && icaltime_is_null_time(recur->until))
        return SERIES_NO_END;
    /* Only the dates are used, at the first ride's local time: a rule that
     * names times of day would book the same ride twice on one date. */
    if (recur->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        recur->by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        recur->by_second[0] != ICAL_RECURRENCE_ARRAY_MAX)
        return SERIES_TIME_PARTS;
    /* libical 3.0 expands BYWEEKNO wrongly, and FREQ=YEARLY;BYWEEKNO=42
     * from a date in late March read outside its tables (tests/fuzz). */
    if (recur->by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX)
        return SERIES_WEEKNO;
    return SERIES_OK;
}

/* The dates of the rule from dtstart into *dates (caller-owned), at most max. */
static enum series_status
expand(struct icalrecurrencetype recur, struct icaltimetype dtstart, size_t max,
       struct civil_date **dates, size_t *n)
{
    icalrecur_iterator *it = icalrecur_iterator_new(recur, dtstart);
    if (!it)
        return SERIES_INVALID;
    enum series_status st = SERIES_OK;
    size_t cap = 16;
    *dates = xcalloc(cap, sizeof **dates);
    struct civil_date last = {dtstart.year, dtstart.month, dtstart.day - 1};
    for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it)) {
        struct civil_date d = {t.year, t.month, t.day};
        /* One ride a date, in order (libical's weekly rules in year 1 were
         * seen to start in December; tests/fuzz). */
        if (!civil_date_valid(d) || civil_date_compare(d, last) <= 0) {
            st = SERIES_INVALID;
            break;
        }
        if (*n == max) {
            st = SERIES_TOO_MANY;
            break;
        }
        if (*n == cap)
            *dates = xreallocarray(*dates, cap *= 2, sizeof **dates);
        (*dates)[(*n)++] = last = d;
    }
    icalrecur_iterator_free(it);
    if (st == SERIES_OK && *n == 0)
        st = SERIES_INVALID; /* e.g. UNTIL before the first ride */
    return st;
}

enum series_status
series_expand(const char *rule, struct civil_date start, int second_of_day, size_t max,
              struct civil_date **dates, size_t *n)
{
    *dates = NULL;
    *n = 0;
    if (!strncmp(rule, "RRULE:", 6))
        rule += 6;
    if (!*rule || strlen(rule) > 500)
        return SERIES_INVALID;
    icalerror_clear_errno();
    struct icalrecurrencetype recur = icalrecurrencetype_from_string(rule);
    enum series_status st = rule_check(&recur);
    if (st != SERIES_OK)
        goto out;
    struct icaltimetype dtstart = icaltime_null_time();
    dtstart.year = start.year;
    dtstart.month = start.month;
    dtstart.day = start.day;
    dtstart.hour = second_of_day / 3600;
    dtstart.minute = second_of_day / 60 % 60;
    dtstart.second = second_of_day % 60;
    dtstart.is_date = 0;
    st = expand(recur, dtstart, max, dates, n);
out:
    /* libical strdup()s an RSCALE value and leaves it to the caller (found
     * by tests/fuzz: it leaked on every request that named one). */
    free(recur.rscale);
    if (st != SERIES_OK) {
        free(*dates);
        *dates = NULL;
        *n = 0;
    }
    return st;
}
