/* API tests of the foundation: authentication, the dispatcher's errors,
 * tokens, operations endpoints, database outage and migrations. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct harness H;

static int
setup(void **state)
{
    (void)state;
    return harness_start(&H, NULL) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    return harness_stop(&H) ? 0 : -1;
}

static long
token_count(void)
{
    char *n = harness_sql(&H, "SELECT count(*) FROM api_tokens");
    assert_non_null(n);
    long v = strtol(n, NULL, 10);
    free(n);
    return v;
}

static void
expect_error(struct http_resp *r, long status, const char *code)
{
    if (r->status != status || strcmp(http_resp_error_code(r), code) != 0)
        fprintf(stderr, "unexpected answer %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, status);
    assert_string_equal(http_resp_error_code(r), code);
    assert_non_null(json_object_get(json_object_get(r->json, "error"), "message"));
    http_resp_clear(r);
}

static void
test_healthz_and_request_id(void **state)
{
    (void)state;
    struct http_resp r = harness_request(&H, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
    assert_true(strlen(r.request_id) >= 16); /* generated when absent */
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/healthz", NULL, NULL, "X-Request-Id: desk-42.abc");
    assert_string_equal(r.request_id, "desk-42.abc");
    http_resp_clear(&r);
    /* a request id that could forge log lines is replaced */
    r = harness_request(&H, "GET", "/healthz", NULL, NULL, "X-Request-Id: a b\"c");
    assert_string_not_equal(r.request_id, "a b\"c");
    http_resp_clear(&r);
}

static void
test_unauthenticated(void **state)
{
    (void)state;
    struct http_resp r = harness_request(&H, "GET", "/v1/tokens", NULL, NULL, NULL);
    expect_error(&r, 401, "unauthenticated");
    r = harness_request(&H, "GET", "/v1/tokens", "not-a-token", NULL, NULL);
    expect_error(&r, 401, "unauthenticated");
    r = harness_request(&H, "GET", "/v1/tokens",
                        "ritmo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
    expect_error(&r, 401, "unauthenticated");
    r = harness_request(&H, "GET", "/v1/tokens", NULL, NULL, "Authorization: Basic YTpi");
    expect_error(&r, 401, "unauthenticated");
}

static void
test_revoked_token(void **state)
{
    (void)state;
    char *t = harness_token(&H, "dispatcher", NULL, NULL);
    assert_non_null(t);
    char *id = harness_sql(&H, "SELECT max(id) FROM api_tokens");
    char path[64];
    snprintf(path, sizeof path, "/v1/tokens/%s", id);
    struct http_resp r = harness_request(&H, "DELETE", path, H.admin_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_true(json_is_string(json_object_get(r.json, "revoked_at")));
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/v1/tokens", t, NULL, NULL);
    expect_error(&r, 401, "unauthenticated");
    r = harness_request(&H, "DELETE", "/v1/tokens/999999", H.admin_token, NULL, NULL);
    expect_error(&r, 404, "not_found");
    free(id);
    free(t);
}

static void
test_wrong_role(void **state)
{
    (void)state;
    char *t = harness_token(&H, "dispatcher", NULL, NULL);
    assert_non_null(t);
    long before = token_count();
    struct http_resp r = harness_request(&H, "GET", "/v1/tokens", t, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    r = harness_request(&H, "POST", "/v1/tokens", t, "{\"name\":\"x\",\"role\":\"admin\"}", NULL);
    expect_error(&r, 403, "forbidden");
    assert_int_equal(token_count(), before);
    free(t);
    /* a resident (bound to a real client) may not manage tokens either */
    char *client = harness_sql(&H, "INSERT INTO clients (pass_number, name, home_address, "
                                   "home_lat, home_lon) VALUES ('F-403', 'Rol', 'Straat 1', "
                                   "51.8, 4.66) RETURNING id");
    assert_non_null(client);
    char *s = harness_token(&H, "resident", "--client", client);
    assert_non_null(s);
    r = harness_request(&H, "DELETE", "/v1/tokens/1", s, NULL, NULL);
    expect_error(&r, 403, "forbidden");
    free(s);
    free(client);
}

static void
test_not_found_and_method(void **state)
{
    (void)state;
    struct http_resp r = harness_request(&H, "GET", "/v1/nothing-here", H.admin_token, NULL, NULL);
    expect_error(&r, 404, "not_found");
    r = harness_request(&H, "GET", "/v1/tokens/1/extra", H.admin_token, NULL, NULL);
    expect_error(&r, 404, "not_found");
    r = harness_request(&H, "PUT", "/v1/tokens", H.admin_token, "{}", NULL);
    assert_string_equal(r.allow, "POST, GET");
    expect_error(&r, 405, "method_not_allowed");
    r = harness_request(&H, "DELETE", "/v1/tokens/abc", H.admin_token, NULL, NULL);
    expect_error(&r, 404, "not_found");
}

static void
test_body_limits_and_json(void **state)
{
    (void)state;
    long before = token_count();
    size_t big = 70 * 1024;
    char *body = malloc(big + 64);
    assert_non_null(body);
    int n = snprintf(body, 64, "{\"name\":\"");
    memset(body + n, 'x', big);
    strcpy(body + n + big, "\",\"role\":\"admin\"}");
    struct http_resp r = harness_request(&H, "POST", "/v1/tokens", H.admin_token, body, NULL);
    expect_error(&r, 413, "body_too_large");
    free(body);
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token, "{\"name\": ", NULL);
    expect_error(&r, 400, "invalid_json");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token, "[1,2]", NULL);
    expect_error(&r, 400, "invalid_json");
    /* found by tests/fuzz: the parser's excerpt ends inside a character,
     * which used to abort the server */
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"naam\xc3\xa9\xc3\xa9\\\xc3\xa9\": \"x\"}", NULL);
    expect_error(&r, 400, "invalid_json");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"a\",\"name\":\"b\",\"role\":\"admin\"}", NULL);
    expect_error(&r, 400, "invalid_json");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"a\",\"role\":\"admin\",\"colour\":\"red\"}", NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "colour");
    expect_error(&r, 400, "unknown_field");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token, "{\"name\":\"a\"}", NULL);
    expect_error(&r, 400, "missing_field");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"a\",\"role\":\"emperor\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"a\",\"role\":\"resident\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    r = harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"a\",\"role\":\"admin\",\"client_id\":\"12\"}", NULL);
    expect_error(&r, 400, "invalid_field");
    r = harness_request(&H, "GET", "/v1/tokens?limit=0", H.admin_token, NULL, NULL);
    expect_error(&r, 400, "invalid_field");
    assert_int_equal(token_count(), before); /* nothing was created by any of these */
}

