/* A synthetic town in OSM XML for the routing tests: an 8x8 street grid
 * (100 m blocks) with one-way rows, a roundabout, restricted and footway
 * shortcuts, a one-way dead-end spur and an unreachable island. */
#ifndef RITMO_TESTS_TOWN_FIXTURE_H
#define RITMO_TESTS_TOWN_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "routing/geo.h"

#define TOWN_N               8
#define TOWN_LAT0            52.0
#define TOWN_LON0            4.36
#define TOWN_DLAT            0.0009
#define TOWN_DLON            0.00146
#define TOWN_RING            6
#define TOWN_ONEWAY_EAST_ROW 3 /* oneway=yes: only towards higher columns */
#define TOWN_ONEWAY_WEST_ROW 5 /* oneway=-1: only towards lower columns */
#define TOWN_BOLLARD_ROW     6 /* a bollard on node (6, 2), a gate on (6, 5) */
#define TOWN_BOLLARD_COL     2
#define TOWN_GATE_COL        5

static inline struct geo_point
town_node(int r, int c)
{
    struct geo_point p = {TOWN_LAT0 + r * TOWN_DLAT, TOWN_LON0 + c * TOWN_DLON};
    return p;
}

/* Roundabout node k, counterclockwise, south of the grid. */
static inline struct geo_point
town_ring(int k)
{
    double a = 2.0 * 3.14159265358979 * k / TOWN_RING;
    struct geo_point p = {TOWN_LAT0 - 0.002 + 0.00036 * sin(a),
                          TOWN_LON0 + 3.5 * TOWN_DLON + 0.00058 * cos(a)};
    return p;
}

static inline struct geo_point
town_island(int k)
{
    struct geo_point p = {TOWN_LAT0 + 0.1, TOWN_LON0 + k * TOWN_DLON};
    return p;
}

static inline void
town_write_node(FILE *f, long id, struct geo_point p)
{
    const char *barrier = NULL;
    if (id == 1000 + TOWN_BOLLARD_ROW * TOWN_N + TOWN_BOLLARD_COL)
        barrier = "bollard";
    if (id == 1000 + TOWN_BOLLARD_ROW * TOWN_N + TOWN_GATE_COL)
        barrier = "gate";
    if (!barrier) {
        fprintf(f, "  <node id=\"%ld\" lat=\"%.7f\" lon=\"%.7f\" version=\"1\"/>\n", id, p.lat,
                p.lon);
        return;
    }
    fprintf(f,
            "  <node id=\"%ld\" lat=\"%.7f\" lon=\"%.7f\" version=\"1\">\n"
            "    <tag k=\"barrier\" v=\"%s\"/>\n  </node>\n",
            id, p.lat, p.lon, barrier);
}

static inline void
town_way_begin(FILE *f, long id)
{
    fprintf(f, "  <way id=\"%ld\" version=\"1\">\n", id);
}

static inline void
town_way_end(FILE *f, const char *tags)
{
    fprintf(f, "%s  </way>\n", tags);
}

static inline long
town_grid_id(int r, int c)
{
    return 1000 + r * TOWN_N + c;
}

