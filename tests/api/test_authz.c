/* The authorization matrix: every route of the route table (routes.c)
 * called by every actor, each cell with the status API.md promises. Paths
 * name real objects of client A, vehicle X and supplier S; resident B,
 * driver Y and supplier T are the other tenants who must be refused (404
 * where an object's existence is personal data). See docs/security.md. */
#include "apitest.h"
#include "http/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct harness H;

enum actor { ADMIN, DESK, RES_A, RES_B, DRV_X, DRV_Y, SUP_S, SUP_T, NONE, REVOKED, N_ACTORS };
static const char *const actor_names[N_ACTORS] = {
    "admin",    "dispatcher", "resident A", "resident B", "driver X",
    "driver Y", "supplier S", "supplier T", "no token",   "revoked token"};
/* Text each actor must never see in any answer: the other tenant's data. */
static const char *const foreign_marker[N_ACTORS] = {
    NULL, NULL, "MARK-B", "MARK-A", "MARK-B", "MARK-A", "MARK-T", "MARK-S", "MARK-", "MARK-"};
static char *tokens[N_ACTORS];

/* One row: a route (method and pattern exactly as in routes[]), the path
 * and body to send, and the status each actor must get. In path and body,
 * <name> is a fixture made in setup (or a value such as <now>); <new:name>
 * is a fresh object of the same kind for each cell that must succeed (so a
 * cancel or a return does not use up the shared one), and the shared
 * fixture <name> for cells that must be refused. QUERY sends the token as
 * ?token= (calendar feeds) instead of in the Authorization header. */
enum { HEADER = 0, QUERY = 1 };
struct row {
    const char *method, *pattern, *path, *body;
    int how;
    int want[N_ACTORS];
};

#define ADDRESS_A "Homestraat MARK-A 1, Dordrecht"
#define HOME_A    "{\"address\":\"" ADDRESS_A "\",\"lat\":51.8105,\"lon\":4.6651}"
#define HOSPITAL                                                                                   \
    "{\"address\":\"Albert Schweitzerplaats 25, Dordrecht\",\"lat\":51.7961,\"lon\":4.6781}"
#define DEPOT "{\"address\":\"Depot, Dordrecht\",\"lat\":51.805,\"lon\":4.66}"
#define RIDE_A                                                                                     \
    "{\"client_id\":\"<client_a>\",\"pickup\":" HOME_A ",\"dropoff\":" HOSPITAL                    \
    ",\"pickup_at\":\"<ride_at>\",\"channel\":\"app\""
#define SLA                                                                                        \
    "\"sla\":{\"delivery_working_days\":5,\"breakdown_response_minutes\":240,"                     \
    "\"breakdown_clock\":\"24x7\",\"repair_working_days\":5,\"maintenance_grace_days\":7}"
#define EXCEPTION "\"exception\":\"client_pays\",\"exception_reason\":\"matrix\""

/* clang-format off */
/*                     adm  desk resA resB drvX drvY supS supT none revoked */
#define PUBLIC(s)     {s,   s,   s,   s,   s,   s,   s,   s,   s,   s}
#define ADMIN_ONLY(s) {s,   403, 403, 403, 403, 403, 403, 403, 401, 401}
#define DESK_ONLY(s)  {s,   s,   403, 403, 403, 403, 403, 403, 401, 401}
/* a client's own data: resident A yes, resident B 404 (existence is personal) */
#define CLIENT_OWN(s) {s,   s,   s,   404, 403, 403, 403, 403, 401, 401}
/* a supplier's own data: supplier S yes, supplier T 404 */
#define SUPPLIER(s)   {s,   s,   403, 403, 403, 403, s,   404, 401, 401}
/* a vehicle's own data: driver X yes, driver Y 403 (a fleet object, not personal) */
#define VEHICLE(s)    {s,   s,   403, 403, s,   403, 403, 403, 401, 401}

