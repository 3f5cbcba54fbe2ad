/* GET /v1/route: distance, travel time and the road path for the console. */
#ifndef RITMO_API_ROUTE_API_H
#define RITMO_API_ROUTE_API_H

struct req;

void route_api_get(struct req *r);

#endif
