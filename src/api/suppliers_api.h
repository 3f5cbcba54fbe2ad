/* /v1/suppliers, /v1/aid-models and the suppliers' maintenance feed. */
#ifndef RITMO_API_SUPPLIERS_API_H
#define RITMO_API_SUPPLIERS_API_H

struct req;

void suppliers_api_create(struct req *r);
void suppliers_api_get(struct req *r);
void suppliers_api_maintenance_ics(struct req *r);
void aid_models_api_create(struct req *r);
void aid_models_api_get(struct req *r);

#endif