static const struct row matrix[] = {
    /* operations: no token needed, even a revoked one is ignored */
    {"GET", "/healthz", "/healthz", NULL, HEADER, PUBLIC(200)},
    {"GET", "/readyz", "/readyz", NULL, HEADER, PUBLIC(200)},
    {"GET", "/metrics", "/metrics", NULL, HEADER, PUBLIC(200)},
    /* tokens and the outbox: the administrator only */
    {"POST", "/v1/tokens", "/v1/tokens", "{\"name\":\"matrix\",\"role\":\"dispatcher\"}", HEADER,
     ADMIN_ONLY(201)},
    {"GET", "/v1/tokens", "/v1/tokens", NULL, HEADER, ADMIN_ONLY(200)},
    {"DELETE", "/v1/tokens/{id}", "/v1/tokens/<new:spare_token>", NULL, HEADER, ADMIN_ONLY(200)},
    {"GET", "/v1/outbox", "/v1/outbox?state=dead", NULL, HEADER, ADMIN_ONLY(200)},
    {"POST", "/v1/outbox/{id}/retry", "/v1/outbox/<new:dead_event>/retry", NULL, HEADER,
     ADMIN_ONLY(200)},
    /* clients */
    {"POST", "/v1/clients", "/v1/clients",
     "{\"pass_number\":\"NEW-<cell>\",\"name\":\"New <cell>\",\"home\":" DEPOT "}", HEADER,
     DESK_ONLY(201)},
    {"GET", "/v1/clients", "/v1/clients?q=MARK", NULL, HEADER, DESK_ONLY(200)},
    {"GET", "/v1/clients/{id}", "/v1/clients/<client_a>", NULL, HEADER, CLIENT_OWN(200)},
    {"GET", "/v1/clients/{id}", "/v1/clients/<client_a>", NULL, QUERY,
     {401, 401, 401, 401, 401, 401, 401, 401, 401, 401}}, /* ?token= is for feeds only */
    {"GET", "/v1/clients/{id}/export", "/v1/clients/<client_a>/export", NULL, HEADER,
     CLIENT_OWN(200)},
    {"GET", "/v1/clients/{id}/access-log", "/v1/clients/<client_a>/access-log", NULL, HEADER,
     ADMIN_ONLY(200)},
    {"PATCH", "/v1/clients/{id}", "/v1/clients/<client_a>", "{\"phone\":\"078-1234567\"}", HEADER,
     DESK_ONLY(200)},
    {"POST", "/v1/clients/{id}/indications", "/v1/clients/<new:client_a>/indications",
     "{\"kind\":\"transport\",\"valid_from\":\"<today>\",\"valid_until\":\"<next_year>\"}", HEADER,
     DESK_ONLY(201)},
    {"GET", "/v1/clients/{id}/indications", "/v1/clients/<client_a>/indications", NULL, HEADER,
     CLIENT_OWN(200)},
    {"POST", "/v1/indications/{id}/suspensions", "/v1/indications/<new:indication_a>/suspensions",
     "{\"from\":\"<ride_day>\",\"until\":\"<ride_day>\",\"reason\":\"matrix\"}", HEADER,
     DESK_ONLY(201)},
    {"POST", "/v1/indications/{id}/end", "/v1/indications/<new:indication_a>/end",
     "{\"at\":\"<today>\",\"reason\":\"moved\"}", HEADER, DESK_ONLY(200)},
    {"GET", "/v1/clients/{id}/allowance", "/v1/clients/<client_a>/allowance?year=<year>", NULL,
     HEADER, CLIENT_OWN(200)},
    {"POST", "/v1/clients/{id}/allowance/adjustments",
     "/v1/clients/<client_a>/allowance/adjustments",
     "{\"year\":<year>,\"km\":1,\"reason\":\"matrix\"}", HEADER, DESK_ONLY(201)},
    /* bookings: resident B may not book for A (403 on the body's client_id,
     * decided before any lookup, so it tells nothing about A) */
    {"POST", "/v1/bookings/quote", "/v1/bookings/quote", RIDE_A "}", HEADER,
     {200, 200, 200, 403, 403, 403, 403, 403, 401, 401}},
    {"POST", "/v1/bookings", "/v1/bookings", RIDE_A "}", HEADER,
     {201, 201, 201, 403, 403, 403, 403, 403, 401, 401}},
    /* resident B asking for A's rides gets an empty list, never A's */
    {"GET", "/v1/bookings", "/v1/bookings?client_id=<client_a>", NULL, HEADER,
     {200, 200, 200, 200, 403, 403, 403, 403, 401, 401}},
    {"GET", "/v1/bookings/{id}", "/v1/bookings/<booking_a>", NULL, HEADER, CLIENT_OWN(200)},
    {"POST", "/v1/bookings/{id}/cancel", "/v1/bookings/<new:booking_a>/cancel",
     "{\"reason\":\"matrix\"}", HEADER, CLIENT_OWN(200)},
    /* booking_a is on run X: driver Y gets 404 (a ride is personal data) */
    {"POST", "/v1/bookings/{id}/events", "/v1/bookings/<booking_a>/events",
     "{\"type\":\"arrived\",\"at\":\"<now>\"}", HEADER,
     {200, 200, 403, 403, 200, 404, 403, 403, 401, 401}},
    {"GET", "/v1/series/{id}", "/v1/series/<series_a>", NULL, HEADER, CLIENT_OWN(200)},
    {"POST", "/v1/series/{id}/cancel", "/v1/series/<new:series_a>/cancel", "{}", HEADER,
     CLIENT_OWN(200)},
    {"GET", "/v1/clients/{id}/rides.ics", "/v1/clients/<client_a>/rides.ics", NULL, HEADER,
     CLIENT_OWN(200)},
    {"GET", "/v1/clients/{id}/rides.ics", "/v1/clients/<client_a>/rides.ics", NULL, QUERY,
     CLIENT_OWN(200)},
    /* suppliers, models, items */
    {"POST", "/v1/suppliers", "/v1/suppliers", "{\"name\":\"New <cell>\"," SLA "}", HEADER,
     DESK_ONLY(201)},
    {"GET", "/v1/suppliers/{id}", "/v1/suppliers/<supplier_s>", NULL, HEADER, SUPPLIER(200)},
    {"GET", "/v1/suppliers/{id}/maintenance.ics", "/v1/suppliers/<supplier_s>/maintenance.ics",
     NULL, HEADER, SUPPLIER(200)},
    {"GET", "/v1/suppliers/{id}/maintenance.ics", "/v1/suppliers/<supplier_s>/maintenance.ics",
     NULL, QUERY, SUPPLIER(200)},
    {"POST", "/v1/aid-models", "/v1/aid-models",
     "{\"type\":\"walker\",\"brand\":\"New\",\"model\":\"N<cell>\",\"supplier_id\":\"<supplier_s>\","
     "\"depreciation_months\":36,\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ=YEARLY\","
     "\"list_price_cents\":1000}", HEADER, DESK_ONLY(201)},
    {"GET", "/v1/aid-models/{id}", "/v1/aid-models/<model_s>", NULL, HEADER, SUPPLIER(200)},
    {"POST", "/v1/aids", "/v1/aids",
     "{\"model_id\":\"<model_s>\",\"serial\":\"NEW-<cell>\",\"purchase_date\":\"<today>\","
     "\"purchase_price_cents\":1000}", HEADER, DESK_ONLY(201)},
    /* supplier T filtering on S: 403 whether or not S exists */
    {"GET", "/v1/aids", "/v1/aids?supplier_id=<supplier_s>", NULL, HEADER,
     {200, 200, 403, 403, 403, 403, 200, 403, 401, 401}},
    {"GET", "/v1/aids", "/v1/aids", NULL, HEADER,
     {200, 200, 403, 403, 403, 403, 200, 200, 401, 401}},
    /* an item lent to A: A sees it, B does not, nor supplier T */
    {"GET", "/v1/aids/{id}", "/v1/aids/<aid_lent>", NULL, HEADER,
     {200, 200, 200, 404, 403, 403, 200, 404, 401, 401}},
    {"POST", "/v1/aids/{id}/loans", "/v1/aids/<new:aid_s>/loans",
     "{\"client_id\":\"<client_a>\",\"from\":\"<yesterday_at>\"," EXCEPTION "}", HEADER,
     DESK_ONLY(201)},
    {"POST", "/v1/aids/{id}/maintenance", "/v1/aids/<aid_s>/maintenance",
     "{\"performed_at\":\"<now>\",\"kind\":\"inspection\",\"cost_cents\":0}", HEADER,
     SUPPLIER(201)},
    {"GET", "/v1/loans/{id}", "/v1/loans/<loan_a>", NULL, HEADER, CLIENT_OWN(200)},
    {"POST", "/v1/loans/{id}/return", "/v1/loans/<new:loan_a>/return",
     "{\"at\":\"<now>\",\"condition\":\"good\"}", HEADER, DESK_ONLY(200)},
    {"GET", "/v1/loans/{id}/recovery", "/v1/loans/<loan_a>/recovery", NULL, HEADER,
     DESK_ONLY(200)},
    {"POST", "/v1/pools", "/v1/pools", "{\"name\":\"Pool <cell>\",\"address\":" DEPOT "}", HEADER,
     DESK_ONLY(201)},
    {"GET", "/v1/pools/{id}", "/v1/pools/<pool>", NULL, HEADER, DESK_ONLY(200)},
    {"POST", "/v1/pools/{id}/reservations", "/v1/pools/<pool>/reservations",
     "{\"client_id\":\"<client_a>\",\"type\":\"scootmobiel\",\"from\":\"<cell_from>\","
     "\"until\":\"<cell_until>\"}", HEADER, DESK_ONLY(201)},
    {"POST", "/v1/reservations/{id}/cancel", "/v1/reservations/<new:reservation>/cancel", NULL,
     HEADER, DESK_ONLY(200)},
    {"GET", "/v1/maintenance/due", "/v1/maintenance/due?supplier_id=<supplier_s>", NULL, HEADER,
     {200, 200, 403, 403, 403, 403, 200, 403, 401, 401}},
    {"GET", "/v1/maintenance/due", "/v1/maintenance/due", NULL, HEADER,
     {200, 200, 403, 403, 403, 403, 200, 200, 401, 401}},
    {"POST", "/v1/deliveries", "/v1/deliveries",
     "{\"client_id\":\"<client_a>\",\"model_id\":\"<model_s>\",\"ordered_at\":\"<yesterday_at>\","
     EXCEPTION "}", HEADER, DESK_ONLY(201)},
    {"GET", "/v1/deliveries/{id}", "/v1/deliveries/<delivery_s>", NULL, HEADER, SUPPLIER(200)},
    {"POST", "/v1/deliveries/{id}/delivered", "/v1/deliveries/<new:delivery_s>/delivered",
     "{\"at\":\"<now>\",\"aid_id\":\"<delivery_aid>\"}", HEADER, SUPPLIER(200)},
    {"GET", "/v1/route", "/v1/route?from=51.8105,4.6651&to=51.7961,4.6781", NULL, HEADER,
     DESK_ONLY(200)},
    /* vehicles, runs and dispatch */
    {"POST", "/v1/vehicles", "/v1/vehicles",
     "{\"name\":\"Van <cell>\",\"seats\":4,\"wheelchair_places\":1,\"scootmobiel_places\":0,"
     "\"depot\":" DEPOT "}", HEADER, DESK_ONLY(201)},
    {"GET", "/v1/vehicles/{id}", "/v1/vehicles/<vehicle_x>", NULL, HEADER, VEHICLE(200)},
    {"POST", "/v1/runs", "/v1/runs",
     "{\"vehicle_id\":\"<vehicle_w>\",\"date\":\"<cell_day>\",\"start\":\"07:00\","
     "\"end\":\"15:00\"}", HEADER, DESK_ONLY(201)},
    {"GET", "/v1/runs/{id}", "/v1/runs/<run_x>", NULL, HEADER, VEHICLE(200)},
    {"GET", "/v1/runs/{id}/manifest", "/v1/runs/<run_x>/manifest", NULL, HEADER, VEHICLE(200)},
    {"GET", "/v1/runs/{id}/manifest.ics", "/v1/runs/<run_x>/manifest.ics", NULL, HEADER,
     VEHICLE(200)},
    {"GET", "/v1/runs/{id}/manifest.ics", "/v1/runs/<run_x>/manifest.ics", NULL, QUERY,
     VEHICLE(200)},
    {"POST", "/v1/dispatch/plan", "/v1/dispatch/plan",
     "{\"date\":\"<plan_day>\",\"time_limit_s\":0.5}", HEADER, DESK_ONLY(200)},
    {"GET", "/v1/dispatch/unassigned", "/v1/dispatch/unassigned?date=<day>", NULL, HEADER,
     DESK_ONLY(200)},
    {"GET", "/v1/dispatch/board", "/v1/dispatch/board?date=<day>", NULL, HEADER, DESK_ONLY(200)},
    {"POST", "/v1/bookings/{id}/assign", "/v1/bookings/<new:booking_on_day>/assign",
     "{\"run_id\":\"<run_x>\",\"force\":true}", HEADER, DESK_ONLY(200)},
    {"POST", "/v1/runs/{id}/cancel", "/v1/runs/<new:run_x>/cancel", "{\"reason\":\"matrix\"}",
     HEADER, DESK_ONLY(200)},
    {"POST", "/v1/runs/{id}/stops/{seq}/lock", "/v1/runs/<run_x>/stops/1/lock", NULL, HEADER,
     DESK_ONLY(200)},
    {"POST", "/v1/runs/{id}/stops/{seq}/unlock", "/v1/runs/<run_x>/stops/1/unlock", NULL, HEADER,
     DESK_ONLY(200)},
    /* breakdown tickets: the aid is S's and lent to A */
    {"POST", "/v1/tickets", "/v1/tickets",
     "{\"aid_id\":\"<aid_lent>\",\"kind\":\"breakdown\",\"description\":\"matrix\","
     "\"reported_via\":\"phone\"}", HEADER,
     {201, 201, 201, 404, 403, 403, 201, 404, 401, 401}},
    {"GET", "/v1/tickets/{id}", "/v1/tickets/<ticket_a>", NULL, HEADER,
     {200, 200, 200, 404, 403, 403, 200, 404, 401, 401}},
    {"POST", "/v1/tickets/{id}/events", "/v1/tickets/<new:ticket_a>/events",
     "{\"type\":\"acknowledged\"}", HEADER, SUPPLIER(200)},
    {"GET", "/v1/reports/sla", "/v1/reports/sla?supplier_id=<supplier_s>&from=<today>&until=<today>",
     NULL, HEADER, SUPPLIER(200)},
    {"GET", "/v1/reports/allowance", "/v1/reports/allowance?year=<year>", NULL, HEADER,
     DESK_ONLY(200)},
};
/* clang-format on */
#define N_ROWS (sizeof matrix / sizeof matrix[0])

