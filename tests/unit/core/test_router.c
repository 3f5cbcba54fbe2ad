/* Unit tests of route matching: literals, parameters, 404 and 405. */
#include "http/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const struct route table[] = {
    {"GET", "/v1/clients", NULL, 0},
    {"POST", "/v1/clients", NULL, 0},
    {"GET", "/v1/clients/{id}", NULL, 0},
    {"PATCH", "/v1/clients/{id}", NULL, 0},
    {"GET", "/v1/clients/{id}/allowance", NULL, 0},
    {"POST", "/v1/series/{id}/cancel", NULL, 0},
    {"GET", "/v1/runs/{id}/manifest.ics", NULL, 0},
};
#define N (sizeof table / sizeof table[0])

static enum route_match
match(const char *method, const char *path, size_t *index, struct route_params *p, char *allow)
{
    return router_match(table, N, method, path, index, p, allow, 64);
}

static void
test_literal_and_params(void **state)
{
    (void)state;
    size_t i;
    struct route_params p;
    char allow[64];
    assert_int_equal(match("GET", "/v1/clients", &i, &p, allow), ROUTE_FOUND);
    assert_int_equal(i, 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(match("POST", "/v1/clients", &i, &p, allow), ROUTE_FOUND);
    assert_int_equal(i, 1);
    assert_int_equal(match("GET", "/v1/clients/17", &i, &p, allow), ROUTE_FOUND);
    assert_int_equal(i, 2);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.value[0], "17");
    assert_int_equal(match("GET", "/v1/clients/17/allowance", &i, &p, allow), ROUTE_FOUND);
    assert_int_equal(i, 4);
    assert_int_equal(match("GET", "/v1/runs/9/manifest.ics", &i, &p, allow), ROUTE_FOUND);
    assert_string_equal(p.value[0], "9");
}

static void
test_not_found(void **state)
{
    (void)state;
    size_t i;
    struct route_params p;
    char allow[64];
    assert_int_equal(match("GET", "/v1/client", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/clients/", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/clients//allowance", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/clients/1/allowance/x", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "v1/clients", &i, &p, allow), ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/runs/9/manifest.icsx", &i, &p, allow), ROUTE_NOT_FOUND);
    char longseg[300] = "/v1/clients/";
    memset(longseg + 12, '7', 200);
    longseg[212] = '\0';
    assert_int_equal(match("GET", longseg, &i, &p, allow), ROUTE_NOT_FOUND);
}

static void
test_method_not_allowed(void **state)
{
    (void)state;
    size_t i;
    struct route_params p;
    char allow[64];
    assert_int_equal(match("DELETE", "/v1/clients/3", &i, &p, allow), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET, PATCH");
    assert_int_equal(match("GET", "/v1/series/3/cancel", &i, &p, allow), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "POST");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
