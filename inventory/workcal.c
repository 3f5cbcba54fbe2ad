/* Business calendar: a TZif time zone (tzif.c), Dutch holidays precomputed
 * into bitmaps, business hours walked by local date (never by adding 86,400 s).
 * Everything is computed in workcal_create; afterwards the calendar is
 * immutable and shared by all threads without locks. */
#include "inventory/workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "inventory/tzif.h"

#define SECS_PER_DAY     INT64_C(86400)
#define BITMAP_FIRST_DAY INT64_C(0)     /* 1970-01-01 */
#define BITMAP_END_DAY   INT64_C(84006) /* 2200-01-01 */
#define BITMAP_WORDS     ((BITMAP_END_DAY - BITMAP_FIRST_DAY + 63) / 64)
#define OPEN_SEARCH_DAYS 3700 /* ten years: a calendar with an open weekday opens within it */

struct workcal {
    struct tzif *zone;
    /* Business hours and holidays. */
    struct workcal_hours hours[7];
    bool dutch_holidays;
    bool good_friday;
    enum workcal_liberation_day liberation_day;
    int64_t *extra; /* sorted day numbers */
    size_t n_extra;
    uint64_t holiday_bits[BITMAP_WORDS];
    uint64_t working_bits[BITMAP_WORDS];
};

const char *
workcal_status_name(enum workcal_status st)
{
    switch (st) {
    case WORKCAL_OK:
        return "ok";
    case WORKCAL_BAD_TIME_ZONE_NAME:
        return "bad_time_zone_name";
    case WORKCAL_TIME_ZONE_NOT_FOUND:
        return "time_zone_not_found";
    case WORKCAL_BAD_TIME_ZONE_FILE:
        return "bad_time_zone_file";
    case WORKCAL_BAD_HOURS:
        return "bad_hours";
    case WORKCAL_NO_OPEN_DAY:
        return "no_open_day";
    case WORKCAL_BAD_HOLIDAY:
        return "bad_holiday";
    }
    return "unknown";
}

void
workcal_config_init(struct workcal_config *c)
{
    memset(c, 0, sizeof(*c));
    c->time_zone = WORKCAL_DEFAULT_TIME_ZONE;
    c->zoneinfo_dir = WORKCAL_DEFAULT_ZONEINFO_DIR;
    for (int i = 0; i < 5; i++) {
        c->hours[i].open_minute = 8 * 60;
        c->hours[i].close_minute = 17 * 60;
    }
    c->dutch_holidays = true;
    c->good_friday = false;
    c->liberation_day = WORKCAL_LIBERATION_LUSTRUM;
}

/* ---- time conversion ---- */

