/* iCalendar feed building shared by the rides and manifest feeds. */
#include "core/ical_feed.h"

#include "common/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t zone_mu = PTHREAD_MUTEX_INITIALIZER;

void
ical_feed_begin(struct ical_feed *f, const char *prodid, const char *name, const char *tzid)
{
    pthread_mutex_lock(&zone_mu);
    f->zone = icaltimezone_get_builtin_timezone(tzid);
    if (!f->zone)
        f->zone = icaltimezone_get_utc_timezone();
    f->cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
                                 icalproperty_new_prodid(prodid),
                                 icalproperty_new_calscale("GREGORIAN"), (void *)0);
    icalproperty *n = icalproperty_new_x(name);
    icalproperty_set_x_name(n, "X-WR-CALNAME");
    icalcomponent_add_property(f->cal, n);
    if (f->zone != icaltimezone_get_utc_timezone())
        icalcomponent_add_component(f->cal,
                                    icalcomponent_new_clone(icaltimezone_get_component(f->zone)));
}

struct icaltimetype
ical_feed_local(const struct ical_feed *f, int64_t t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, f->zone);
}

static icalproperty *
zoned(icalproperty *p, const struct ical_feed *f)
{
    icalproperty_add_parameter(p, icalparameter_new_tzid(icaltimezone_get_tzid(f->zone)));
    return p;
}

icalcomponent *
ical_feed_event(struct ical_feed *f, const char *uid, int64_t dtstamp, int sequence, int64_t start,
                int64_t end, const char *summary, const char *location, const char *description,
                enum icalproperty_status status)
{
    icalcomponent *ev = icalcomponent_vanew(
        ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
        icalproperty_new_dtstamp(
            icaltime_from_timet_with_zone((time_t)dtstamp, 0, icaltimezone_get_utc_timezone())),
        icalproperty_new_sequence(sequence), icalproperty_new_summary(summary),
        icalproperty_new_location(location), icalproperty_new_description(description),
        icalproperty_new_status(status), (void *)0);
    icalcomponent_add_property(ev, zoned(icalproperty_new_dtstart(ical_feed_local(f, start)), f));
    icalcomponent_add_property(ev, zoned(icalproperty_new_dtend(ical_feed_local(f, end)), f));
    icalcomponent_add_component(f->cal, ev);
    return ev;
}

char *
ical_feed_finish(struct ical_feed *f)
{
    char *text = icalcomponent_as_ical_string_r(f->cal);
    icalcomponent_free(f->cal);
    f->cal = NULL;
    pthread_mutex_unlock(&zone_mu);
    char *out = xstrdup(text ? text : "");
    free(text);
    return out;
}
