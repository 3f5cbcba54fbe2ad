/* A time zone read from the system's TZif database (RFC 8536): UTC offsets
 * by instant and local wall time to instant, without TZ/tzset or libical. */
#ifndef RITMO_INVENTORY_TZIF_H
#define RITMO_INVENTORY_TZIF_H

#include <stddef.h>
#include <stdint.h>

/* Transitions from the file's POSIX footer rule are generated up to this year. */
#define TZIF_RULES_UNTIL_YEAR 2200

enum tzif_status {
    TZIF_OK,
    TZIF_BAD_NAME,  /* not a plausible IANA name ("Europe/Amsterdam") */
    TZIF_NOT_FOUND, /* no such file */
    TZIF_BAD_FILE,  /* not a TZif file we understand */
};

/* An immutable transition table: safe to share between threads. */
struct tzif;

/* Reads dir/name (e.g. "/usr/share/zoneinfo", "Europe/Amsterdam"). Names are
 * relative paths of letters, digits and "/_+-."; "..", a leading "/" or "."
 * are refused. On TZIF_OK *out is caller-owned (tzif_free); else NULL. */
enum tzif_status tzif_load(const char *dir, const char *name, struct tzif **out)
    __attribute__((warn_unused_result));
/* Parses a TZif image in memory (borrowed for the call). Same ownership. */
enum tzif_status tzif_parse(const unsigned char *buf, size_t len, struct tzif **out)
    __attribute__((warn_unused_result));
void tzif_free(struct tzif *tz);

/* Seconds east of UTC in force at instant t (unix seconds). */
int tzif_utc_offset(const struct tzif *tz, int64_t t);
/* The instant of a local wall time given as seconds since 1970-01-01 00:00
 * local. A time skipped by a forward jump moves forward by the jump
 * (02:30 -> 03:30); a time that occurs twice takes the first occurrence. */
int64_t tzif_from_local(const struct tzif *tz, int64_t local);

#endif
