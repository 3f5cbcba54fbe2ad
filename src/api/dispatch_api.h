/* Vehicles, runs, manifests, day planning and the dispatch board. */
#ifndef RITMO_API_DISPATCH_API_H
#define RITMO_API_DISPATCH_API_H

struct req;

void vehicles_api_create(struct req *r);
void vehicles_api_get(struct req *r);
void runs_api_create(struct req *r);
void runs_api_get(struct req *r);
void runs_api_manifest(struct req *r);
void runs_api_manifest_ics(struct req *r);
void dispatch_api_plan(struct req *r);
void dispatch_api_unassigned(struct req *r);
void dispatch_api_board(struct req *r);
void dispatch_api_assign(struct req *r);
void runs_api_cancel(struct req *r);
void runs_api_lock(struct req *r);
void runs_api_unlock(struct req *r);

#endif
