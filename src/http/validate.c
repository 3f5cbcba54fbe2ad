/* The field-list validator (see validate.h). */
#include "http/validate.h"

#include "common/numparse.h"
#include "http/reply.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool
fail(struct field_error *err, const char *code, const char *prefix, const char *name,
     const char *message)
{
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s%s", prefix, name);
    snprintf(err->message, sizeof err->message, "%s%s %s", prefix, name, message);
    return false;
}

static bool
check_one(json_t *v, const char *prefix, const struct field *f, struct field_error *err)
{
    char msg[160];
    switch (f->type) {
    case FIELD_STRING: {
        size_t max = f->max_len ? f->max_len : 1000;
        if (!json_is_string(v))
            return fail(err, "invalid_field", prefix, f->name, "must be a string");
        size_t len = json_string_length(v);
        if (len == 0 || len > max || strlen(json_string_value(v)) != len) {
            snprintf(msg, sizeof msg, "must be 1 to %zu characters without NUL", max);
            return fail(err, "invalid_field", prefix, f->name, msg);
        }
        *(const char **)f->out = json_string_value(v);
        return true;
    }
    case FIELD_ENUM:
        if (json_is_string(v))
            for (const char *const *c = f->choices; *c; c++)
                if (!strcmp(*c, json_string_value(v))) {
                    *(const char **)f->out = *c;
                    return true;
                }
        return fail(err, "invalid_field", prefix, f->name, "is not one of the allowed values");
    case FIELD_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min ||
            json_integer_value(v) > f->max) {
            snprintf(msg, sizeof msg, "must be an integer from %.0f to %.0f", f->min, f->max);
            return fail(err, "invalid_field", prefix, f->name, msg);
        }
        *(int64_t *)f->out = json_integer_value(v);
        return true;
    case FIELD_NUMBER:
        if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
            json_number_value(v) < f->min || json_number_value(v) > f->max) {
            snprintf(msg, sizeof msg, "must be a number from %g to %g", f->min, f->max);
            return fail(err, "invalid_field", prefix, f->name, msg);
        }
        *(double *)f->out = json_number_value(v);
        return true;
    case FIELD_BOOL:
        if (!json_is_boolean(v))
            return fail(err, "invalid_field", prefix, f->name, "must be true or false");
        *(bool *)f->out = json_is_true(v);
        return true;
    case FIELD_ID: {
        int64_t id = 0;
        bool ok = json_is_string(v) ? parse_int64(json_string_value(v), 1, INT64_MAX, &id)
                                    : json_is_integer(v) && (id = json_integer_value(v)) > 0;
        if (!ok)
            return fail(err, "invalid_field", prefix, f->name, "must be an id");
        *(int64_t *)f->out = id;
        return true;
    }
    case FIELD_OBJECT:
        if (!json_is_object(v))
            return fail(err, "invalid_field", prefix, f->name, "must be an object");
        *(json_t **)f->out = v;
        return true;
    case FIELD_ARRAY:
        if (!json_is_array(v))
            return fail(err, "invalid_field", prefix, f->name, "must be an array");
        *(json_t **)f->out = v;
        return true;
    }
    return fail(err, "invalid_field", prefix, f->name, "has an unsupported type");
}

bool
fields_check(json_t *obj, const char *prefix, const struct field *fields, size_t n,
             struct field_error *err)
{
    if (!json_is_object(obj))
        return fail(err, "invalid_field", prefix, "", "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key))
            i++;
        if (i == n)
            return fail(err, "unknown_field", prefix, key, "is not a field of this request");
    }
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(obj, fields[i].name);
        bool given = v && !json_is_null(v);
        if (fields[i].present)
            *fields[i].present = given;
        if (!given) {
            if (fields[i].required)
                return fail(err, "missing_field", prefix, fields[i].name, "is required");
            continue;
        }
        if (!check_one(v, prefix, &fields[i], err))
            return false;
    }
    return true;
}

bool
http_fields_or_reply(struct req *r, const struct field *fields, size_t n)
{
    struct field_error err;
    if (fields_check(r->json, "", fields, n, &err))
        return true;
    http_reply_error(r, 400, err.code, err.field, "%s", err.message);
    return false;
}
