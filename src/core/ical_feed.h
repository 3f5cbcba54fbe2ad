/* iCalendar feeds with libical: a VCALENDAR in the service time zone (with
 * its VTIMEZONE) to which feeds add VEVENTs with local start and end. */
#ifndef RITMO_CORE_ICAL_FEED_H
#define RITMO_CORE_ICAL_FEED_H

#include <libical/ical.h>
#include <stdint.h>

struct ical_feed {
    icalcomponent *cal;
    icaltimezone *zone;
};

/* Starts a calendar named name. libical loads its zones lazily into shared
 * structures, so a feed holds a process-wide lock from begin to finish:
 * build it without blocking in between. */
void ical_feed_begin(struct ical_feed *f, const char *prodid, const char *name, const char *tzid);
/* Adds a VEVENT (UID, DTSTAMP, SEQUENCE, DTSTART/DTEND in the zone, and
 * the given summary, location, description and status). */
icalcomponent *ical_feed_event(struct ical_feed *f, const char *uid, int64_t dtstamp, int sequence,
                               int64_t start, int64_t end, const char *summary,
                               const char *location, const char *description,
                               enum icalproperty_status status);
/* The local wall time of t in the feed's zone. */
struct icaltimetype ical_feed_local(const struct ical_feed *f, int64_t t);
/* Ends the feed; returns the text (CRLF, folded), caller frees. */
char *ical_feed_finish(struct ical_feed *f);

#endif
