/* /v1/aids: items with their book value, holder, maintenance and history;
 * recording maintenance; the maintenance due list. */
#ifndef RITMO_API_AIDS_API_H
#define RITMO_API_AIDS_API_H

struct req;

void aids_api_create(struct req *r);
void aids_api_get(struct req *r);
void aids_api_list(struct req *r);
void aids_api_maintenance(struct req *r);
void aids_api_due(struct req *r);

#endif
