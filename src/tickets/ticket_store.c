/* SQL of tickets and ticket events. */
#include "tickets/ticket_store.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
#define E(col) "coalesce(extract(epoch FROM " col ")::bigint, 0)"
#define TICKET_COLUMNS                                                                             \
    "id, aid_id, supplier_id, coalesce(client_id, 0), kind, description, reported_via, "          \
    E("reported_at") ", response_minutes, response_clock, repair_working_days, state, "            \
    E("response_due") ", " E("resolve_due") ", " E("responded_at") ", " E("resolved_at") ", "      \
    "paused_seconds, response_breached, resolve_breached, repair_cost_cents, "                    \
    E("created_at") ", " E("updated_at")
/* clang-format on */

static struct db_stmt st_insert = {
    "ticket_insert",
    "INSERT INTO tickets (aid_id, supplier_id, client_id, kind, description, reported_via, "
    "reported_at, opened_by, response_minutes, response_clock, repair_working_days, "
    "response_due, resolve_due) VALUES ($1, $2, nullif($3::bigint, 0), $4, $5, $6, "
    "to_timestamp($7), nullif($8::bigint, 0), $9, $10, $11, to_timestamp($12), "
    "to_timestamp(nullif($13::bigint, 0))) RETURNING " TICKET_COLUMNS,
    13, 0};
static struct db_stmt st_get = {"ticket_get",
                                "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = $1", 1, 0};
static struct db_stmt st_get_lock = {
    "ticket_get_lock", "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = $1 FOR UPDATE", 1, 0};
static struct db_stmt st_update = {
    "ticket_update",
    "UPDATE tickets SET state = $2, resolve_due = to_timestamp(nullif($3::bigint, 0)), "
    "responded_at = to_timestamp(nullif($4::bigint, 0)), resolved_at = "
    "to_timestamp(nullif($5::bigint, 0)), paused_seconds = $6, response_breached = $7, "
    "resolve_breached = $8, repair_cost_cents = $9, updated_at = now() WHERE id = $1",
    9, 0};
static struct db_stmt st_add_event = {
    "ticket_add_event",
    "INSERT INTO ticket_events (ticket_id, type, at, notes, parts, cost_cents, actor) VALUES "
    "($1, $2, to_timestamp($3), nullif($4, ''), nullif($5, ''), $6, nullif($7::bigint, 0))",
    7, 0};
static struct db_stmt st_events = {
    "ticket_events",
    "SELECT type, extract(epoch FROM at)::bigint, coalesce(notes, ''), coalesce(parts, ''), "
    "cost_cents FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
    1, 0};
static struct db_stmt st_overdue = {
    "ticket_overdue",
    "SELECT id FROM tickets WHERE (responded_at IS NULL AND NOT response_breached AND "
    "response_due <= now()) OR (resolved_at IS NULL AND NOT resolve_breached AND resolve_due <= "
    "now()) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
    1, 0};
static struct db_stmt st_reported = {
    "ticket_reported",
    "SELECT " E("reported_at") ", " E("responded_at") ", " E(
        "resolved_at") ", response_clock = "
                       "'24x7', response_breached, resolve_breached, repair_cost_cents FROM "
                       "tickets WHERE "
                       "supplier_id = $1 AND reported_at >= to_timestamp($2) AND reported_at < "
                       "to_timestamp($3)",
    3, 0};

static struct db_stmt st_stats = {
    "ticket_supplier_stats",
    "SELECT (SELECT count(*) FROM deliveries WHERE supplier_id = $1 AND delivered_at >= "
    "to_timestamp($2) AND delivered_at < to_timestamp($3)), (SELECT count(*) FROM deliveries "
    "WHERE supplier_id = $1 AND delivered_at >= to_timestamp($2) AND delivered_at < "
    "to_timestamp($3) AND within_term), (SELECT count(*) FROM aid_events e JOIN aids a ON a.id = "
    "e.aid_id JOIN aid_models m ON m.id = a.model_id WHERE m.supplier_id = $1 AND e.type = "
    "'maintenance' AND e.at >= to_timestamp($2) AND e.at < to_timestamp($3)), (SELECT count(*) "
    "FROM aids a JOIN aid_models m ON m.id = a.model_id JOIN suppliers s ON s.id = m.supplier_id "
    "WHERE m.supplier_id = $1 AND a.next_maintenance_on + s.maintenance_grace_days < "
    "current_date)",
    3, 0};

#define TEXT(f, col) snprintf(t->f, sizeof t->f, "%s", PQgetvalue(r, row, col))

static void
read_ticket(const PGresult *r, int row, void *out)
{
    struct ticket *t = out;
    t->id = db_i64(r, row, 0);
    t->aid_id = db_i64(r, row, 1);
    t->supplier_id = db_i64(r, row, 2);
    t->client_id = db_i64(r, row, 3);
    TEXT(kind, 4);
    TEXT(description, 5);
    TEXT(reported_via, 6);
    t->reported_at = db_i64(r, row, 7);
    t->response_minutes = (int)db_i64(r, row, 8);
    TEXT(response_clock, 9);
    t->repair_working_days = (int)db_i64(r, row, 10);
    TEXT(state, 11);
    t->response_due = db_i64(r, row, 12);
    t->resolve_due = db_i64(r, row, 13);
    t->responded_at = db_i64(r, row, 14);
    t->resolved_at = db_i64(r, row, 15);
    t->paused_seconds = db_i64(r, row, 16);
    t->response_breached = PQgetvalue(r, row, 17)[0] == 't';
    t->resolve_breached = PQgetvalue(r, row, 18)[0] == 't';
    t->repair_cost_cents = db_i64(r, row, 19);
    t->created_at = db_i64(r, row, 20);
    t->updated_at = db_i64(r, row, 21);
}

