/* RRULE expansion for maintenance schedules through libical's recurrence
 * iterator; only caller-owned (_r) libical strings are used, no shared state. */
#include "inventory/maintenance.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "common/xalloc.h"

struct maintenance_rule {
    struct icalrecurrencetype recur; /* rscale always NULL: nothing to free */
    char *text;
    /* Plain rules: the period in months or days (one of them > 0). */
    int64_t step_months;
    int64_t step_days;
};

const char *
maintenance_status_name(enum maintenance_status st)
{
    switch (st) {
    case MAINTENANCE_OK:
        return "ok";
    case MAINTENANCE_BAD_RULE:
        return "bad_rule";
    case MAINTENANCE_TOO_FREQUENT:
        return "too_frequent";
    case MAINTENANCE_UNSUPPORTED:
        return "unsupported";
    case MAINTENANCE_NO_OCCURRENCE:
        return "no_occurrence";
    case MAINTENANCE_BAD_DATE:
        return "bad_date";
    case MAINTENANCE_ENDED:
        return "ended";
    case MAINTENANCE_STEP_LIMIT:
        return "step_limit";
    }
    return "unknown";
}

static struct icaltimetype
to_ical(struct civil_date d)
{
    /* Not icaltime_null_date(): its hour of -1 shifts ICU-backed rules by a day. */
    struct icaltimetype t;

    memset(&t, 0, sizeof(t));
    t.is_date = 1;
    t.year = d.year;
    t.month = d.month;
    t.day = d.day;
    return t;
}

static struct civil_date
from_ical(struct icaltimetype t)
{
    return (struct civil_date){t.year, t.month, t.day};
}

static enum maintenance_status
check_frequency(const struct icalrecurrencetype *r)
{
    switch (r->freq) {
    case ICAL_SECONDLY_RECURRENCE:
    case ICAL_MINUTELY_RECURRENCE:
    case ICAL_HOURLY_RECURRENCE:
        return MAINTENANCE_TOO_FREQUENT;
    case ICAL_DAILY_RECURRENCE:
        return r->interval < MAINTENANCE_MIN_DAILY_INTERVAL ? MAINTENANCE_TOO_FREQUENT
                                                            : MAINTENANCE_OK;
    case ICAL_WEEKLY_RECURRENCE:
    case ICAL_MONTHLY_RECURRENCE:
    case ICAL_YEARLY_RECURRENCE:
        return MAINTENANCE_OK;
    default:
        return MAINTENANCE_BAD_RULE;
    }
}

/* Occurrences of a rule from a start date. Plain rules (FREQ and INTERVAL
 * only) are stepped with civil_date arithmetic, which gives the same dates as
 * libical with SKIP=BACKWARD (the tests compare both) at a fraction of the
 * cost of libical's ICU-backed iterator; everything else goes to libical. */
struct occ_iter {
    const struct maintenance_rule *rule;
    icalrecur_iterator *it;
    struct civil_date start;
    int64_t k; /* plain rules: index of the next occurrence (0 = start) */
};

static enum maintenance_status next_after(struct occ_iter *o, struct civil_date after, int *steps,
                                          struct civil_date *out);

/* False when libical finds the rule empty from this start. */
static bool
occ_open(struct occ_iter *o, const struct maintenance_rule *rule, struct civil_date start)
{
    o->rule = rule;
    o->start = start;
    o->k = 0;
    o->it = NULL;
    if (rule->step_months > 0 || rule->step_days > 0)
        return true;
    o->it = icalrecur_iterator_new(rule->recur, to_ical(start));
    icalerror_clear_errno();
    return o->it != NULL;
}

static void
occ_close(struct occ_iter *o)
{
    if (o->it != NULL)
        icalrecur_iterator_free(o->it);
    o->it = NULL;
}

static struct civil_date
occ_plain(const struct occ_iter *o, int64_t k)
{
    /* Far beyond four-digit years: report a year past the end instead of
     * letting the month count overflow an int. */
    static const struct civil_date beyond = {CIVIL_DATE_MAX_YEAR + 1, 1, 1};

    if (o->rule->step_months > 0) {
        if (k > 12 * 10000 / o->rule->step_months)
            return beyond;
        return civil_date_add_months(o->start, (int)(k * o->rule->step_months));
    }
    if (k > 366 * 10000 / o->rule->step_days)
        return beyond;
    return civil_date_add_days(o->start, k * o->rule->step_days);
}

