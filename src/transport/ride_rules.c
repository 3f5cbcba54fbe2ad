/* Booking rules (see ride_rules.h). */
#include "transport/ride_rules.h"

#include <math.h>
#include <string.h>

void
ride_policy_from_config(const struct config *cfg, struct ride_policy *out)
{
    out->lead_s = cfg->lead_min * 60;
    out->window_before_s = cfg->window_before_min * 60;
    out->window_after_s = cfg->window_after_min * 60;
    out->max_ride_factor = cfg->max_ride_factor;
    out->max_ride_extra_s = cfg->max_ride_extra_min * 60;
    out->service_max_m = (double)cfg->service_max_km * 1000.0;
    memcpy(out->area, cfg->area, sizeof out->area);
    out->open_min = cfg->service_open_min;
    out->close_min = cfg->service_close_min;
    out->horizon_s = cfg->horizon_days * 86400;
}

/* Whether the local minute of day of t, seen as belonging to the local day
 * `days`, lies within service hours. A close of 24:00 includes midnight
 * itself as the end of that day. */
static bool
in_hours(const struct ride_policy *p, const struct workcal *tz, int64_t t, int64_t days)
{
    struct workcal_local l;
    workcal_to_local(tz, t, &l);
    int64_t minute = (l.days - days) * 1440 + l.second_of_day / 60;
    return minute >= p->open_min && minute <= p->close_min;
}

int64_t
ride_max_ride_s(const struct ride_policy *p, int64_t direct_s)
{
    return (int64_t)ceil((double)direct_s * p->max_ride_factor) + p->max_ride_extra_s;
}

enum ride_check
ride_plan_make(const struct ride_policy *p, const struct workcal *tz, enum ride_time_kind kind,
               int64_t time, int64_t direct_s, int64_t now, struct ride_plan *out)
{
    memset(out, 0, sizeof *out);
    out->max_ride_s = ride_max_ride_s(p, direct_s);
    if (kind == RIDE_PICKUP_AT) {
        out->pickup_estimate = time;
        out->window_earliest = time - p->window_before_s;
        out->window_latest = time + p->window_after_s;
    } else {
        out->window_earliest = time - p->window_after_s;
        out->window_latest = time;
        out->pickup_estimate = out->window_earliest - direct_s;
    }
    out->arrival_estimate = out->pickup_estimate + direct_s;
    workcal_to_local(tz, out->pickup_estimate, &out->pickup_local);
    if (out->pickup_estimate < now + p->lead_s)
        return RIDE_TOO_LATE;
    if (time > now + p->horizon_s)
        return RIDE_TOO_FAR_AHEAD;
    if (!in_hours(p, tz, out->pickup_estimate, out->pickup_local.days) ||
        !in_hours(p, tz, out->arrival_estimate, out->pickup_local.days))
        return RIDE_OUTSIDE_HOURS;
    return RIDE_OK;
}

static bool
in_area(const struct ride_policy *p, struct geo_point x)
{
    return x.lat >= p->area[0] && x.lon >= p->area[1] && x.lat <= p->area[2] && x.lon <= p->area[3];
}

bool
ride_in_service_area(const struct ride_policy *p, struct geo_point from, struct geo_point to)
{
    return in_area(p, from) && in_area(p, to) && geo_haversine_m(from, to) <= p->service_max_m;
}

int64_t
allowance_grant_m(const struct grant_period *periods, size_t n, int year, bool pro_rata)
{
    struct civil_date jan1 = {year, 1, 1}, dec31 = {year, 12, 31};
    int64_t y0 = civil_date_to_days(jan1), y1 = civil_date_to_days(dec31);
    int64_t year_days = y1 - y0 + 1;
    int64_t total = 0, full = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = civil_date_to_days(periods[i].from), b = civil_date_to_days(periods[i].until);
        if (a < y0)
            a = y0;
        if (b > y1)
            b = y1;
        if (b < a)
            continue;
        int64_t days = b - a + 1;
        /* metres rounded to 100 m: (km * 1000 * days / year_days) / 100, halves up */
        int64_t tenths =
            ((int64_t)periods[i].annual_km * 10 * days * 2 + year_days) / (2 * year_days);
        total += tenths * 100;
        if ((int64_t)periods[i].annual_km * 1000 > full)
            full = (int64_t)periods[i].annual_km * 1000;
    }
    return pro_rata ? total : full;
}

double
allowance_km(int64_t metres)
{
    int64_t sign = metres < 0 ? -1 : 1;
    int64_t tenths = (sign * metres + 50) / 100;
    return (double)(sign * tenths) / 10.0;
}
