/* Maintenance schedules of aids: an RFC 5545 RRULE (a model's maintenance_rule)
 * expanded with libical from a fixed anchor or from the last completion. */
#ifndef RITMO_INVENTORY_MAINTENANCE_H
#define RITMO_INVENTORY_MAINTENANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/civil_date.h"

/* Bound on occurrences examined in one call, so no rule can loop long. */
#define MAINTENANCE_MAX_STEPS 20000
/* Shortest accepted period for FREQ=DAILY: INTERVAL >= 7. */
#define MAINTENANCE_MIN_DAILY_INTERVAL 7

enum maintenance_status {
    MAINTENANCE_OK,
    MAINTENANCE_BAD_RULE,      /* libical cannot parse it (includes "RRULE:" prefixes) */
    MAINTENANCE_TOO_FREQUENT,  /* SECONDLY, MINUTELY, HOURLY, or DAILY below 7 days */
    MAINTENANCE_UNSUPPORTED,   /* BYHOUR/BYMINUTE/BYSECOND/BYWEEKNO, a non-Gregorian RSCALE */
    MAINTENANCE_NO_OCCURRENCE, /* the rule never yields a date */
    MAINTENANCE_BAD_DATE,      /* invalid anchor or completion date */
    MAINTENANCE_ENDED,         /* COUNT/UNTIL exhausted: nothing is due any more */
    MAINTENANCE_STEP_LIMIT,    /* more than MAINTENANCE_MAX_STEPS occurrences needed */
};

/* Stable snake_case name of a status. */
const char *maintenance_status_name(enum maintenance_status st);

/* How a model's schedule is anchored. */
enum maintenance_anchor {
    /* Dates follow the rule from the purchase (or last re-issue) date; a
     * completion counts for the scheduled date nearest to it. */
    MAINTENANCE_ANCHOR_FIXED,
    /* The rule restarts from the last completed maintenance. */
    MAINTENANCE_ANCHOR_COMPLETION,
};

/* A parsed, validated rule; immutable, so it may be shared between threads. */
struct maintenance_rule;

/* Parses and validates an RRULE value such as "FREQ=YEARLY" or
 * "FREQ=MONTHLY;INTERVAL=6". On MAINTENANCE_OK *out is caller-owned (release
 * with maintenance_rule_free); otherwise *out is NULL. Month-end dates clamp
 * like depreciation (31 Aug + 6 months = 28/29 Feb) unless the rule itself
 * says RSCALE=GREGORIAN;SKIP=OMIT/FORWARD. */
enum maintenance_status maintenance_rule_create(const char *rrule, struct maintenance_rule **out)
    __attribute__((warn_unused_result));
void maintenance_rule_free(struct maintenance_rule *rule);
/* libical's normalised text of the rule; borrowed, valid until the rule is freed. */
const char *maintenance_rule_text_get(const struct maintenance_rule *rule);

/* The next due date. FIXED: the first scheduled date after `anchor` not yet
 * covered by last_done (NULL = never done). COMPLETION: the first date the
 * rule gives after last_done (or after `anchor` when never done). */
enum maintenance_status maintenance_next_due(const struct maintenance_rule *rule,
                                             enum maintenance_anchor mode, struct civil_date anchor,
                                             const struct civil_date *last_done,
                                             struct civil_date *out)
    __attribute__((warn_unused_result));

/* Scheduled dates of a fixed schedule within [from, until], in order, at most
 * cap of them, into out[]; *n says how many. The anchor date itself is not a
 * maintenance date. MAINTENANCE_OK also when the schedule ends early. */
enum maintenance_status maintenance_dates(const struct maintenance_rule *rule,
                                          struct civil_date anchor, struct civil_date from,
                                          struct civil_date until, struct civil_date *out,
                                          size_t cap, size_t *n)
    __attribute__((warn_unused_result));

#endif
