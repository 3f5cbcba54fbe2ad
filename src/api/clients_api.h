/* /v1/clients: create, read, update and search clients. */
#ifndef RITMO_API_CLIENTS_API_H
#define RITMO_API_CLIENTS_API_H

struct req;
struct client;

#include <jansson.h>

void clients_api_create(struct req *r);
void clients_api_get(struct req *r);
void clients_api_export(struct req *r);
void clients_api_patch(struct req *r);
void clients_api_search(struct req *r);

json_t *client_json(const struct client *c);

#endif
