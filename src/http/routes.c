/* The route table: every endpoint, its handler and the roles that may call
 * it. docs/api/openapi.yaml lists exactly these (a test checks). */
#include "api/ops.h"
#include "api/tokens_api.h"
#include "auth/token.h"
#include "http/router.h"

const struct route routes[] = {
    {"GET", "/healthz", ops_healthz, 0},
    {"GET", "/readyz", ops_readyz, 0},
    {"GET", "/metrics", ops_metrics, 0},
    {"POST", "/v1/tokens", tokens_api_create, ROLE_ADMIN},
    {"GET", "/v1/tokens", tokens_api_list, ROLE_ADMIN},
    {"DELETE", "/v1/tokens/{id}", tokens_api_revoke, ROLE_ADMIN},
    {NULL, NULL, NULL, 0},
};

size_t
routes_count(void)
{
    return sizeof routes / sizeof routes[0] - 1;
}