int
workcal_utc_offset(const struct workcal *cal, int64_t t)
{
    return tzif_utc_offset(cal->zone, t);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void
workcal_to_local(const struct workcal *cal, int64_t t, struct workcal_local *out)
{
    int off = workcal_utc_offset(cal, t);
    int64_t local = t + off;

    out->days = floor_div(local, SECS_PER_DAY);
    out->second_of_day = (int)(local - out->days * SECS_PER_DAY);
    out->date = civil_date_from_days(out->days);
    out->utc_offset = off;
}

int64_t
workcal_from_local(const struct workcal *cal, int64_t days, int second_of_day)
{
    return tzif_from_local(cal->zone, days * SECS_PER_DAY + second_of_day);
}

char *
workcal_format_rfc3339(const struct workcal *cal, int64_t t, char buf[WORKCAL_RFC3339_BUFSZ])
{
    struct workcal_local l;
    int off, sign = '+';

    workcal_to_local(cal, t, &l);
    off = l.utc_offset;
    if (off < 0) {
        sign = '-';
        off = -off;
    }
    snprintf(buf, WORKCAL_RFC3339_BUFSZ, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u",
             (unsigned)l.date.year % 10000u, (unsigned)l.date.month % 100u,
             (unsigned)l.date.day % 100u, (unsigned)(l.second_of_day / 3600) % 100u,
             (unsigned)(l.second_of_day / 60) % 60u, (unsigned)l.second_of_day % 60u, sign,
             (unsigned)(off / 3600) % 100u, (unsigned)(off / 60) % 60u);
    return buf;
}

/* ---- holidays ---- */

struct civil_date
workcal_easter_sunday(int year)
{
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;

    return (struct civil_date){year, month, day};
}

static size_t
add_holiday(struct workcal_holiday *out, size_t n, struct civil_date d, const char *name)
{
    out[n].date = d;
    out[n].name = name;
    return n + 1;
}

size_t
workcal_dutch_holidays(int year, bool good_friday, enum workcal_liberation_day liberation,
                       struct workcal_holiday out[WORKCAL_MAX_DUTCH_HOLIDAYS])
{
    struct civil_date easter = workcal_easter_sunday(year);
    struct civil_date kings = {year, 4, year >= 2014 ? 27 : 30};
    size_t n = 0;

    n = add_holiday(out, n, (struct civil_date){year, 1, 1}, "New Year's Day");
    if (good_friday)
        n = add_holiday(out, n, civil_date_add_days(easter, -2), "Good Friday");
    n = add_holiday(out, n, easter, "Easter Sunday");
    n = add_holiday(out, n, civil_date_add_days(easter, 1), "Easter Monday");
    /* Moved to the Saturday before when it falls on a Sunday. Easter Monday
     * can be as late as 26 April, so the order holds. */
    if (civil_date_weekday(kings) == CIVIL_SUNDAY)
        kings.day--;
    n = add_holiday(out, n, kings, year >= 2014 ? "King's Day" : "Queen's Day");
    /* Ascension is always after 30 April, but may be before 5 May. */
    struct civil_date ascension = civil_date_add_days(easter, 39);
    bool liberation_on = liberation == WORKCAL_LIBERATION_EVERY_YEAR ||
                         (liberation == WORKCAL_LIBERATION_LUSTRUM && year % 5 == 0);
    struct civil_date libday = {year, 5, 5};
    if (liberation_on && civil_date_compare(libday, ascension) < 0)
        n = add_holiday(out, n, libday, "Liberation Day");
    if (liberation_on && civil_date_compare(libday, ascension) == 0)
        liberation_on = false; /* the same day, already a holiday */
    n = add_holiday(out, n, ascension, "Ascension Day");
    if (liberation_on && civil_date_compare(libday, ascension) > 0)
        n = add_holiday(out, n, libday, "Liberation Day");
    n = add_holiday(out, n, civil_date_add_days(easter, 49), "Whit Sunday");
    n = add_holiday(out, n, civil_date_add_days(easter, 50), "Whit Monday");
    n = add_holiday(out, n, (struct civil_date){year, 12, 25}, "Christmas Day");
    n = add_holiday(out, n, (struct civil_date){year, 12, 26}, "Boxing Day");
    return n;
}

static int
cmp_days(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static bool
in_bitmap(int64_t days)
{
    return days >= BITMAP_FIRST_DAY && days < BITMAP_END_DAY;
}

static bool
bit_get(const uint64_t *bits, int64_t days)
{
    int64_t i = days - BITMAP_FIRST_DAY;

    return (bits[i / 64] >> (i % 64)) & 1u;
}

static void
bit_set(uint64_t *bits, int64_t days)
{
    int64_t i = days - BITMAP_FIRST_DAY;

    bits[i / 64] |= UINT64_C(1) << (i % 64);
}

/* The slow path, used to fill the bitmap and outside its range. */
static bool
holiday_compute(const struct workcal *cal, int64_t days)
{
    if (cal->n_extra > 0 &&
        bsearch(&days, cal->extra, cal->n_extra, sizeof(*cal->extra), cmp_days) != NULL)
        return true;
    if (cal->dutch_holidays) {
        struct workcal_holiday list[WORKCAL_MAX_DUTCH_HOLIDAYS];
        struct civil_date d = civil_date_from_days(days);
        size_t n = workcal_dutch_holidays(d.year, cal->good_friday, cal->liberation_day, list);
        for (size_t i = 0; i < n; i++)
            if (civil_date_compare(list[i].date, d) == 0)
                return true;
    }
    return false;
}

static bool
holiday_on_days(const struct workcal *cal, int64_t days)
{
    if (in_bitmap(days))
        return bit_get(cal->holiday_bits, days);
    return holiday_compute(cal, days);
}

static const struct workcal_hours *
hours_of_days(const struct workcal *cal, int64_t days)
{
    return &cal->hours[civil_date_weekday_of_days(days) - 1];
}

static bool
working_on_days(const struct workcal *cal, int64_t days)
{
    const struct workcal_hours *h;

    if (in_bitmap(days))
        return bit_get(cal->working_bits, days);
    h = hours_of_days(cal, days);
    return h->open_minute < h->close_minute && !holiday_compute(cal, days);
}

static void
fill_bitmaps(struct workcal *cal)
{
    int64_t from = BITMAP_FIRST_DAY;

    memset(cal->holiday_bits, 0, sizeof(cal->holiday_bits));
    memset(cal->working_bits, 0, sizeof(cal->working_bits));
    for (size_t i = 0; i < cal->n_extra; i++)
        if (in_bitmap(cal->extra[i]))
            bit_set(cal->holiday_bits, cal->extra[i]);
    for (int y = 1970; cal->dutch_holidays && y < 2200; y++) {
        struct workcal_holiday list[WORKCAL_MAX_DUTCH_HOLIDAYS];
        size_t n = workcal_dutch_holidays(y, cal->good_friday, cal->liberation_day, list);
        for (size_t i = 0; i < n; i++)
            bit_set(cal->holiday_bits, civil_date_to_days(list[i].date));
    }
    for (int64_t d = from; d < BITMAP_END_DAY; d++) {
        const struct workcal_hours *h = hours_of_days(cal, d);
        if (h->open_minute < h->close_minute && !bit_get(cal->holiday_bits, d))
            bit_set(cal->working_bits, d);
    }
}

bool
workcal_is_holiday(const struct workcal *cal, struct civil_date d)
{
    return holiday_on_days(cal, civil_date_to_days(d));
}

bool
workcal_is_working_day(const struct workcal *cal, struct civil_date d)
{
    return working_on_days(cal, civil_date_to_days(d));
}

int64_t
workcal_working_days_between(const struct workcal *cal, struct civil_date from,
                             struct civil_date to)
{
    int64_t a = civil_date_to_days(from), b = civil_date_to_days(to), n = 0;

    for (int64_t d = a + 1; d <= b; d++)
        n += working_on_days(cal, d);
    return n;
}

struct civil_date
workcal_add_working_days(const struct workcal *cal, struct civil_date d, int n)
{
    int64_t days = civil_date_to_days(d);

    /* workcal_create guarantees an open weekday, so this ends. */
    while (n > 0) {
        days++;
        n -= working_on_days(cal, days);
    }
    return civil_date_from_days(days);
}

/* ---- business time ---- */

bool
workcal_open_interval(const struct workcal *cal, int64_t days, int64_t *open_at, int64_t *close_at)
{
    const struct workcal_hours *h = hours_of_days(cal, days);

    if (!working_on_days(cal, days))
        return false;
    *open_at = workcal_from_local(cal, days, h->open_minute * 60);
    *close_at = workcal_from_local(cal, days, h->close_minute * 60);
    return *open_at < *close_at;
}

bool
workcal_is_open(const struct workcal *cal, int64_t t)
{
    struct workcal_local l;
    int64_t a, b;

    workcal_to_local(cal, t, &l);
    return workcal_open_interval(cal, l.days, &a, &b) && a <= t && t < b;
}

bool
workcal_next_opening(const struct workcal *cal, int64_t t, int64_t *out)
{
    struct workcal_local l;

    workcal_to_local(cal, t, &l);
    /* Start a day early: near midnight on DST days the local date of t and
     * the date whose hours contain t can differ. */
    for (int64_t d = l.days - 1; d <= l.days + OPEN_SEARCH_DAYS; d++) {
        int64_t a, b;
        if (!workcal_open_interval(cal, d, &a, &b) || b <= t)
            continue;
        *out = a > t ? a : t;
        return true;
    }
    return false;
}

int64_t
workcal_business_seconds(const struct workcal *cal, int64_t from, int64_t until)
{
    struct workcal_local lf, lu;
    int64_t total = 0;

    if (until <= from)
        return 0;
    workcal_to_local(cal, from, &lf);
    workcal_to_local(cal, until, &lu);
    for (int64_t d = lf.days - 1; d <= lu.days; d++) {
        int64_t a, b;
        if (!workcal_open_interval(cal, d, &a, &b))
            continue;
        a = a > from ? a : from;
        b = b < until ? b : until;
        if (a < b)
            total += b - a;
    }
    return total;
}

/* ---- construction ---- */

static enum workcal_status
check_config(const struct workcal_config *c)
{
    bool any_open = false;

    for (int i = 0; i < 7; i++) {
        const struct workcal_hours *h = &c->hours[i];
        if (h->open_minute < 0 || h->open_minute > h->close_minute || h->close_minute > 1440)
            return WORKCAL_BAD_HOURS;
        any_open |= h->open_minute < h->close_minute;
    }
    if (!any_open)
        return WORKCAL_NO_OPEN_DAY;
    if (c->liberation_day != WORKCAL_LIBERATION_LUSTRUM &&
        c->liberation_day != WORKCAL_LIBERATION_EVERY_YEAR &&
        c->liberation_day != WORKCAL_LIBERATION_NEVER)
        return WORKCAL_BAD_HOLIDAY;
    if (c->n_extra_holidays > 0 && c->extra_holidays == NULL)
        return WORKCAL_BAD_HOLIDAY;
    for (size_t i = 0; i < c->n_extra_holidays; i++)
        if (!civil_date_valid(c->extra_holidays[i]))
            return WORKCAL_BAD_HOLIDAY;
    return WORKCAL_OK;
}

static enum workcal_status
zone_status(enum tzif_status st)
{
    switch (st) {
    case TZIF_OK:
        return WORKCAL_OK;
    case TZIF_BAD_NAME:
        return WORKCAL_BAD_TIME_ZONE_NAME;
    case TZIF_NOT_FOUND:
        return WORKCAL_TIME_ZONE_NOT_FOUND;
    case TZIF_BAD_FILE:
        break;
    }
    return WORKCAL_BAD_TIME_ZONE_FILE;
}

enum workcal_status
workcal_create(const struct workcal_config *c, struct workcal **out)
{
    enum workcal_status st;
    struct workcal *cal = NULL;

    *out = NULL;
    st = check_config(c);
    if (st != WORKCAL_OK)
        goto out;
    cal = xcalloc(1, sizeof(*cal));
    st = zone_status(tzif_load(c->zoneinfo_dir, c->time_zone, &cal->zone));
    if (st != WORKCAL_OK)
        goto out;
    memcpy(cal->hours, c->hours, sizeof(cal->hours));
    cal->dutch_holidays = c->dutch_holidays;
    cal->good_friday = c->good_friday;
    cal->liberation_day = c->liberation_day;
    cal->n_extra = c->n_extra_holidays;
    if (cal->n_extra > 0) {
        cal->extra = xreallocarray(NULL, cal->n_extra, sizeof(*cal->extra));
        for (size_t i = 0; i < cal->n_extra; i++)
            cal->extra[i] = civil_date_to_days(c->extra_holidays[i]);
        qsort(cal->extra, cal->n_extra, sizeof(*cal->extra), cmp_days);
    }
    fill_bitmaps(cal);
    *out = cal;
    cal = NULL;
out:
    workcal_free(cal);
    return st;
}

void
workcal_free(struct workcal *cal)
{
    if (cal == NULL)
        return;
    tzif_free(cal->zone);
    free(cal->extra);
    free(cal);
}
