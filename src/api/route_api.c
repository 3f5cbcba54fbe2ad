/* The route between two points from the configured distance provider, with
 * its path as a GeoJSON LineString ([lon, lat] pairs). */
#include "api/route_api.h"

#include "core/app.h"
#include "http/reply.h"
#include "routing/distance.h"

#include <stdlib.h>

void
route_api_get(struct req *r)
{
    struct geo_point from, to;
    const char *f = http_query(r, "from"), *t = http_query(r, "to");
    if (!f || !geo_point_parse(f, &from)) {
        http_reply_error(r, 400, f ? "invalid_field" : "missing_field", "from",
                         "from must be lat,lon in decimal degrees");
        return;
    }
    if (!t || !geo_point_parse(t, &to)) {
        http_reply_error(r, 400, t ? "invalid_field" : "missing_field", "to",
                         "to must be lat,lon in decimal degrees");
        return;
    }
    struct geo_point *points = NULL;
    size_t n = 0;
    struct dist_result res;
    enum dist_status st = dist_path(r->app->dist, from, to, &points, &n, &res);
    if (st == DIST_ERR_OUTSIDE_AREA || st == DIST_ERR_UNREACHABLE) {
        http_reply_error(r, 422, "outside_service_area", NULL,
                         st == DIST_ERR_UNREACHABLE ? "there is no road path between the points"
                                                    : "a point is too far from any road");
        return;
    }
    if (st != DIST_OK) {
        http_reply_error(r, 503, "unavailable", NULL, "distances cannot be computed right now");
        return;
    }
    json_t *coords = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(coords, json_pack("[f, f]", points[i].lon, points[i].lat));
    free(points);
    http_reply_json(r, 200,
                    json_pack("{s:f, s:i, s:s, s:f, s:f, s:{s:s, s:o}}", "distance_km",
                              (double)(int64_t)(res.metres / 100.0 + 0.5) / 10.0, "duration_s",
                              (int)(res.seconds + 0.5), "provider", res.provider, "snap_from_m",
                              res.snap_from_m, "snap_to_m", res.snap_to_m, "geometry", "type",
                              "LineString", "coordinates", coords));
}
