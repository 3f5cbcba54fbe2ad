/* A client for OSRM's HTTP API (/route/v1/driving and /table/v1/driving)
 * over libcurl, with a timeout and a bounded cache of point-to-point
 * answers. Thread-safe: the cache sits under a mutex. */
#ifndef RITMO_ROUTING_OSRM_H
#define RITMO_ROUTING_OSRM_H

#include <stddef.h>

#include "routing/geo.h"

struct osrm_client;

enum osrm_status {
    OSRM_OK = 0,
    OSRM_ERR_TRANSPORT,  /* connection failed, timed out, or HTTP error */
    OSRM_ERR_PROTOCOL,   /* an answer that is not OSRM's format */
    OSRM_ERR_NO_ROUTE,   /* OSRM code "NoRoute" (or null in a table) */
    OSRM_ERR_NO_SEGMENT, /* OSRM code "NoSegment": a point far from roads */
};

/* base_url like "http://host:5000" (no trailing path). Caller-owned
 * (osrm_client_free). cache_size 0 disables the cache. */
struct osrm_client *osrm_client_create(const char *base_url, long timeout_ms, size_t cache_size);
void osrm_client_free(struct osrm_client *c);

/* Distance (metres) and duration (seconds) of OSRM's fastest route.
 * *cached is set when the answer came from the cache. */
enum osrm_status osrm_route(struct osrm_client *c, struct geo_point from, struct geo_point to,
                            double *metres, double *seconds, int *cached)
    __attribute__((warn_unused_result));

/* Table: metres/seconds[i * nto + j]; INFINITY for null entries. Large
 * requests are split into blocks that a default OSRM accepts. */
enum osrm_status osrm_table(struct osrm_client *c, const struct geo_point *from, size_t nfrom,
                            const struct geo_point *to, size_t nto, double *metres, double *seconds)
    __attribute__((warn_unused_result));

#endif
