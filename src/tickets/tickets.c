/* Ticket use cases over inventory/'s SLA clocks and state machine. */
#include "tickets/tickets.h"

#include "aids/aid_store.h"
#include "aids/supplier_store.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/ticker.h"
#include "inventory/sla_clock.h"
#include "inventory/ticket_state.h"
#include "outbox/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool
tickets_recompute(const struct workcal *cal, struct ticket *t,
                  const struct ticket_event_row *events, int n, int64_t now, int *bad)
{
    struct ticket_event_record *rec = xcalloc((size_t)n + 1, sizeof *rec);
    struct sla_pause *pauses = xcalloc((size_t)n + 1, sizeof *pauses);
    bool ok = true;
    *bad = -1;
    for (int i = 0; i < n && ok; i++) {
        ok = ticket_event_parse(events[i].type, &rec[i].type);
        rec[i].at = events[i].at;
        if (!ok)
            *bad = i;
    }
    struct ticket_summary sum;
    size_t bad_index = 0;
    if (ok && ticket_replay(t->reported_at, rec, (size_t)n, pauses, &sum, &bad_index) !=
                  TICKET_REPLAY_OK) {
        ok = false;
        *bad = (int)bad_index;
    }
    if (ok) {
        snprintf(t->state, sizeof t->state, "%s", ticket_state_name(sum.state));
        t->responded_at = sum.responded ? sum.responded_at : 0;
        t->resolved_at = sum.resolved ? sum.resolved_at : 0;
        int64_t due = 0, paused = 0;
        if (sla_due_at(cal, SLA_WORKING_DAYS, t->reported_at, t->repair_working_days, pauses,
                       sum.n_pauses, &due) != SLA_OK)
            due = 0; /* paused: no due time while waiting for the client */
        t->resolve_due = due;
        if (sla_paused_seconds(pauses, sum.n_pauses, t->reported_at,
                               t->resolved_at ? t->resolved_at : now, &paused) == SLA_OK)
            t->paused_seconds = paused;
        int64_t answered = t->responded_at ? t->responded_at : now;
        t->response_breached = t->response_breached || answered > t->response_due;
        int64_t fixed = t->resolved_at ? t->resolved_at : now;
        t->resolve_breached = t->resolve_breached || (t->resolve_due && fixed > t->resolve_due);
    }
    free(rec);
    free(pauses);
    return ok;
}

/* The event for the supplier's webhook and the dispatch desk. Ids and
 * times only: receivers fetch what else they may see through the API. */
static enum db_status
announce(struct db_conn *c, const struct app *app, const char *topic, const struct ticket *t)
{
    struct supplier sup;
    enum db_status s = supplier_store_get(c, t->supplier_id, &sup);
    if (s != DB_OK)
        return s;
    char rep[WORKCAL_RFC3339_BUFSZ], due[WORKCAL_RFC3339_BUFSZ];
    json_t *p = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "ticket_id", (json_int_t)t->id,
                          "aid_id", (json_int_t)t->aid_id, "kind", t->kind, "state", t->state,
                          "reported_at", workcal_format_rfc3339(app->tz, t->reported_at, rep),
                          "response_due", workcal_format_rfc3339(app->tz, t->response_due, due));
    const char *targets[] = {sup.webhook_url, app->cfg->notify_url};
    for (int i = 0; i < 2 && s == DB_OK; i++)
        if (targets[i][0])
            s = outbox_add(c, topic, targets[i], p);
    json_decref(p);
    return s;
}

/* Who may open a ticket for an aid: the desk; its supplier; a resident
 * for an aid lent to her. Others get 404: an aid's existence is theirs. */
static bool
may_report(const struct principal *who, const struct aid *a)
{
    switch (who->role) {
    case ROLE_ADMIN:
    case ROLE_DISPATCHER:
        return true;
    case ROLE_SUPPLIER:
        return who->supplier_id == a->supplier_id;
    case ROLE_RESIDENT:
        return !strcmp(a->status, "lent") && who->client_id == a->client_id;
    default:
        return false;
    }
}

enum db_status
tickets_open(struct db_conn *c, const struct app *app, const struct principal *who,
             const struct ticket_input *in, struct ticket *out, struct tx_answer *ans)
{
    struct aid aid;
    struct supplier sup;
    enum db_status s = aid_store_get(c, in->aid_id, false, &aid);
    if (s == DB_OK && !may_report(who, &aid))
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "aid_id", "no such aid");
    if (s != DB_OK || (s = supplier_store_get(c, aid.supplier_id, &sup)) != DB_OK)
        return s;
    struct ticket t = {.aid_id = aid.id,
                       .supplier_id = aid.supplier_id,
                       .client_id = !strcmp(aid.status, "lent") ? aid.client_id : 0,
                       .reported_at = in->reported_at,
                       .response_minutes = sup.breakdown_response_minutes,
                       .repair_working_days = sup.repair_working_days};
    snprintf(t.kind, sizeof t.kind, "%s", in->kind);
    snprintf(t.description, sizeof t.description, "%s", in->description);
    snprintf(t.reported_via, sizeof t.reported_via, "%s", in->reported_via);
    snprintf(t.response_clock, sizeof t.response_clock, "%s", sup.breakdown_clock);
    bool wall = !strcmp(sup.breakdown_clock, "24x7");
    if (sla_due_at(app->tz, wall ? SLA_WALL_MINUTES : SLA_BUSINESS_MINUTES, t.reported_at,
                   t.response_minutes, NULL, 0, &t.response_due) != SLA_OK ||
        sla_due_at(app->tz, SLA_WORKING_DAYS, t.reported_at, t.repair_working_days, NULL, 0,
                   &t.resolve_due) != SLA_OK)
        return tx_reject(ans, 422, "infeasible", "reported_at",
                         "the SLA clocks cannot start at this time");
    if ((s = ticket_store_insert(c, &t, who->token_id, out)) != DB_OK)
        return s;
    int bad;
    if (tickets_recompute(app->tz, out, NULL, 0, (int64_t)time(NULL), &bad) &&
        (out->response_breached || out->resolve_breached) &&
        (s = ticket_store_update(c, out)) != DB_OK) /* reported late, already overdue */
        return s;
    return announce(c, app, "ticket.opened", out);
}

