/* Request body validation from a declarative field list: unknown fields,
 * missing fields, types and bounds, each answered with its own error code
 * and the JSON path of the field. (CONVENTIONS.md suggests json_unpack_ex;
 * its errors do not name the field of a type mismatch, which API.md's error
 * shape needs, hence this small table-driven checker on top of jansson.) */
#ifndef RITMO_HTTP_VALIDATE_H
#define RITMO_HTTP_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;

enum field_type {
    FIELD_STRING, /* const char ** (borrowed from the JSON), length 1..max_len */
    FIELD_ENUM,   /* const char **, one of choices (NULL-terminated) */
    FIELD_INT,    /* int64_t *, within [min, max] */
    FIELD_NUMBER, /* double *, within [min, max] */
    FIELD_BOOL,   /* bool * */
    FIELD_ID,     /* int64_t *, a positive id as a string of digits (or an integer) */
    FIELD_OBJECT, /* json_t ** (borrowed) */
    FIELD_ARRAY,  /* json_t ** (borrowed) */
};

struct field {
    const char *name;
    enum field_type type;
    bool required;
    void *out; /* left untouched when the field is absent or null */
    double min, max;
    size_t max_len;             /* FIELD_STRING; 0 = 1000 */
    const char *const *choices; /* FIELD_ENUM */
    bool *present;              /* optional: set to whether the field was given */
};

/* Validates object obj against fields[0..n); prefix names the object in
 * error paths ("" at the top, or "pickup."). On failure fills the error
 * code, field path and message, and returns false. */
struct field_error {
    const char *code;
    char field[128];
    char message[256];
};
bool fields_check(json_t *obj, const char *prefix, const struct field *fields, size_t n,
                  struct field_error *err) __attribute__((warn_unused_result));

/* fields_check on the request body; on failure queues the 400 and is false. */
bool http_fields_or_reply(struct req *r, const struct field *fields, size_t n)
    __attribute__((warn_unused_result));

#endif
