/* Reading OpenStreetMap data (.osm XML or .osm.pbf, through libreadosm) into
 * the roads a car or wheelchair taxi may use. */
#ifndef RITMO_ROUTING_OSM_IMPORT_H
#define RITMO_ROUTING_OSM_IMPORT_H

#include <stdint.h>

#include "routing/graph.h"
#include "routing/graph_build.h"

enum osm_import_status {
    OSM_IMPORT_OK = 0,
    OSM_IMPORT_ERR_OPEN,  /* missing file or wrong suffix */
    OSM_IMPORT_ERR_PARSE, /* truncated or corrupt data */
    OSM_IMPORT_ERR_EMPTY, /* no routable road */
};

struct osm_import_report {
    uint64_t nodes_read, ways_read;
    uint64_t ways_kept;    /* car-usable highway ways */
    uint64_t refs_missing; /* road stretches with a node absent from the file */
    uint64_t barriers;     /* road nodes a car cannot pass (bollards...) */
    struct graph_build_report build;
    double read_seconds, build_seconds;
};

/* A static description; never NULL. */
const char *osm_import_status_str(enum osm_import_status st);

/* Read the car-usable roads of path into *roads (initialized by the
 * caller with graph_roads_init, cleared by the caller). */
enum osm_import_status osm_import_roads(const char *path, struct graph_roads *roads,
                                        struct osm_import_report *report)
    __attribute__((warn_unused_result));

/* Read and build: *out is caller-owned (graph_free). report may be NULL. */
enum osm_import_status osm_import_graph(const char *path, struct graph **out,
                                        struct osm_import_report *report)
    __attribute__((warn_unused_result));

/* Car speed in km/h for a highway class, or 0 when cars may not use it. */
double osm_import_class_speed(const char *highway);

/* Parse an OSM maxspeed value ("50", "30 mph", "NL:urban") to km/h; 0 when
 * it is not understood. */
double osm_import_maxspeed(const char *value);

#endif