/* Plain rules: jump to just before the first occurrence after `after`. */
static void
occ_skip_towards(struct occ_iter *o, struct civil_date after)
{
    int64_t k;

    if (o->it != NULL || civil_date_compare(after, o->start) <= 0)
        return;
    if (o->rule->step_months > 0)
        k = civil_date_months_between(o->start, after) / o->rule->step_months;
    else
        k = (civil_date_to_days(after) - civil_date_to_days(o->start)) / o->rule->step_days;
    if (k > o->k)
        o->k = k;
}

/* False when the rule has no more dates (or leaves the four-digit years). */
static bool
occ_next(struct occ_iter *o, struct civil_date *out)
{
    if (o->it == NULL) {
        *out = occ_plain(o, o->k++);
        return out->year <= CIVIL_DATE_MAX_YEAR;
    }
    struct icaltimetype t = icalrecur_iterator_next(o->it);
    if (icaltime_is_null_time(t))
        return false;
    *out = from_ical(t);
    /* Before 1753 libical counts leap years the Julian way: a date such as
     * 1000-02-29 that the (proleptic Gregorian) civil calendar lacks ends
     * the schedule rather than leave here (found by tests/fuzz). */
    return civil_date_valid(*out);
}

/* A plain rule is FREQ (and INTERVAL) alone: no BY* parts, COUNT or UNTIL. */
static void
classify_plain(struct maintenance_rule *rule)
{
    const struct icalrecurrencetype *r = &rule->recur;
    const short *by[] = {r->by_second,   r->by_minute,  r->by_hour,  r->by_day,    r->by_month_day,
                         r->by_year_day, r->by_week_no, r->by_month, r->by_set_pos};

    rule->step_months = 0;
    rule->step_days = 0;
    if (r->count != 0 || !icaltime_is_null_time(r->until) || r->skip != ICAL_SKIP_BACKWARD)
        return;
    for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++)
        if (by[i][0] != ICAL_RECURRENCE_ARRAY_MAX)
            return;
    if (r->freq == ICAL_YEARLY_RECURRENCE)
        rule->step_months = 12 * r->interval;
    else if (r->freq == ICAL_MONTHLY_RECURRENCE)
        rule->step_months = r->interval;
    else if (r->freq == ICAL_WEEKLY_RECURRENCE)
        rule->step_days = 7 * r->interval;
    else if (r->freq == ICAL_DAILY_RECURRENCE)
        rule->step_days = r->interval;
}

enum maintenance_status
maintenance_rule_create(const char *rrule, struct maintenance_rule **out)
{
    enum maintenance_status st = MAINTENANCE_OK;
    struct maintenance_rule *rule = NULL;
    struct occ_iter it = {NULL, NULL, {0, 0, 0}, 0};
    struct civil_date first;
    char *text = NULL;
    int steps = 0;

    *out = NULL;
    if (rrule == NULL || rrule[0] == '\0' || strlen(rrule) > 1024) {
        st = MAINTENANCE_BAD_RULE;
        goto out;
    }
    rule = xcalloc(1, sizeof(*rule));
    rule->recur = icalrecurrencetype_from_string(rrule);
    icalerror_clear_errno();
    if (rule->recur.rscale != NULL) {
        bool gregorian = strcasecmp(rule->recur.rscale, "GREGORIAN") == 0;
        /* libical strdup'ed it and never frees it; we own it now. */
        free(rule->recur.rscale);
        rule->recur.rscale = NULL;
        if (!gregorian) {
            st = MAINTENANCE_UNSUPPORTED;
            goto out;
        }
    } else {
        /* Without RSCALE, RFC 5545 drops 31 Feb; maintenance must not skip a
         * half year, so clamp to the month's last day as depreciation does. */
        rule->recur.skip = ICAL_SKIP_BACKWARD;
    }
    st = check_frequency(&rule->recur);
    if (st != MAINTENANCE_OK)
        goto out;
    /* BYWEEKNO: libical 3.0 gets it wrong, and FREQ=YEARLY;BYWEEKNO=42
     * from a date in late March read outside its tables (tests/fuzz). */
    if (rule->recur.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->recur.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->recur.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->recur.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        st = MAINTENANCE_UNSUPPORTED;
        goto out;
    }
    /* A rule must give at least one date after its start: COUNT=1, an UNTIL
     * in the past or (with SKIP=OMIT) BYMONTH=2;BYMONTHDAY=30 give none. */
    if (!occ_open(&it, rule, (struct civil_date){2000, 1, 1}) ||
        next_after(&it, (struct civil_date){2000, 1, 1}, &steps, &first) != MAINTENANCE_OK) {
        st = MAINTENANCE_NO_OCCURRENCE;
        goto out;
    }
    classify_plain(rule);
    text = icalrecurrencetype_as_string_r(&rule->recur);
    rule->text = xstrdup(text != NULL ? text : rrule);
    *out = rule;
    rule = NULL;
out:
    occ_close(&it);
    icalmemory_free_buffer(text);
    maintenance_rule_free(rule);
    return st;
}

