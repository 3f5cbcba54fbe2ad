/* Recurring rides: an RFC 5545 RRULE expanded with libical in local wall
 * time, so a weekly 08:00 ride stays at 08:00 across daylight-saving
 * changes (the caller turns each local time into an instant). */
#ifndef RITMO_TRANSPORT_SERIES_H
#define RITMO_TRANSPORT_SERIES_H

#include "inventory/civil_date.h"

#include <stddef.h>

enum series_status {
    SERIES_OK,
    SERIES_INVALID,    /* not an RRULE libical understands */
    SERIES_NO_END,     /* neither COUNT nor UNTIL */
    SERIES_TOO_OFTEN,  /* more often than daily */
    SERIES_TOO_MANY,   /* more occurrences than allowed */
    SERIES_TIME_PARTS, /* BYHOUR, BYMINUTE or BYSECOND: the time is the ride's own */
    SERIES_WEEKNO,     /* BYWEEKNO, which libical 3.0 does not expand safely */
};

/* Expands rule ("FREQ=WEEKLY;..." with or without "RRULE:") from the first
 * occurrence on local date start at local second_of_day. Fills dates
 * (caller-owned, free()) with the local dates of every occurrence, the
 * first included when the rule yields it. */
enum series_status series_expand(const char *rule, struct civil_date start, int second_of_day,
                                 size_t max, struct civil_date **dates, size_t *n)
    __attribute__((warn_unused_result));

#endif
