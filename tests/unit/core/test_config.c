/* Unit tests of the settings table: defaults, bounds, bad values, file. */
#include "core/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const *fake_env;

static const char *
lookup(const char *name)
{
    for (int i = 0; fake_env && fake_env[i]; i += 2)
        if (!strcmp(fake_env[i], name))
            return fake_env[i + 1];
    return NULL;
}

static char *
load_error(const char *const *env, const char *file)
{
    struct config cfg;
    char *err = NULL;
    fake_env = env;
    if (config_load(&cfg, file, lookup, &err)) {
        config_clear(&cfg);
        return NULL;
    }
    return err;
}

static void
test_defaults(void **state)
{
    (void)state;
    struct config cfg;
    char *err = NULL;
    fake_env = NULL;
    assert_true(config_load(&cfg, NULL, lookup, &err));
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.listen_port, 8080);
    assert_string_equal(cfg.timezone, "Europe/Amsterdam");
    assert_int_equal(cfg.body_limit, 65536);
    assert_int_equal(cfg.max_annual_km, 2000);
    config_clear(&cfg);
}

static void
test_environment_overrides(void **state)
{
    (void)state;
    const char *env[] = {
        "RITMO_LISTEN", "0.0.0.0:9000", "RITMO_THREADS", "16", "RITMO_TIMEZONE", "UTC", NULL};
    struct config cfg;
    char *err = NULL;
    fake_env = env;
    assert_true(config_load(&cfg, NULL, lookup, &err));
    assert_string_equal(cfg.listen_host, "0.0.0.0");
    assert_int_equal(cfg.listen_port, 9000);
    assert_int_equal(cfg.threads, 16);
    assert_string_equal(cfg.timezone, "UTC");
    config_clear(&cfg);
}

static void
expect_bad(const char *name, const char *value, const char *fragment)
{
    const char *env[] = {name, value, NULL};
    char *err = load_error(env, NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, name));
    if (!strstr(err, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err, fragment);
    free(err);
}

static void
test_bad_values(void **state)
{
    (void)state;
    expect_bad("RITMO_THREADS", "0", "from 1 to 256");
    expect_bad("RITMO_THREADS", "257", "from 1 to 256");
    expect_bad("RITMO_THREADS", "4x", "integer");
    expect_bad("RITMO_THREADS", "", "integer");
    expect_bad("RITMO_THREADS", "99999999999999999999", "integer");
    expect_bad("RITMO_LISTEN", "localhost", "host:port");
    expect_bad("RITMO_LISTEN", "localhost:0", "host:port");
    expect_bad("RITMO_LISTEN", "localhost:70000", "host:port");
    expect_bad("RITMO_LISTEN", ":8080", "host:port");
    expect_bad("RITMO_TIMEZONE", "Mars/Olympus", "time zone");
    expect_bad("RITMO_TIMEZONE", "../../etc/passwd", "time zone");
    expect_bad("RITMO_LOG_LEVEL", "loud", "debug, info");
    expect_bad("RITMO_MAX_ANNUAL_KM", "2001", "from 0 to 2000");
    expect_bad("RITMO_BODY_LIMIT", "-5", "integer");
    expect_bad("RITMO_DATABASE_URL", "", "empty");
    /* half a TLS setup would serve plain HTTP: refused */
    expect_bad("RITMO_TLS_CERT", "/etc/ritmo/cert.pem", "must be set together");
    expect_bad("RITMO_TLS_KEY", "/etc/ritmo/key.pem", "must be set together");
}

static char *
write_file(const char *text)
{
    char *path = strdup("/tmp/ritmo-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void
test_file_then_environment(void **state)
{
    (void)state;
    char *path = write_file("# ritmo settings\nRITMO_THREADS = 8\n\nRITMO_BODY_LIMIT=2048\n");
    const char *env[] = {"RITMO_THREADS", "2", NULL};
    struct config cfg;
    char *err = NULL;
    fake_env = env;
    assert_true(config_load(&cfg, path, lookup, &err));
    assert_int_equal(cfg.threads, 2); /* the environment wins */
    assert_int_equal(cfg.body_limit, 2048);
    config_clear(&cfg);
    unlink(path);
    free(path);
}

static void
test_file_errors(void **state)
{
    (void)state;
    char *path = write_file("RITMO_THRADS=8\n");
    char *err = load_error(NULL, path);
    assert_non_null(err);
    assert_non_null(strstr(err, "unknown setting \"RITMO_THRADS\""));
    free(err);
    unlink(path);
    free(path);
    path = write_file("just words\n");
    err = load_error(NULL, path);
    assert_non_null(strstr(err, "line 1"));
    free(err);
    unlink(path);
    free(path);
    err = load_error(NULL, "/nonexistent/ritmo.conf");
    assert_non_null(strstr(err, "could not open config file"));
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_environment_overrides),
        cmocka_unit_test(test_bad_values),  cmocka_unit_test(test_file_then_environment),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
