/* RFC 3339 instants as the API takes them ("2026-11-24T09:30:00+01:00"). */
#ifndef RITMO_CORE_TIMEFMT_H
#define RITMO_CORE_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

/* Parses date, time and a required offset (Z or ±HH:MM); fractional
 * seconds are accepted and dropped. Unix seconds in *out. */
bool timefmt_parse(const char *s, int64_t *out) __attribute__((warn_unused_result));

#endif
