/* Operations endpoints without authentication: /healthz, /readyz, /metrics. */
#ifndef RITMO_API_OPS_H
#define RITMO_API_OPS_H

struct req;

void ops_healthz(struct req *r);
void ops_readyz(struct req *r);
void ops_metrics(struct req *r);

#endif
