/* /v1/outbox: the webhook events for admins, dead letters and their retry. */
#ifndef RITMO_API_OUTBOX_API_H
#define RITMO_API_OUTBOX_API_H

struct req;

void outbox_api_list(struct req *r);
void outbox_api_retry(struct req *r);

#endif