void
maintenance_rule_free(struct maintenance_rule *rule)
{
    if (rule == NULL)
        return;
    free(rule->text);
    free(rule);
}

const char *
maintenance_rule_text_get(const struct maintenance_rule *rule)
{
    return rule->text;
}

/* Next occurrence strictly after `after`, following the iterator.
 * MAINTENANCE_ENDED when the rule runs out. */
static enum maintenance_status
next_after(struct occ_iter *o, struct civil_date after, int *steps, struct civil_date *out)
{
    struct civil_date d;

    occ_skip_towards(o, after);
    while ((*steps)++ < MAINTENANCE_MAX_STEPS) {
        if (!occ_next(o, &d))
            return MAINTENANCE_ENDED;
        if (civil_date_compare(d, after) > 0) {
            *out = d;
            return MAINTENANCE_OK;
        }
    }
    return MAINTENANCE_STEP_LIMIT;
}

/* FIXED anchoring with a completion: the completion covers the scheduled
 * date nearest to it (the anchor counts as date 0; ties go to the later). */
static enum maintenance_status
fixed_after_completion(struct occ_iter *o, struct civil_date anchor, struct civil_date done,
                       struct civil_date *out)
{
    int64_t done_days = civil_date_to_days(done);
    struct civil_date prev = anchor, cur;
    enum maintenance_status st;
    int steps = 0;

    for (;;) {
        st = next_after(o, prev, &steps, &cur);
        if (st != MAINTENANCE_OK)
            return st;
        if (civil_date_compare(cur, done) <= 0) {
            prev = cur;
            continue;
        }
        /* prev <= done < cur */
        if (civil_date_to_days(cur) - done_days <= done_days - civil_date_to_days(prev))
            return next_after(o, cur, &steps, out);
        *out = cur;
        return MAINTENANCE_OK;
    }
}

enum maintenance_status
maintenance_next_due(const struct maintenance_rule *rule, enum maintenance_anchor mode,
                     struct civil_date anchor, const struct civil_date *last_done,
                     struct civil_date *out)
{
    enum maintenance_status st;
    struct occ_iter it = {NULL, NULL, {0, 0, 0}, 0};
    struct civil_date from = anchor;
    int steps = 0;

    if (!civil_date_valid(anchor) || (last_done != NULL && !civil_date_valid(*last_done))) {
        st = MAINTENANCE_BAD_DATE;
        goto out;
    }
    /* A completion before the anchor (an earlier life of the item) is ignored. */
    if (last_done != NULL && civil_date_compare(*last_done, anchor) < 0)
        last_done = NULL;
    if (mode == MAINTENANCE_ANCHOR_COMPLETION && last_done != NULL)
        from = *last_done;
    if (!occ_open(&it, rule, from)) {
        st = MAINTENANCE_NO_OCCURRENCE;
        goto out;
    }
    if (mode == MAINTENANCE_ANCHOR_FIXED && last_done != NULL)
        st = fixed_after_completion(&it, anchor, *last_done, out);
    else
        st = next_after(&it, from, &steps, out);
out:
    occ_close(&it);
    return st;
}

enum maintenance_status
maintenance_dates(const struct maintenance_rule *rule, struct civil_date anchor,
                  struct civil_date from, struct civil_date until, struct civil_date *out,
                  size_t cap, size_t *n)
{
    enum maintenance_status st = MAINTENANCE_OK;
    struct occ_iter it = {NULL, NULL, {0, 0, 0}, 0};
    struct civil_date prev = anchor, cur;
    int steps = 0;

    *n = 0;
    if (!civil_date_valid(anchor) || !civil_date_valid(from) || !civil_date_valid(until)) {
        st = MAINTENANCE_BAD_DATE;
        goto out;
    }
    if (!occ_open(&it, rule, anchor)) {
        st = MAINTENANCE_NO_OCCURRENCE;
        goto out;
    }
    /* Start just before `from`: plain rules jump there directly. */
    if (civil_date_compare(from, anchor) > 0)
        prev = civil_date_add_days(from, -1);
    while (*n < cap) {
        enum maintenance_status r = next_after(&it, prev, &steps, &cur);
        if (r == MAINTENANCE_ENDED)
            break;
        if (r != MAINTENANCE_OK) {
            st = r;
            goto out;
        }
        if (civil_date_compare(cur, until) > 0)
            break;
        out[(*n)++] = cur;
        prev = cur;
    }
out:
    occ_close(&it);
    return st;
}
