/* SLA due times and elapsed time: walk the business-open intervals of each
 * local date (never by adding 86,400 s) and skip the merged pause intervals. */
#include "inventory/sla_clock.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* Most tickets have a handful of pauses; more spill to the heap. */
#define PAUSES_ON_STACK 16

/* The pauses clipped to the clock's start, sorted and merged. */
struct pause_set {
    struct sla_pause *p;
    size_t n;
    struct sla_pause stack[PAUSES_ON_STACK];
};

enum seg_result { SEG_MORE, SEG_DONE, SEG_PAUSED };

const char *
sla_status_name(enum sla_status st)
{
    switch (st) {
    case SLA_OK:
        return "ok";
    case SLA_PAUSED:
        return "paused";
    case SLA_BAD_UNIT:
        return "bad_unit";
    case SLA_BAD_AMOUNT:
        return "bad_amount";
    case SLA_BAD_INSTANT:
        return "bad_instant";
    case SLA_BAD_PAUSE:
        return "bad_pause";
    case SLA_OUT_OF_RANGE:
        return "out_of_range";
    }
    return "unknown";
}

static int
cmp_pause(const void *a, const void *b)
{
    const struct sla_pause *x = a, *y = b;

    return (x->from > y->from) - (x->from < y->from);
}

static bool
instant_ok(int64_t t)
{
    return t >= WORKCAL_MIN_INSTANT && t <= WORKCAL_MAX_INSTANT;
}

/* Validates, clips to [start, ...), sorts and merges. On failure the set is
 * left empty and needs no clearing. */
static enum sla_status
pause_set_init(struct pause_set *ps, const struct sla_pause *pauses, size_t n, int64_t start)
{
    size_t k = 0;

    ps->p = ps->stack;
    ps->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (pauses[i].until < pauses[i].from || !instant_ok(pauses[i].from) ||
            (pauses[i].until != SLA_PAUSE_OPEN && !instant_ok(pauses[i].until)))
            return SLA_BAD_PAUSE;
    }
    if (n > PAUSES_ON_STACK)
        ps->p = xreallocarray(NULL, n, sizeof(*ps->p));
    for (size_t i = 0; i < n; i++) {
        if (pauses[i].until <= start || pauses[i].until == pauses[i].from)
            continue;
        ps->p[k].from = pauses[i].from > start ? pauses[i].from : start;
        ps->p[k].until = pauses[i].until;
        k++;
    }
    qsort(ps->p, k, sizeof(*ps->p), cmp_pause);
    for (size_t i = 0; i < k; i++) {
        if (ps->n > 0 && ps->p[i].from <= ps->p[ps->n - 1].until) {
            if (ps->p[i].until > ps->p[ps->n - 1].until)
                ps->p[ps->n - 1].until = ps->p[i].until;
        } else {
            ps->p[ps->n++] = ps->p[i];
        }
    }
    return SLA_OK;
}

static void
pause_set_clear(struct pause_set *ps)
{
    if (ps->p != ps->stack)
        free(ps->p);
    ps->p = ps->stack;
    ps->n = 0;
}

/* Runs the clock over [a, b) minus pauses until the budget is spent. With
 * `roll`, a budget spent exactly at the end of a running stretch is due at
 * the start of the next running stretch instead. *pi only moves forward. */
static enum seg_result
run_segment(int64_t a, int64_t b, const struct pause_set *ps, size_t *pi, int64_t *budget,
            bool roll, int64_t *due)
{
    while (a < b) {
        while (*pi < ps->n && ps->p[*pi].until <= a)
            (*pi)++;
        if (*pi < ps->n && ps->p[*pi].from <= a) {
            if (ps->p[*pi].until == SLA_PAUSE_OPEN)
                return SEG_PAUSED;
            a = ps->p[*pi].until;
            continue;
        }
        int64_t end = b;
        if (*pi < ps->n && ps->p[*pi].from < b)
            end = ps->p[*pi].from;
        if (end - a > *budget || (end - a == *budget && !roll)) {
            *due = a + *budget;
            return SEG_DONE;
        }
        *budget -= end - a;
        a = end;
    }
    return SEG_MORE;
}

