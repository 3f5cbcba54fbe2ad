/* What the aids handlers share: who may see an item or a supplier's data,
 * times and dates in the service zone, and lending an item (used by loans
 * and by deliveries). */
#ifndef RITMO_API_AIDS_COMMON_H
#define RITMO_API_AIDS_COMMON_H

#include "aids/aid_store.h"
#include "aids/loan_store.h"
#include "auth/token.h"
#include "http/request.h"
#include "http/tx.h"
#include "inventory/civil_date.h"
#include "inventory/reissue.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct app;

/* The API spellings of aid types and of the art. 3.2 exceptions,
 * NULL-terminated (validate.h choices). */
extern const char *const aids_types[];
extern const char *const aids_exceptions[];

/* Admin and dispatcher see every supplier's data; a supplier only its own. */
bool aids_access_supplier(const struct principal *who, int64_t supplier_id);
/* Desk: every item; supplier: items of its models; resident: an item lent
 * to it now. Others answer 404 (an item's holder is personal data). */
bool aids_access_aid(const struct principal *who, const struct aid *a);

/* The local date of instant t, and today, in the service zone. */
struct civil_date aids_local_date(const struct app *app, int64_t t);
struct civil_date aids_today(const struct app *app);
/* RFC 3339 in the service zone; JSON null when t is 0. */
json_t *aids_time_json(const struct app *app, int64_t t);
/* "YYYY-MM-DD"; JSON null when the year is 0. */
json_t *aids_date_json(struct civil_date d);

/* Parse a request value; on failure queue 400 invalid_field and be false. */
bool aids_time_or_reply(struct req *r, const char *field, const char *text, int64_t *out)
    __attribute__((warn_unused_result));
bool aids_date_or_reply(struct req *r, const char *field, const char *text, struct civil_date *out)
    __attribute__((warn_unused_result));
/* A time that has happened (a return, a delivery, a maintenance): at most
 * five minutes ahead of this server's clock; otherwise 400. */
bool aids_past_or_reply(struct req *r, const char *field, int64_t t)
    __attribute__((warn_unused_result));

/* An exception of art. 3.2 lid 2 h and its reason, as a request gives them:
 * both or neither (else 400). */
struct aids_exception {
    const char *name; /* NULL when none */
    const char *reason;
    enum reissue_exception value;
};
bool aids_exception_or_reply(struct req *r, struct aids_exception *e)
    __attribute__((warn_unused_result));

/* Applies art. 3.2 lid 2 h to a new aid of `type` for the client on `date`:
 * 422 depreciation_period_running with the expiry date unless allowed. The
 * decision is in *d. */
enum db_status aids_reissue_check(struct db_conn *c, int64_t client_id, const char *type,
                                  struct civil_date date, const struct aids_exception *e,
                                  struct reissue_decision *d, struct tx_answer *ans)
    __attribute__((warn_unused_result));

/* Lends the locked depot item *a to the client from `from`: checks the
 * state (409) and art. 3.2 (422), writes the loan, the item and its
 * history. The client must exist and be locked by the caller. */
enum db_status aids_lend(struct db_conn *c, struct req *r, struct aid *a, int64_t client_id,
                         int64_t from, const struct aids_exception *e, struct allocation *loan,
                         struct reissue_decision *d, struct tx_answer *ans)
    __attribute__((warn_unused_result));

/* The loan representation (GET /v1/loans/{id}, and the 201 of a loan). */
json_t *aids_loan_json(const struct app *app, const struct allocation *l);

#endif