/* ---- fixtures: named ids and values the rows refer to ---- */

#define MAX_FIXTURES 64
static struct {
    char name[32];
    char value[96];
} fixtures[MAX_FIXTURES], cell_vars[4];
static int n_fixtures, n_cell_vars;
static int cell_no; /* numbers the cells, for unique names and days */

static void
fixture_set(const char *name, const char *value)
{
    assert_true(n_fixtures < MAX_FIXTURES);
    snprintf(fixtures[n_fixtures].name, sizeof fixtures[0].name, "%s", name);
    snprintf(fixtures[n_fixtures].value, sizeof fixtures[0].value, "%s", value);
    n_fixtures++;
}

static void
cell_var_set(const char *name, const char *value)
{
    assert_true(n_cell_vars < 4);
    snprintf(cell_vars[n_cell_vars].name, sizeof cell_vars[0].name, "%s", name);
    snprintf(cell_vars[n_cell_vars].value, sizeof cell_vars[0].value, "%s", value);
    n_cell_vars++;
}

/* The value of <name>: a fresh object's companion (cell_var_set) first,
 * then the fixtures. Borrowed until the next set. */
static const char *
fixture_get(const char *name)
{
    for (int i = 0; i < n_cell_vars; i++)
        if (!strcmp(cell_vars[i].name, name))
            return cell_vars[i].value;
    for (int i = 0; i < n_fixtures; i++)
        if (!strcmp(fixtures[i].name, name))
            return fixtures[i].value;
    return NULL;
}

