/* The address object of API.md: {"address", "lat", "lon"}. */
#ifndef RITMO_API_ADDRESS_H
#define RITMO_API_ADDRESS_H

#include "http/validate.h"
#include "routing/geo.h"

#include <jansson.h>

struct address {
    const char *text; /* borrowed from the JSON */
    struct geo_point at;
};

/* Validates obj as an address; prefix names it in errors ("pickup."). */
bool address_check(json_t *obj, const char *prefix, struct address *out, struct field_error *err)
    __attribute__((warn_unused_result));
json_t *address_json(const char *text, double lat, double lon);

#endif
