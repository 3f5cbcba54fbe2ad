/* libFuzzer target: RRULE handling with libical, as requests reach it:
 * series_expand (a booking's recurrence), maintenance rules of aid models
 * (maintenance_rule_create, _next_due, _dates) and aid_schedule_update.
 *
 * Input: the rule, optionally after a first line of dates:
 *     2026-03-29 02:30:00 2026-05-01
 *     FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10
 * the first ride (date and local time; also the maintenance anchor) and
 * the last maintenance. Without that line: 2026-03-29 02:30:00 (a time
 * that daylight saving skips in Europe/Amsterdam), never maintained.
 * Invariants: every date returned is a valid date (the callers convert
 * them to day numbers), in order, within what was asked. */
#include "aids/aid_schedule.h"
#include "inventory/civil_date.h"
#include "inventory/maintenance.h"
#include "transport/series.h"

#include "common/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERIES_MAX 200 /* RITMO_SERIES_MAX's default */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, struct civil_date d)
{
    fprintf(stderr, "fuzz_rrule: %s: %04d-%02d-%02d\n", what, d.year, d.month, d.day);
    abort();
}

/* RITMO_FUZZ_TRACE=1: the dates, for reading a failing input. */
static void
trace(const char *what, const struct civil_date *d, size_t n)
{
    if (!getenv("RITMO_FUZZ_TRACE"))
        return;
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %04d-%02d-%02d", d[i].year, d[i].month, d[i].day);
    fprintf(stderr, "\n");
}

/* Every date valid and after the one before; the first one on or after
 * `after` (strictly after when strict). */
static void
check_dates(const char *what, const struct civil_date *d, size_t n, struct civil_date after,
            bool strict)
{
    for (size_t i = 0; i < n; i++) {
        if (!civil_date_valid(d[i]))
            die(what, d[i]);
        int c = civil_date_compare(d[i], after);
        if (c < 0 || ((strict || i > 0) && c == 0))
            die(what, d[i]);
        (void)civil_date_to_days(d[i]);
        after = d[i];
    }
}

/* "YYYY-MM-DD[ HH:MM:SS][ YYYY-MM-DD]"; false when line is not such. */
static bool
parse_params(const char *line, struct civil_date *start, int *sod, struct civil_date *last)
{
    char buf[11];
    snprintf(buf, sizeof buf, "%.10s", line);
    if (!civil_date_parse(buf, start))
        return false;
    line += 10;
    int h, m, s, n = 0;
    if (sscanf(line, " %2d:%2d:%2d%n", &h, &m, &s, &n) == 3 && h >= 0 && h < 24 && m >= 0 &&
        m < 60 && s >= 0 && s < 60) {
        *sod = h * 3600 + m * 60 + s;
        line += n;
    }
    while (*line == ' ')
        line++;
    snprintf(buf, sizeof buf, "%.10s", line);
    if (!civil_date_parse(buf, last))
        last->year = 0;
    return true;
}

static void
fuzz_series(const char *rule, struct civil_date start, int sod)
{
    struct civil_date *dates;
    size_t n;
    enum series_status st = series_expand(rule, start, sod, SERIES_MAX, &dates, &n);
    trace("series", dates, n);
    if (st == SERIES_OK) {
        if (n == 0 || n > SERIES_MAX)
            die("series: no dates or too many", start);
        check_dates("series: bad date", dates, n, start, false);
    } else if (dates || n) {
        die("series: dates returned with an error", start);
    }
    free(dates);
}

static void
fuzz_maintenance(const char *rule, struct civil_date anchor, struct civil_date last)
{
    struct maintenance_rule *mr;
    if (maintenance_rule_create(rule, &mr) != MAINTENANCE_OK) {
        if (mr)
            die("maintenance: rule returned with an error", anchor);
        return;
    }
    if (!maintenance_rule_text_get(mr))
        die("maintenance: no text", anchor);
    for (int mode = 0; mode < 2; mode++) {
        struct civil_date next;
        enum maintenance_status st = maintenance_next_due(
            mr, mode ? MAINTENANCE_ANCHOR_COMPLETION : MAINTENANCE_ANCHOR_FIXED, anchor,
            last.year ? &last : NULL, &next);
        if (st == MAINTENANCE_OK)
            check_dates("maintenance: bad next date", &next, 1, anchor, true);
    }
    struct civil_date out[64];
    size_t n;
    struct civil_date until = civil_date_add_months(anchor, 24);
    if (civil_date_valid(until) &&
        maintenance_dates(mr, anchor, anchor, until, out, 64, &n) == MAINTENANCE_OK) {
        trace("maintenance", out, n);
        check_dates("maintenance: bad date", out, n, anchor, true);
        if (n && civil_date_compare(out[n - 1], until) > 0)
            die("maintenance: date after the end", out[n - 1]);
    }
    maintenance_rule_free(mr);
}

static void
fuzz_aid(const char *rule, struct civil_date anchor, struct civil_date last, bool completion)
{
    struct aid *a = xcalloc(1, sizeof *a);
    snprintf(a->status, sizeof a->status, "in_stock");
    snprintf(a->maintenance_rule, sizeof a->maintenance_rule, "%s", rule);
    snprintf(a->maintenance_anchor, sizeof a->maintenance_anchor, "%s",
             completion ? "completion" : "fixed");
    a->anchor_date = anchor;
    a->last_maintenance_on = last;
    if (aid_schedule_update(a) && a->next_maintenance_on.year &&
        !civil_date_valid(a->next_maintenance_on))
        die("aid: bad next maintenance date", a->next_maintenance_on);
    free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct civil_date start = {2026, 3, 29}, last = {0, 0, 0};
    int sod = 2 * 3600 + 30 * 60;
    const char *rule = text;
    char *nl = strchr(text, '\n');
    if (nl) {
        *nl = '\0';
        if (parse_params(text, &start, &sod, &last))
            rule = nl + 1;
        else
            *nl = '\n';
    }
    fuzz_series(rule, start, sod);
    fuzz_maintenance(rule, start, last);
    fuzz_aid(rule, start, last, size % 2);
    free(text);
    return 0;
}