/* Running (unpaused) seconds within [a, b); *pi only moves forward. */
static int64_t
running_in(int64_t a, int64_t b, const struct pause_set *ps, size_t *pi)
{
    int64_t total = 0;

    while (a < b) {
        while (*pi < ps->n && ps->p[*pi].until <= a)
            (*pi)++;
        if (*pi < ps->n && ps->p[*pi].from <= a) {
            if (ps->p[*pi].until == SLA_PAUSE_OPEN)
                return total;
            a = ps->p[*pi].until;
            continue;
        }
        int64_t end = b;
        if (*pi < ps->n && ps->p[*pi].from < b)
            end = ps->p[*pi].from;
        total += end - a;
        a = end;
    }
    return total;
}

static enum sla_status
business_due(const struct workcal *cal, int64_t t, int64_t budget, const struct pause_set *ps,
             bool roll, int64_t *due)
{
    struct workcal_local l, last;
    size_t pi = 0;

    workcal_to_local(cal, t, &l);
    workcal_to_local(cal, WORKCAL_MAX_INSTANT, &last);
    /* From the day before: near midnight on DST days the local date of t and
     * the date whose hours contain t may differ. */
    for (int64_t d = l.days - 1; d <= last.days; d++) {
        int64_t a, b;
        if (!workcal_open_interval(cal, d, &a, &b) || b <= t)
            continue;
        switch (run_segment(a > t ? a : t, b, ps, &pi, &budget, roll, due)) {
        case SEG_DONE:
            return instant_ok(*due) ? SLA_OK : SLA_OUT_OF_RANGE;
        case SEG_PAUSED:
            *due = SLA_PAUSE_OPEN;
            return SLA_PAUSED;
        case SEG_MORE:
            break;
        }
    }
    return SLA_OUT_OF_RANGE;
}

/* Business seconds within [from, until): all of them into *open_total (when
 * not NULL) and the unpaused ones as the result, in one walk over the days. */
static int64_t
business_walk(const struct workcal *cal, int64_t from, int64_t until, const struct pause_set *ps,
              int64_t *open_total)
{
    struct workcal_local lf, lu;
    int64_t running = 0, total = 0;
    size_t pi = 0;

    workcal_to_local(cal, from, &lf);
    workcal_to_local(cal, until, &lu);
    for (int64_t d = lf.days - 1; d <= lu.days; d++) {
        int64_t a, b;
        if (!workcal_open_interval(cal, d, &a, &b))
            continue;
        a = a > from ? a : from;
        b = b < until ? b : until;
        if (a < b) {
            total += b - a;
            running += running_in(a, b, ps, &pi);
        }
    }
    if (open_total != NULL)
        *open_total = total;
    return running;
}

static enum sla_status
wall_due(int64_t start, int64_t budget, const struct pause_set *ps, int64_t *due)
{
    size_t pi = 0;

    switch (run_segment(start, WORKCAL_MAX_INSTANT + 1, ps, &pi, &budget, false, due)) {
    case SEG_DONE:
        return instant_ok(*due) ? SLA_OK : SLA_OUT_OF_RANGE;
    case SEG_PAUSED:
        *due = SLA_PAUSE_OPEN;
        return SLA_PAUSED;
    case SEG_MORE:
        break;
    }
    return SLA_OUT_OF_RANGE;
}

static bool
open_pause_before(const struct pause_set *ps, int64_t t)
{
    for (size_t i = 0; i < ps->n; i++)
        if (ps->p[i].until == SLA_PAUSE_OPEN && ps->p[i].from < t)
            return true;
    return false;
}

/* Same local time on the N-th working day after the (opening-adjusted)
 * start; pauses shift it by the business time they cover. */
