/* Civil (proleptic Gregorian) date arithmetic on day numbers, after Howard
 * Hinnant's public-domain days_from_civil / civil_from_days algorithms. */
#include "inventory/civil_date.h"

#include <stdio.h>

bool
civil_date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
civil_date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && civil_date_is_leap_year(year))
        return 29;
    return days[month - 1];
}

bool
civil_date_valid(struct civil_date d)
{
    if (d.year < CIVIL_DATE_MIN_YEAR || d.year > CIVIL_DATE_MAX_YEAR)
        return false;
    if (d.month < 1 || d.month > 12)
        return false;
    return d.day >= 1 && d.day <= civil_date_days_in_month(d.year, d.month);
}

int64_t
civil_date_to_days(struct civil_date d)
{
    /* Years start in March so the leap day is the last day of a year. */
    int64_t y = (int64_t)d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

struct civil_date
civil_date_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct civil_date d;

    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

int
civil_date_weekday_of_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t r = (days + 3) % 7;

    if (r < 0)
        r += 7;
    return (int)r + 1;
}

int
civil_date_weekday(struct civil_date d)
{
    return civil_date_weekday_of_days(civil_date_to_days(d));
}

struct civil_date
civil_date_add_days(struct civil_date d, int64_t n)
{
    return civil_date_from_days(civil_date_to_days(d) + n);
}

struct civil_date
civil_date_add_months(struct civil_date d, int n)
{
    int64_t months = (int64_t)d.year * 12 + (d.month - 1) + n;
    int64_t year = months >= 0 ? months / 12 : (months - 11) / 12;
    struct civil_date r;
    int last;

    r.year = (int)year;
    r.month = (int)(months - year * 12) + 1;
    last = civil_date_days_in_month(r.year, r.month);
    r.day = d.day > last ? last : d.day;
    return r;
}

int
civil_date_compare(struct civil_date a, struct civil_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

/* Months from an earlier date to a later one; add_months is monotone in m, so
 * the calendar difference is either right or one too many. */
static int
months_forward(struct civil_date from, struct civil_date to)
{
    int m = (to.year - from.year) * 12 + (to.month - from.month);

    if (m > 0 && civil_date_compare(civil_date_add_months(from, m), to) > 0)
        m--;
    return m;
}

int
civil_date_months_between(struct civil_date from, struct civil_date to)
{
    if (civil_date_compare(to, from) >= 0)
        return months_forward(from, to);
    return -months_forward(to, from);
}

/* Reads exactly n decimal digits. */
static bool
read_digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
civil_date_parse(const char *s, struct civil_date *out)
{
    struct civil_date d;

    if (s == NULL)
        return false;
    if (!read_digits(s, 4, &d.year) || s[4] != '-' || !read_digits(s + 5, 2, &d.month) ||
        s[7] != '-' || !read_digits(s + 8, 2, &d.day) || s[10] != '\0')
        return false;
    if (!civil_date_valid(d))
        return false;
    *out = d;
    return true;
}

char *
civil_date_format(struct civil_date d, char buf[CIVIL_DATE_BUFSZ])
{
    /* Reduced to the field widths so the output provably fits the buffer. */
    snprintf(buf, CIVIL_DATE_BUFSZ, "%04u-%02u-%02u", (unsigned)d.year % 10000u,
             (unsigned)d.month % 100u, (unsigned)d.day % 100u);
    return buf;
}
