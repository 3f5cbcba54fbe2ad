/* Storage of breakdown tickets and their events. */
#ifndef RITMO_TICKETS_TICKET_STORE_H
#define RITMO_TICKETS_TICKET_STORE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

struct ticket {
    int64_t id, aid_id, supplier_id, client_id; /* client_id 0: none */
    char kind[12];
    char description[8001];
    char reported_via[12];
    int64_t reported_at;
    int response_minutes;
    char response_clock[16]; /* 24x7 | business */
    int repair_working_days;
    char state[16];
    int64_t response_due, resolve_due; /* resolve_due 0: paused */
    int64_t responded_at, resolved_at; /* 0: not yet */
    int64_t paused_seconds;
    bool response_breached, resolve_breached;
    int64_t repair_cost_cents;
    int64_t created_at, updated_at;
};

struct ticket_event_row {
    char type[16];
    int64_t at;
    char notes[8001];
    char parts[4001];
    int64_t cost_cents;
};

enum db_status ticket_store_insert(struct db_conn *c, const struct ticket *in, int64_t actor,
                                   struct ticket *out) __attribute__((warn_unused_result));
enum db_status ticket_store_get(struct db_conn *c, int64_t id, bool lock, struct ticket *out)
    __attribute__((warn_unused_result));
/* Writes state, due times, response/resolve times, pauses, breaches, cost. */
enum db_status ticket_store_update(struct db_conn *c, const struct ticket *t)
    __attribute__((warn_unused_result));
enum db_status ticket_store_add_event(struct db_conn *c, int64_t ticket_id,
                                      const struct ticket_event_row *e, int64_t actor)
    __attribute__((warn_unused_result));
/* The ticket's events in order; *items caller-owned. */
enum db_status ticket_store_events(struct db_conn *c, int64_t ticket_id,
                                   struct ticket_event_row **items, int *n)
    __attribute__((warn_unused_result));
/* Tickets whose response or resolve clock ran out unmarked, locked with
 * SKIP LOCKED so that several sweeping processes share the work; at most
 * limit; *ids caller-owned. */
enum db_status ticket_store_overdue(struct db_conn *c, int limit, int64_t **ids, int *n)
    __attribute__((warn_unused_result));
/* What the SLA report needs of one ticket (a small row: a supplier-year
 * can have a million). */
struct ticket_times {
    int64_t reported_at, responded_at, resolved_at; /* 0: not yet */
    bool wall_clock;                                /* response clock 24x7 */
    bool response_breached, resolve_breached;
    int64_t repair_cost_cents;
};

/* Tickets of a supplier reported in [from, until); *items caller-owned. */
enum db_status ticket_store_reported(struct db_conn *c, int64_t supplier_id, int64_t from,
                                     int64_t until, struct ticket_times **items, int *n)
    __attribute__((warn_unused_result));

/* The delivery and maintenance side of a supplier's SLA in [from, until). */
struct supplier_stats {
    int64_t deliveries, deliveries_within_term;
    int64_t maintenance_done, maintenance_overdue_now;
};
enum db_status ticket_store_supplier_stats(struct db_conn *c, int64_t supplier_id, int64_t from,
                                           int64_t until, struct supplier_stats *out)
    __attribute__((warn_unused_result));

#endif
