/* Points and the haversine distance: the straight-line fallback behind every
 * road-distance provider. */
#include "routing/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"
#include "common/xalloc.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

bool
geo_point_valid(struct geo_point p)
{
    return isfinite(p.lat) && isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 &&
           p.lon >= -180.0 && p.lon <= 180.0;
}

bool
geo_point_parse(const char *s, struct geo_point *out)
{
    bool ok = false;
    if (!s)
        return false;
    const char *comma = strchr(s, ',');
    if (!comma)
        return false;
    char *lat_s = xstrndup(s, (size_t)(comma - s));
    struct geo_point p;
    if (!parse_double(lat_s, -90.0, 90.0, &p.lat))
        goto out;
    if (!parse_double(comma + 1, -180.0, 180.0, &p.lon))
        goto out;
    *out = p;
    ok = true;
out:
    free(lat_s);
    return ok;
}

double
geo_haversine_m(struct geo_point a, struct geo_point b)
{
    const double rad = M_PI / 180.0;
    double dlat = (b.lat - a.lat) * rad;
    double dlon = (b.lon - a.lon) * rad;
    double s1 = sin(dlat / 2.0);
    double s2 = sin(dlon / 2.0);
    double h = s1 * s1 + cos(a.lat * rad) * cos(b.lat * rad) * s2 * s2;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(h));
}
