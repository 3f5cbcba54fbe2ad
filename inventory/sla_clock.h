/* SLA clocks of breakdown tickets: due instants and elapsed time in business
 * minutes, 24x7 minutes or working days, with pauses, on a workcal calendar. */
#ifndef RITMO_INVENTORY_SLA_CLOCK_H
#define RITMO_INVENTORY_SLA_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/workcal.h"

/* How a clock counts. */
enum sla_unit {
    SLA_BUSINESS_MINUTES, /* minutes inside business hours */
    SLA_WALL_MINUTES,     /* "24x7": every minute counts */
    SLA_WORKING_DAYS,     /* same local time on the N-th working day */
};

/* Largest amounts accepted: ten years' worth. */
#define SLA_MAX_MINUTES      (INT64_C(3660) * 24 * 60)
#define SLA_MAX_WORKING_DAYS 2600
/* `until` of a pause that has not ended yet (waiting_client without resumed). */
#define SLA_PAUSE_OPEN INT64_MAX

/* The clock stands still during [from, until) (unix seconds, UTC). Pauses may
 * be given in any order and may overlap; their union counts. */
struct sla_pause {
    int64_t from;
    int64_t until;
};

enum sla_status {
    SLA_OK,
    SLA_PAUSED, /* an open pause holds the clock: no due time yet */
    SLA_BAD_UNIT,
    SLA_BAD_AMOUNT,   /* negative or above the maximum */
    SLA_BAD_INSTANT,  /* outside WORKCAL_MIN_INSTANT..WORKCAL_MAX_INSTANT */
    SLA_BAD_PAUSE,    /* a pause that ends before it starts */
    SLA_OUT_OF_RANGE, /* the due time would fall after the supported range */
};

/* Stable snake_case name of a status. */
const char *sla_status_name(enum sla_status st);

/* The due instant of a clock started at `start` that must run `amount` units,
 * recomputed from scratch from the full pause list (so repeated pauses never
 * drift). Rules:
 * - SLA_WALL_MINUTES: start + amount minutes + the paused time inside.
 * - SLA_BUSINESS_MINUTES: counts only inside business hours, so a start
 *   outside them counts from the next opening; when the budget runs out
 *   exactly at a closing time, that closing time is the due time.
 * - SLA_WORKING_DAYS: the start moves to the next opening when outside
 *   business hours; the due time is the same local time of day on the N-th
 *   working day after that (local) date. Pauses that cover business time move
 *   it by that business time, counted on the business-hours clock (a due time
 *   that lands on a closing time then moves to the next opening, so 08:00
 *   stays 08:00 and never becomes 17:00 the day before).
 * Pauses are clipped to the time after `start`. SLA_PAUSED (with *due =
 * SLA_PAUSE_OPEN) when an open pause is reached before the budget runs out. */
enum sla_status sla_due_at(const struct workcal *cal, enum sla_unit unit, int64_t start,
                           int64_t amount, const struct sla_pause *pauses, size_t n_pauses,
                           int64_t *due) __attribute__((warn_unused_result));

/* Seconds the clock ran within [from, until): business seconds for
 * SLA_BUSINESS_MINUTES and SLA_WORKING_DAYS, wall seconds for
 * SLA_WALL_MINUTES, minus the paused time. 0 when until <= from. An open pause
 * simply stops counting. */
enum sla_status sla_elapsed_seconds(const struct workcal *cal, enum sla_unit unit, int64_t from,
                                    int64_t until, const struct sla_pause *pauses, size_t n_pauses,
                                    int64_t *out) __attribute__((warn_unused_result));

/* Wall seconds of the union of the pauses within [from, until) (the
 * API's paused_minutes is this / 60). An open pause counts up to `until`. */
enum sla_status sla_paused_seconds(const struct sla_pause *pauses, size_t n_pauses, int64_t from,
                                   int64_t until, int64_t *out) __attribute__((warn_unused_result));

#endif
