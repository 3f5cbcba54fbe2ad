/* Road distance and travel time between points, behind one interface for
 * bookings and the planner. Providers: "haversine" (straight line times a
 * detour factor), "graph:/path/region.graph" (the built-in router on an
 * OpenStreetMap graph) and "osrm:http://host:5000" (an OSRM-compatible
 * service, falling back to haversine when it fails). A provider is
 * thread-safe: create one and share it between all threads. */
#ifndef RITMO_ROUTING_DISTANCE_H
#define RITMO_ROUTING_DISTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/geo.h"

struct dist_provider;

enum dist_status {
    DIST_OK = 0,
    DIST_ERR_INVALID_POINT, /* latitude/longitude not finite or out of range */
    DIST_ERR_OUTSIDE_AREA,  /* farther than the snap limit from any road */
    DIST_ERR_UNREACHABLE,   /* no road path between the points */
    DIST_ERR_CONFIG,        /* unknown provider spec or bad option */
    DIST_ERR_UNAVAILABLE,   /* the graph file cannot be loaded */
};

/* Stable snake_case code for API errors and logs ("outside_service_area",
 * "unreachable", ...); static, never NULL. */
const char *dist_status_code(enum dist_status st);

struct dist_options {
    double detour_factor; /* haversine: road / straight-line distance; 1.3 */
    double near_kmh;      /* haversine: average speed over the first near_m; 25 */
    double near_m;        /* 5000 */
    double far_kmh;       /* haversine: average speed beyond near_m; 60 */
    double snap_limit_m;  /* graph: farthest a point may be from a road; 500 */
    long osrm_timeout_ms; /* osrm: whole-request timeout; 2000 */
    size_t cache_size;    /* osrm: point-to-point answers remembered; 4096 */
};

/* Fill in the defaults above. */
void dist_options_init(struct dist_options *o);

/* Create a provider from a spec; NULL or "" means "haversine". opts may be
 * NULL for the defaults. On success *out is caller-owned
 * (dist_provider_free). Errors are logged. */
enum dist_status dist_provider_create(const char *spec, const struct dist_options *opts,
                                      struct dist_provider **out)
    __attribute__((warn_unused_result));
void dist_provider_free(struct dist_provider *p);

/* "haversine", "graph" or "osrm"; static string. */
const char *dist_provider_kind(const struct dist_provider *p);

/* True when every answer from a to b equals the one from b to a (straight
 * lines; roads have one-way streets), so a caller may ask once. */
bool dist_symmetric(const struct dist_provider *p);

struct dist_result {
    double metres;        /* shortest road distance (allowance km) */
    double seconds;       /* fastest travel time (planning) */
    const char *provider; /* who answered, to record on a booking: "haversine",
                           * "graph" or "osrm"; static string. An osrm provider
                           * that fell back reports "haversine". */
    double snap_from_m;   /* graph: distance from the points to the road */
    double snap_to_m;
};

/* Point to point. Metres and seconds may follow different paths: the
 * shortest and the fastest. */
enum dist_status dist_route(struct dist_provider *p, struct geo_point from, struct geo_point to,
                            struct dist_result *out) __attribute__((warn_unused_result));

struct dist_matrix_info {
    const char *provider; /* as in dist_result, for the whole matrix */
    size_t bad_index;     /* on a point error: index of the offending point */
    bool bad_is_from;     /* ... in from (true) or to (false) */
};

/* Many to many: metres[i * nto + j] and seconds[i * nto + j] (caller-owned
 * arrays of nfrom * nto) from from[i] to to[j]; INFINITY where no road path
 * exists. Either array may be NULL when that metric is not needed (the
 * graph provider then does half the work). Any invalid or outside point
 * fails the whole call (info says which). info may be NULL. */
enum dist_status dist_matrix(struct dist_provider *p, const struct geo_point *from, size_t nfrom,
                             const struct geo_point *to, size_t nto, double *metres,
                             double *seconds, struct dist_matrix_info *info)
    __attribute__((warn_unused_result));

/* Point to point for a list of pairs: metres[i] and seconds[i] (caller-
 * owned, n each) from from[i] to to[i]; INFINITY where no road path
 * exists. Cheaper than a matrix when only the legs of a route are needed
 * (n pairs instead of n * n). Any invalid or outside point fails the call. */
enum dist_status dist_pairs(struct dist_provider *p, const struct geo_point *from,
                            const struct geo_point *to, size_t n, double *metres, double *seconds)
    __attribute__((warn_unused_result));

/* The shortest-distance path for display (GeoJSON LineString): *points is
 * caller-owned (free). Providers without geometry give the straight line
 * [from, to]. out as for dist_route. */
enum dist_status dist_path(struct dist_provider *p, struct geo_point from, struct geo_point to,
                           struct geo_point **points, size_t *npoints, struct dist_result *out)
    __attribute__((warn_unused_result));

/* Counters since creation, for metrics. */
struct dist_stats {
    uint64_t queries;    /* dist_route, dist_path and dist_matrix calls */
    uint64_t cache_hits; /* osrm answers served from the cache */
    uint64_t fallbacks;  /* osrm failures answered by haversine instead */
};
void dist_provider_stats(const struct dist_provider *p, struct dist_stats *out);

#endif
