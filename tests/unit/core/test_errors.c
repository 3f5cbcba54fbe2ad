/* Unit tests of the error body of API.md and of request field validation. */
#include "http/reply.h"
#include "http/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_error_json_shape(void **state)
{
    (void)state;
    json_t *e = http_error_json("missing_field", "name is required", "name");
    char *text = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(text, "{\"error\":{\"code\":\"missing_field\",\"field\":\"name\","
                              "\"message\":\"name is required\"}}");
    free(text);
    json_decref(e);
    e = http_error_json("not_found", "no such resource", NULL);
    assert_null(json_object_get(json_object_get(e, "error"), "field"));
    assert_int_equal(json_object_size(json_object_get(e, "error")), 2);
    json_decref(e);
}

/* Found by tests/fuzz (fuzz_request): an error quoting client text cut in
 * the middle of a UTF-8 sequence made the JSON builder fail, and the server
 * abort. Such bytes now go out as '?'. */
static void
test_error_json_cut_utf8(void **state)
{
    (void)state;
    json_t *e =
        http_error_json("invalid_json", "invalid escape near '\"naam\xc3\xa9\xc3'", "naam\xc3");
    assert_non_null(e);
    json_t *inner = json_object_get(e, "error");
    assert_string_equal(json_string_value(json_object_get(inner, "message")),
                        "invalid escape near '\"naam??\?'"); /* \? : no trigraph */
    assert_string_equal(json_string_value(json_object_get(inner, "field")), "naam?");
    json_decref(e);
    /* an unknown field whose name is longer than the field and message
     * buffers: both cuts fall inside a two-byte character */
    char text[1024];
    int n = snprintf(text, sizeof text, "{\"");
    for (int i = 0; i < 200; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "\xc3\xa9");
    snprintf(text + n, sizeof text - (size_t)n, "\":1}");
    json_t *obj = json_loads(text, 0, NULL);
    assert_non_null(obj);
    const char *name = NULL;
    const struct field f[] = {{"name", FIELD_STRING, false, &name, 0, 0, 0, NULL, NULL}};
    struct field_error err;
    assert_false(fields_check(obj, "", f, 1, &err));
    assert_string_equal(err.code, "unknown_field");
    assert_int_equal(strlen(err.field), 127);
    assert_int_equal(strlen(err.message), 255);
    e = http_error_json(err.code, err.message, err.field);
    inner = json_object_get(e, "error");
    assert_non_null(json_string_value(json_object_get(inner, "message")));
    assert_non_null(json_string_value(json_object_get(inner, "field")));
    json_decref(e);
    json_decref(obj);
}

struct shape {
    const char *name;
    int64_t seats;
    double lat;
    bool wheelchair;
    int64_t client_id;
    const char *aid;
    json_t *home;
};

static bool
check(const char *text, struct shape *s, struct field_error *err)
{
    static const char *const aids[] = {"none", "wheelchair", "scootmobiel", NULL};
    const struct field fields[] = {
        {"name", FIELD_STRING, true, &s->name, 0, 0, 10, NULL, NULL},
        {"seats", FIELD_INT, false, &s->seats, 0, 8, 0, NULL, NULL},
        {"lat", FIELD_NUMBER, false, &s->lat, -90, 90, 0, NULL, NULL},
        {"wheelchair", FIELD_BOOL, false, &s->wheelchair, 0, 0, 0, NULL, NULL},
        {"client_id", FIELD_ID, false, &s->client_id, 0, 0, 0, NULL, NULL},
        {"aid", FIELD_ENUM, false, &s->aid, 0, 0, 0, aids, NULL},
        {"home", FIELD_OBJECT, false, &s->home, 0, 0, 0, NULL, NULL},
    };
    /* borrowed strings point into the object: keep it until the next call */
    static json_t *obj;
    json_decref(obj);
    obj = json_loads(text, 0, NULL);
    assert_non_null(obj);
    memset(s, 0, sizeof *s);
    return fields_check(obj, "", fields, sizeof fields / sizeof fields[0], err);
}

static void
expect_fail(const char *text, const char *code, const char *field)
{
    struct shape s;
    struct field_error err;
    assert_false(check(text, &s, &err));
    assert_string_equal(err.code, code);
    assert_string_equal(err.field, field);
}

static void
test_validation(void **state)
{
    (void)state;
    struct shape s;
    struct field_error err;
    assert_true(check("{\"name\":\"bus\",\"seats\":8,\"lat\":51.8,\"wheelchair\":true,"
                      "\"client_id\":\"12\",\"aid\":\"walker\"}",
                      &s, &err) == false);
    assert_string_equal(err.field, "aid");
    assert_true(check("{\"name\":\"bus\",\"seats\":8,\"lat\":51.8,\"wheelchair\":true,"
                      "\"client_id\":\"12\",\"aid\":\"wheelchair\",\"seats\":8}",
                      &s, &err));
    assert_string_equal(s.name, "bus");
    assert_int_equal(s.seats, 8);
    assert_true(s.wheelchair);
    assert_int_equal(s.client_id, 12);
    assert_true(check("{\"name\":\"x\",\"seats\":null}", &s, &err)); /* null = absent */
    expect_fail("{}", "missing_field", "name");
    expect_fail("{\"name\":\"x\",\"colour\":1}", "unknown_field", "colour");
    expect_fail("{\"name\":5}", "invalid_field", "name");
    expect_fail("{\"name\":\"\"}", "invalid_field", "name");
    expect_fail("{\"name\":\"12345678901\"}", "invalid_field", "name");
    expect_fail("{\"name\":\"x\",\"seats\":9}", "invalid_field", "seats");
    expect_fail("{\"name\":\"x\",\"seats\":1.5}", "invalid_field", "seats");
    expect_fail("{\"name\":\"x\",\"lat\":91}", "invalid_field", "lat");
    expect_fail("{\"name\":\"x\",\"wheelchair\":\"yes\"}", "invalid_field", "wheelchair");
    expect_fail("{\"name\":\"x\",\"client_id\":\"0\"}", "invalid_field", "client_id");
    expect_fail("{\"name\":\"x\",\"client_id\":\"12a\"}", "invalid_field", "client_id");
    expect_fail("{\"name\":\"x\",\"home\":[]}", "invalid_field", "home");
}

static void
test_nested_prefix(void **state)
{
    (void)state;
    double lat = 0;
    const struct field f[] = {{"lat", FIELD_NUMBER, true, &lat, -90, 90, 0, NULL, NULL}};
    json_t *obj = json_loads("{\"lon\":4}", 0, NULL);
    struct field_error err;
    assert_false(fields_check(obj, "pickup.", f, 1, &err));
    assert_string_equal(err.field, "pickup.lon");
    assert_string_equal(err.code, "unknown_field");
    json_decref(obj);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_json_shape),
        cmocka_unit_test(test_error_json_cut_utf8),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_nested_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