/* Write the town to path; returns 0 on success. */
static inline int
town_write(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n");
    for (int r = 0; r < TOWN_N; r++)
        for (int c = 0; c < TOWN_N; c++)
            town_write_node(f, town_grid_id(r, c), town_node(r, c));
    for (int k = 0; k < TOWN_RING; k++)
        town_write_node(f, 2000 + k, town_ring(k));
    for (int k = 0; k < 3; k++)
        town_write_node(f, 3000 + k, town_island(k));
    struct geo_point spur = {TOWN_LAT0 + TOWN_N * TOWN_DLAT, TOWN_LON0};
    town_write_node(f, 4000, spur);
    long way = 1;
    for (int r = 0; r < TOWN_N; r++) {
        town_way_begin(f, way++);
        for (int c = 0; c < TOWN_N; c++)
            fprintf(f, "    <nd ref=\"%ld\"/>\n", town_grid_id(r, c));
        town_way_end(f, r == TOWN_ONEWAY_EAST_ROW ? "    <tag k=\"highway\" v=\"residential\"/>\n"
                                                    "    <tag k=\"oneway\" v=\"yes\"/>\n"
                        : r == TOWN_ONEWAY_WEST_ROW
                            ? "    <tag k=\"highway\" v=\"residential\"/>\n"
                              "    <tag k=\"oneway\" v=\"-1\"/>\n"
                            : "    <tag k=\"highway\" v=\"residential\"/>\n");
    }
    for (int c = 0; c < TOWN_N; c++) {
        town_way_begin(f, way++);
        for (int r = 0; r < TOWN_N; r++)
            fprintf(f, "    <nd ref=\"%ld\"/>\n", town_grid_id(r, c));
        town_way_end(f, c == TOWN_N - 1 ? "    <tag k=\"highway\" v=\"tertiary\"/>\n"
                                          "    <tag k=\"maxspeed\" v=\"50\"/>\n"
                                        : "    <tag k=\"highway\" v=\"residential\"/>\n");
    }
    /* Diagonal shortcuts a car must not take. */
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%ld\"/>\n    <nd ref=\"%ld\"/>\n", town_grid_id(0, 0),
            town_grid_id(TOWN_N - 1, TOWN_N - 1));
    town_way_end(f,
                 "    <tag k=\"highway\" v=\"service\"/>\n    <tag k=\"access\" v=\"private\"/>\n");
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%ld\"/>\n    <nd ref=\"%ld\"/>\n", town_grid_id(0, TOWN_N - 1),
            town_grid_id(TOWN_N - 1, 0));
    town_way_end(f, "    <tag k=\"highway\" v=\"primary\"/>\n"
                    "    <tag k=\"motor_vehicle\" v=\"no\"/>\n");
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%ld\"/>\n    <nd ref=\"%ld\"/>\n", town_grid_id(2, 2),
            town_grid_id(4, 4));
    town_way_end(f, "    <tag k=\"highway\" v=\"footway\"/>\n");
    /* Roundabout (closed, counterclockwise) and its two access roads. */
    town_way_begin(f, way++);
    for (int k = 0; k <= TOWN_RING; k++)
        fprintf(f, "    <nd ref=\"%d\"/>\n", 2000 + k % TOWN_RING);
    town_way_end(f, "    <tag k=\"highway\" v=\"tertiary\"/>\n"
                    "    <tag k=\"junction\" v=\"roundabout\"/>\n");
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%d\"/>\n    <nd ref=\"%ld\"/>\n", 2001, town_grid_id(0, 4));
    town_way_end(f, "    <tag k=\"highway\" v=\"tertiary\"/>\n");
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%d\"/>\n    <nd ref=\"%ld\"/>\n", 2002, town_grid_id(0, 3));
    town_way_end(f, "    <tag k=\"highway\" v=\"tertiary\"/>\n");
    /* Island: roads nobody can drive to. */
    town_way_begin(f, way++);
    for (int k = 0; k < 3; k++)
        fprintf(f, "    <nd ref=\"%d\"/>\n", 3000 + k);
    town_way_end(f, "    <tag k=\"highway\" v=\"residential\"/>\n");
    /* One-way spur into a dead end: a car could not come back. */
    town_way_begin(f, way++);
    fprintf(f, "    <nd ref=\"%ld\"/>\n    <nd ref=\"4000\"/>\n", town_grid_id(TOWN_N - 1, 0));
    town_way_end(f, "    <tag k=\"highway\" v=\"residential\"/>\n"
                    "    <tag k=\"oneway\" v=\"yes\"/>\n");
    fprintf(f, "</osm>\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* A fresh temporary directory; caller frees the string. */
static inline char *
town_tmpdir(void)
{
    char tmpl[] = "/tmp/ritmo-roads-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

#endif
