/* /v1/tokens: creating, listing and revoking API tokens (admin). */
#ifndef RITMO_API_TOKENS_API_H
#define RITMO_API_TOKENS_API_H

struct req;

void tokens_api_create(struct req *r);
void tokens_api_list(struct req *r);
void tokens_api_revoke(struct req *r);

#endif
