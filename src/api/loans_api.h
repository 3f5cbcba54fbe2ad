/* Loans of aids (lend, return, read, recovery), pools and pool
 * reservations. */
#ifndef RITMO_API_LOANS_API_H
#define RITMO_API_LOANS_API_H

#include "db/db.h"
#include "inventory/civil_date.h"

#include <jansson.h>
#include <stdint.h>

struct app;
struct req;

/* Marks the client's open loans to be collected from `from` (the client
 * died) and appends to `out`, per loan, {loan, value}: the loan and its
 * remaining (book) value on that date, for the file. */
enum db_status loans_mark_collect(struct db_conn *c, const struct app *app, int64_t client_id,
                                  struct civil_date from, json_t *out)
    __attribute__((warn_unused_result));

/* Cancels every reservation of the client that has not ended (the client
 * died) and appends each, as the reservation answer, to `out`. */
enum db_status reservations_cancel_client(struct db_conn *c, struct req *r, int64_t client_id,
                                          json_t *out) __attribute__((warn_unused_result));

void loans_api_create(struct req *r);
void loans_api_return(struct req *r);
void loans_api_get(struct req *r);
void loans_api_recovery(struct req *r);
void pools_api_create(struct req *r);
void pools_api_get(struct req *r);
void pools_api_reserve(struct req *r);
void reservations_api_cancel(struct req *r);

#endif
