/* The rides feed with libical. */
#include "transport/rides_ics.h"

#include "common/xalloc.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libical loads its built-in zones lazily into shared structures; one lock
 * keeps the loading and expansion of the zone to one thread at a time. */
static pthread_mutex_t zone_mu = PTHREAD_MUTEX_INITIALIZER;

static struct icaltimetype
local(int64_t t, icaltimezone *zone)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, zone);
}

static icalcomponent *
ride_event(const struct booking *b, icaltimezone *zone, int64_t dtstamp)
{
    char uid[64], summary[1400], description[512];
    snprintf(uid, sizeof uid, "ride-%lld@ritmo", (long long)b->id);
    snprintf(summary, sizeof summary, "Rit naar %s", b->dropoff_address);
    char from[8], until[8];
    struct icaltimetype e = local(b->window_earliest, zone), l = local(b->window_latest, zone);
    snprintf(from, sizeof from, "%02d:%02d", e.hour, e.minute);
    snprintf(until, sizeof until, "%02d:%02d", l.hour, l.minute);
    snprintf(description, sizeof description, "%s %s-%s. %.1f km. Ritnummer %lld.",
             strcmp(b->time_kind, "arrive_by") ? "Ophalen tussen" : "Aankomst tussen", from, until,
             (double)b->distance_m / 1000.0, (long long)b->id);
    enum icalproperty_status status = !strcmp(b->status, "cancelled")   ? ICAL_STATUS_CANCELLED
                                      : !strcmp(b->status, "requested") ? ICAL_STATUS_TENTATIVE
                                                                        : ICAL_STATUS_CONFIRMED;
    icalcomponent *ev = icalcomponent_vanew(
        ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
        icalproperty_new_dtstamp(
            icaltime_from_timet_with_zone((time_t)dtstamp, 0, icaltimezone_get_utc_timezone())),
        icalproperty_new_sequence(b->sequence), icalproperty_new_summary(summary),
        icalproperty_new_location(b->pickup_address), icalproperty_new_description(description),
        icalproperty_new_status(status), (void *)0);
    icalproperty *start = icalproperty_new_dtstart(local(b->pickup_estimate, zone));
    icalproperty *end = icalproperty_new_dtend(local(b->pickup_estimate + b->direct_s, zone));
    icalproperty_add_parameter(start, icalparameter_new_tzid(icaltimezone_get_tzid(zone)));
    icalproperty_add_parameter(end, icalparameter_new_tzid(icaltimezone_get_tzid(zone)));
    icalcomponent_add_property(ev, start);
    icalcomponent_add_property(ev, end);
    return ev;
}

char *
rides_ics_dup(const struct booking *rides, size_t n, const char *tzid, int64_t dtstamp)
{
    pthread_mutex_lock(&zone_mu);
    icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);
    if (!zone)
        zone = icaltimezone_get_utc_timezone();
    icalcomponent *cal = icalcomponent_vanew(
        ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
        icalproperty_new_prodid("-//ritmo//rides//NL"), icalproperty_new_calscale("GREGORIAN"),
        icalproperty_new_x("Ritten"), (void *)0);
    icalproperty_set_x_name(icalcomponent_get_first_property(cal, ICAL_X_PROPERTY), "X-WR-CALNAME");
    if (zone != icaltimezone_get_utc_timezone())
        icalcomponent_add_component(cal, icalcomponent_new_clone(icaltimezone_get_component(zone)));
    for (size_t i = 0; i < n; i++)
        icalcomponent_add_component(cal, ride_event(&rides[i], zone, dtstamp));
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    pthread_mutex_unlock(&zone_mu);
    char *out = xstrdup(text ? text : "");
    free(text);
    return out;
}
