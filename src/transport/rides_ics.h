/* A client's rides as an iCalendar feed (GET /v1/clients/{id}/rides.ics),
 * built with libical: one VEVENT per ride with a stable UID and a SEQUENCE
 * that grows with every change, cancelled rides as STATUS:CANCELLED, and
 * the service time zone as a VTIMEZONE. */
#ifndef RITMO_TRANSPORT_RIDES_ICS_H
#define RITMO_TRANSPORT_RIDES_ICS_H

#include "transport/booking_store.h"

#include <stddef.h>

/* The calendar text (CRLF, folded); caller frees. tzid is the IANA zone of
 * the service; dtstamp is now (unix seconds). */
char *rides_ics_dup(const struct booking *rides, size_t n, const char *tzid, int64_t dtstamp);

#endif
