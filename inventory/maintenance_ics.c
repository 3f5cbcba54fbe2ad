/* iCalendar feed of due maintenance, assembled as libical components so that
 * escaping, folding and CRLF follow RFC 5545; serialised with the _r call. */
#include "inventory/maintenance_ics.h"

#include <string.h>

#include <libical/ical.h>

#include "common/xalloc.h"

static struct icaltimetype
ics_date(struct civil_date d)
{
    struct icaltimetype t;

    memset(&t, 0, sizeof(t));
    t.is_date = 1;
    t.year = d.year;
    t.month = d.month;
    t.day = d.day;
    return t;
}

static icalcomponent *
ics_event(const struct maintenance_ics_entry *e, struct icaltimetype stamp)
{
    icalcomponent *ev = icalcomponent_new_vevent();

    icalcomponent_add_property(ev, icalproperty_new_uid(e->uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(ics_date(e->due)));
    icalcomponent_add_property(ev,
                               icalproperty_new_dtend(ics_date(civil_date_add_days(e->due, 1))));
    icalcomponent_add_property(ev, icalproperty_new_summary(e->summary));
    if (e->description != NULL)
        icalcomponent_add_property(ev, icalproperty_new_description(e->description));
    /* An all-day reminder must not block the supplier's agenda. */
    icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    return ev;
}

char *
maintenance_ics_dup(const char *calendar_name, const struct maintenance_ics_entry *entries,
                    size_t n, int64_t dtstamp)
{
    icalcomponent *cal = icalcomponent_new_vcalendar();
    struct icaltimetype stamp =
        icaltime_from_timet_with_zone((time_t)dtstamp, 0, icaltimezone_get_utc_timezone());
    icalproperty *name;
    char *text, *out;

    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//ritmo//maintenance//EN"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    name = icalproperty_new_x(calendar_name != NULL ? calendar_name : "maintenance");
    icalproperty_set_x_name(name, "X-WR-CALNAME");
    icalcomponent_add_property(cal, name);
    for (size_t i = 0; i < n; i++) {
        const struct maintenance_ics_entry *e = &entries[i];
        if (e->uid == NULL || e->summary == NULL || !civil_date_valid(e->due))
            continue;
        icalcomponent_add_component(cal, ics_event(e, stamp));
    }
    text = icalcomponent_as_ical_string_r(cal);
    /* Hand back memory from our own allocator, whatever libical uses. */
    out = xstrdup(text != NULL ? text : "");
    icalmemory_free_buffer(text);
    icalcomponent_free(cal);
    return out;
}
