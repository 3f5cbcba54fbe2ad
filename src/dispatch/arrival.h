/* "Your vehicle is about to arrive": a sweep in every server that tells a
 * waiting passenger (ride.vehicle_near, through the outbox) once the
 * pickup's ETA — its planned time, re-timed by the drivers' reports — is
 * RITMO_ARRIVAL_NOTICE_MIN minutes away or less. Exactly once per ride,
 * however many servers sweep. */
#ifndef RITMO_DISPATCH_ARRIVAL_H
#define RITMO_DISPATCH_ARRIVAL_H

#include "core/app.h"
#include "core/ticker.h"
#include "db/db.h"

/* One sweep in the caller's transaction; *sent says how many notices. */
enum db_status arrival_sweep(struct db_conn *c, const struct app *app, int *sent)
    __attribute__((warn_unused_result));

/* Starts the sweep every RITMO_ARRIVAL_SWEEP_MS; NULL when there is no
 * notification gateway to tell (RITMO_NOTIFY_URL empty) or the lead time
 * is 0. */
struct ticker *arrival_sweep_start(struct app *app);

#endif
