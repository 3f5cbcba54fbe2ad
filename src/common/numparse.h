/* Checked number parsing: the whole string must be a number in range. */
#ifndef RITMO_NUMPARSE_H
#define RITMO_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Parse a base-10 integer in [min, max]; false on junk, overflow or range. */
bool parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
    __attribute__((warn_unused_result));
/* Parse a finite decimal number in [min, max]. */
bool parse_double(const char *s, double min, double max, double *out)
    __attribute__((warn_unused_result));

#endif
