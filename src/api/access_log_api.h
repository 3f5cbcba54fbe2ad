/* The access trail of one client, for the administrator. */
#ifndef RITMO_API_ACCESS_LOG_API_H
#define RITMO_API_ACCESS_LOG_API_H

struct req;

void access_log_api_list(struct req *r);

#endif
