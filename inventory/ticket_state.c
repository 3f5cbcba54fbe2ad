/* Ticket transitions as one table, and a replay that turns the event history
 * into the pause list of the repair clock. */
#include "inventory/ticket_state.h"

#include <string.h>

#define N_STATES 5
#define N_EVENTS 6
#define NO_FIT   (-1)

static const char *const state_names[N_STATES] = {
    "open", "acknowledged", "on_site", "waiting_client", "resolved",
};

static const char *const event_names[N_EVENTS] = {
    "acknowledged", "on_site", "waiting_client", "resumed", "resolved", "reopened",
};

/* next[state][event]: the state after the event, or NO_FIT. */
static const int next_state[N_STATES][N_EVENTS] = {
    [TICKET_OPEN] = {TICKET_ACKNOWLEDGED, TICKET_ON_SITE, NO_FIT, NO_FIT, TICKET_RESOLVED, NO_FIT},
    [TICKET_ACKNOWLEDGED] = {NO_FIT, TICKET_ON_SITE, TICKET_WAITING_CLIENT, NO_FIT, TICKET_RESOLVED,
                             NO_FIT},
    [TICKET_ON_SITE] = {NO_FIT, NO_FIT, TICKET_WAITING_CLIENT, NO_FIT, TICKET_RESOLVED, NO_FIT},
    [TICKET_WAITING_CLIENT] = {NO_FIT, NO_FIT, NO_FIT, TICKET_ACKNOWLEDGED, TICKET_RESOLVED,
                               NO_FIT},
    [TICKET_RESOLVED] = {NO_FIT, NO_FIT, NO_FIT, NO_FIT, NO_FIT, TICKET_ACKNOWLEDGED},
};

static bool
parse_name(const char *s, const char *const *names, int n, int *out)
{
    if (s == NULL)
        return false;
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

bool
ticket_event_parse(const char *s, enum ticket_event *out)
{
    int v;

    if (!parse_name(s, event_names, N_EVENTS, &v))
        return false;
    *out = (enum ticket_event)v;
    return true;
}

const char *
ticket_event_name(enum ticket_event ev)
{
    return (int)ev >= 0 && (int)ev < N_EVENTS ? event_names[ev] : "unknown";
}

bool
ticket_state_parse(const char *s, enum ticket_state *out)
{
    int v;

    if (!parse_name(s, state_names, N_STATES, &v))
        return false;
    *out = (enum ticket_state)v;
    return true;
}

const char *
ticket_state_name(enum ticket_state st)
{
    return (int)st >= 0 && (int)st < N_STATES ? state_names[st] : "unknown";
}

bool
ticket_transition(enum ticket_state from, enum ticket_event ev, enum ticket_state *to)
{
    int next;

    if ((int)from < 0 || (int)from >= N_STATES || (int)ev < 0 || (int)ev >= N_EVENTS)
        return false;
    next = next_state[from][ev];
    if (next == NO_FIT)
        return false;
    *to = (enum ticket_state)next;
    return true;
}

bool
ticket_event_is_response(enum ticket_event ev)
{
    return ev == TICKET_EVENT_ACKNOWLEDGED || ev == TICKET_EVENT_ON_SITE ||
           ev == TICKET_EVENT_RESOLVED;
}

enum ticket_replay_status
ticket_replay(int64_t reported_at, const struct ticket_event_record *events, size_t n,
              struct sla_pause *pauses, struct ticket_summary *out, size_t *bad_index)
{
    struct ticket_summary s = {TICKET_OPEN, false, 0, false, 0, 0};
    int64_t prev_at = reported_at;

    for (size_t i = 0; i < n; i++) {
        const struct ticket_event_record *e = &events[i];
        enum ticket_state next;

        *bad_index = i;
        if (e->at < prev_at)
            return TICKET_REPLAY_OUT_OF_ORDER;
        if (!ticket_transition(s.state, e->type, &next))
            return TICKET_REPLAY_DOES_NOT_FIT;
        if (!s.responded && ticket_event_is_response(e->type)) {
            s.responded = true;
            s.responded_at = e->at;
        }
        if (s.state == TICKET_WAITING_CLIENT) /* leaving the wait closes the pause */
            pauses[s.n_pauses - 1].until = e->at;
        if (next == TICKET_WAITING_CLIENT) {
            pauses[s.n_pauses].from = e->at;
            pauses[s.n_pauses].until = SLA_PAUSE_OPEN;
            s.n_pauses++;
        }
        s.resolved = next == TICKET_RESOLVED;
        if (s.resolved)
            s.resolved_at = e->at;
        s.state = next;
        prev_at = e->at;
    }
    *out = s;
    return TICKET_REPLAY_OK;
}
