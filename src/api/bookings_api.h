/* /v1/bookings and /v1/series: quotes, bookings, cancellations, ride
 * events and recurring rides. */
#ifndef RITMO_API_BOOKINGS_API_H
#define RITMO_API_BOOKINGS_API_H

struct req;

void bookings_api_quote(struct req *r);
void bookings_api_create(struct req *r);
void bookings_api_get(struct req *r);
void bookings_api_list(struct req *r);
void bookings_api_cancel(struct req *r);
void bookings_api_event(struct req *r);
void series_api_get(struct req *r);
void series_api_cancel(struct req *r);
void rides_api_ics(struct req *r);

#endif
