/* The business calendar: an IANA time zone, opening hours per weekday and the
 * holidays (Dutch public holidays computed per year plus configured days). */
#ifndef RITMO_INVENTORY_WORKCAL_H
#define RITMO_INVENTORY_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/civil_date.h"

#define WORKCAL_DEFAULT_TIME_ZONE    "Europe/Amsterdam"
#define WORKCAL_DEFAULT_ZONEINFO_DIR "/usr/share/zoneinfo"
/* Room for "2026-11-24T09:30:00+01:00" and its NUL. */
#define WORKCAL_RFC3339_BUFSZ 26
/* At most this many Dutch holidays in one year (workcal_dutch_holidays). */
#define WORKCAL_MAX_DUTCH_HOLIDAYS 12
/* Instants accepted by the business-time functions: 1970-01-01 up to
 * 2199-12-31 UTC. Holidays and zone rules are precomputed for that range. */
#define WORKCAL_MIN_INSTANT INT64_C(0)
#define WORKCAL_MAX_INSTANT INT64_C(7258118399)

/* Opening hours of one weekday in local minutes after midnight:
 * 0 <= open_minute <= close_minute <= 1440, [open, close). Equal = closed. */
struct workcal_hours {
    int open_minute;
    int close_minute;
};

/* Liberation Day (5 May) is a public holiday every year, but most employers
 * (and the government's own collective agreement) give the day off only in
 * lustrum years (2025, 2030, ...). Default: lustrum. */
enum workcal_liberation_day {
    WORKCAL_LIBERATION_LUSTRUM,
    WORKCAL_LIBERATION_EVERY_YEAR,
    WORKCAL_LIBERATION_NEVER,
};

/* Everything a calendar is built from. Pointers are borrowed only during
 * workcal_create; the calendar keeps its own copies. */
struct workcal_config {
    const char *time_zone;         /* IANA name, default "Europe/Amsterdam" */
    const char *zoneinfo_dir;      /* TZif database, default /usr/share/zoneinfo */
    struct workcal_hours hours[7]; /* [0] = Monday .. [6] = Sunday; default Mon-Fri 08:00-17:00 */
    bool dutch_holidays;           /* default true */
    /* Good Friday is not in the Algemene termijnenwet and not a general day
     * off in the Netherlands: default false. */
    bool good_friday;
    enum workcal_liberation_day liberation_day;
    const struct civil_date *extra_holidays; /* extra closed days, e.g. a bridge day */
    size_t n_extra_holidays;
};

/* Sets the defaults described above. */
void workcal_config_init(struct workcal_config *c);

enum workcal_status {
    WORKCAL_OK,
    WORKCAL_BAD_TIME_ZONE_NAME, /* not a plausible IANA name */
    WORKCAL_TIME_ZONE_NOT_FOUND,
    WORKCAL_BAD_TIME_ZONE_FILE, /* not a TZif file we understand */
    WORKCAL_BAD_HOURS,
    WORKCAL_NO_OPEN_DAY, /* every weekday closed: nothing could ever be due */
    WORKCAL_BAD_HOLIDAY,
};

/* Stable snake_case name of a status. */
const char *workcal_status_name(enum workcal_status st);

struct workcal;

/* Builds a calendar; *out is caller-owned, release with workcal_free. Reads
 * the zone file once here; afterwards the calendar is immutable, so one
 * calendar may be used from any number of threads at once. */
enum workcal_status workcal_create(const struct workcal_config *c, struct workcal **out)
    __attribute__((warn_unused_result));
void workcal_free(struct workcal *cal);

/* ---- holidays ---- */

/* One holiday; name is a static English string ("Easter Monday"). */
struct workcal_holiday {
    struct civil_date date;
    const char *name;
};

/* Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
struct civil_date workcal_easter_sunday(int year);
/* The Dutch public holidays of a year in date order, written to out; returns
 * how many. New Year, (Good Friday), Easter Sunday and Monday, King's Day
 * (27 April, 26 April when the 27th is a Sunday; Queen's Day 30/29 April
 * before 2014), (Liberation Day), Ascension, Whit Sunday and Monday,
 * Christmas Day and Boxing Day. */
size_t workcal_dutch_holidays(int year, bool good_friday, enum workcal_liberation_day liberation,
                              struct workcal_holiday out[WORKCAL_MAX_DUTCH_HOLIDAYS]);
/* True on a configured holiday (Dutch or extra), whatever the weekday. */
bool workcal_is_holiday(const struct workcal *cal, struct civil_date d);
/* True when the weekday has opening hours and the date is no holiday. */
bool workcal_is_working_day(const struct workcal *cal, struct civil_date d);
/* Working days after `from` up to and including `to` (0 when to <= from):
 * Monday -> next Monday is 5 in a plain week. For delivery terms. */
int64_t workcal_working_days_between(const struct workcal *cal, struct civil_date from,
                                     struct civil_date to);
/* The n-th working day after d (n >= 0; n == 0 gives d itself). */
struct civil_date workcal_add_working_days(const struct workcal *cal, struct civil_date d, int n);

/* ---- local time ---- */

/* An instant seen in the calendar's zone; a value type. */
struct workcal_local {
    struct civil_date date;
    int64_t days;      /* civil_date_to_days(date) */
    int second_of_day; /* 0..86399 */
    int utc_offset;    /* seconds east of UTC */
};

/* UTC offset in seconds at instant t (unix seconds). */
int workcal_utc_offset(const struct workcal *cal, int64_t t);
void workcal_to_local(const struct workcal *cal, int64_t t, struct workcal_local *out);
/* The instant of a local wall time on local day `days` (second_of_day may be
 * 86400 for the next midnight). A time skipped by a spring-forward jump moves
 * forward by the jump (02:30 -> 03:30); a time that occurs twice in the
 * autumn takes the first occurrence. */
int64_t workcal_from_local(const struct workcal *cal, int64_t days, int second_of_day);
/* "2026-11-24T09:30:00+01:00" in the calendar's zone; returns buf. */
char *workcal_format_rfc3339(const struct workcal *cal, int64_t t, char buf[WORKCAL_RFC3339_BUFSZ]);

/* ---- business time ---- */

/* The open interval [*open_at, *close_at) of local day `days` as instants;
 * false when the day is closed (weekday without hours or holiday). */
bool workcal_open_interval(const struct workcal *cal, int64_t days, int64_t *open_at,
                           int64_t *close_at);
/* True when t is inside business hours. */
bool workcal_is_open(const struct workcal *cal, int64_t t);
/* t itself when open, otherwise the next opening. t must be within
 * WORKCAL_MIN_INSTANT..WORKCAL_MAX_INSTANT; false when no opening follows in
 * the supported range. */
bool workcal_next_opening(const struct workcal *cal, int64_t t, int64_t *out)
    __attribute__((warn_unused_result));
/* Seconds of business hours within [from, until); 0 when until <= from. */
int64_t workcal_business_seconds(const struct workcal *cal, int64_t from, int64_t until);

#endif
