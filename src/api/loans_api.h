/* Loans of aids (lend, return, read, recovery), pools and pool
 * reservations. */
#ifndef RITMO_API_LOANS_API_H
#define RITMO_API_LOANS_API_H

struct req;

void loans_api_create(struct req *r);
void loans_api_return(struct req *r);
void loans_api_get(struct req *r);
void loans_api_recovery(struct req *r);
void pools_api_create(struct req *r);
void pools_api_get(struct req *r);
void pools_api_reserve(struct req *r);

#endif
