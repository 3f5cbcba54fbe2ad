/* /v1/tickets and the SLA report. */
#ifndef RITMO_API_TICKETS_API_H
#define RITMO_API_TICKETS_API_H

struct req;

void tickets_api_create(struct req *r);
void tickets_api_get(struct req *r);
void tickets_api_event(struct req *r);
void tickets_api_report(struct req *r);

#endif
