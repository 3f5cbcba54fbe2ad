/* API tests of breakdown tickets under the supplier's SLA: clocks, the
 * state machine, repairs in the aid's cost, who may see what, the breach
 * sweep, signed webhooks, and the SLA report against SQL. */
#include "apitest.h"
#include "receiver.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECRET "ticket-secret"

static struct harness H;
static struct receiver *rc;
static char supplier_s[24], supplier_t[24], aid_s[24], aid_t[24];
static char *resident_a, *resident_b, *token_s, *token_t;

static char *
id_of_post(const char *path, const char *body)
{
    json_t *j = call("POST", path, api_desk, body, 201);
    char *id = strdup(str(j, "id"));
    json_decref(j);
    return id;
}

static void
make_supplier(char out[24], const char *name, int port)
{
    char *body = fmt("{\"name\":\"%s\",\"webhook_url\":\"http://127.0.0.1:%d/%s\",\"sla\":{"
                     "\"delivery_working_days\":10,\"breakdown_response_minutes\":120,"
                     "\"breakdown_clock\":\"24x7\",\"repair_working_days\":3,"
                     "\"maintenance_grace_days\":14}}",
                     name, port, name);
    char *id = id_of_post("/v1/suppliers", body);
    snprintf(out, 24, "%s", id);
    free(id);
    free(body);
}

static void
make_aid(char out[24], const char *supplier, const char *serial)
{
    char *body = fmt("{\"type\":\"scootmobiel\",\"brand\":\"Vermeiren\",\"model\":\"Carpo\","
                     "\"supplier_id\":\"%s\",\"depreciation_months\":60,\"residual_value_pct\":10,"
                     "\"maintenance_rule\":\"FREQ=YEARLY\",\"list_price_cents\":300000}",
                     supplier);
    char *model = id_of_post("/v1/aid-models", body);
    free(body);
    char *purchased = date_text(in_days(-100));
    body = fmt("{\"model_id\":\"%s\",\"serial\":\"%s\",\"purchase_date\":\"%s\","
               "\"purchase_price_cents\":250000}",
               model, serial, purchased);
    char *id = id_of_post("/v1/aids", body);
    snprintf(out, 24, "%s", id);
    free(id);
    free(body);
    free(model);
    free(purchased);
}

static int
setup(void **state)
{
    (void)state;
    api_setup_tz();
    api_harness = &H;
    int port = harness_free_port();
    char desk_url[96];
    snprintf(desk_url, sizeof desk_url, "RITMO_NOTIFY_URL=http://127.0.0.1:%d/desk", port);
    const char *env[] = {desk_url, "RITMO_WEBHOOK_SECRET=" SECRET, "RITMO_OUTBOX_POLL_MS=50",
                         "RITMO_SLA_SWEEP_MS=200", NULL};
    if (!harness_start(&H, env) || !(rc = receiver_start(port, SECRET)) ||
        !(api_desk = harness_token(&H, "dispatcher", NULL, NULL)))
        return -1;
    make_supplier(supplier_s, "s", port);
    make_supplier(supplier_t, "t", port);
    make_aid(aid_s, supplier_s, "S-1");
    make_aid(aid_t, supplier_t, "T-1");
    int64_t a = create_client("TK-A", "A"), b = create_client("TK-B", "B");
    char *from = local_time(in_days(-1), 10, 0);
    char *lend = fmt("{\"client_id\":\"%lld\",\"from\":\"%s\"}", (long long)a, from);
    char *path = fmt("/v1/aids/%s/loans", aid_s);
    json_decref(call("POST", path, api_desk, lend, 201));
    free(path);
    free(lend);
    free(from);
    char ids[3][24];
    snprintf(ids[0], 24, "%lld", (long long)a);
    snprintf(ids[1], 24, "%lld", (long long)b);
    resident_a = harness_token(&H, "resident", "--client", ids[0]);
    resident_b = harness_token(&H, "resident", "--client", ids[1]);
    token_s = harness_token(&H, "supplier", "--supplier", supplier_s);
    token_t = harness_token(&H, "supplier", "--supplier", supplier_t);
    return resident_a && resident_b && token_s && token_t ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    bool ok = harness_stop(&H);
    receiver_free(rc);
    free(resident_a);
    free(resident_b);
    free(token_s);
    free(token_t);
    free(api_desk);
    return ok ? 0 : -1;
}

static int64_t
epoch(json_t *j, const char *key)
{
    struct tm tm = {0};
    int oh = 0, om = 0;
    char sign = '+';
    const char *s = str(j, key);
    assert_int_equal(sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &oh, &om),
                     9);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
}

/* Whether the receiver got an accepted, signed delivery of topic at path
 * about ticket id (waits up to 5 s). */