/* POSTs as the desk (or admin) and returns the new object's id. */
static char *
post_id(const char *token, const char *path, const char *body)
{
    json_t *j = call("POST", path, token, body, 201);
    char *id = strdup(str(j, "id"));
    json_decref(j);
    assert_non_null(id);
    return id;
}

static char *
new_client(const char *pass, const char *name, const char *home)
{
    char *body = fmt("{\"pass_number\":\"%s\",\"name\":\"%s\",\"home\":%s}", pass, name, home);
    char *id = post_id(api_desk, "/v1/clients", body);
    free(body);
    return id;
}

static char *
new_indication(const char *client)
{
    char *from = date_text(in_days(-30)), *until = date_text(in_days(400));
    char *path = fmt("/v1/clients/%s/indications", client);
    char *body =
        fmt("{\"kind\":\"transport\",\"valid_from\":\"%s\",\"valid_until\":\"%s\"}", from, until);
    char *id = post_id(api_desk, path, body);
    free(from);
    free(until);
    free(path);
    free(body);
    return id;
}

/* A ride of the client from home on day d, at a time that differs per
 * call. */
static char *
new_ride(const char *client, const char *home, struct civil_date d, const char *extra,
         const char *key)
{
    static int n;
    n++;
    char *at = local_time(d, 8 + n % 10, (n * 7) % 60);
    char *body = fmt("{\"client_id\":\"%s\",\"pickup\":%s,\"dropoff\":" HOSPITAL
                     ",\"pickup_at\":\"%s\",\"channel\":\"phone\"%s}",
                     client, home, at, extra ? extra : "");
    json_t *j = call("POST", "/v1/bookings", api_desk, body, 201);
    char *id = strdup(str(j, key));
    json_decref(j);
    free(at);
    free(body);
    return id;
}

static char *
new_aid(const char *model, const char *serial, const char *pool)
{
    char *bought = date_text(in_days(-100));
    char *pool_field = pool ? fmt(",\"pool_id\":\"%s\"", pool) : strdup("");
    char *body = fmt("{\"model_id\":\"%s\",\"serial\":\"%s\",\"purchase_date\":\"%s\","
                     "\"purchase_price_cents\":250000%s}",
                     model, serial, bought, pool_field);
    char *id = post_id(api_desk, "/v1/aids", body);
    free(bought);
    free(pool_field);
    free(body);
    return id;
}

