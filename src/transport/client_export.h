/* Everything ritmo holds about one client, as one JSON document: the
 * right of access of the AVG/GDPR (art. 15) and data portability (art. 20).
 * Built by PostgreSQL from the rows themselves, so that a column added
 * later is exported without anyone remembering to add it here. */
#ifndef RITMO_TRANSPORT_CLIENT_EXPORT_H
#define RITMO_TRANSPORT_CLIENT_EXPORT_H

#include "db/db.h"

#include <stdint.h>

/* *json (caller frees) is the export; DB_NOT_FOUND: no such client. */
enum db_status client_export(struct db_conn *c, int64_t client_id, char **json)
    __attribute__((warn_unused_result));

#endif
