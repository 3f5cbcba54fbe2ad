/* RFC 3339 parsing on top of the civil calendar of inventory/. */
#include "core/timefmt.h"

#include "common/numparse.h"
#include "inventory/civil_date.h"

#include <stdio.h>
#include <string.h>

static bool
digits(const char *s, int n, int64_t min, int64_t max, int64_t *out)
{
    char buf[8];
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    snprintf(buf, sizeof buf, "%.*s", n, s);
    return parse_int64(buf, min, max, out);
}

bool
timefmt_parse(const char *s, int64_t *out)
{
    int64_t y, mo, d, h, mi, se, oh = 0, om = 0;
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return false;
    if (!digits(s, 4, 1900, 2200, &y) || !digits(s + 5, 2, 1, 12, &mo) ||
        !digits(s + 8, 2, 1, 31, &d) || !digits(s + 11, 2, 0, 23, &h) ||
        !digits(s + 14, 2, 0, 59, &mi) || !digits(s + 17, 2, 0, 59, &se))
        return false;
    struct civil_date date = {(int)y, (int)mo, (int)d};
    if (!civil_date_valid(date))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        sign = 1;
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
             digits(p + 1, 2, 0, 23, &oh) && digits(p + 4, 2, 0, 59, &om))
        sign = *p == '+' ? 1 : -1;
    else
        return false;
    int64_t local = civil_date_to_days(date) * 86400 + h * 3600 + mi * 60 + se;
    *out = local - sign * (oh * 3600 + om * 60);
    return true;
}