static char *
new_loan(const char *aid, const char *client)
{
    char *from = local_time(in_days(-1), 10, 0);
    char *path = fmt("/v1/aids/%s/loans", aid);
    char *body = fmt("{\"client_id\":\"%s\",\"from\":\"%s\"," EXCEPTION "}", client, from);
    char *id = post_id(api_desk, path, body);
    free(from);
    free(path);
    free(body);
    return id;
}

static char *
new_ticket(const char *aid)
{
    char *body = fmt("{\"aid_id\":\"%s\",\"kind\":\"breakdown\",\"description\":\"stuck\","
                     "\"reported_via\":\"phone\"}",
                     aid);
    char *id = post_id(api_desk, "/v1/tickets", body);
    free(body);
    return id;
}

static char *
new_run(const char *vehicle, struct civil_date d, const char *start, const char *end)
{
    char *date = date_text(d);
    char *body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}",
                     vehicle, date, start, end);
    char *id = post_id(api_desk, "/v1/runs", body);
    free(date);
    free(body);
    return id;
}

static char *
new_vehicle(const char *name)
{
    char *body = fmt("{\"name\":\"%s\",\"seats\":6,\"wheelchair_places\":2,"
                     "\"scootmobiel_places\":0,\"depot\":" DEPOT "}",
                     name);
    char *id = post_id(api_desk, "/v1/vehicles", body);
    free(body);
    return id;
}

/* A dead outbox event (there is no API that makes one). */
static char *
new_dead_event(void)
{
    char *id = harness_sql(&H, "INSERT INTO outbox (topic, target, payload, attempts, dead_at, "
                               "last_error) VALUES ('matrix.test', 'http://127.0.0.1:1/matrix', "
                               "'{}', 8, now(), 'unreachable') RETURNING id");
    assert_non_null(id);
    return id;
}

/* ---- fresh objects for <new:name>, one per cell that must succeed ---- */

static char *
fresh_spare_token(void)
{
    return post_id(H.admin_token, "/v1/tokens", "{\"name\":\"spare\",\"role\":\"dispatcher\"}");
}

static char *
fresh_client_a(void)
{
    char *pass = fmt("FRESH-%d", cell_no);
    char *id = new_client(pass, "Fresh", DEPOT);
    free(pass);
    return id;
}

static char *
fresh_indication_a(void)
{
    char *client = fresh_client_a();
    char *id = new_indication(client);
    free(client);
    return id;
}

static char *
fresh_booking_a(void)
{
    return new_ride(fixture_get("client_a"), HOME_A, in_days(4), NULL, "id");
}

static char *
fresh_series_a(void)
{
    return new_ride(fixture_get("client_a"), HOME_A, in_days(4),
                    ",\"recurrence\":\"RRULE:FREQ=WEEKLY;COUNT=2\"", "series_id");
}

/* A ride of client C on the day of the runs (booking_a's day). */
static char *
fresh_booking_on_day(void)
{
    return new_ride(fixture_get("client_c"), DEPOT, in_days(3), NULL, "id");
}

static char *
fresh_aid_s(void)
{
    char *serial = fmt("FRESH-%d", cell_no);
    char *id = new_aid(fixture_get("model_s"), serial, NULL);
    free(serial);
    return id;
}

static char *
fresh_loan_a(void)
{
    char *aid = fresh_aid_s();
    char *id = new_loan(aid, fixture_get("client_a"));
    free(aid);
    return id;
}

static char *
fresh_reservation(void)
{
    struct civil_date d = in_days(300 + cell_no);
    char *from = local_time(d, 9, 0), *until = local_time(d, 12, 0);
    char *path = fmt("/v1/pools/%s/reservations", fixture_get("pool"));
    char *body = fmt("{\"client_id\":\"%s\",\"type\":\"scootmobiel\",\"from\":\"%s\","
                     "\"until\":\"%s\"}",
                     fixture_get("client_a"), from, until);
    char *id = post_id(api_desk, path, body);
    free(from);
    free(until);
    free(path);
    free(body);
    return id;
}

/* An order of model S and a depot item of that model to deliver. */
static char *
fresh_delivery_s(void)
{
    char *aid = fresh_aid_s();
    cell_var_set("delivery_aid", aid);
    free(aid);
    char *at = local_time(in_days(-1), 10, 0);
    char *body =
        fmt("{\"client_id\":\"%s\",\"model_id\":\"%s\",\"ordered_at\":\"%s\"," EXCEPTION "}",
            fixture_get("client_a"), fixture_get("model_s"), at);
    char *id = post_id(api_desk, "/v1/deliveries", body);
    free(at);
    free(body);
    return id;
}

static char *
fresh_ticket_a(void)
{
    return new_ticket(fixture_get("aid_lent"));
}

/* A run of a new vehicle on a day of its own. */
static char *
fresh_run_x(void)
{
    char *name = fmt("Spare %d", cell_no);
    char *vehicle = new_vehicle(name);
    char *id = new_run(vehicle, in_days(600 + cell_no), "07:00", "15:00");
    free(name);
    free(vehicle);
    return id;
}

static const struct {
    const char *name;
    char *(*make)(void);
} fresh[] = {
    {"spare_token", fresh_spare_token},
    {"dead_event", new_dead_event},
    {"client_a", fresh_client_a},
    {"indication_a", fresh_indication_a},
    {"booking_a", fresh_booking_a},
    {"series_a", fresh_series_a},
    {"booking_on_day", fresh_booking_on_day},
    {"aid_s", fresh_aid_s},
    {"loan_a", fresh_loan_a},
    {"reservation", fresh_reservation},
    {"delivery_s", fresh_delivery_s},
    {"ticket_a", fresh_ticket_a},
    {"run_x", fresh_run_x},
};

/* ---- placeholders ---- */

