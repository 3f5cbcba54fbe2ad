/* Geographic points (WGS84 latitude/longitude in degrees) and the great-circle
 * (haversine) distance between them. */
#ifndef RITMO_ROUTING_GEO_H
#define RITMO_ROUTING_GEO_H

#include <stdbool.h>

/* Mean Earth radius (IUGG), the same one OSRM uses, so both agree. */
#define GEO_EARTH_RADIUS_M 6371008.8

struct geo_point {
    double lat; /* degrees, -90..90 */
    double lon; /* degrees, -180..180 */
};

/* True when lat and lon are finite and within their ranges. */
bool geo_point_valid(struct geo_point p);

/* Parse "lat,lon" (decimal degrees, no spaces). False on junk or range. */
bool geo_point_parse(const char *s, struct geo_point *out) __attribute__((warn_unused_result));

/* Great-circle distance in metres. */
double geo_haversine_m(struct geo_point a, struct geo_point b);

#endif
