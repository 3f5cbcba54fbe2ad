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
#include <unistd.h>

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

    /* A request's line is written once its answer is sent: wait for the
     * last one. The log is the one written: it names the requests. */
    char *log = NULL;
    for (int i = 0; i < 250 && !(log && strstr(log, "status=401")); i++) {
        free(log);
        usleep(20000);
        log = harness_server_log(&H);
    }
    assert_non_null(log);
    assert_non_null(strstr(log, "status=401"));
    assert_non_null(strstr(log, "method=POST path=\"/v1/bookings\" status=201"));
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

/* The right of access: everything about one client in one document, to
 * the desk and to the resident, never to another resident; nothing about
 * anyone else in it, and no token digest. */
static void
test_export(void **state)
{
    (void)state;
    int64_t id = create_client("EXP-1", "Export Persoon");
    int64_t other = create_client("EXP-2", "Ander Persoon");
    add_indication(id, in_days(-5), in_days(300), 2000);
    add_indication(other, in_days(-5), in_days(300), 2000);
    char *when = local_time(in_days(4), 11, 0);
    for (int i = 0; i < 2; i++) {
        char *ride = fmt("{\"client_id\":\"%lld\",\"pickup\":" HOME ",\"dropoff\":{\"address\":"
                         "\"Albert Schweitzerplaats 25, Dordrecht\",\"lat\":51.7961,\"lon\":"
                         "4.6781},\"pickup_at\":\"%s\",\"aid\":\"wheelchair\",\"channel\":"
                         "\"phone\"}",
                         (long long)(i ? other : id), when);
        json_decref(call("POST", "/v1/bookings", api_desk, ride, 201));
        free(ride);
    }
    char *ids = fmt("%lld", (long long)id), *other_ids = fmt("%lld", (long long)other);
    char *mine = harness_token(&H, "resident", "--client", ids);
    char *theirs = harness_token(&H, "resident", "--client", other_ids);
    char *path = fmt("/v1/clients/%lld/export", (long long)id);

    struct http_resp r = harness_request(&H, "GET", path, api_desk, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "application/json"));
    assert_string_equal(str(r.json, "format"), "ritmo-client-export-1");
    json_t *client = json_object_get(r.json, "client");
    assert_string_equal(str(client, "name"), "Export Persoon");
    assert_string_equal(str(client, "pass_number"), "EXP-1");
    assert_int_equal(json_array_size(json_object_get(r.json, "indications")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "bookings")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "allowance_entries")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "allowance_accounts")), 1);
    json_t *tokens = json_object_get(r.json, "api_tokens");
    assert_int_equal(json_array_size(tokens), 1);
    assert_null(json_object_get(json_array_get(tokens, 0), "token_hash"));
    assert_null(strstr(r.body, "Ander Persoon"));
    assert_null(strstr(r.body, "EXP-2"));
    http_resp_clear(&r);

    /* the resident reads their own; another resident learns nothing */
    r = harness_request(&H, "GET", path, mine, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(json_object_get(r.json, "client"), "name"), "Export Persoon");
    http_resp_clear(&r);
    r = harness_request(&H, "GET", path, theirs, NULL, NULL);
    assert_int_equal(r.status, 404);
    http_resp_clear(&r);
    expect_error("GET", "/v1/clients/999999/export", api_desk, NULL, 404, "not_found");

    free(path);
    free(theirs);
    free(mine);
    free(other_ids);
    free(ids);
    free(when);
}

/* The access trail: every answered read or change of a client's data,
 * with actor and route, for the administrator only, and append-only. */