/* A value computed per cell (<now>, <cell_day>, ...); NULL when name is
 * none of them. Caller frees. */
static char *
computed(const char *name)
{
    if (!strcmp(name, "cell"))
        return fmt("%d", cell_no);
    if (!strcmp(name, "today"))
        return date_text(today());
    if (!strcmp(name, "next_year"))
        return date_text(in_days(365));
    if (!strcmp(name, "year"))
        return fmt("%d", today().year);
    if (!strcmp(name, "day")) /* the day of runs X and Y and of booking_a */
        return date_text(in_days(3));
    if (!strcmp(name, "ride_day")) /* a day without runs, for new rides */
        return date_text(in_days(4));
    if (!strcmp(name, "ride_at"))
        return local_time(in_days(4), 8 + cell_no % 10, (cell_no * 7) % 60);
    if (!strcmp(name, "plan_day")) /* a day with one empty run */
        return date_text(in_days(6));
    if (!strcmp(name, "cell_day"))
        return date_text(in_days(900 + cell_no));
    if (!strcmp(name, "cell_from"))
        return local_time(in_days(300 + cell_no), 13, 0);
    if (!strcmp(name, "cell_until"))
        return local_time(in_days(300 + cell_no), 16, 0);
    if (!strcmp(name, "yesterday_at"))
        return local_time(in_days(-1), 10, 0);
    if (!strcmp(name, "now")) {
        time_t t = time(NULL) - 60;
        struct tm tm;
        localtime_r(&t, &tm);
        struct civil_date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
        return local_time(d, tm.tm_hour, tm.tm_min);
    }
    return NULL;
}

/* An id no object has. */
#define NO_SUCH_ID "999999999"

/* tmpl with every <name> and <new:name> replaced; fresh: make new objects
 * for <new:name>. With ghost pointing to false, the first object
 * placeholder becomes NO_SUCH_ID instead (and *ghost true). Caller frees;
 * NULL for NULL. */
static char *
expand(const char *tmpl, bool make_fresh, bool *ghost)
{
    if (!tmpl)
        return NULL;
    size_t cap = strlen(tmpl) + 256, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (const char *p = tmpl; *p;) {
        const char *end = *p == '<' ? strchr(p, '>') : NULL;
        char *value = NULL;
        size_t vlen = 1;
        if (end) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
            bool is_new = !strncmp(name, "new:", 4);
            const char *key = is_new ? name + 4 : name;
            value = computed(key);
            if (!value && ghost && !*ghost) {
                value = strdup(NO_SUCH_ID);
                *ghost = true;
            }
            for (size_t i = 0; is_new && make_fresh && !value && i < sizeof fresh / sizeof fresh[0];
                 i++)
                if (!strcmp(fresh[i].name, key))
                    value = fresh[i].make();
            if (!value && fixture_get(key))
                value = strdup(fixture_get(key));
            if (!value)
                fprintf(stderr, "authz: unknown placeholder <%s>\n", name);
            assert_non_null(value);
            vlen = strlen(value);
            p = end + 1;
        }
        if (len + vlen + 1 > cap && !(out = realloc(out, cap = 2 * (len + vlen + 1))))
            abort();
        memcpy(out + len, value ? value : p++, vlen);
        len += vlen;
        free(value);
    }
    out[len] = '\0';
    return out;
}

/* ---- the checks ---- */

static const char *
error_code_for(int status)
{
    return status == 401 ? "unauthenticated" : status == 403 ? "forbidden" : "not_found";
}

/* One request of the row as actor a, to path with body. */
static struct http_resp
send_as(const struct row *rw, enum actor a, const char *path, const char *body)
{
    if (rw->how == HEADER || !tokens[a])
        return harness_request(&H, rw->method, path, rw->how == HEADER ? tokens[a] : NULL, body,
                               NULL);
    char *url = fmt("%s%stoken=%s", path, strchr(path, '?') ? "&" : "?", tokens[a]);
    struct http_resp r = harness_request(&H, rw->method, url, NULL, body, NULL);
    free(url);
    return r;
}

/* A 404 for another tenant's object must tell nothing: the same answer as
 * for an id no object has. False (after saying so) when it differs. */
static bool
same_as_no_such_object(const struct row *rw, enum actor a, const struct http_resp *got)
{
    bool ghost = false;
    char *path = expand(rw->path, false, &ghost), *body = expand(rw->body, false, &ghost);
    struct http_resp r = send_as(rw, a, path, body);
    bool same = r.status == got->status && !strcmp(r.body, got->body);
    if (!same)
        fprintf(stderr, "authz: %s %s as %s: for an object that does not exist: %ld %s\n",
                rw->method, path, actor_names[a], r.status, r.body);
    http_resp_clear(&r);
    free(path);
    free(body);
    return same;
}

/* Calls one cell; false (after saying why) when it does not answer as the
 * matrix says, with the wrong error code, with another tenant's data, or
 * (404) differently from a call naming no object at all. */
static bool
run_cell(const struct row *rw, enum actor a)
{
    int want = rw->want[a];
    n_cell_vars = 0;
    cell_no++;
    char *path = expand(rw->path, want < 400, NULL), *body = expand(rw->body, want < 400, NULL);
    struct http_resp r = send_as(rw, a, path, body);
    const char *why = NULL;
    if (r.status != want)
        why = "unexpected status";
    else if ((want == 401 || want == 403 || want == 404) &&
             strcmp(http_resp_error_code(&r), error_code_for(want)))
        why = "unexpected error code";
    else if (foreign_marker[a] && strstr(r.body, foreign_marker[a]))
        why = "the answer holds another tenant's data";
    else if (want == 404 && !same_as_no_such_object(rw, a, &r))
        why = "the answer differs from the one for an object that does not exist";
    if (why)
        fprintf(stderr, "authz: %s %s%s as %s: expected %d, got %ld (%s): %s\n", rw->method, path,
                rw->how == QUERY ? " (token in the query)" : "", actor_names[a], want, r.status,
                why, r.body);
    http_resp_clear(&r);
    free(path);
    free(body);
    return why == NULL;
}

