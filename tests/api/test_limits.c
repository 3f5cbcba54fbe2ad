/* The per-token rate limit: a token that exceeds RITMO_RATE_LIMIT gets 429
 * rate_limited with Retry-After, other tokens are unaffected, and the
 * token is served again once its bucket refills. */
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
    static const char *const env[] = {"RITMO_RATE_LIMIT=1", "RITMO_RATE_BURST=5", NULL};
    return harness_start(&H, env) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    return harness_stop(&H) ? 0 : -1;
}

static long
get_clients(const char *token, struct http_resp *keep)
{
    struct http_resp r = harness_request(&H, "GET", "/v1/clients?q=x", token, NULL, NULL);
    long status = r.status;
    if (keep)
        *keep = r;
    else
        http_resp_clear(&r);
    return status;
}

static void
test_rate_limit_per_token(void **state)
{
    (void)state;
    char *a = harness_token(&H, "dispatcher", NULL, NULL);
    char *b = harness_token(&H, "dispatcher", NULL, NULL);
    assert_non_null(a);
    assert_non_null(b);
    /* a burst of 5, refilling at 1 a second: 8 quick requests cannot all pass */
    int ok = 0;
    for (int i = 0; i < 7; i++)
        ok += get_clients(a, NULL) == 200;
    struct http_resp r;
    long last = get_clients(a, &r);
    ok += last == 200;
    assert_true(ok >= 5 && ok <= 7);
    assert_int_equal(last, 429);
    assert_string_equal(http_resp_error_code(&r), "rate_limited");
    assert_string_equal(r.retry_after, "1");
    http_resp_clear(&r);
    /* another token is not slowed by it; a request without one is judged
     * as before (401, not 429) */
    assert_int_equal(get_clients(b, NULL), 200);
    assert_int_equal(get_clients(NULL, NULL), 401);
    /* a second later the bucket holds a request again */
    usleep(1100000);
    assert_int_equal(get_clients(a, NULL), 200);
    free(a);
    free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_limit_per_token),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
