/* The pseudonymisation as one statement of data-modifying CTEs: the due
 * clients are locked and every table about them is rewritten in the same
 * snapshot, so a client is either done everywhere or not at all. */
#include "transport/pseudonymise.h"

#include <stdio.h>

#define DUE                                                                                        \
    "due AS (SELECT c.id FROM clients c WHERE c.pseudonymised_at IS NULL "                         \
    "AND EXISTS (SELECT 1 FROM indications i WHERE i.client_id = c.id) "                           \
    "AND NOT EXISTS (SELECT 1 FROM indications i WHERE i.client_id = c.id "                        \
    "AND coalesce(i.ended_on - 1, i.valid_until) >= current_date - $1::int) "                      \
    "AND NOT EXISTS (SELECT 1 FROM aid_allocations a WHERE a.client_id = c.id AND a.kind = "       \
    "'loan' AND a.returned_at IS NULL) "                                                           \
    "AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.client_id = c.id AND b.status IN "           \
    "('requested', 'scheduled', 'picked_up')) FOR UPDATE OF c)"

static struct db_stmt st_count = {"pseudonymise_count", "WITH " DUE " SELECT count(*) FROM due", 1,
                                  0};

/* clang-format off */
static struct db_stmt st_run = {
    "pseudonymise_run",
    "WITH " DUE ", "
    "b AS (UPDATE bookings SET pickup_address = 'removed', dropoff_address = 'removed', "
    "  pickup_lat = round(pickup_lat::numeric, 2), pickup_lon = round(pickup_lon::numeric, 2), "
    "  dropoff_lat = round(dropoff_lat::numeric, 2), dropoff_lon = round(dropoff_lon::numeric, 2), "
    "  notes = NULL, cancel_reason = CASE WHEN cancel_reason IS NULL THEN NULL ELSE 'removed' END "
    "  WHERE client_id IN (SELECT id FROM due)), "
    "e AS (UPDATE allowance_entries SET reason = 'removed' "
    "  WHERE reason IS NOT NULL AND client_id IN (SELECT id FROM due)), "
    "ae AS (UPDATE aid_events SET notes = NULL "
    "  WHERE notes IS NOT NULL AND client_id IN (SELECT id FROM due)), "
    "al AS (UPDATE aid_allocations SET exception_reason = 'removed' "
    "  WHERE exception_reason IS NOT NULL AND client_id IN (SELECT id FROM due)), "
    "d AS (UPDATE deliveries SET exception_reason = 'removed' "
    "  WHERE exception_reason IS NOT NULL AND client_id IN (SELECT id FROM due)), "
    "t AS (UPDATE tickets SET description = 'removed' WHERE client_id IN (SELECT id FROM due)), "
    "k AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) "
    "  WHERE client_id IN (SELECT id FROM due)), "
    "done AS (UPDATE clients SET name = 'pseudonym ' || id, pass_number = 'PSEUDO-' || id, "
    "  phone = NULL, email = NULL, home_address = 'removed', "
    "  home_lat = round(home_lat::numeric, 2), home_lon = round(home_lon::numeric, 2), "
    "  pseudonymised_at = now(), updated_at = now() "
    "  WHERE id IN (SELECT id FROM due) RETURNING id) "
    "SELECT count(*) FROM done",
    1, 0};
/* clang-format on */

static struct db_stmt st_allow = {"pseudonymise_allow",
                                  "SELECT set_config('ritmo.pseudonymise', 'on', true)", 0, 0};

static void
read_count(const PGresult *r, int row, void *out)
{
    *(int64_t *)out = db_i64(r, row, 0);
}

enum db_status
pseudonymise_clients(struct db_conn *c, int retention_days, bool dry_run, int64_t *count)
{
    char days[16];
    snprintf(days, sizeof days, "%d", retention_days);
    const char *params[] = {days};
    *count = 0;
    if (dry_run)
        return db_query_one(c, &st_count, params, read_count, count);
    enum db_status s = db_exec_cmd(c, &st_allow, NULL, NULL);
    if (s == DB_OK)
        s = db_query_one(c, &st_run, params, read_count, count);
    return s;
}
