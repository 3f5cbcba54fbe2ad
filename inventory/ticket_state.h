/* The breakdown-ticket state machine: which event fits which state (the API
 * answers 409 otherwise), and a replay of a ticket's events into SLA inputs. */
#ifndef RITMO_INVENTORY_TICKET_STATE_H
#define RITMO_INVENTORY_TICKET_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/sla_clock.h"

enum ticket_state {
    TICKET_OPEN,           /* reported, nobody has answered yet */
    TICKET_ACKNOWLEDGED,   /* the supplier has answered / work is going on */
    TICKET_ON_SITE,        /* the supplier is with the client or the aid */
    TICKET_WAITING_CLIENT, /* waiting for the client: the repair clock pauses */
    TICKET_RESOLVED,
};

enum ticket_event {
    TICKET_EVENT_ACKNOWLEDGED,
    TICKET_EVENT_ON_SITE,
    TICKET_EVENT_WAITING_CLIENT,
    TICKET_EVENT_RESUMED,
    TICKET_EVENT_RESOLVED,
    TICKET_EVENT_REOPENED,
};

/* API spellings ("waiting_client"); names are static strings. */
bool ticket_event_parse(const char *s, enum ticket_event *out) __attribute__((warn_unused_result));
const char *ticket_event_name(enum ticket_event ev);
bool ticket_state_parse(const char *s, enum ticket_state *out) __attribute__((warn_unused_result));
const char *ticket_state_name(enum ticket_state st);

/* The state after `ev` in state `from`; false when the event does not fit
 * (HTTP 409 conflict). The table:
 *   open           acknowledged -> acknowledged, on_site -> on_site, resolved -> resolved
 *   acknowledged   on_site -> on_site, waiting_client -> waiting_client, resolved -> resolved
 *   on_site        waiting_client -> waiting_client, resolved -> resolved
 *   waiting_client resumed -> acknowledged, resolved -> resolved
 *   resolved       reopened -> acknowledged
 * Everything else, including repeating the current state, does not fit. */
bool ticket_transition(enum ticket_state from, enum ticket_event ev, enum ticket_state *to)
    __attribute__((warn_unused_result));

/* True for the events that answer the response clock: the first
 * acknowledged, on_site or resolved. */
bool ticket_event_is_response(enum ticket_event ev);

/* One recorded event; a value type. */
struct ticket_event_record {
    enum ticket_event type;
    int64_t at; /* unix seconds */
};

/* What the SLA clocks need from a ticket's history; a value type. */
struct ticket_summary {
    enum ticket_state state;
    bool responded;
    int64_t responded_at; /* first response event; valid when responded */
    bool resolved;        /* state == TICKET_RESOLVED */
    int64_t resolved_at;  /* last resolved event; valid when resolved */
    size_t n_pauses;      /* pauses written to the caller's array */
};

enum ticket_replay_status {
    TICKET_REPLAY_OK,
    TICKET_REPLAY_DOES_NOT_FIT, /* events[*bad_index] does not fit its state */
    TICKET_REPLAY_OUT_OF_ORDER, /* events[*bad_index] is before the previous one or the report */
};

/* Replays events[0..n) (in recorded order) from TICKET_OPEN at reported_at.
 * Writes the repair clock's pauses into pauses[] (room for n entries needed):
 * [waiting_client, resumed) and [waiting_client, resolved); a pause still
 * running ends at SLA_PAUSE_OPEN. A reopened ticket's clock runs on from the
 * original report, and the time it spent resolved is not paused (a repair
 * that did not hold was no repair). The response clock never pauses. */
enum ticket_replay_status ticket_replay(int64_t reported_at,
                                        const struct ticket_event_record *events, size_t n,
                                        struct sla_pause *pauses, struct ticket_summary *out,
                                        size_t *bad_index) __attribute__((warn_unused_result));

#endif