enum db_status
tickets_load(struct db_conn *c, const struct principal *who, int64_t id, bool lock,
             struct ticket *t, struct tx_answer *ans)
{
    enum db_status s = ticket_store_get(c, id, lock, t);
    if (s == DB_OK && who->role == ROLE_SUPPLIER && who->supplier_id != t->supplier_id)
        s = DB_NOT_FOUND;
    if (s == DB_OK && who->role == ROLE_RESIDENT && who->client_id != t->client_id)
        s = DB_NOT_FOUND;
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such ticket");
    return s;
}

/* A repair's cost and parts go into the aid's history (its cost price). */
static enum db_status
record_repair(struct db_conn *c, const struct ticket *t, const struct ticket_event_row *e,
              int64_t actor)
{
    struct aid_event ev = {
        .aid_id = t->aid_id, .at = e->at, .cost_cents = e->cost_cents, .actor = actor};
    snprintf(ev.type, sizeof ev.type, "repair");
    snprintf(ev.notes, sizeof ev.notes, "ticket %lld%s%s", (long long)t->id,
             e->parts[0] ? ": " : "", e->parts);
    int64_t id;
    return aid_store_event_add(c, &ev, &id);
}

/* A resolved ticket ends the repair of an aid that was taken in for it
 * (returned as needs_repair): it is lendable again from the depot. */
static enum db_status
back_from_repair(struct db_conn *c, int64_t aid_id)
{
    struct aid *a = xmalloc(sizeof *a);
    enum db_status s = aid_store_get(c, aid_id, true, a);
    if (s == DB_OK && !strcmp(a->status, "in_repair")) {
        snprintf(a->status, sizeof a->status, "depot");
        s = aid_store_update(c, a);
    }
    free(a);
    return s;
}

enum db_status
tickets_event(struct db_conn *c, const struct app *app, int64_t actor, struct ticket *t,
              const struct ticket_event_row *e, struct tx_answer *ans)
{
    struct ticket_event_row *rows;
    int n;
    enum db_status s = ticket_store_events(c, t->id, &rows, &n);
    if (s != DB_OK)
        return s;
    rows = xreallocarray(rows, (size_t)n + 1, sizeof *rows);
    rows[n] = *e;
    bool was_response = t->response_breached, was_resolve = t->resolve_breached;
    int bad;
    bool fits = tickets_recompute(app->tz, t, rows, n + 1, (int64_t)time(NULL), &bad);
    free(rows);
    if (!fits && bad == n && e->at >= t->reported_at)
        return tx_reject(ans, 409, "conflict", "type",
                         "event \"%s\" does not fit a ticket that is %s", e->type, t->state);
    if (!fits)
        return tx_reject(ans, 400, "invalid_field", "at",
                         "at must not be before the report or the ticket's last event");
    t->repair_cost_cents += e->cost_cents;
    if ((s = ticket_store_add_event(c, t->id, e, actor)) == DB_OK &&
        (s = ticket_store_update(c, t)) == DB_OK && (e->cost_cents || e->parts[0]))
        s = record_repair(c, t, e, actor);
    if (s == DB_OK && !strcmp(e->type, "resolved"))
        s = back_from_repair(c, t->aid_id);
    if (s == DB_OK && t->response_breached && !was_response)
        s = announce(c, app, "ticket.response_breached", t);
    if (s == DB_OK && t->resolve_breached && !was_resolve)
        s = announce(c, app, "ticket.resolve_breached", t);
    return s;
}

/* One sweep: marks the breaches of clocks that ran out, a batch at a time,
 * and announces them. SKIP LOCKED lets several processes share it. */
static enum db_status
sweep_tx(struct db_conn *c, void *arg)
{
    struct app *app = arg;
    int64_t *ids;
    int n;
    enum db_status s = ticket_store_overdue(c, 100, &ids, &n);
    for (int i = 0; i < n && s == DB_OK; i++) {
        struct ticket t;
        struct ticket_event_row *rows;
        int ne, bad;
        if ((s = ticket_store_get(c, ids[i], false, &t)) != DB_OK ||
            (s = ticket_store_events(c, t.id, &rows, &ne)) != DB_OK)
            break;
        bool was_response = t.response_breached, was_resolve = t.resolve_breached;
        if (tickets_recompute(app->tz, &t, rows, ne, (int64_t)time(NULL), &bad))
            s = ticket_store_update(c, &t);
        free(rows);
        if (s == DB_OK && t.response_breached && !was_response)
            s = announce(c, app, "ticket.response_breached", &t);
        if (s == DB_OK && t.resolve_breached && !was_resolve)
            s = announce(c, app, "ticket.resolve_breached", &t);
    }
    free(ids);
    return s;
}

static bool
sweep_round(void *arg)
{
    struct app *app = arg;
    if (db_tx_run(app->pool, "sla_sweep", sweep_tx, app) != DB_OK)
        log_warn("the SLA sweep could not run; it tries again");
    return false;
}

struct ticker *
tickets_sweep_start(struct app *app)
{
    return ticker_start("sla sweep", app->cfg->sla_sweep_ms, sweep_round, app);
}
