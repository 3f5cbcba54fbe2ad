/* The client export: one query, every table that holds rows about the
 * client, each row as PostgreSQL's to_jsonb of it (all columns, named as
 * in the schema; docs/privacy.md). Token digests are left out: they are
 * credentials, not data about the person. */
#include "transport/client_export.h"

#include "common/xalloc.h"

#include <stdio.h>

/* One member: "name": [rows of `from` (aliased x) in `order`]. */
#define ROWS(name, from, order)                                                                    \
    "'" name "', (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY " order                           \
    "), '[]'::jsonb) FROM " from ")"

/* clang-format off */
static struct db_stmt st_export = {
    "client_export",
    "SELECT jsonb_build_object("
    "'format', 'ritmo-client-export-1', 'exported_at', now(), "
    "'client', (SELECT to_jsonb(x) FROM clients x WHERE x.id = $1), "
    ROWS("indications", "indications x WHERE x.client_id = $1", "x.id") ", "
    ROWS("indication_suspensions", "indication_suspensions x JOIN indications i ON "
         "i.id = x.indication_id WHERE i.client_id = $1", "x.id") ", "
    ROWS("allowance_accounts", "allowance_accounts x WHERE x.client_id = $1", "x.year") ", "
    ROWS("allowance_entries", "allowance_entries x WHERE x.client_id = $1", "x.id") ", "
    ROWS("series", "series x WHERE x.client_id = $1", "x.id") ", "
    ROWS("bookings", "bookings x WHERE x.client_id = $1", "x.id") ", "
    ROWS("booking_events", "booking_events x JOIN bookings b ON b.id = x.booking_id "
         "WHERE b.client_id = $1", "x.id") ", "
    ROWS("stops", "stops x JOIN bookings b ON b.id = x.booking_id WHERE b.client_id = $1",
         "x.id") ", "
    ROWS("aids_held", "aids x WHERE x.client_id = $1", "x.id") ", "
    ROWS("aid_allocations", "aid_allocations x WHERE x.client_id = $1", "x.id") ", "
    ROWS("aid_events", "aid_events x WHERE x.client_id = $1", "x.id") ", "
    ROWS("deliveries", "deliveries x WHERE x.client_id = $1", "x.id") ", "
    ROWS("tickets", "tickets x WHERE x.client_id = $1", "x.id") ", "
    ROWS("ticket_events", "ticket_events x JOIN tickets t ON t.id = x.ticket_id "
         "WHERE t.client_id = $1", "x.id") ", "
    ROWS("api_tokens", "(SELECT id, name, role, created_at, revoked_at FROM api_tokens "
         "WHERE client_id = $1) x", "x.id")
    ")::text WHERE EXISTS (SELECT 1 FROM clients WHERE id = $1)",
    1, 0};
/* clang-format on */

static void
read_text(const PGresult *r, int row, void *out)
{
    *(char **)out = xstrdup(PQgetvalue(r, row, 0));
}

enum db_status
client_export(struct db_conn *c, int64_t client_id, char **json)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)client_id);
    const char *params[] = {id};
    *json = NULL;
    return db_query_one(c, &st_export, params, read_text, json);
}
