/* The rides feed with libical. */
#include "transport/rides_ics.h"

#include "core/ical_feed.h"

#include <stdio.h>
#include <string.h>

static void
ride_event(struct ical_feed *f, const struct booking *b, int64_t dtstamp)
{
    char uid[64], summary[1400], description[512], from[8], until[8];
    snprintf(uid, sizeof uid, "ride-%lld@ritmo", (long long)b->id);
    snprintf(summary, sizeof summary, "Rit naar %s", b->dropoff_address);
    struct icaltimetype e = ical_feed_local(f, b->window_earliest);
    struct icaltimetype l = ical_feed_local(f, b->window_latest);
    snprintf(from, sizeof from, "%02d:%02d", e.hour, e.minute);
    snprintf(until, sizeof until, "%02d:%02d", l.hour, l.minute);
    snprintf(description, sizeof description, "%s %s-%s. %.1f km. Ritnummer %lld.",
             strcmp(b->time_kind, "arrive_by") ? "Ophalen tussen" : "Aankomst tussen", from, until,
             (double)b->distance_m / 1000.0, (long long)b->id);
    enum icalproperty_status status = !strcmp(b->status, "cancelled")   ? ICAL_STATUS_CANCELLED
                                      : !strcmp(b->status, "requested") ? ICAL_STATUS_TENTATIVE
                                                                        : ICAL_STATUS_CONFIRMED;
    ical_feed_event(f, uid, dtstamp, b->sequence, b->pickup_estimate,
                    b->pickup_estimate + b->direct_s, summary, b->pickup_address, description,
                    status);
}

char *
rides_ics_dup(const struct booking *rides, size_t n, const char *tzid, int64_t dtstamp)
{
    struct ical_feed f;
    ical_feed_begin(&f, "-//ritmo//rides//NL", "Ritten", tzid);
    for (size_t i = 0; i < n; i++)
        ride_event(&f, &rides[i], dtstamp);
    return ical_feed_finish(&f);
}