static void
test_access_trail(void **state)
{
    (void)state;
    int64_t id = create_client("AUD-1", "Audit Persoon");
    int64_t other = create_client("AUD-2", "Andere Persoon");
    char *ids = fmt("%lld", (long long)id), *other_ids = fmt("%lld", (long long)other);
    char *mine = harness_token(&H, "resident", "--client", ids);
    char *theirs = harness_token(&H, "resident", "--client", other_ids);
    char *path = fmt("/v1/clients/%s", ids);
    char *trail = fmt("/v1/clients/%s/access-log", ids);
    long before = sql_long("SELECT count(*) FROM client_access");

    json_decref(call("GET", path, api_desk, NULL, 200));
    json_decref(call("PATCH", path, api_desk, "{\"phone\":\"078-7654321\"}", 200));
    json_decref(call("GET", path, mine, NULL, 200));
    expect_error("GET", path, theirs, NULL, 404, "not_found"); /* read nothing */
    expect_error("PATCH", path, api_desk, "{\"phone\":7}", 400, "invalid_field");
    expect_error("GET", trail, api_desk, NULL, 403, "forbidden");

    json_t *page = call("GET", trail, H.admin_token, NULL, 200);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 3);
    static const char *const methods[] = {"GET", "PATCH", "GET"};
    static const char *const roles[] = {"dispatcher", "dispatcher", "resident"};
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(items, i);
        assert_string_equal(str(e, "method"), methods[i]);
        assert_string_equal(str(e, "route"), "/v1/clients/{id}");
        assert_string_equal(str(e, "role"), roles[i]);
        assert_int_equal(json_integer_value(json_object_get(e, "status")), 200);
        assert_true(strlen(str(e, "request_id")) > 0);
    }
    /* no data in the trail, and nothing about the other client */
    char *text = json_dumps(page, 0);
    assert_null(strstr(text, "078-7654321"));
    assert_null(strstr(text, "Audit Persoon"));
    free(text);
    json_decref(page);
    char *q = fmt("SELECT count(*) FROM client_access WHERE client_id = %lld", (long long)other);
    assert_int_equal(sql_long(q), 0);
    free(q);
    /* three entries, then the administrator's own read of the trail */
    assert_int_equal(sql_long("SELECT count(*) FROM client_access"), before + 4);
    assert_null(harness_sql(&H, "UPDATE client_access SET status = 0"));
    assert_null(harness_sql(&H, "DELETE FROM client_access"));

    free(trail);
    free(path);
    free(theirs);
    free(mine);
    free(other_ids);
    free(ids);
}

/* Routes that name a ride rather than the client go into the client's
 * trail too, in the transaction of the read or change itself. */
static void
test_access_trail_rides(void **state)
{
    (void)state;
    int64_t id = create_client("AUD-3", "Ritten Persoon");
    int64_t other = create_client("AUD-4", "Buur Persoon");
    add_indication(id, in_days(-10), in_days(300), 2000);
    char *ids = fmt("%lld", (long long)id), *other_ids = fmt("%lld", (long long)other);
    char *mine = harness_token(&H, "resident", "--client", ids);
    char *theirs = harness_token(&H, "resident", "--client", other_ids);
    char *when = local_time(in_days(5), 10, 0);
    char *body = fmt("{\"client_id\":\"%s\",\"pickup\":{\"address\":\"Thuis\",\"lat\":51.81,"
                     "\"lon\":4.665},\"dropoff\":{\"address\":\"Ziekenhuis\",\"lat\":51.796,"
                     "\"lon\":4.678},\"pickup_at\":\"%s\",\"channel\":\"phone\"}",
                     ids, when);
    json_t *b = call("POST", "/v1/bookings", api_desk, body, 201);
    char *ride = fmt("/v1/bookings/%s", str(b, "id"));
    char *cancel = fmt("/v1/bookings/%s/cancel", str(b, "id"));
    json_decref(b);
    json_decref(call("GET", ride, mine, NULL, 200));
    expect_error("GET", ride, theirs, NULL, 404, "not_found"); /* read nothing */
    json_decref(call("POST", cancel, api_desk, "{\"reason\":\"te laat\"}", 200));
    expect_error("POST", cancel, api_desk, "{\"reason\":\"again\"}", 409, "conflict");

    char *trail = fmt("/v1/clients/%s/access-log", ids);
    json_t *page = call("GET", trail, H.admin_token, NULL, 200);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 4);
    static const char *const routes[] = {"/v1/clients/{id}/indications", "/v1/bookings",
                                         "/v1/bookings/{id}", "/v1/bookings/{id}/cancel"};
    static const char *const roles[] = {"dispatcher", "dispatcher", "resident", "dispatcher"};
    static const int status[] = {201, 201, 200, 200};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, i);
        assert_string_equal(str(e, "route"), routes[i]);
        assert_string_equal(str(e, "role"), roles[i]);
        assert_int_equal(json_integer_value(json_object_get(e, "status")), status[i]);
    }
    json_decref(page);
    char *q = fmt("SELECT count(*) FROM client_access WHERE client_id = %lld", (long long)other);
    assert_int_equal(sql_long(q), 0);
    free(q);
    free(trail);
    free(cancel);
    free(ride);
    free(body);
    free(when);
    free(theirs);
    free(mine);
    free(other_ids);
    free(ids);
}

