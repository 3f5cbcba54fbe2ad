/* Ride events for the notification gateway (RITMO_NOTIFY_URL), queued in
 * the outbox in the caller's transaction: ride.booked, ride.scheduled,
 * ride.unassigned, ride.cancelled. The payload names the ride, its client
 * and its promised window only: the gateway looks contact details up
 * itself, so no personal data travels in events. */
#ifndef RITMO_OUTBOX_RIDE_EVENT_H
#define RITMO_OUTBOX_RIDE_EVENT_H

#include "db/db.h"

#include <stdint.h>

struct app;

struct ride_event {
    int64_t booking_id, client_id;
    const char *status; /* the ride's status after the change; borrowed */
    int64_t window_earliest, window_latest;
};

/* Queues topic for the ride; does nothing when no gateway is configured. */
enum db_status ride_event_add(struct db_conn *c, const struct app *app, const char *topic,
                              const struct ride_event *ev) __attribute__((warn_unused_result));

#endif
