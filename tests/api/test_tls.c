/* HTTPS: ritmo serve given a certificate and key (a self-signed pair made
 * here with openssl) answers over TLS, verified by libcurl against exactly
 * that certificate, and refuses plain HTTP on the same port. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct harness H;
static char dir[256], cert_env[400], key_env[400];

/* A throw-away key and certificate for 127.0.0.1, valid for a day. */
static bool
make_certificate(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ritmo-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return false;
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout '%s/key.pem' -out '%s/cert.pem' "
             ">'%s/openssl.log' 2>&1",
             dir, dir, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_tls: openssl could not make a certificate (see %s/openssl.log)\n",
                dir);
        return false;
    }
    snprintf(cert_env, sizeof cert_env, "RITMO_TLS_CERT=%s/cert.pem", dir);
    snprintf(key_env, sizeof key_env, "RITMO_TLS_KEY=%s/key.pem", dir);
    return true;
}

static int
setup(void **state)
{
    (void)state;
    if (!make_certificate())
        return -1;
    const char *env[] = {cert_env, key_env, NULL};
    return harness_start(&H, env) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    bool ok = harness_stop(&H);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        ok = false;
    return ok ? 0 : -1;
}

static void
test_https(void **state)
{
    (void)state;
    assert_int_equal(strncmp(H.base_url, "https://", 8), 0);
    struct http_resp r = harness_request(&H, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
    /* an authenticated request, a body both ways */
    r = harness_request(&H, "POST", "/v1/clients", H.admin_token,
                        "{\"pass_number\":\"TLS-1\",\"name\":\"Over TLS\",\"home\":{"
                        "\"address\":\"Spuiboulevard 300, Dordrecht\",\"lat\":51.8105,"
                        "\"lon\":4.6651}}",
                        NULL);
    assert_int_equal(r.status, 201);
    http_resp_clear(&r);
    r = harness_request(&H, "GET", "/v1/clients?q=TLS-1", H.admin_token, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Over TLS"));
    http_resp_clear(&r);
}

static void
test_plain_http_refused(void **state)
{
    (void)state;
    char plain[80];
    snprintf(plain, sizeof plain, "http://%s", H.base_url + strlen("https://"));
    struct http_resp r = harness_request_to(plain, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_not_equal(r.status, 200);
    http_resp_clear(&r);
    /* the server is unharmed by it */
    r = harness_request(&H, "GET", "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
}

/* A key of another certificate stops the start (exit 1 well before the
 * timeout's 124): ritmo never falls back to plain HTTP. */
static void
test_mismatched_key_refused(void **state)
{
    (void)state;
    char cmd[2000];
    snprintf(cmd, sizeof cmd,
             "openssl genrsa -out '%s/other.pem' 2048 >/dev/null 2>&1 && "
             "RITMO_TLS_CERT='%s/cert.pem' RITMO_TLS_KEY='%s/other.pem' "
             "RITMO_DATABASE_URL='%s' RITMO_LISTEN=127.0.0.1:%d timeout 20 %s serve "
             ">'%s/mismatch.log' 2>&1",
             dir, dir, dir, H.dburl, harness_free_port(), RITMO_BIN, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_plain_http_refused),
        cmocka_unit_test(test_mismatched_key_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
