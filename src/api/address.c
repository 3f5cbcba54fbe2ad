/* Address validation and rendering, shared by every resource with a place. */
#include "api/address.h"

bool
address_check(json_t *obj, const char *prefix, struct address *out, struct field_error *err)
{
    const struct field f[] = {
        {"address", FIELD_STRING, true, &out->text, 0, 0, 300, NULL, NULL},
        {"lat", FIELD_NUMBER, true, &out->at.lat, -90, 90, 0, NULL, NULL},
        {"lon", FIELD_NUMBER, true, &out->at.lon, -180, 180, 0, NULL, NULL},
    };
    return fields_check(obj, prefix, f, 3, err);
}

json_t *
address_json(const char *text, double lat, double lon)
{
    return json_pack("{s:s, s:f, s:f}", "address", text, "lat", lat, "lon", lon);
}
