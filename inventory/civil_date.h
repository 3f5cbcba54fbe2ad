/* Proleptic Gregorian calendar dates without a time zone: day numbers, weekdays,
 * month arithmetic that clamps at month ends, and strict ISO 8601 (YYYY-MM-DD). */
#ifndef RITMO_INVENTORY_CIVIL_DATE_H
#define RITMO_INVENTORY_CIVIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A calendar date; a value type, no resources. month 1..12, day 1..31. */
struct civil_date {
    int year;
    int month;
    int day;
};

/* Room for "YYYY-MM-DD" and its terminating NUL. */
#define CIVIL_DATE_BUFSZ 11
/* Years accepted by the parser and formatter (four digits). */
#define CIVIL_DATE_MIN_YEAR 1
#define CIVIL_DATE_MAX_YEAR 9999

/* Weekdays as ISO 8601 numbers (civil_date_weekday). */
enum civil_weekday {
    CIVIL_MONDAY = 1,
    CIVIL_TUESDAY,
    CIVIL_WEDNESDAY,
    CIVIL_THURSDAY,
    CIVIL_FRIDAY,
    CIVIL_SATURDAY,
    CIVIL_SUNDAY
};

bool civil_date_is_leap_year(int year);
/* Days in a month (28..31); month must be 1..12. */
int civil_date_days_in_month(int year, int month);
/* True when month and day exist in the year and the year is in range. */
bool civil_date_valid(struct civil_date d);
/* Days since 1970-01-01 (negative before); d must be valid. */
int64_t civil_date_to_days(struct civil_date d);
struct civil_date civil_date_from_days(int64_t days);
/* ISO weekday, CIVIL_MONDAY (1) .. CIVIL_SUNDAY (7). */
int civil_date_weekday(struct civil_date d);
int civil_date_weekday_of_days(int64_t days);
struct civil_date civil_date_add_days(struct civil_date d, int64_t n);
/* Adds n months (n may be negative); a day that does not exist in the target
 * month becomes that month's last day: 31 Jan + 1 month = 28 Feb (29 in leap
 * years); 29 Feb 2024 + 12 months = 28 Feb 2025. */
struct civil_date civil_date_add_months(struct civil_date d, int n);
/* Whole months from `from` to `to`: the largest m >= 0 with
 * civil_date_add_months(from, m) <= to; when to < from, minus the same count
 * taken from `to` to `from`. 31 Jan -> 28 Feb (non-leap) is 1 month. */
int civil_date_months_between(struct civil_date from, struct civil_date to);
/* <0, 0, >0 as a is before, equal to or after b. */
int civil_date_compare(struct civil_date a, struct civil_date b);
/* Strict "YYYY-MM-DD": exactly ten characters, an existing date. */
bool civil_date_parse(const char *s, struct civil_date *out) __attribute__((warn_unused_result));
/* Writes "YYYY-MM-DD" into buf (CIVIL_DATE_BUFSZ bytes) and returns buf. */
char *civil_date_format(struct civil_date d, char buf[CIVIL_DATE_BUFSZ]);

#endif