#define I64(buf, v) (snprintf(buf, sizeof buf, "%lld", (long long)(v)), buf)

enum db_status
ticket_store_insert(struct db_conn *c, const struct ticket *in, int64_t actor, struct ticket *out)
{
    char v[9][24];
    const char *params[] = {I64(v[0], in->aid_id),
                            I64(v[1], in->supplier_id),
                            I64(v[2], in->client_id),
                            in->kind,
                            in->description,
                            in->reported_via,
                            I64(v[3], in->reported_at),
                            I64(v[4], actor),
                            I64(v[5], in->response_minutes),
                            in->response_clock,
                            I64(v[6], in->repair_working_days),
                            I64(v[7], in->response_due),
                            I64(v[8], in->resolve_due)};
    return db_query_one(c, &st_insert, params, read_ticket, out);
}

enum db_status
ticket_store_get(struct db_conn *c, int64_t id, bool lock, struct ticket *out)
{
    char a[24];
    const char *params[] = {I64(a, id)};
    return db_query_one(c, lock ? &st_get_lock : &st_get, params, read_ticket, out);
}

enum db_status
ticket_store_update(struct db_conn *c, const struct ticket *t)
{
    char v[6][24];
    const char *params[] = {I64(v[0], t->id),
                            t->state,
                            I64(v[1], t->resolve_due),
                            I64(v[2], t->responded_at),
                            I64(v[3], t->resolved_at),
                            I64(v[4], t->paused_seconds),
                            t->response_breached ? "t" : "f",
                            t->resolve_breached ? "t" : "f",
                            I64(v[5], t->repair_cost_cents)};
    return db_exec_cmd(c, &st_update, params, NULL);
}

enum db_status
ticket_store_add_event(struct db_conn *c, int64_t ticket_id, const struct ticket_event_row *e,
                       int64_t actor)
{
    char v[4][24];
    const char *params[] = {
        I64(v[0], ticket_id),     e->type,         I64(v[1], e->at), e->notes, e->parts,
        I64(v[2], e->cost_cents), I64(v[3], actor)};
    return db_exec_cmd(c, &st_add_event, params, NULL);
}

enum db_status
ticket_store_events(struct db_conn *c, int64_t ticket_id, struct ticket_event_row **items, int *n)
{
    char a[24];
    const char *params[] = {I64(a, ticket_id)};
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_events, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *items = xcalloc((size_t)*n, sizeof **items);
    for (int i = 0; i < *n; i++) {
        struct ticket_event_row *e = &(*items)[i];
        snprintf(e->type, sizeof e->type, "%s", PQgetvalue(r, i, 0));
        e->at = db_i64(r, i, 1);
        snprintf(e->notes, sizeof e->notes, "%s", PQgetvalue(r, i, 2));
        snprintf(e->parts, sizeof e->parts, "%s", PQgetvalue(r, i, 3));
        e->cost_cents = db_i64(r, i, 4);
    }
    PQclear(r);
    return DB_OK;
}

enum db_status
ticket_store_overdue(struct db_conn *c, int limit, int64_t **ids, int *n)
{
    char a[24];
    const char *params[] = {I64(a, limit)};
    enum db_status s;
    *ids = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_overdue, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *ids = xcalloc((size_t)*n, sizeof **ids);
    for (int i = 0; i < *n; i++)
        (*ids)[i] = db_i64(r, i, 0);
    PQclear(r);
    return DB_OK;
}

static void
read_times(const PGresult *r, int row, void *out)
{
    struct ticket_times *t = out;
    t->reported_at = db_i64(r, row, 0);
    t->responded_at = db_i64(r, row, 1);
    t->resolved_at = db_i64(r, row, 2);
    t->wall_clock = PQgetvalue(r, row, 3)[0] == 't';
    t->response_breached = PQgetvalue(r, row, 4)[0] == 't';
    t->resolve_breached = PQgetvalue(r, row, 5)[0] == 't';
    t->repair_cost_cents = db_i64(r, row, 6);
}

enum db_status
ticket_store_reported(struct db_conn *c, int64_t supplier_id, int64_t from, int64_t until,
                      struct ticket_times **items, int *n)
{
    char v[3][24];
    const char *params[] = {I64(v[0], supplier_id), I64(v[1], from), I64(v[2], until)};
    return db_query_rows(c, &st_reported, params, sizeof **items, read_times, (void **)items, n);
}

enum db_status
ticket_store_supplier_stats(struct db_conn *c, int64_t supplier_id, int64_t from, int64_t until,
                            struct supplier_stats *out)
{
    char v[3][24];
    const char *params[] = {I64(v[0], supplier_id), I64(v[1], from), I64(v[2], until)};
    enum db_status s;
    PGresult *r = db_exec(c, &st_stats, params, &s);
    if (!r)
        return s;
    out->deliveries = db_i64(r, 0, 0);
    out->deliveries_within_term = db_i64(r, 0, 1);
    out->maintenance_done = db_i64(r, 0, 2);
    out->maintenance_overdue_now = db_i64(r, 0, 3);
    PQclear(r);
    return DB_OK;
}
