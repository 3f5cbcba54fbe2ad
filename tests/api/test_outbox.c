/* API tests of the outbox: ride events reach the notification webhook,
 * signed, once per event id, also when the receiver fails or is down for
 * a while; dead letters are visible to admins and can be retried. */
#include "harness.h"
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

#define SECRET "test-webhook-secret"

static struct harness H;
static struct receiver *rc;
static char *desk;
static char client[24];

static json_t *
call(const char *method, const char *path, const char *token, const char *body, long want)
{
    struct http_resp r = harness_request(&H, method, path, token, body, NULL);
    if (r.status != want)
        fprintf(stderr, "%s %s: expected %ld, got %ld: %s\n", method, path, want, r.status, r.body);
    assert_int_equal(r.status, want);
    json_t *j = json_incref(r.json);
    http_resp_clear(&r);
    return j;
}

static int
setup(void **state)
{
    (void)state;
    /* The receiver starts after the harness has forked its helpers, which
     * would otherwise hold its listening socket open when it pauses. */
    int port = harness_free_port();
    char url[128];
    snprintf(url, sizeof url, "RITMO_NOTIFY_URL=http://127.0.0.1:%d/hook", port);
    const char *env[] = {url, "RITMO_WEBHOOK_SECRET=" SECRET, "RITMO_OUTBOX_POLL_MS=50",
                         "RITMO_OUTBOX_RETRY_BASE_MS=100", "RITMO_OUTBOX_MAX_ATTEMPTS=4",
                         "RITMO_OUTBOX_TIMEOUT_MS=1000",
                         /* two days: a ride on a run tomorrow is "near" at once */
                         "RITMO_ARRIVAL_NOTICE_MIN=2880", "RITMO_ARRIVAL_SWEEP_MS=200", NULL};
    if (!harness_start(&H, env) || !(rc = receiver_start(port, SECRET)) ||
        !(desk = harness_token(&H, "dispatcher", NULL, NULL)))
        return -1;
    json_t *c = call("POST", "/v1/clients", desk,
                     "{\"pass_number\":\"OB-1\",\"name\":\"Outbox\",\"home\":{\"address\":"
                     "\"Spuiboulevard 300\",\"lat\":51.8105,\"lon\":4.6651}}",
                     201);
    snprintf(client, sizeof client, "%s", json_string_value(json_object_get(c, "id")));
    json_decref(c);
    char path[64], body[200], from[16], until[16];
    time_t now = time(NULL);
    strftime(from, sizeof from, "%Y-%m-%d", gmtime(&(time_t){now - 86400 * 10}));
    strftime(until, sizeof until, "%Y-%m-%d", gmtime(&(time_t){now + 86400 * 400}));
    snprintf(path, sizeof path, "/v1/clients/%s/indications", client);
    snprintf(body, sizeof body,
             "{\"kind\":\"transport\",\"valid_from\":\"%s\",\"valid_until\":\"%s\"}", from, until);
    json_decref(call("POST", path, desk, body, 201));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    bool ok = harness_stop(&H);
    receiver_free(rc);
    free(desk);
    return ok ? 0 : -1;
}

/* Books a ride `days` ahead; returns its id (caller frees). */
static char *
book(int days)
{
    char when[40], body[512];
    time_t t = time(NULL) + 86400 * days;
    strftime(when, sizeof when, "%Y-%m-%dT10:00:00Z", gmtime(&t));
    snprintf(body, sizeof body,
             "{\"client_id\":\"%s\",\"pickup\":{\"address\":\"Spuiboulevard 300\",\"lat\":51.8105,"
             "\"lon\":4.6651},\"dropoff\":{\"address\":\"ASZ\",\"lat\":51.7961,\"lon\":4.6781},"
             "\"pickup_at\":\"%s\",\"channel\":\"app\"}",
             client, when);
    json_t *b = call("POST", "/v1/bookings", desk, body, 201);
    char *id = strdup(json_string_value(json_object_get(b, "id")));
    json_decref(b);
    return id;
}

/* Whether a delivery is of topic and about booking id. */
static bool
about(const struct delivery *d, const char *topic, const char *booking)
{
    json_t *body = json_loads(d->body, 0, NULL);
    json_t *b = json_object_get(json_object_get(body, "data"), "booking_id");
    bool yes = !strcmp(d->topic, topic) && json_is_integer(b) &&
               json_integer_value(b) == strtoll(booking, NULL, 10);
    if (yes) /* the body's id is the delivery id */
        assert_string_equal(json_string_value(json_object_get(body, "id")), d->id);
    json_decref(body);
    return yes;
}

/* Waits up to 10 s for an accepted delivery of topic about booking id;
 * returns how many attempts carried its delivery id, or 0. */
static int
wait_delivered(const char *topic, const char *booking, char *delivery_id, size_t size)
{
    for (int tries = 0; tries < 200; tries++) {
        struct delivery d;
        for (int i = 0; receiver_get(rc, i, &d); i++) {
            if (!d.answered_ok || !about(&d, topic, booking))
                continue;
            assert_true(d.signature_ok);
            snprintf(delivery_id, size, "%s", d.id);
            int attempts = 0;
            struct delivery e;
            for (int k = 0; receiver_get(rc, k, &e); k++)
                if (about(&e, topic, booking)) {
                    assert_string_equal(e.id, d.id); /* one delivery id per event */
                    attempts++;
                }
            return attempts;
        }
        usleep(50000);
    }
    return 0;
}