static void
test_token_lifecycle(void **state)
{
    (void)state;
    struct http_resp c = harness_request(&H, "POST", "/v1/clients", H.admin_token,
                                         "{\"pass_number\":\"T-1\",\"name\":\"Jansen\",\"home\":"
                                         "{\"address\":\"Spuiboulevard 300\",\"lat\":51.81,"
                                         "\"lon\":4.66}}",
                                         NULL);
    assert_int_equal(c.status, 201);
    char body[200];
    snprintf(body, sizeof body,
             "{\"name\":\"Mrs Jansen's app\",\"role\":\"resident\",\"client_id\":\"%s\"}",
             json_string_value(json_object_get(c.json, "id")));
    long before = token_count();
    /* a binding to nothing is refused, and changes nothing */
    struct http_resp bad =
        harness_request(&H, "POST", "/v1/tokens", H.admin_token,
                        "{\"name\":\"x\",\"role\":\"resident\",\"client_id\":\"424242\"}", NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(bad.json, "error"), "field")),
        "client_id");
    expect_error(&bad, 400, "invalid_field");
    assert_int_equal(token_count(), before);
    struct http_resp r = harness_request(&H, "POST", "/v1/tokens", H.admin_token, body, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "resident");
    assert_string_equal(json_string_value(json_object_get(r.json, "client_id")),
                        json_string_value(json_object_get(c.json, "id")));
    http_resp_clear(&c);
    assert_true(json_is_null(json_object_get(r.json, "revoked_at")));
    const char *token = json_string_value(json_object_get(r.json, "token"));
    assert_non_null(token);
    assert_int_equal(strlen(token), 49);
    assert_int_equal(token_count(), before + 1);
    /* the database keeps only the hash */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM api_tokens WHERE token_hash = '%s'::bytea",
             token);
    char *plain = harness_sql(&H, sql);
    assert_string_equal(plain, "0");
    free(plain);
    /* the new resident token authenticates but may not list tokens */
    struct http_resp r2 = harness_request(&H, "GET", "/v1/tokens", token, NULL, NULL);
    expect_error(&r2, 403, "forbidden");
    http_resp_clear(&r);
    /* listing pages through every token */
    r = harness_request(&H, "GET", "/v1/tokens?limit=2", H.admin_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_true(json_is_string(json_object_get(r.json, "next")));
    assert_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "token"));
    char path[96];
    snprintf(path, sizeof path, "/v1/tokens?limit=500&cursor=%s",
             json_string_value(json_object_get(r.json, "next")));
    http_resp_clear(&r);
    r = harness_request(&H, "GET", path, H.admin_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), (size_t)token_count() - 2);
    assert_true(json_is_null(json_object_get(r.json, "next")));
    http_resp_clear(&r);
}