static enum sla_status
working_days_due(const struct workcal *cal, int64_t start, int n, const struct pause_set *ps,
                 int64_t *due)
{
    struct workcal_local l;
    int64_t s, d0, budget;

    if (!workcal_next_opening(cal, start, &s))
        return SLA_OUT_OF_RANGE;
    workcal_to_local(cal, s, &l);
    d0 = civil_date_to_days(workcal_add_working_days(cal, l.date, n));
    d0 = workcal_from_local(cal, d0, l.second_of_day);
    if (!instant_ok(d0))
        return SLA_OUT_OF_RANGE;
    if (ps->n == 0) {
        *due = d0;
        return SLA_OK;
    }
    if (business_walk(cal, s, d0, ps, &budget) == budget && !open_pause_before(ps, d0)) {
        *due = d0;
        return SLA_OK;
    }
    return business_due(cal, s, budget, ps, true, due);
}

enum sla_status
sla_due_at(const struct workcal *cal, enum sla_unit unit, int64_t start, int64_t amount,
           const struct sla_pause *pauses, size_t n_pauses, int64_t *due)
{
    struct pause_set ps;
    enum sla_status st;

    if (!instant_ok(start))
        return SLA_BAD_INSTANT;
    if (amount < 0 ||
        (unit == SLA_WORKING_DAYS ? amount > SLA_MAX_WORKING_DAYS : amount > SLA_MAX_MINUTES))
        return SLA_BAD_AMOUNT;
    st = pause_set_init(&ps, pauses, n_pauses, start);
    if (st != SLA_OK)
        return st;
    switch (unit) {
    case SLA_WALL_MINUTES:
        st = wall_due(start, amount * 60, &ps, due);
        break;
    case SLA_BUSINESS_MINUTES:
        st = business_due(cal, start, amount * 60, &ps, false, due);
        break;
    case SLA_WORKING_DAYS:
        st = working_days_due(cal, start, (int)amount, &ps, due);
        break;
    default:
        st = SLA_BAD_UNIT;
        break;
    }
    pause_set_clear(&ps);
    return st;
}

enum sla_status
sla_elapsed_seconds(const struct workcal *cal, enum sla_unit unit, int64_t from, int64_t until,
                    const struct sla_pause *pauses, size_t n_pauses, int64_t *out)
{
    struct pause_set ps;
    enum sla_status st;
    size_t pi = 0;

    if (!instant_ok(from) || !instant_ok(until))
        return SLA_BAD_INSTANT;
    if (unit != SLA_WALL_MINUTES && unit != SLA_BUSINESS_MINUTES && unit != SLA_WORKING_DAYS)
        return SLA_BAD_UNIT;
    st = pause_set_init(&ps, pauses, n_pauses, from);
    if (st != SLA_OK)
        return st;
    if (until <= from)
        *out = 0;
    else if (unit == SLA_WALL_MINUTES)
        *out = running_in(from, until, &ps, &pi);
    else
        *out = business_walk(cal, from, until, &ps, NULL);
    pause_set_clear(&ps);
    return SLA_OK;
}

enum sla_status
sla_paused_seconds(const struct sla_pause *pauses, size_t n_pauses, int64_t from, int64_t until,
                   int64_t *out)
{
    struct pause_set ps;
    enum sla_status st;
    int64_t total = 0;

    if (!instant_ok(from) || !instant_ok(until))
        return SLA_BAD_INSTANT;
    st = pause_set_init(&ps, pauses, n_pauses, from);
    if (st != SLA_OK)
        return st;
    for (size_t i = 0; i < ps.n && ps.p[i].from < until; i++) {
        int64_t end = ps.p[i].until < until ? ps.p[i].until : until;
        total += end - ps.p[i].from;
    }
    *out = until > from ? total : 0;
    pause_set_clear(&ps);
    return SLA_OK;
}
