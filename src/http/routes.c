/* The route table: every endpoint, its handler and the roles that may call
 * it (admin may call all). docs/api/openapi.yaml lists exactly these (a
 * test checks). */
#include "api/access_log_api.h"
#include "api/aids_api.h"
#include "api/allowance_api.h"
#include "api/bookings_api.h"
#include "api/clients_api.h"
#include "api/dispatch_api.h"
#include "api/deliveries_api.h"
#include "api/indications_api.h"
#include "api/loans_api.h"
#include "api/ops.h"
#include "api/outbox_api.h"
#include "api/route_api.h"
#include "api/tickets_api.h"
#include "api/suppliers_api.h"
#include "api/tokens_api.h"
#include "auth/token.h"
#include "http/router.h"

#define DESK       (ROLE_DISPATCHER)
#define DESK_OR_ME (ROLE_DISPATCHER | ROLE_RESIDENT)

const struct route routes[] = {
    {"GET", "/healthz", ops_healthz, 0},
    {"GET", "/readyz", ops_readyz, 0},
    {"GET", "/metrics", ops_metrics, 0},
    {"POST", "/v1/tokens", tokens_api_create, ROLE_ADMIN},
    {"GET", "/v1/tokens", tokens_api_list, ROLE_ADMIN},
    {"DELETE", "/v1/tokens/{id}", tokens_api_revoke, ROLE_ADMIN},
    {"GET", "/v1/outbox", outbox_api_list, ROLE_ADMIN},
    {"POST", "/v1/outbox/{id}/retry", outbox_api_retry, ROLE_ADMIN},
    {"POST", "/v1/clients", clients_api_create, DESK},
    {"GET", "/v1/clients", clients_api_search, DESK},
    {"GET", "/v1/clients/{id}", clients_api_get, DESK_OR_ME},
    {"GET", "/v1/clients/{id}/export", clients_api_export, DESK_OR_ME},
    {"GET", "/v1/clients/{id}/access-log", access_log_api_list, ROLE_ADMIN},
    {"PATCH", "/v1/clients/{id}", clients_api_patch, DESK},
    {"POST", "/v1/clients/{id}/indications", indications_api_create, DESK},
    {"GET", "/v1/clients/{id}/indications", indications_api_list, DESK_OR_ME},
    {"POST", "/v1/indications/{id}/suspensions", indications_api_suspend, DESK},
    {"POST", "/v1/indications/{id}/end", indications_api_end, DESK},
    {"GET", "/v1/clients/{id}/allowance", allowance_api_get, DESK_OR_ME},
    {"POST", "/v1/clients/{id}/allowance/adjustments", allowance_api_adjust, DESK},
    {"POST", "/v1/bookings/quote", bookings_api_quote, DESK_OR_ME},
    {"POST", "/v1/bookings", bookings_api_create, DESK_OR_ME},
    {"GET", "/v1/bookings", bookings_api_list, DESK_OR_ME},
    {"GET", "/v1/bookings/{id}", bookings_api_get, DESK_OR_ME},
    {"POST", "/v1/bookings/{id}/cancel", bookings_api_cancel, DESK_OR_ME},
    {"POST", "/v1/bookings/{id}/events", bookings_api_event, DESK | ROLE_DRIVER},
    {"GET", "/v1/series/{id}", series_api_get, DESK_OR_ME},
    {"POST", "/v1/series/{id}/cancel", series_api_cancel, DESK_OR_ME},
    {"GET", "/v1/clients/{id}/rides.ics", rides_api_ics, DESK_OR_ME},
    /* assistive aids (issue 7) */
    {"POST", "/v1/suppliers", suppliers_api_create, DESK},
    {"GET", "/v1/suppliers/{id}", suppliers_api_get, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/suppliers/{id}/maintenance.ics", suppliers_api_maintenance_ics,
     DESK | ROLE_SUPPLIER},
    {"POST", "/v1/aid-models", aid_models_api_create, DESK},
    {"GET", "/v1/aid-models/{id}", aid_models_api_get, DESK | ROLE_SUPPLIER},
    {"POST", "/v1/aids", aids_api_create, DESK},
    {"GET", "/v1/aids", aids_api_list, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/aids/{id}", aids_api_get, DESK_OR_ME | ROLE_SUPPLIER},
    {"POST", "/v1/aids/{id}/loans", loans_api_create, DESK},
    {"POST", "/v1/aids/{id}/maintenance", aids_api_maintenance, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/loans/{id}", loans_api_get, DESK_OR_ME},
    {"POST", "/v1/loans/{id}/return", loans_api_return, DESK},
    {"GET", "/v1/loans/{id}/recovery", loans_api_recovery, DESK},
    {"POST", "/v1/pools", pools_api_create, DESK},
    {"GET", "/v1/pools/{id}", pools_api_get, DESK},
    {"POST", "/v1/pools/{id}/reservations", pools_api_reserve, DESK},
    {"POST", "/v1/reservations/{id}/cancel", reservations_api_cancel, DESK},
    {"GET", "/v1/maintenance/due", aids_api_due, DESK | ROLE_SUPPLIER},
    {"POST", "/v1/deliveries", deliveries_api_create, DESK},
    {"GET", "/v1/deliveries/{id}", deliveries_api_get, DESK | ROLE_SUPPLIER},
    {"POST", "/v1/deliveries/{id}/delivered", deliveries_api_delivered, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/route", route_api_get, DESK},
    /* dispatch (issue 6) */
    {"POST", "/v1/vehicles", vehicles_api_create, DESK},
    {"GET", "/v1/vehicles/{id}", vehicles_api_get, DESK | ROLE_DRIVER},
    {"POST", "/v1/runs", runs_api_create, DESK},
    {"GET", "/v1/runs/{id}", runs_api_get, DESK | ROLE_DRIVER},
    {"GET", "/v1/runs/{id}/manifest", runs_api_manifest, DESK | ROLE_DRIVER},
    {"GET", "/v1/runs/{id}/manifest.ics", runs_api_manifest_ics, DESK | ROLE_DRIVER},
    {"POST", "/v1/dispatch/plan", dispatch_api_plan, DESK},
    {"GET", "/v1/dispatch/unassigned", dispatch_api_unassigned, DESK},
    {"GET", "/v1/dispatch/board", dispatch_api_board, DESK},
    {"POST", "/v1/bookings/{id}/assign", dispatch_api_assign, DESK},
    {"POST", "/v1/runs/{id}/cancel", runs_api_cancel, DESK},
    {"POST", "/v1/runs/{id}/stops/{seq}/lock", runs_api_lock, DESK},
    {"POST", "/v1/runs/{id}/stops/{seq}/unlock", runs_api_unlock, DESK},
    /* breakdown tickets and the SLA (issue 8) */
    {"POST", "/v1/tickets", tickets_api_create, DESK | ROLE_SUPPLIER | ROLE_RESIDENT},
    {"GET", "/v1/tickets/{id}", tickets_api_get, DESK | ROLE_SUPPLIER | ROLE_RESIDENT},
    {"POST", "/v1/tickets/{id}/events", tickets_api_event, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/reports/sla", tickets_api_report, DESK | ROLE_SUPPLIER},
    {"GET", "/v1/reports/allowance", allowance_api_report, DESK},
    {NULL, NULL, NULL, 0},
};

size_t
routes_count(void)
{
    return sizeof routes / sizeof routes[0] - 1;
}