static void
test_cli_token_output(void **state)
{
    (void)state;
    char *vehicle = harness_sql(&H, "INSERT INTO vehicles (name, seats, wheelchair_places, "
                                    "scootmobiel_places, depot_address, depot_lat, depot_lon) "
                                    "VALUES ('Bus 3', 4, 1, 0, 'Depot', 51.8, 4.66) RETURNING id");
    assert_non_null(vehicle);
    char binding[48];
    snprintf(binding, sizeof binding, "vehicle:%s", vehicle);
    const char *args[] = {"token", "create", "--role",   "driver", "--vehicle",
                          vehicle, "--name", "tablet 3", NULL};
    char *out = NULL;
    assert_int_equal(harness_ritmo(&H, &out, args), 0);
    /* the token alone on standard output, one line */
    assert_int_equal(strlen(out), 50);
    assert_int_equal(out[49], '\n');
    assert_int_equal(strncmp(out, "ritmo_", 6), 0);
    free(out);
    const char *bad[] = {"token", "create", "--role", "driver", "--name", "x", NULL};
    out = NULL;
    assert_int_not_equal(harness_ritmo(&H, &out, bad), 0);
    assert_string_equal(out, "");
    free(out);
    const char *list[] = {"token", "list", NULL};
    out = NULL;
    assert_int_equal(harness_ritmo(&H, &out, list), 0);
    assert_non_null(strstr(out, "tablet 3"));
    assert_non_null(strstr(out, binding));
    free(vehicle);
    assert_null(strstr(out, "ritmo_")); /* never shows a token again */
    free(out);
}

static void
test_metrics(void **state)
{
    (void)state;
    struct http_resp r = harness_request(&H, "GET", "/metrics", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "ritmo_http_requests_total{method=\"GET\",route=\"/healthz\","
                                   "status=\"200\"}"));
    assert_non_null(strstr(r.body, "ritmo_http_request_duration_seconds_bucket{method=\"GET\","
                                   "route=\"/v1/tokens\",le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "ritmo_db_pool_size "));
    http_resp_clear(&r);
}

static void
test_migrate_twice_is_noop(void **state)
{
    (void)state;
    char *before = harness_sql(&H, "SELECT string_agg(version || ':' || applied_at, ',' ORDER BY "
                                   "version) FROM schema_migrations");
    const char *args[] = {"migrate", NULL};
    assert_int_equal(harness_ritmo(&H, NULL, args), 0);
    assert_int_equal(harness_ritmo(&H, NULL, args), 0);
    char *after = harness_sql(&H, "SELECT string_agg(version || ':' || applied_at, ',' ORDER BY "
                                  "version) FROM schema_migrations");
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void
test_readyz_follows_database(void **state)
{
    (void)state;
    struct http_resp r = harness_request(&H, "GET", "/readyz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
    assert_true(harness_pg_stop(&H));
    r = harness_request(&H, "GET", "/readyz", NULL, NULL, NULL);
    expect_error(&r, 503, "unavailable");
    r = harness_request(&H, "GET", "/v1/tokens", H.admin_token, NULL, NULL);
    expect_error(&r, 503, "unavailable");
    r = harness_request(&H, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200); /* the process itself is fine */
    http_resp_clear(&r);
    assert_true(harness_pg_start(&H));
    r = harness_request(&H, "GET", "/readyz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/v1/tokens", H.admin_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_and_request_id),
        cmocka_unit_test(test_unauthenticated),
        cmocka_unit_test(test_revoked_token),
        cmocka_unit_test(test_wrong_role),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_body_limits_and_json),
        cmocka_unit_test(test_token_lifecycle),
        cmocka_unit_test(test_cli_token_output),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_migrate_twice_is_noop),
        cmocka_unit_test(test_readyz_follows_database),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