/* Retention: a client whose indications ended long ago loses what
 * identifies them; the numbers stay; a current client is untouched; a
 * second run does nothing. */
static void
test_pseudonymise(void **state)
{
    (void)state;
    int64_t old = create_client("OLD-1", "Oud Persoon");
    int64_t current = create_client("CUR-1", "Huidig Persoon");
    add_indication(old, in_days(-800), in_days(-400), 2000);
    add_indication(current, in_days(-800), in_days(300), 2000);
    int year = in_days(-500).year;
    char *adjust = fmt("/v1/clients/%lld/allowance/adjustments", (long long)old);
    char *adj_body = fmt("{\"year\":%d,\"km\":25,\"reason\":\"dialyse Oud Persoon\"}", year);
    json_decref(call("POST", adjust, api_desk, adj_body, 201));
    char *allowance = fmt("/v1/clients/%lld/allowance?year=%d", (long long)old, year);
    json_t *before = call("GET", allowance, api_desk, NULL, 200);
    char *ids = fmt("%lld", (long long)old);
    char *resident = harness_token(&H, "resident", "--client", ids);
    char *path = fmt("/v1/clients/%lld", (long long)old);
    json_decref(call("GET", path, resident, NULL, 200));

    setenv("RITMO_RETENTION_DAYS", "30", 1);
    const char *dry[] = {"pseudonymise", "--dry-run", NULL};
    const char *run[] = {"pseudonymise", NULL};
    char *out = NULL;
    assert_int_equal(harness_ritmo(&H, &out, dry), 0);
    assert_int_equal(atoi(out), 1);
    free(out);
    assert_int_equal(sql_long("SELECT count(*) FROM clients WHERE pseudonymised_at IS NOT NULL"),
                     0);
    assert_int_equal(harness_ritmo(&H, &out, run), 0);
    assert_int_equal(atoi(out), 1);
    free(out);
    assert_int_equal(harness_ritmo(&H, &out, run), 0);
    assert_int_equal(atoi(out), 0); /* idempotent */
    free(out);
    unsetenv("RITMO_RETENTION_DAYS");

    json_t *c = call("GET", path, api_desk, NULL, 200);
    char *pseudonym = fmt("pseudonym %lld", (long long)old);
    assert_string_equal(str(c, "name"), pseudonym);
    assert_string_equal(str(json_object_get(c, "home"), "address"), "removed");
    assert_true(json_is_null(json_object_get(c, "phone")));
    json_decref(c);
    /* the numbers stay; the free text does not */
    json_t *after = call("GET", allowance, api_desk, NULL, 200);
    assert_true(num(after, "granted_km") == num(before, "granted_km"));
    assert_true(num(after, "used_km") == num(before, "used_km"));
    char *q = fmt("SELECT count(*) FROM allowance_entries WHERE client_id = %lld AND reason "
                  "LIKE '%%Oud%%'",
                  (long long)old);
    assert_int_equal(sql_long(q), 0);
    free(q);
    /* the resident's token went with the identity */
    struct http_resp r = harness_request(&H, "GET", path, resident, NULL, NULL);
    assert_int_equal(r.status, 401);
    http_resp_clear(&r);
    /* the current client is untouched, and the history is still append-only */
    char *cur = fmt("/v1/clients/%lld", (long long)current);
    c = call("GET", cur, api_desk, NULL, 200);
    assert_string_equal(str(c, "name"), "Huidig Persoon");
    json_decref(c);
    assert_null(harness_sql(&H, "UPDATE allowance_entries SET reason = 'x'"));

    json_decref(before);
    json_decref(after);
    free(cur);
    free(pseudonym);
    free(path);
    free(resident);
    free(ids);
    free(allowance);
    free(adj_body);
    free(adjust);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_holds_no_personal_data),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_access_trail),
        cmocka_unit_test(test_access_trail_rides),
        cmocka_unit_test(test_pseudonymise),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
