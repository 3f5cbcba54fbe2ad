/* Straight-line depreciation in whole months with exact integer cents: the
 * accumulated depreciation is rounded down, so the book value is rounded up. */
#include "inventory/depreciation.h"

#include "common/xalloc.h"

const char *
depreciation_status_name(enum depreciation_status st)
{
    switch (st) {
    case DEPRECIATION_OK:
        return "ok";
    case DEPRECIATION_BAD_PRICE:
        return "bad_price";
    case DEPRECIATION_BAD_RESIDUAL:
        return "bad_residual";
    case DEPRECIATION_BAD_MONTHS:
        return "bad_months";
    case DEPRECIATION_BAD_DATE:
        return "bad_date";
    }
    return "unknown";
}

bool
depreciation_residual_from_pct(int64_t price_cents, int pct_hundredths, int64_t *out)
{
    if (price_cents < 0 || price_cents > DEPRECIATION_MAX_CENTS)
        return false;
    if (pct_hundredths < 0 || pct_hundredths > 10000)
        return false;
    /* price * 10000 <= 1e13: no overflow; + 5000 rounds half up. */
    *out = (price_cents * pct_hundredths + 5000) / 10000;
    return true;
}

enum depreciation_status
depreciation_check(const struct depreciation_params *p)
{
    if (p->price_cents < 0 || p->price_cents > DEPRECIATION_MAX_CENTS)
        return DEPRECIATION_BAD_PRICE;
    if (p->residual_cents < 0 || p->residual_cents > p->price_cents)
        return DEPRECIATION_BAD_RESIDUAL;
    if (p->months < 1 || p->months > DEPRECIATION_MAX_MONTHS)
        return DEPRECIATION_BAD_MONTHS;
    /* Leave room for start + months within the four-digit years. */
    if (!civil_date_valid(p->start) || p->start.year > CIVIL_DATE_MAX_YEAR - 101)
        return DEPRECIATION_BAD_DATE;
    return DEPRECIATION_OK;
}

struct civil_date
depreciation_ends(const struct depreciation_params *p)
{
    return civil_date_add_months(p->start, p->months);
}

int
depreciation_months_elapsed(const struct depreciation_params *p, struct civil_date as_of)
{
    int m = civil_date_months_between(p->start, as_of);

    if (m < 0)
        return 0;
    return m > p->months ? p->months : m;
}

int64_t
depreciation_accumulated_cents(const struct depreciation_params *p, struct civil_date as_of)
{
    int64_t depreciable = p->price_cents - p->residual_cents;
    int m = depreciation_months_elapsed(p, as_of);

    /* depreciable <= 1e9 and m <= 1200: the product fits; both are >= 0 so
     * integer division rounds down. At m == months it is exactly depreciable. */
    return depreciable * m / p->months;
}

int64_t
depreciation_book_value_cents(const struct depreciation_params *p, struct civil_date as_of)
{
    return p->price_cents - depreciation_accumulated_cents(p, as_of);
}

bool
depreciation_cost_to_date_cents(int64_t purchase_cents, const int64_t *costs, size_t n,
                                int64_t *out)
{
    int64_t total = purchase_cents;

    if (purchase_cents < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (costs[i] < 0 || costs[i] > INT64_MAX - total)
            return false;
        total += costs[i];
    }
    *out = total;
    return true;
}

void
depreciation_recovery(const struct depreciation_params *p, struct civil_date as_of,
                      struct depreciation_recovery *out)
{
    out->price_cents = p->price_cents;
    out->residual_cents = p->residual_cents;
    out->depreciable_cents = p->price_cents - p->residual_cents;
    out->months_total = p->months;
    out->months_elapsed = depreciation_months_elapsed(p, as_of);
    out->months_remaining = p->months - out->months_elapsed;
    out->start = p->start;
    out->ends = depreciation_ends(p);
    out->as_of = as_of;
    out->accumulated_cents = depreciation_accumulated_cents(p, as_of);
    out->book_value_cents = p->price_cents - out->accumulated_cents;
    out->recoverable_cents = out->depreciable_cents - out->accumulated_cents;
    out->period_running = civil_date_compare(as_of, out->ends) < 0;
}

char *
depreciation_recovery_explain_dup(const struct depreciation_recovery *r)
{
    char start[CIVIL_DATE_BUFSZ], ends[CIVIL_DATE_BUFSZ], as_of[CIVIL_DATE_BUFSZ];

    return xasprintf(
        "purchase price %lld cents on %s, residual value %lld cents, "
        "depreciated straight-line over %d months until %s; on %s %d whole "
        "months have passed, so %lld x %d / %d = %lld cents is depreciated "
        "(rounded down to a cent) and the book value is %lld cents; the "
        "value relating to the remaining %d months is %lld - %lld = %lld cents",
        (long long)r->price_cents, civil_date_format(r->start, start), (long long)r->residual_cents,
        r->months_total, civil_date_format(r->ends, ends), civil_date_format(r->as_of, as_of),
        r->months_elapsed, (long long)r->depreciable_cents, r->months_elapsed, r->months_total,
        (long long)r->accumulated_cents, (long long)r->book_value_cents, r->months_remaining,
        (long long)r->depreciable_cents, (long long)r->accumulated_cents,
        (long long)r->recoverable_cents);
}
