/* Pseudonymisation of clients past the retention period (AVG/GDPR art. 5
 * lid 1 e): name, pass number, contact details, addresses and free text
 * are removed; coordinates are rounded to about a kilometre; every number
 * stays, so allowance, ride and SLA reports still add up. */
#ifndef RITMO_TRANSPORT_PSEUDONYMISE_H
#define RITMO_TRANSPORT_PSEUDONYMISE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Pseudonymises (or with dry_run only counts) the clients not yet done
 * whose every indication ended more than retention_days ago and who hold
 * no aid and have no ride still to come. Run it again: it does nothing
 * more. *count: the clients concerned. */
enum db_status pseudonymise_clients(struct db_conn *c, int retention_days, bool dry_run,
                                    int64_t *count) __attribute__((warn_unused_result));

#endif
