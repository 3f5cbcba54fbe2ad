/* Transport indications: grant, list, suspend and end. */
#ifndef RITMO_API_INDICATIONS_API_H
#define RITMO_API_INDICATIONS_API_H

struct req;

void indications_api_create(struct req *r);
void indications_api_list(struct req *r);
void indications_api_suspend(struct req *r);
void indications_api_end(struct req *r);

#endif
