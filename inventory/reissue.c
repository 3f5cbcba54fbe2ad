/* Art. 3.2 lid 2 h as a pure function over the client's earlier receipts. */
#include "inventory/reissue.h"

#include <string.h>

static const char *const exception_names[] = {
    [REISSUE_EXCEPTION_NONE] = "none",
    [REISSUE_EXCEPTION_LOST_NOT_OWN_FAULT] = "lost_not_own_fault",
    [REISSUE_EXCEPTION_CLIENT_PAYS] = "client_pays",
    [REISSUE_EXCEPTION_INSUFFICIENT_SUPPORT] = "insufficient_support",
};

bool
reissue_exception_parse(const char *s, enum reissue_exception *out)
{
    if (s == NULL)
        return false;
    /* Start at 1: "none" is the absence of the field, not a value to send. */
    for (int e = 1; e <= REISSUE_EXCEPTION_INSUFFICIENT_SUPPORT; e++) {
        if (strcmp(s, exception_names[e]) == 0) {
            *out = (enum reissue_exception)e;
            return true;
        }
    }
    return false;
}

const char *
reissue_exception_name(enum reissue_exception e)
{
    if ((int)e < 0 || e > REISSUE_EXCEPTION_INSUFFICIENT_SUPPORT)
        return "none";
    return exception_names[e];
}

static bool
receipt_valid(const struct reissue_receipt *r)
{
    /* The year cap keeps received + months inside four-digit years. */
    return r->type != NULL && civil_date_valid(r->received) &&
           r->received.year <= CIVIL_DATE_MAX_YEAR - 101 && r->depreciation_months >= 1 &&
           r->depreciation_months <= 1200;
}

enum reissue_status
reissue_decide(const struct reissue_receipt *receipts, size_t n,
               const struct reissue_request *request, struct reissue_decision *out)
{
    bool running = false;
    struct civil_date latest = {0, 0, 0};
    size_t latest_index = 0;

    if (request->type == NULL || !civil_date_valid(request->date) || (int)request->exception < 0 ||
        request->exception > REISSUE_EXCEPTION_INSUFFICIENT_SUPPORT)
        return REISSUE_BAD_REQUEST;
    for (size_t i = 0; i < n; i++) {
        const struct reissue_receipt *r = &receipts[i];
        struct civil_date expires;

        if (!receipt_valid(r))
            return REISSUE_BAD_RECEIPT;
        if (strcmp(r->type, request->type) != 0)
            continue;
        expires = civil_date_add_months(r->received, r->depreciation_months);
        if (civil_date_compare(request->date, expires) >= 0)
            continue;
        /* Report the latest expiry: the request stays refused until then. */
        if (!running || civil_date_compare(expires, latest) > 0) {
            latest = expires;
            latest_index = i;
        }
        running = true;
    }
    out->expires = latest;
    out->blocking_index = latest_index;
    if (!running)
        out->verdict = REISSUE_ALLOWED;
    else if (request->exception != REISSUE_EXCEPTION_NONE)
        out->verdict = REISSUE_ALLOWED_BY_EXCEPTION;
    else
        out->verdict = REISSUE_REFUSED;
    return REISSUE_OK;
}
