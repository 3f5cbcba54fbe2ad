/* The art. 3.2 lid 2 h rule: a new aid of a type the client received before is
 * refused while that earlier aid's depreciation period runs, unless an exception applies. */
#ifndef RITMO_INVENTORY_REISSUE_H
#define RITMO_INVENTORY_REISSUE_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/civil_date.h"

/* The three exceptions of art. 3.2 lid 2 h; REISSUE_EXCEPTION_NONE = none given. */
enum reissue_exception {
    REISSUE_EXCEPTION_NONE,
    REISSUE_EXCEPTION_LOST_NOT_OWN_FAULT,   /* "lost_not_own_fault" */
    REISSUE_EXCEPTION_CLIENT_PAYS,          /* "client_pays" */
    REISSUE_EXCEPTION_INSUFFICIENT_SUPPORT, /* "insufficient_support" */
};

/* Parses the API spelling; false for anything else (including ""). */
bool reissue_exception_parse(const char *s, enum reissue_exception *out)
    __attribute__((warn_unused_result));
/* API spelling, or "none"; a static string. */
const char *reissue_exception_name(enum reissue_exception e);

/* One aid the client received earlier. `type` is borrowed for the call. The
 * period counts from the date the client received it (not the item's purchase
 * date: a re-issued item starts a new period for the client). */
struct reissue_receipt {
    const char *type;
    struct civil_date received;
    int depreciation_months; /* 1..1200 */
};

/* The new request. `type` is borrowed for the call. */
struct reissue_request {
    const char *type;
    struct civil_date date;
    enum reissue_exception exception;
};

enum reissue_verdict {
    REISSUE_ALLOWED,              /* no running period of this type */
    REISSUE_ALLOWED_BY_EXCEPTION, /* a period runs, the exception lifts it */
    REISSUE_REFUSED,              /* 422 depreciation_period_running */
};

/* The answer; a value the caller owns. */
struct reissue_decision {
    enum reissue_verdict verdict;
    /* When a period runs (refused or by exception): the date the last running
     * period of the type expires, i.e. the first date a request is allowed
     * without an exception; received + months, clamped at month ends. */
    struct civil_date expires;
    size_t blocking_index; /* receipts[] index of that receipt */
};

enum reissue_status {
    REISSUE_OK,
    REISSUE_BAD_REQUEST, /* NULL type, invalid date or unknown exception */
    REISSUE_BAD_RECEIPT, /* NULL type, invalid date or months out of range */
};

/* Decides the request against receipts[0..n). A period runs when
 * request.date < received + months. Pure; fills *out only on REISSUE_OK. */
enum reissue_status reissue_decide(const struct reissue_receipt *receipts, size_t n,
                                   const struct reissue_request *request,
                                   struct reissue_decision *out)
    __attribute__((warn_unused_result));

#endif
