/* Privacy of the server log (AVG/GDPR): after a session that creates,
 * finds, books for and refuses a client, and reads a calendar feed with
 * its token in the URL, the log at the default level (info) holds no
 * name, pass number, address, coordinate or token: it names requests by
 * id, method, path (ids only) and status. */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME   "Pietje Privacyzorg"
#define PASS   "PRIV-778899"
#define STREET "Privacystraat 12, Dordrecht"
#define LAT    "51.81234"
#define HOME   "{\"address\":\"" STREET "\",\"lat\":" LAT ",\"lon\":4.66543}"
#define BOGUS  "bogus-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static struct harness H;

static int
setup(void **state)
{
    (void)state;
    return api_start(&H, NULL);
}

static int
teardown(void **state)
{
    (void)state;
    return api_stop(&H);
}

static void
assert_not_logged(const char *log, const char *what)
{
    if (strstr(log, what))
        fail_msg("the server log holds \"%s\"", what);
}

static void
test_log_holds_no_personal_data(void **state)
{
    (void)state;
    const char *body = "{\"pass_number\":\"" PASS "\",\"name\":\"" NAME "\",\"home\":" HOME
                       ",\"phone\":\"+31612345678\",\"needs\":{\"wheelchair\":true}}";
    json_t *c = call("POST", "/v1/clients", api_desk, body, 201);
    char *id = fmt("%s", str(c, "id"));
    json_decref(c);
    expect_error("POST", "/v1/clients", api_desk, body, 409, "conflict");
    json_decref(call("GET", "/v1/clients?q=Privacyzorg", api_desk, NULL, 200));
    char *path = fmt("/v1/clients/%s", id);
    expect_error("PATCH", path, api_desk, "{\"name\":\"" NAME "\",\"pass_number\":7}", 400,
                 "invalid_field");
    int64_t client = strtoll(id, NULL, 10);
    add_indication(client, in_days(-5), in_days(300), 2000);
    char *when = local_time(in_days(3), 10, 0);
    char *ride = fmt("{\"client_id\":\"%s\",\"pickup\":" HOME ",\"dropoff\":{\"address\":"
                     "\"Albert Schweitzerplaats 25, Dordrecht\",\"lat\":51.7961,\"lon\":4.6781},"
                     "\"pickup_at\":\"%s\",\"aid\":\"wheelchair\",\"channel\":\"phone\"}",
                     id, when);
    json_decref(call("POST", "/v1/bookings", api_desk, ride, 201));
    char *resident = harness_token(&H, "resident", "--client", id);
    assert_non_null(resident);
    char *ics = fmt("/v1/clients/%s/rides.ics?token=%s", id, resident);
    struct http_resp r = harness_request(&H, "GET", ics, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
    r = harness_request(&H, "GET", path, BOGUS, NULL, NULL);
    assert_int_equal(r.status, 401);
    http_resp_clear(&r);

    char *log = harness_server_log(&H);
    assert_non_null(log);
    /* the log is the one written: it names the requests */
    assert_non_null(strstr(log, "method=POST path=\"/v1/bookings\" status=201"));
    assert_non_null(strstr(log, "status=401"));
    assert_not_logged(log, NAME);
    assert_not_logged(log, "Privacyzorg");
    assert_not_logged(log, PASS);
    assert_not_logged(log, "Privacystraat");
    assert_not_logged(log, LAT);
    assert_not_logged(log, "+31612345678");
    assert_not_logged(log, api_desk);
    assert_not_logged(log, resident);
    assert_not_logged(log, BOGUS);
    free(log);
    free(ics);
    free(resident);
    free(ride);
    free(when);
    free(path);
    free(id);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_holds_no_personal_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
