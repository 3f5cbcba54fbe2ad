/* The pure rules of a ride booking: the promised window, the estimated
 * pickup, lead time, service hours and area, and the allowance grant of a
 * year. No database, no HTTP; unit-tested on their own. */
#ifndef RITMO_TRANSPORT_RIDE_RULES_H
#define RITMO_TRANSPORT_RIDE_RULES_H

#include "core/config.h"
#include "inventory/civil_date.h"
#include "inventory/workcal.h"
#include "routing/geo.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ride_policy {
    int64_t lead_s;
    int64_t window_before_s, window_after_s;
    double max_ride_factor;
    int64_t max_ride_extra_s;
    double service_max_m; /* straight line */
    double area[4];       /* lat_min, lon_min, lat_max, lon_max */
    int open_min, close_min;
    int64_t horizon_s;
};

void ride_policy_from_config(const struct config *cfg, struct ride_policy *out);

enum ride_time_kind { RIDE_PICKUP_AT, RIDE_ARRIVE_BY };

struct ride_plan {
    int64_t pickup_estimate; /* when the vehicle is expected to pick up */
    int64_t arrival_estimate;
    int64_t window_earliest; /* the promised window: pickup window for a */
    int64_t window_latest;   /* pickup_at ride, arrival window for arrive_by */
    int64_t max_ride_s;
    struct workcal_local pickup_local;
};

enum ride_check {
    RIDE_OK,
    RIDE_TOO_LATE,      /* in the past or within the lead time: too_late_to_book */
    RIDE_TOO_FAR_AHEAD, /* beyond the booking horizon */
    RIDE_OUTSIDE_HOURS, /* pickup or arrival outside service hours */
};

/* The longest a passenger may ride: direct time x factor + extra. */
int64_t ride_max_ride_s(const struct ride_policy *p, int64_t direct_s);

/* Plans a ride asked for `time` (pickup_at: the agreed pickup; arrive_by:
 * the latest arrival) with the direct travel time direct_s, at `now`. An
 * arrive_by ride is picked up so that it arrives at the start of the
 * arrival window. */
enum ride_check ride_plan_make(const struct ride_policy *p, const struct workcal *tz,
                               enum ride_time_kind kind, int64_t time, int64_t direct_s,
                               int64_t now, struct ride_plan *out);

/* True when both ends lie in the service area and are at most
 * service_max_m apart in a straight line. */
bool ride_in_service_area(const struct ride_policy *p, struct geo_point from, struct geo_point to);

/* One indication's effective period, inclusive at both ends. */
struct grant_period {
    struct civil_date from, until;
    int annual_km;
};

/* The metres granted in `year` by the periods: each grants its annual km
 * pro rata by the days of the year it covers (rounded to 0.1 km, halves
 * up), or in full when pro_rata is off. */
int64_t allowance_grant_m(const struct grant_period *periods, size_t n, int year, bool pro_rata);

/* Metres as the API's kilometres: one decimal, halves up. */
double allowance_km(int64_t metres);

#endif
