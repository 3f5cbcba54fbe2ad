/* Helpers shared by the API tests (see apitest.h). */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOME "{\"address\":\"Spuiboulevard 300, Dordrecht\",\"lat\":51.8105,\"lon\":4.6651}"

struct harness *api_harness;
char *api_desk;

void
api_setup_tz(void)
{
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
}

int
api_start(struct harness *h, const char *const *env)
{
    api_setup_tz();
    api_harness = h;
    if (!harness_start(h, env))
        return -1;
    api_desk = harness_token(h, "dispatcher", NULL, NULL);
    return api_desk ? 0 : -1;
}

int
api_stop(struct harness *h)
{
    free(api_desk);
    api_desk = NULL;
    return harness_stop(h) ? 0 : -1;
}

char *
fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

/* A local time in Europe/Amsterdam as RFC 3339 with its offset. */
char *
local_time(struct civil_date d, int hh, int mm)
{
    struct tm tm = {.tm_year = d.year - 1900,
                    .tm_mon = d.month - 1,
                    .tm_mday = d.day,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_isdst = -1};
    mktime(&tm);
    long off = tm.tm_gmtoff;
    return fmt("%04d-%02d-%02dT%02d:%02d:00%c%02ld:%02ld", d.year, d.month, d.day, hh, mm,
               off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
}

struct civil_date
today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (struct civil_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

struct civil_date
in_days(int n)
{
    return civil_date_add_days(today(), n);
}

char *
date_text(struct civil_date d)
{
    return fmt("%04d-%02d-%02d", d.year, d.month, d.day);
}

json_t *
call(const char *method, const char *path, const char *token, const char *body, long want)
{
    struct http_resp r = harness_request(api_harness, method, path, token, body, NULL);
    if (r.status != want)
        fprintf(stderr, "%s %s: expected %ld, got %ld: %s\n", method, path, want, r.status, r.body);
    assert_int_equal(r.status, want);
    json_t *j = json_incref(r.json);
    http_resp_clear(&r);
    return j;
}

void
expect_error(const char *method, const char *path, const char *token, const char *body, long status,
             const char *code)
{
    json_t *j = call(method, path, token, body, status);
    const char *got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (!got || strcmp(got, code))
        fprintf(stderr, "%s %s: expected %s, got %s\n", method, path, code, got ? got : "none");
    assert_non_null(got);
    assert_string_equal(got, code);
    json_decref(j);
}

const char *
str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    assert_non_null(s);
    return s;
}

double
num(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

long
sql_long(const char *sql)
{
    char *out = harness_sql(api_harness, sql);
    assert_non_null(out);
    long v = strtol(out, NULL, 10);
    free(out);
    return v;
}

int64_t
create_client(const char *pass, const char *name)
{
    char *body = fmt("{\"pass_number\":\"%s\",\"name\":\"%s\",\"home\":" HOME
                     ",\"needs\":{\"wheelchair\":true}}",
                     pass, name);
    json_t *c = call("POST", "/v1/clients", api_desk, body, 201);
    int64_t id = strtoll(str(c, "id"), NULL, 10);
    json_decref(c);
    free(body);
    return id;
}

int64_t
add_indication(int64_t client, struct civil_date from, struct civil_date until, int km)
{
    char *f = date_text(from), *u = date_text(until);
    char *path = fmt("/v1/clients/%lld/indications", (long long)client);
    char *body = fmt("{\"kind\":\"transport\",\"valid_from\":\"%s\",\"valid_until\":\"%s\","
                     "\"annual_km\":%d}",
                     f, u, km);
    json_t *i = call("POST", path, api_desk, body, 201);
    int64_t id = strtoll(str(i, "id"), NULL, 10);
    json_decref(i);
    free(f);
    free(u);
    free(path);
    free(body);
    return id;
}
