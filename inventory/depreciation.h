/* Straight-line depreciation of an aid by whole months from its purchase date
 * to its residual value, the cost price to date (art. 5.2) and recovery (6.3). */
#ifndef RITMO_INVENTORY_DEPRECIATION_H
#define RITMO_INVENTORY_DEPRECIATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/civil_date.h"

/* Longest accepted depreciation period: 100 years. */
#define DEPRECIATION_MAX_MONTHS 1200
/* Largest accepted price: EUR 10 million, so every product fits in int64. */
#define DEPRECIATION_MAX_CENTS INT64_C(1000000000)

/* What is depreciated; a value the caller fills. */
struct depreciation_params {
    int64_t price_cents;     /* purchase price, 0..DEPRECIATION_MAX_CENTS */
    int64_t residual_cents;  /* value at the end, 0..price_cents */
    struct civil_date start; /* purchase date */
    int months;              /* depreciation period, 1..DEPRECIATION_MAX_MONTHS */
};

enum depreciation_status {
    DEPRECIATION_OK,
    DEPRECIATION_BAD_PRICE,
    DEPRECIATION_BAD_RESIDUAL,
    DEPRECIATION_BAD_MONTHS,
    DEPRECIATION_BAD_DATE,
};

/* Stable snake_case name of a status, for error bodies ("bad_months"). */
const char *depreciation_status_name(enum depreciation_status st);

/* Residual value from a percentage given in hundredths of a percent
 * (1500 = 15.00 %), rounded half up to a whole cent. False when the price or
 * percentage is out of range (0..DEPRECIATION_MAX_CENTS, 0..10000). */
bool depreciation_residual_from_pct(int64_t price_cents, int pct_hundredths, int64_t *out)
    __attribute__((warn_unused_result));

/* Checks every field; the other functions require params that passed. */
enum depreciation_status depreciation_check(const struct depreciation_params *p)
    __attribute__((warn_unused_result));

/* Date the period ends: start + months, clamped at month ends. From this date
 * on the book value is the residual value. */
struct civil_date depreciation_ends(const struct depreciation_params *p);

/* Whole months elapsed at as_of, 0..p->months (0 before the purchase). */
int depreciation_months_elapsed(const struct depreciation_params *p, struct civil_date as_of);

/* Depreciation accumulated at as_of, in cents:
 * floor((price - residual) * months_elapsed / months). */
int64_t depreciation_accumulated_cents(const struct depreciation_params *p,
                                       struct civil_date as_of);

/* Book value at as_of: price - accumulated. Never above the price (before or
 * on the purchase date), never below the residual value (from the end date). */
int64_t depreciation_book_value_cents(const struct depreciation_params *p, struct civil_date as_of);

/* Cost price to date (art. 5.2): purchase price plus every maintenance and
 * repair cost in costs[0..n). False on a negative amount or overflow. */
bool depreciation_cost_to_date_cents(int64_t purchase_cents, const int64_t *costs, size_t n,
                                     int64_t *out) __attribute__((warn_unused_result));

/* The computation behind a recovery (art. 6.3 lid 2), field by field, so the
 * API can show how the amount was reached. A value the caller owns. */
struct depreciation_recovery {
    int64_t price_cents;
    int64_t residual_cents;
    int64_t depreciable_cents; /* price - residual */
    int months_total;
    int months_elapsed;   /* whole months since the purchase date */
    int months_remaining; /* months_total - months_elapsed */
    struct civil_date start;
    struct civil_date ends;
    struct civil_date as_of;
    int64_t accumulated_cents; /* floor(depreciable * elapsed / total) */
    int64_t book_value_cents;  /* price - accumulated */
    /* The not-yet-depreciated value relating to the remaining period:
     * depreciable - accumulated = book value - residual. 0 once the period
     * has ended. Information for a decision, not an automatic claim. */
    int64_t recoverable_cents;
    bool period_running; /* as_of < ends */
};

/* Fills *out for params that passed depreciation_check. */
void depreciation_recovery(const struct depreciation_params *p, struct civil_date as_of,
                           struct depreciation_recovery *out);

/* One-paragraph English explanation of *r, e.g. for a letter or a log line.
 * Caller frees the returned string. */
char *depreciation_recovery_explain_dup(const struct depreciation_recovery *r);

#endif