static bool
delivered(const char *path, const char *topic, const char *ticket)
{
    char needle[48];
    snprintf(needle, sizeof needle, "\"ticket_id\": %s", ticket);
    for (int tries = 0; tries < 100; tries++) {
        struct delivery d;
        for (int i = 0; receiver_get(rc, i, &d); i++)
            if (d.answered_ok && d.signature_ok && !strcmp(d.topic, topic) &&
                strstr(d.body, needle))
                return true;
        usleep(50000);
    }
    (void)path;
    return false;
}

static json_t *
event(const char *ticket, const char *token, const char *body, long want)
{
    char *path = fmt("/v1/tickets/%s/events", ticket);
    json_t *t = call("POST", path, token, body, want);
    free(path);
    return t;
}

static void
test_lifecycle(void **state)
{
    (void)state;
    char *body = fmt("{\"aid_id\":\"%s\",\"kind\":\"breakdown\",\"description\":\"stops "
                     "working on the street\",\"reported_via\":\"app\"}",
                     aid_s);
    json_t *t = call("POST", "/v1/tickets", resident_a, body, 201);
    free(body);
    char id[24];
    snprintf(id, sizeof id, "%s", str(t, "id"));
    assert_string_equal(str(t, "state"), "open");
    /* 24x7 clock of 120 minutes */
    assert_int_equal(epoch(t, "response_due") - epoch(t, "reported_at"), 120 * 60);
    assert_true(epoch(t, "resolve_due") > epoch(t, "reported_at"));
    assert_true(delivered("/s", "ticket.opened", id));
    json_decref(t);

    t = event(id, token_s, "{\"type\":\"acknowledged\"}", 200);
    assert_string_equal(str(t, "state"), "acknowledged");
    assert_true(json_is_false(json_object_get(json_object_get(t, "breached"), "response")));
    json_decref(t);
    t = event(id, token_s, "{\"type\":\"waiting_client\",\"notes\":\"not at home\"}", 200);
    assert_true(json_is_null(json_object_get(t, "resolve_due"))); /* the repair clock pauses */
    json_decref(t);
    expect_error("POST", "/v1/tickets/0/events", token_s, "{\"type\":\"resumed\"}", 404,
                 "not_found");
    char *path = fmt("/v1/tickets/%s/events", id);
    expect_error("POST", path, token_s, "{\"type\":\"on_site\"}", 409, "conflict");
    free(path);
    t = event(id, token_s, "{\"type\":\"resumed\"}", 200);
    assert_false(json_is_null(json_object_get(t, "resolve_due")));
    json_decref(t);
    t = event(id, token_s,
              "{\"type\":\"resolved\",\"parts\":\"motor controller\",\"cost_cents\":12345}", 200);
    assert_string_equal(str(t, "state"), "resolved");
    assert_int_equal(json_integer_value(json_object_get(t, "repair_cost_cents")), 12345);
    assert_int_equal(json_array_size(json_object_get(t, "events")), 4);
    json_decref(t);
    path = fmt("/v1/tickets/%s/events", id);
    expect_error("POST", path, token_s, "{\"type\":\"resolved\"}", 409, "conflict");
    free(path);
    /* the repair is part of the aid's cost price */
    path = fmt("/v1/aids/%s", aid_s);
    json_t *a = call("GET", path, api_desk, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(a, "cost_to_date_cents")), 250000 + 12345);
    json_decref(a);
    free(path);
}

/* An aid returned for repair comes back to the depot when its ticket is
 * resolved, and can be lent again. */
static void
test_repair_returns_to_depot(void **state)
{
    (void)state;
    char spare[24];
    make_aid(spare, supplier_s, "S-2");
    int64_t c = create_client("TK-C", "C");
    char *from = local_time(in_days(-2), 10, 0);
    char *body = fmt("{\"client_id\":\"%lld\",\"from\":\"%s\"}", (long long)c, from);
    char *path = fmt("/v1/aids/%s/loans", spare);
    json_t *loan = call("POST", path, api_desk, body, 201);
    free(path);
    free(body);
    char *now = local_time(today(), 0, 0);
    path = fmt("/v1/loans/%s/return", str(loan, "id"));
    body = fmt("{\"at\":\"%s\",\"condition\":\"needs_repair\"}", now);
    json_decref(call("POST", path, api_desk, body, 200));
    free(path);
    free(body);
    json_decref(loan);
    char *aid = fmt("/v1/aids/%s", spare);
    json_t *a = call("GET", aid, api_desk, NULL, 200);
    assert_string_equal(str(a, "status"), "in_repair");
    json_decref(a);
    body = fmt("{\"aid_id\":\"%s\",\"kind\":\"defect\",\"description\":\"brakes\","
               "\"reported_via\":\"phone\"}",
               spare);
    json_t *t = call("POST", "/v1/tickets", api_desk, body, 201);
    free(body);
    json_decref(event(str(t, "id"), token_s, "{\"type\":\"resolved\",\"cost_cents\":5000}", 200));
    json_decref(t);
    a = call("GET", aid, api_desk, NULL, 200);
    assert_string_equal(str(a, "status"), "depot");
    json_decref(a);
    free(aid);
    free(now);
    free(from);
}

