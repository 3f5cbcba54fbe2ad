/* Breakdown tickets: opening under the supplier's SLA, events through the
 * state machine with the clocks recomputed from the whole history, the
 * breach sweep, and the SLA report. */
#ifndef RITMO_TICKETS_H
#define RITMO_TICKETS_H

#include "auth/token.h"
#include "core/app.h"
#include "http/tx.h"
#include "tickets/ticket_store.h"

/* Recomputes state, response/resolve times, the resolve due time, the
 * paused time and the breach flags (once breached, always breached) of t
 * from its events at `now`. False when an event does not fit (409) or is
 * out of order; *bad names which. */
bool tickets_recompute(const struct workcal *cal, struct ticket *t,
                       const struct ticket_event_row *events, int n, int64_t now, int *bad)
    __attribute__((warn_unused_result));

struct ticket_input {
    int64_t aid_id;
    const char *kind, *description, *reported_via;
    int64_t reported_at;
};

enum db_status tickets_open(struct db_conn *c, const struct app *app, const struct principal *who,
                            const struct ticket_input *in, struct ticket *out,
                            struct tx_answer *ans) __attribute__((warn_unused_result));
/* Loads a ticket the caller may see (suppliers: their own; else 404). */
enum db_status tickets_load(struct db_conn *c, const struct principal *who, int64_t id, bool lock,
                            struct ticket *t, struct tx_answer *ans)
    __attribute__((warn_unused_result));
enum db_status tickets_event(struct db_conn *c, const struct app *app, int64_t actor,
                             struct ticket *t, const struct ticket_event_row *e,
                             struct tx_answer *ans) __attribute__((warn_unused_result));

/* Starts the breach sweep (every RITMO_SLA_SWEEP_MS); NULL when not. */
struct ticker *tickets_sweep_start(struct app *app);

#endif
