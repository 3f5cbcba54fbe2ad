/* The supplier's maintenance feed (GET /v1/suppliers/{id}/maintenance.ics) as
 * iCalendar text: one all-day VEVENT per due maintenance, built with libical. */
#ifndef RITMO_INVENTORY_MAINTENANCE_ICS_H
#define RITMO_INVENTORY_MAINTENANCE_ICS_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/civil_date.h"

/* One due maintenance. Strings are borrowed for the call; summary and
 * description are plain text (escaping is done here); description may be NULL. */
struct maintenance_ics_entry {
    const char *uid; /* stable per item and due date, e.g. "aid-42-2026-03-01@ritmo" */
    struct civil_date due;
    const char *summary;
    const char *description;
};

/* A complete VCALENDAR (VERSION 2.0, PRODID, CALSCALE GREGORIAN, X-WR-CALNAME
 * = calendar_name) with entries[0..n) as all-day events (DTSTART;VALUE=DATE,
 * DTEND the next day) stamped dtstamp (unix seconds, UTC). CRLF line ends and
 * folding as RFC 5545 requires. Caller frees the returned string with free().
 * Entries with a NULL uid or summary, or an invalid date, are skipped. */
char *maintenance_ics_dup(const char *calendar_name, const struct maintenance_ics_entry *entries,
                          size_t n, int64_t dtstamp);

#endif