/* A connection of the test's own, for the digests below (psql per call
 * would cost more than the calls being checked). */
static PGconn *db;

/* Every table's digest, one "table md5" line each: equal before and after
 * means nothing changed. Caller frees. */
static char *
database_state(void)
{
    PGresult *r = PQexec(
        db, "SELECT string_agg(tablename || ' ' || md5(query_to_xml(format('SELECT * FROM %1$I "
            "ORDER BY %1$I::text', tablename), false, false, '')::text), E'\\n' ORDER BY "
            "tablename) FROM pg_tables WHERE schemaname = 'public'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "authz: could not digest the database: %s", PQerrorMessage(db));
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    char *s = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    assert_non_null(s);
    return s;
}

static void
say_changed_tables(const char *before, const char *after)
{
    const char *b = before, *a = after;
    while (*b && *a) {
        size_t lb = strcspn(b, "\n"), la = strcspn(a, "\n");
        if (lb != la || strncmp(a, b, la))
            fprintf(stderr, "authz:   changed: %.*s\n", (int)strcspn(b, " "), b);
        b += lb + (b[lb] != '\0');
        a += la + (a[la] != '\0');
    }
}

/* ---- the tests ---- */

static bool
same_route(const struct row *rw, const struct route *rt)
{
    return !strcmp(rw->method, rt->method) && !strcmp(rw->pattern, rt->pattern);
}

/* Every route has rows, every row names a route, and every row's path
 * really reaches the route it names. No server needed. */
static void
test_matrix_covers_route_table(void **state)
{
    (void)state;
    int problems = 0;
    for (size_t i = 0; i < routes_count(); i++) {
        bool found = false;
        for (size_t k = 0; k < N_ROWS && !found; k++)
            found = same_route(&matrix[k], &routes[i]);
        if (!found) {
            fprintf(stderr,
                    "authz: route %s %s has no rows in the matrix (tests/api/test_authz.c)\n",
                    routes[i].method, routes[i].pattern);
            problems++;
        }
    }
    for (size_t k = 0; k < N_ROWS; k++) {
        const struct row *rw = &matrix[k];
        char path[512];
        size_t n = 0;
        /* every placeholder as "1": the path's shape is what matters */
        for (const char *p = rw->path; *p && *p != '?' && n + 2 < sizeof path; p++) {
            if (*p == '<') {
                path[n++] = '1';
                p = strchr(p, '>');
            } else {
                path[n++] = *p;
            }
        }
        path[n] = '\0';
        size_t index;
        struct route_params params;
        char allow[128];
        if (router_match(routes, routes_count(), rw->method, path, &index, &params, allow,
                         sizeof allow) != ROUTE_FOUND ||
            !same_route(rw, &routes[index])) {
            fprintf(stderr, "authz: matrix row %s %s (path %s) is not a route of the table\n",
                    rw->method, rw->pattern, rw->path);
            problems++;
        }
    }
    assert_int_equal(problems, 0);
}

/* Every cell that must be refused (or fail): the status, the error code,
 * no foreign data, and nothing changed in the database. */
static void
test_refused_cells(void **state)
{
    (void)state;
    char *before = database_state();
    int failures = 0, cells = 0;
    for (size_t k = 0; k < N_ROWS; k++) {
        for (int a = 0; a < N_ACTORS; a++) {
            if (matrix[k].want[a] < 400)
                continue;
            cells++;
            failures += !run_cell(&matrix[k], (enum actor)a);
        }
        char *after = database_state();
        if (strcmp(before, after)) {
            fprintf(stderr, "authz: refused calls of %s %s changed the database\n",
                    matrix[k].method, matrix[k].path);
            say_changed_tables(before, after);
            failures++;
            free(before);
            before = after;
        } else {
            free(after);
        }
    }
    free(before);
    fprintf(stderr, "authz: %d refused cells, %d failures\n", cells, failures);
    assert_int_equal(failures, 0);
}

/* Every cell that must succeed, in table order, with fresh objects where
 * the call uses its object up. */
static void
test_allowed_cells(void **state)
{
    (void)state;
    int failures = 0, cells = 0;
    for (size_t k = 0; k < N_ROWS; k++)
        for (int a = 0; a < N_ACTORS; a++) {
            if (matrix[k].want[a] >= 400)
                continue;
            cells++;
            failures += !run_cell(&matrix[k], (enum actor)a);
        }
    fprintf(stderr, "authz: %d allowed cells, %d failures\n", cells, failures);
    assert_int_equal(failures, 0);
}

/* ---- setup: the two tenants of every kind, through the API ---- */

static char *
token_for(const char *role, const char *opt, const char *id)
{
    char *t = harness_token(&H, role, opt, id);
    assert_non_null(t);
    return t;
}

static void
make_supplier(const char *key, const char *mark)
{
    char *body = fmt("{\"name\":\"Leverancier %s\"," SLA "}", mark);
    char *supplier = post_id(api_desk, "/v1/suppliers", body);
    free(body);
    body = fmt("{\"type\":\"scootmobiel\",\"brand\":\"Brand %s\",\"model\":\"Carpo\","
               "\"supplier_id\":\"%s\",\"depreciation_months\":60,\"residual_value_pct\":10,"
               "\"maintenance_rule\":\"FREQ=YEARLY\",\"list_price_cents\":300000}",
               mark, supplier);
    char *model = post_id(api_desk, "/v1/aid-models", body);
    char *serial = fmt("SER-%s-1", mark);
    char *aid = new_aid(model, serial, NULL);
    char name[32];
    snprintf(name, sizeof name, "supplier_%s", key);
    fixture_set(name, supplier);
    snprintf(name, sizeof name, "model_%s", key);
    fixture_set(name, model);
    snprintf(name, sizeof name, "aid_%s", key);
    fixture_set(name, aid);
    free(body);
    free(supplier);
    free(model);
    free(serial);
    free(aid);
}

static void
setup_transport(void)
{
    char *a = new_client("PASS-MARK-A", "Anna MARK-A", HOME_A);
    char *b = new_client("PASS-MARK-B", "Bert MARK-B",
                         "{\"address\":\"Laan MARK-B 2, Dordrecht\",\"lat\":51.81,\"lon\":4.67}");
    char *c = new_client("PASS-C", "Cees", DEPOT);
    fixture_set("client_a", a);
    fixture_set("client_b", b);
    fixture_set("client_c", c);
    char *ind[3] = {new_indication(a), new_indication(b), new_indication(c)};
    fixture_set("indication_a", ind[0]);
    /* run X is the only run of the day when booking_a is made: it rides on X */
    char *vx = new_vehicle("Bus X"), *vy = new_vehicle("Bus Y"), *vw = new_vehicle("Bus W");
    char *rx = new_run(vx, in_days(3), "07:00", "19:00");
    char *booking = new_ride(a, HOME_A, in_days(3), NULL, "id");
    char *ry = new_run(vy, in_days(3), "07:00", "19:00");
    char *rw = new_run(vw, in_days(6), "07:00", "19:00");
    char *sql = fmt("SELECT run_id FROM stops WHERE booking_id = %s AND kind = 'pickup'", booking);
    assert_int_equal(sql_long(sql), strtol(rx, NULL, 10));
    char *series = new_ride(a, HOME_A, in_days(4), ",\"recurrence\":\"RRULE:FREQ=WEEKLY;COUNT=2\"",
                            "series_id");
    fixture_set("vehicle_x", vx);
    fixture_set("vehicle_y", vy);
    fixture_set("vehicle_w", vw);
    fixture_set("run_x", rx);
    fixture_set("run_y", ry);
    fixture_set("booking_a", booking);
    fixture_set("booking_on_day", booking);
    fixture_set("series_a", series);
    tokens[RES_A] = token_for("resident", "--client", a);
    tokens[RES_B] = token_for("resident", "--client", b);
    tokens[DRV_X] = token_for("driver", "--vehicle", vx);
    tokens[DRV_Y] = token_for("driver", "--vehicle", vy);
    char *all[] = {a, b, c, ind[0], ind[1], ind[2], vx, vy, vw, rx, booking, ry, rw, sql, series};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

static void
setup_aids(void)
{
    make_supplier("s", "MARK-S");
    make_supplier("t", "MARK-T");
    fixture_set("delivery_aid", fixture_get("aid_s"));
    char *lent = new_aid(fixture_get("model_s"), "SER-MARK-S-2", NULL);
    char *loan = new_loan(lent, fixture_get("client_a"));
    char *ticket = new_ticket(lent);
    fixture_set("aid_lent", lent);
    fixture_set("loan_a", loan);
    fixture_set("ticket_a", ticket);
    char *pool = post_id(api_desk, "/v1/pools", "{\"name\":\"Pool\",\"address\":" DEPOT "}");
    fixture_set("pool", pool);
    char *pooled = new_aid(fixture_get("model_s"), "SER-MARK-S-3", pool);
    cell_no = 0; /* fresh_* number their objects by cell */
    char *reservation = fresh_reservation(), *delivery = fresh_delivery_s();
    fixture_set("reservation", reservation);
    fixture_set("delivery_s", delivery);
    n_cell_vars = 0;
    tokens[SUP_S] = token_for("supplier", "--supplier", fixture_get("supplier_s"));
    tokens[SUP_T] = token_for("supplier", "--supplier", fixture_get("supplier_t"));
    char *all[] = {lent, loan, ticket, pool, pooled, reservation, delivery};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

static int
setup(void **state)
{
    (void)state;
    if (api_start(&H, NULL) != 0)
        return -1;
    setup_transport();
    setup_aids();
    char *spare = fresh_spare_token(), *dead = new_dead_event();
    fixture_set("spare_token", spare);
    fixture_set("dead_event", dead);
    free(spare);
    free(dead);
    db = PQconnectdb(H.dburl);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "authz: could not connect to the test database: %s", PQerrorMessage(db));
        return -1;
    }
    tokens[ADMIN] = strdup(H.admin_token);
    tokens[DESK] = strdup(api_desk);
    /* an administrator's token, revoked: worth nothing anywhere */
    tokens[REVOKED] = token_for("admin", NULL, NULL);
    char *id = harness_sql(&H, "SELECT max(id) FROM api_tokens");
    char *path = fmt("/v1/tokens/%s", id);
    json_decref(call("DELETE", path, H.admin_token, NULL, 200));
    free(path);
    free(id);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    for (int a = 0; a < N_ACTORS; a++)
        free(tokens[a]);
    PQfinish(db);
    return api_stop(&H);
}

int
main(void)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const struct CMUnitTest table[] = {cmocka_unit_test(test_matrix_covers_route_table)};
    const struct CMUnitTest cells[] = {
        cmocka_unit_test(test_refused_cells),
        cmocka_unit_test(test_allowed_cells),
    };
    int failed = cmocka_run_group_tests_name("route table", table, NULL, NULL);
    failed += cmocka_run_group_tests_name("cells", cells, setup, teardown);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "authz: %zu rows over %zu routes, %d actors, %.1f s\n", N_ROWS, routes_count(),
            N_ACTORS, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return failed;
}