static void
test_who_may(void **state)
{
    (void)state;
    long before = sql_long("SELECT count(*) FROM tickets");
    char *body = fmt("{\"aid_id\":\"%s\",\"kind\":\"defect\",\"description\":\"x\","
                     "\"reported_via\":\"app\"}",
                     aid_s);
    expect_error("POST", "/v1/tickets", resident_b, body, 404, "not_found"); /* not hers */
    expect_error("POST", "/v1/tickets", token_t, body, 404, "not_found");    /* not T's aid */
    free(body);
    body = fmt("{\"aid_id\":\"%s\",\"kind\":\"defect\",\"description\":\"x\","
               "\"reported_via\":\"phone\",\"reported_at\":\"2020-01-01T10:00:00Z\"}",
               aid_s);
    expect_error("POST", "/v1/tickets", api_desk, body, 400, "invalid_field"); /* too far back */
    free(body);
    assert_int_equal(sql_long("SELECT count(*) FROM tickets"), before);
    body = fmt("{\"aid_id\":\"%s\",\"kind\":\"defect\",\"description\":\"rattles\","
               "\"reported_via\":\"supplier\"}",
               aid_s);
    json_t *t = call("POST", "/v1/tickets", token_s, body, 201);
    free(body);
    char *path = fmt("/v1/tickets/%s", str(t, "id"));
    expect_error("GET", path, token_t, NULL, 404, "not_found");
    expect_error("GET", path, resident_b, NULL, 404, "not_found");
    json_decref(call("GET", path, resident_a, NULL, 200));
    free(path);
    json_decref(event(str(t, "id"), token_t, "{\"type\":\"acknowledged\"}", 404));
    json_decref(t);
}

static void
test_breach_sweep(void **state)
{
    (void)state;
    /* logged afterwards: the 2-hour response clock runs out in 2 seconds */
    time_t at = time(NULL) - 120 * 60 + 2;
    char when[40];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&at));
    char *body = fmt("{\"aid_id\":\"%s\",\"kind\":\"breakdown\",\"description\":\"called in "
                     "late\",\"reported_via\":\"phone\",\"reported_at\":\"%s\"}",
                     aid_s, when);
    json_t *t = call("POST", "/v1/tickets", api_desk, body, 201);
    free(body);
    assert_true(json_is_false(json_object_get(json_object_get(t, "breached"), "response")));
    char *path = fmt("/v1/tickets/%s", str(t, "id"));
    bool breached = false;
    for (int tries = 0; tries < 100 && !breached; tries++) {
        usleep(100000);
        json_t *g = call("GET", path, api_desk, NULL, 200);
        breached = json_is_true(json_object_get(json_object_get(g, "breached"), "response"));
        json_decref(g);
    }
    assert_true(breached);
    assert_true(delivered("/s", "ticket.response_breached", str(t, "id")));
    assert_true(delivered("/desk", "ticket.response_breached", str(t, "id")));
    free(path);
    json_decref(t);
}

static void
test_report_matches_sql(void **state)
{
    (void)state;
    char *from = date_text(in_days(-10)), *until = date_text(in_days(1));
    char *path = fmt("/v1/reports/sla?supplier_id=%s&from=%s&until=%s", supplier_s, from, until);
    json_t *r = call("GET", path, api_desk, NULL, 200);
    char *sql = fmt("SELECT count(*) FROM tickets WHERE supplier_id = %s", supplier_s);
    assert_int_equal(json_integer_value(json_object_get(r, "tickets")), sql_long(sql));
    free(sql);
    sql = fmt("SELECT count(*) FROM tickets WHERE supplier_id = %s AND responded_at IS NOT NULL "
              "AND responded_at <= response_due",
              supplier_s);
    assert_int_equal(json_integer_value(json_object_get(r, "responses_within_sla")), sql_long(sql));
    free(sql);
    sql = fmt("SELECT sum(repair_cost_cents) FROM tickets WHERE supplier_id = %s", supplier_s);
    assert_int_equal(json_integer_value(json_object_get(r, "repair_cost_cents")), sql_long(sql));
    free(sql);
    json_decref(r);
    expect_error("GET", path, token_t, NULL, 404, "not_found");
    json_decref(call("GET", path, token_s, NULL, 200));
    char *csv = fmt("%s&format=csv", path);
    struct http_resp c = harness_request(&H, "GET", csv, api_desk, NULL, NULL);
    assert_int_equal(c.status, 200);
    assert_non_null(strstr(c.body, "supplier_id,tickets,"));
    http_resp_clear(&c);
    free(csv);
    free(path);
    free(from);
    free(until);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_repair_returns_to_depot),
        cmocka_unit_test(test_who_may),
        cmocka_unit_test(test_breach_sweep),
        cmocka_unit_test(test_report_matches_sql),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
