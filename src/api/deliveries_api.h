/* /v1/deliveries: orders of an aid model for a client and their delivery
 * against the supplier's term in working days. */
#ifndef RITMO_API_DELIVERIES_API_H
#define RITMO_API_DELIVERIES_API_H

struct req;

void deliveries_api_create(struct req *r);
void deliveries_api_delivered(struct req *r);
void deliveries_api_get(struct req *r);

#endif