static void
test_delivered_signed(void **state)
{
    (void)state;
    char *id = book(3), did[64];
    assert_int_equal(wait_delivered("ride.booked", id, did, sizeof did), 1);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT attempts FROM outbox WHERE delivery_id = '%s' AND "
             "delivered_at IS NOT NULL",
             did);
    char *attempts = harness_sql(&H, sql);
    assert_string_equal(attempts, "1");
    free(attempts);
    free(id);
}

static void
test_retried_after_errors(void **state)
{
    (void)state;
    char *id = book(4), did[64], did2[64];
    assert_int_equal(wait_delivered("ride.booked", id, did, sizeof did), 1);
    receiver_fail(rc, 2);
    char path[64];
    snprintf(path, sizeof path, "/v1/bookings/%s/cancel", id);
    json_decref(call("POST", path, desk, "{\"reason\":\"test\"}", 200));
    /* two 500s, then accepted: three attempts, one delivery id */
    assert_int_equal(wait_delivered("ride.cancelled", id, did2, sizeof did2), 3);
    free(id);
}

static void
test_receiver_down_for_a_while(void **state)
{
    (void)state;
    receiver_pause(rc);
    char *id = book(5), did[64];
    usleep(400000); /* several failed attempts while nobody listens */
    assert_true(receiver_resume(rc));
    assert_true(wait_delivered("ride.booked", id, did, sizeof did) >= 1);
    free(id);
}

static void
test_dead_letter_and_retry(void **state)
{
    (void)state;
    receiver_fail(rc, -1);
    char *id = book(6);
    json_t *dead = NULL;
    for (int tries = 0; tries < 200; tries++) { /* 4 attempts: about 0.1 + 0.2 + 0.4 s */
        json_decref(dead);
        dead = call("GET", "/v1/outbox?state=dead", H.admin_token, NULL, 200);
        if (json_array_size(json_object_get(dead, "items")) > 0)
            break;
        usleep(50000);
    }
    json_t *item = json_array_get(json_object_get(dead, "items"), 0);
    assert_non_null(item);
    assert_int_equal(json_integer_value(json_object_get(item, "attempts")), 4);
    assert_non_null(strstr(json_string_value(json_object_get(item, "last_error")), "500"));
    char path[64];
    snprintf(path, sizeof path, "/v1/outbox/%s/retry",
             json_string_value(json_object_get(item, "id")));
    receiver_fail(rc, 0);
    json_t *again = call("POST", path, H.admin_token, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(again, "state")), "pending");
    json_decref(again);
    char did[64];
    assert_true(wait_delivered("ride.booked", id, did, sizeof did) >= 5);
    json_t *e = call("POST", path, H.admin_token, NULL, 404); /* no longer dead */
    json_decref(e);
    json_decref(call("GET", "/v1/outbox?state=dead", desk, NULL, 403));
    json_decref(call("GET", "/v1/outbox?state=lost", H.admin_token, NULL, 400));
    json_decref(dead);
    free(id);
}

/* A waiting passenger is told once that the vehicle is near
 * (ride.vehicle_near, with the ETA of the manifest), however many servers
 * sweep and however often. */
static void
test_vehicle_near_once(void **state)
{
    (void)state;
    json_t *v = call("POST", "/v1/vehicles", desk,
                     "{\"name\":\"Bus N\",\"seats\":6,\"wheelchair_places\":1,"
                     "\"scootmobiel_places\":0,\"depot\":{\"address\":\"Depot\",\"lat\":51.805,"
                     "\"lon\":4.66}}",
                     201);
    char date[16], body[200];
    time_t t = time(NULL) + 86400;
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&t));
    snprintf(body, sizeof body,
             "{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"06:00\",\"end\":\"20:00\"}",
             json_string_value(json_object_get(v, "id")), date);
    json_decref(v);
    json_decref(call("POST", "/v1/runs", desk, body, 201));
    assert_true(harness_start_second_server(&H));
    char *ids[3], did[64];
    for (int i = 0; i < 3; i++) {
        ids[i] = book(1);
        char path[64];
        snprintf(path, sizeof path, "/v1/bookings/%s", ids[i]);
        json_t *b = call("GET", path, desk, NULL, 200);
        assert_string_equal(json_string_value(json_object_get(b, "status")), "scheduled");
        json_decref(b);
    }
    for (int i = 0; i < 3; i++) /* one delivery id per ride (asserted inside) */
        assert_int_equal(wait_delivered("ride.vehicle_near", ids[i], did, sizeof did), 1);
    usleep(1000000); /* several more sweeps of both servers */
    char *n = harness_sql(&H, "SELECT count(*) FROM outbox WHERE topic = 'ride.vehicle_near'");
    assert_string_equal(n, "3");
    free(n);
    /* the ETA told is the planned pickup */
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox o JOIN stops s ON s.booking_id = (o.payload->>"
             "'booking_id')::bigint AND s.kind = 'pickup' WHERE o.topic = 'ride.vehicle_near' AND "
             "(o.payload->>'eta')::timestamptz = s.planned_at");
    n = harness_sql(&H, sql);
    assert_string_equal(n, "3");
    free(n);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivered_signed),
        cmocka_unit_test(test_retried_after_errors),
        cmocka_unit_test(test_receiver_down_for_a_while),
        cmocka_unit_test(test_dead_letter_and_retry),
        cmocka_unit_test(test_vehicle_near_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
