/* RRULE expansion over libical's iterator, in floating (local) time. */
#include "transport/series.h"

#include "common/xalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

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
    if (recur.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
        return SERIES_INVALID;
    if (recur.freq == ICAL_SECONDLY_RECURRENCE || recur.freq == ICAL_MINUTELY_RECURRENCE ||
        recur.freq == ICAL_HOURLY_RECURRENCE)
        return SERIES_TOO_OFTEN;
    if (recur.count == 0 && icaltime_is_null_time(recur.until))
        return SERIES_NO_END;
    struct icaltimetype dtstart = icaltime_null_time();
    dtstart.year = start.year;
    dtstart.month = start.month;
    dtstart.day = start.day;
    dtstart.hour = second_of_day / 3600;
    dtstart.minute = second_of_day / 60 % 60;
    dtstart.second = second_of_day % 60;
    dtstart.is_date = 0;
    icalrecur_iterator *it = icalrecur_iterator_new(recur, dtstart);
    if (!it)
        return SERIES_INVALID;
    enum series_status st = SERIES_OK;
    size_t cap = 16;
    *dates = xcalloc(cap, sizeof **dates);
    for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it)) {
        if (*n == max) {
            st = SERIES_TOO_MANY;
            break;
        }
        if (*n == cap)
            *dates = xreallocarray(*dates, cap *= 2, sizeof **dates);
        (*dates)[(*n)++] = (struct civil_date){t.year, t.month, t.day};
    }
    icalrecur_iterator_free(it);
    if (st == SERIES_OK && *n == 0)
        st = SERIES_INVALID; /* e.g. UNTIL before the first ride */
    if (st != SERIES_OK) {
        free(*dates);
        *dates = NULL;
        *n = 0;
    }
    return st;
}
