/* Micro-benchmark of the inventory rules: SLA due times (mixed clocks, with
 * pauses) and book values, reported as the median ns per call over runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inventory/depreciation.h"
#include "inventory/maintenance.h"
#include "inventory/sla_clock.h"
#include "inventory/workcal.h"

#define RUNS 31

/* Defeats dead-code elimination of the measured results. */
static volatile int64_t sink;

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

typedef void (*bench_fn)(const struct workcal *cal, int i);

/* Median over RUNS runs of the mean ns per call within a run of `calls` calls. */
static double
measure(bench_fn fn, const struct workcal *cal, int calls)
{
    double per_call[RUNS];

    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < calls; i++)
            fn(cal, i);
        per_call[r] = (now_ns() - t0) / calls;
    }
    qsort(per_call, RUNS, sizeof(per_call[0]), cmp_double);
    return per_call[RUNS / 2];
}

/* Reports spread over a year (every 7919 s: all hours and weekdays). */
static int64_t
report_at(int i)
{
    return INT64_C(1767222000) + (int64_t)(i % 4000) * 7919;
}

static void
repair_5_days_3_pauses(const struct workcal *cal, int i)
{
    int64_t t = report_at(i), due;
    struct sla_pause p[3] = {
        {t + 3600, t + 5 * 3600},
        {t + 26 * 3600, t + 30 * 3600},
        {t + 70 * 3600, t + 75 * 3600},
    };

    if (sla_due_at(cal, SLA_WORKING_DAYS, t, 5, p, 3, &due) == SLA_OK)
        sink += due;
}

static void
repair_5_days_no_pause(const struct workcal *cal, int i)
{
    int64_t due;

    if (sla_due_at(cal, SLA_WORKING_DAYS, report_at(i), 5, NULL, 0, &due) == SLA_OK)
        sink += due;
}

static void
response_4h_business(const struct workcal *cal, int i)
{
    int64_t due;

    if (sla_due_at(cal, SLA_BUSINESS_MINUTES, report_at(i), 240, NULL, 0, &due) == SLA_OK)
        sink += due;
}

static void
response_2h_24x7(const struct workcal *cal, int i)
{
    int64_t due;

    if (sla_due_at(cal, SLA_WALL_MINUTES, report_at(i), 120, NULL, 0, &due) == SLA_OK)
        sink += due;
}

/* What one ticket needs: its response and its repair due time. */
static void
mixed_ticket(const struct workcal *cal, int i)
{
    if (i % 2)
        response_4h_business(cal, i);
    else
        response_2h_24x7(cal, i);
    if (i % 3)
        repair_5_days_no_pause(cal, i);
    else
        repair_5_days_3_pauses(cal, i);
}

static void
book_value(const struct workcal *cal, int i)
{
    struct depreciation_params p = {249900 + i % 1000, 24990, {2021, 1, 31}, 60};
    struct civil_date as_of = civil_date_from_days(18000 + i % 3000);

    (void)cal;
    sink += depreciation_book_value_cents(&p, as_of);
}

static struct maintenance_rule *bench_rule;
static struct maintenance_rule *bench_rule_general;

static void
next_maintenance(const struct workcal *cal, int i)
{
    struct civil_date next, anchor = civil_date_from_days(18000 + i % 3000);

    (void)cal;
    if (maintenance_next_due(bench_rule, MAINTENANCE_ANCHOR_FIXED, anchor, NULL, &next) ==
        MAINTENANCE_OK)
        sink += next.day;
}

/* A rule with BY* parts goes through libical's (ICU-backed) iterator. */
static void
next_maintenance_libical(const struct workcal *cal, int i)
{
    struct civil_date next, anchor = civil_date_from_days(18000 + i % 3000);

    (void)cal;
    if (maintenance_next_due(bench_rule_general, MAINTENANCE_ANCHOR_FIXED, anchor, NULL, &next) ==
        MAINTENANCE_OK)
        sink += next.day;
}

int
main(void)
{
    struct workcal_config c;
    struct workcal *cal = NULL;
    static const struct {
        const char *name;
        bench_fn fn;
        int calls;
    } cases[] = {
        {"sla repair 5 working days, 3 pauses", repair_5_days_3_pauses, 20000},
        {"sla repair 5 working days, no pause", repair_5_days_no_pause, 20000},
        {"sla response 240 business minutes", response_4h_business, 20000},
        {"sla response 120 minutes 24x7", response_2h_24x7, 20000},
        {"sla mixed ticket (response + repair)", mixed_ticket, 20000},
        {"depreciation book value", book_value, 200000},
        {"maintenance next due (FREQ=MONTHLY;INTERVAL=6)", next_maintenance, 2000},
        {"maintenance next due (BYMONTH=3,9;BYMONTHDAY=1)", next_maintenance_libical, 500},
    };

    workcal_config_init(&c);
    if (workcal_create(&c, &cal) != WORKCAL_OK) {
        fprintf(stderr, "cannot create the calendar\n");
        return 1;
    }
    if (maintenance_rule_create("FREQ=MONTHLY;INTERVAL=6", &bench_rule) != MAINTENANCE_OK ||
        maintenance_rule_create("FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1", &bench_rule_general) !=
            MAINTENANCE_OK) {
        maintenance_rule_free(bench_rule);
        fprintf(stderr, "cannot parse the maintenance rule\n");
        workcal_free(cal);
        return 1;
    }
    double t0 = now_ns();
    struct workcal *tmp = NULL;
    if (workcal_create(&c, &tmp) == WORKCAL_OK)
        printf("%-48s %10.0f ns (once per process)\n", "workcal_create (Europe/Amsterdam)",
               now_ns() - t0);
    workcal_free(tmp);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        printf("%-48s %10.1f ns/call (median of %d runs x %d calls)\n", cases[i].name,
               measure(cases[i].fn, cal, cases[i].calls), RUNS, cases[i].calls);
    maintenance_rule_free(bench_rule_general);
    maintenance_rule_free(bench_rule);
    workcal_free(cal);
    return 0;
}
