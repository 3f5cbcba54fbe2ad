/* OpenStreetMap import in two passes over the file: first the car-usable
 * highway ways, then only the coordinates of the nodes those ways use, so
 * that memory follows the road network rather than the whole extract. */
#include "routing/osm_import.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "routing/graph_internal.h"

/* Average car speeds (km/h) per highway class when no maxspeed is tagged:
 * travel speeds including junctions, not legal limits, chosen for Dutch
 * towns. Classes not listed (track, path, footway, cycleway...) are not
 * routable for cars. */
static const struct {
    const char *name;
    double kmh;
} class_speeds[] = {
    {"motorway", 100},     {"motorway_link", 60}, {"trunk", 80},        {"trunk_link", 50},
    {"primary", 60},       {"primary_link", 40},  {"secondary", 50},    {"secondary_link", 40},
    {"tertiary", 45},      {"tertiary_link", 35}, {"unclassified", 35}, {"residential", 30},
    {"living_street", 10}, {"service", 15},       {"road", 25},
};

/* Observed average speed as a share of a tagged maxspeed. */
#define MAXSPEED_FACTOR 0.8

/* access values that shut out a wheelchair taxi. */
static const char *const denied[] = {"no",       "private",    "agricultural",
                                     "forestry", "delivery",   "emergency",
                                     "military", "restricted", "permit"};

struct way_rec {
    size_t first;
    uint32_t count;
    uint8_t flags;
    float kmh;
};

struct import {
    long long *refs;
    size_t nrefs, cap_refs;
    struct way_rec *ways;
    size_t nways, cap_ways;
    /* pass 2: the sorted distinct node ids and their coordinates */
    long long *ids;
    size_t nids;
    double *lat, *lon;
    uint8_t *have;
    struct osm_import_report *rep;
};

const char *
osm_import_status_str(enum osm_import_status st)
{
    switch (st) {
    case OSM_IMPORT_OK:
        return "ok";
    case OSM_IMPORT_ERR_OPEN:
        return "cannot open file (expected a readable .osm or .osm.pbf)";
    case OSM_IMPORT_ERR_PARSE:
        return "truncated or corrupt OpenStreetMap data";
    case OSM_IMPORT_ERR_EMPTY:
        return "no roads usable by car";
    }
    return "unknown error";
}

double
osm_import_class_speed(const char *highway)
{
    if (!highway)
        return 0;
    for (size_t i = 0; i < sizeof class_speeds / sizeof class_speeds[0]; i++)
        if (strcmp(class_speeds[i].name, highway) == 0)
            return class_speeds[i].kmh;
    return 0;
}

double
osm_import_maxspeed(const char *v)
{
    if (!v || !*v)
        return 0;
    if (*v >= '0' && *v <= '9') {
        char *end;
        double kmh = strtod(v, &end);
        while (*end == ' ')
            end++;
        if (strcmp(end, "mph") == 0)
            kmh *= 1.609344;
        else if (*end)
            return 0;
        return kmh > 0 && kmh <= 200 ? kmh : 0;
    }
    if (strstr(v, "urban"))
        return 50;
    if (strstr(v, "rural"))
        return 80;
    if (strstr(v, "motorway"))
        return 120;
    if (strstr(v, "living_street") || strcmp(v, "walk") == 0)
        return 10;
    const char *zone = strstr(v, "zone");
    if (zone) {
        while (*zone && (*zone < '0' || *zone > '9'))
            zone++;
        return *zone ? osm_import_maxspeed(zone) : 0;
    }
    return 0;
}

static const char *
tag_of(const readosm_tag *tags, int count, const char *key)
{
    for (int i = 0; i < count; i++)
        if (strcmp(tags[i].key, key) == 0)
            return tags[i].value;
    return NULL;
}

static const char *
tag(const readosm_way *w, const char *key)
{
    return tag_of(w->tags, w->tag_count, key);
}

/* The most specific of motorcar, motor_vehicle, vehicle, access decides;
 * *said tells whether any of them was present. */
static bool
access_allowed(const readosm_tag *tags, int count, bool *said)
{
    static const char *const keys[] = {"motorcar", "motor_vehicle", "vehicle", "access"};
    *said = false;
    for (size_t k = 0; k < 4; k++) {
        const char *v = tag_of(tags, count, keys[k]);
        if (!v)
            continue;
        *said = true;
        for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
            if (strcmp(v, denied[i]) == 0)
                return false;
        return true;
    }
    return true;
}

/* A barrier node a car cannot pass: bollards, blocks, kerbs and the like,
 * unless its access tags let cars through; gates and similar pass unless
 * their access tags forbid it (the rule OSRM's car profile uses). */
static bool
node_blocks(const readosm_node *n)
{
    static const char *const passable[] = {
        "gate",           "lift_gate",         "swing_gate", "cattle_grid",
        "border_control", "toll_booth",        "sally_port", "no",
        "entrance",       "height_restrictor", "arch"};
    const char *barrier = tag_of(n->tags, n->tag_count, "barrier");
    if (!barrier)
        return false;
    bool said;
    bool allowed = access_allowed(n->tags, n->tag_count, &said);
    if (said)
        return !allowed;
    for (size_t i = 0; i < sizeof passable / sizeof passable[0]; i++)
        if (strcmp(barrier, passable[i]) == 0)
            return false;
    return true;
}

/* Directions a car may drive along the way's node order; 0 when neither. */
static unsigned
way_directions(const readosm_way *w, const char *highway)
{
    const char *oneway = tag(w, "oneway");
    const char *junction = tag(w, "junction");
    if (oneway) {
        if (!strcmp(oneway, "yes") || !strcmp(oneway, "true") || !strcmp(oneway, "1"))
            return GRAPH_SEG_FWD;
        if (!strcmp(oneway, "-1") || !strcmp(oneway, "reverse"))
            return GRAPH_SEG_BWD;
        if (!strcmp(oneway, "reversible") || !strcmp(oneway, "alternating"))
            return 0; /* direction changes over the day: not plannable */
        if (!strcmp(oneway, "no") || !strcmp(oneway, "false") || !strcmp(oneway, "0"))
            return GRAPH_SEG_FWD | GRAPH_SEG_BWD;
    }
    /* Implied one-way: roundabouts and motorways (OSM wiki conventions). */
    if (junction && (!strcmp(junction, "roundabout") || !strcmp(junction, "circular")))
        return GRAPH_SEG_FWD;
    if (!strcmp(highway, "motorway"))
        return GRAPH_SEG_FWD;
    return GRAPH_SEG_FWD | GRAPH_SEG_BWD;
}

static int
on_way(const void *user, const readosm_way *w)
{
    struct import *im = (struct import *)user;
    if (++im->rep->ways_read % 200000 == 0)
        log_info("import: %llu ways read", (unsigned long long)im->rep->ways_read);
    const char *highway = tag(w, "highway");
    double kmh = osm_import_class_speed(highway);
    const char *area = tag(w, "area");
    bool said;
    if (kmh <= 0 || w->node_ref_count < 2 || (area && !strcmp(area, "yes")) ||
        !access_allowed(w->tags, w->tag_count, &said))
        return READOSM_OK;
    unsigned dirs = way_directions(w, highway);
    if (!dirs)
        return READOSM_OK;
    double max = osm_import_maxspeed(tag(w, "maxspeed"));
    if (max > 0)
        kmh = max * MAXSPEED_FACTOR;
    if (im->nrefs + (size_t)w->node_ref_count > im->cap_refs) {
        im->cap_refs = (im->cap_refs + (size_t)w->node_ref_count) * 2;
        im->refs = xreallocarray(im->refs, im->cap_refs, sizeof *im->refs);
    }
    if (im->nways == im->cap_ways) {
        im->cap_ways = im->cap_ways ? im->cap_ways * 2 : 1024;
        im->ways = xreallocarray(im->ways, im->cap_ways, sizeof *im->ways);
    }
    im->ways[im->nways++] =
        (struct way_rec){im->nrefs, (uint32_t)w->node_ref_count, (uint8_t)dirs, (float)kmh};
    memcpy(im->refs + im->nrefs, w->node_refs, (size_t)w->node_ref_count * sizeof *im->refs);
    im->nrefs += (size_t)w->node_ref_count;
    im->rep->ways_kept++;
    return READOSM_OK;
}

static size_t
find_id(const struct import *im, long long id)
{
    size_t lo = 0, hi = im->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < im->nids && im->ids[lo] == id ? lo : SIZE_MAX;
}

static int
on_node(const void *user, const readosm_node *n)
{
    struct import *im = (struct import *)user;
    if (++im->rep->nodes_read % 5000000 == 0)
        log_info("import: %llu nodes read", (unsigned long long)im->rep->nodes_read);
    size_t i = find_id(im, n->id);
    struct geo_point p = {n->latitude, n->longitude};
    /* A node without valid coordinates is left out like a missing one (its
     * coordinates would otherwise size the graph's grid). */
    if (i != SIZE_MAX && geo_point_valid(p)) {
        im->lat[i] = n->latitude;
        im->lon[i] = n->longitude;
        im->have[i] = 1;
        if (n->tag_count > 0 && node_blocks(n)) {
            im->have[i] = 2;
            im->rep->barriers++;
        }
    }
    return READOSM_OK;
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void
collect_ids(struct import *im)
{
    im->ids = xmalloc((im->nrefs + 1) * sizeof *im->ids);
    if (im->nrefs)
        memcpy(im->ids, im->refs, im->nrefs * sizeof *im->ids);
    qsort(im->ids, im->nrefs, sizeof *im->ids, cmp_ll);
    size_t k = 0;
    for (size_t i = 0; i < im->nrefs; i++)
        if (k == 0 || im->ids[k - 1] != im->ids[i])
            im->ids[k++] = im->ids[i];
    im->nids = k;
    im->lat = xmalloc((k + 1) * sizeof *im->lat);
    im->lon = xmalloc((k + 1) * sizeof *im->lon);
    im->have = xcalloc(k + 1, 1);
}

static const char *
readosm_error(int rc)
{
    switch (rc) {
    case READOSM_INVALID_SUFFIX:
        return "name must end in .osm or .pbf";
    case READOSM_FILE_NOT_FOUND:
        return "no such file or not readable";
    case READOSM_INSUFFICIENT_MEMORY:
        return "out of memory";
    case READOSM_READ_ERROR:
        return "read error";
    case READOSM_XML_ERROR:
        return "malformed XML";
    case READOSM_INVALID_PBF_HEADER:
        return "invalid PBF block header";
    case READOSM_UNZIP_ERROR:
        return "corrupt compressed PBF block";
    default:
        return "readosm error";
    }
}

/* libreadosm 1.1.0 passes a missing attribute on to strlen() (a <tag>
 * without k or v, a <member> without role) and leaks its parser on
 * malformed XML (both found by tests/fuzz). So an .osm file is first read
 * here with the same parser, expat, and refused unless it is well-formed
 * and every such element is whole. */
struct xml_check {
    XML_Parser parser;
    const char *missing; /* the first element found incomplete */
};

static bool
has_attr(const XML_Char **attr, const char *name)
{
    for (int i = 0; attr[i]; i += 2)
        if (!strcmp(attr[i], name))
            return true;
    return false;
}

static void XMLCALL
check_element(void *user, const XML_Char *name, const XML_Char **attr)
{
    struct xml_check *c = user;
    if (c->missing)
        return;
    if (!strcmp(name, "tag") && (!has_attr(attr, "k") || !has_attr(attr, "v")))
        c->missing = "a <tag> without k or v";
    else if (!strcmp(name, "member") && !has_attr(attr, "role"))
        c->missing = "a <member> without role";
    if (c->missing)
        XML_StopParser(c->parser, XML_FALSE);
}

static enum osm_import_status
xml_check(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        log_warn("could not open OpenStreetMap file \"%s\": %s", path, strerror(errno));
        return OSM_IMPORT_ERR_OPEN;
    }
    struct xml_check c = {XML_ParserCreate(NULL), NULL};
    if (!c.parser)
        abort(); /* out of memory */
    XML_SetUserData(c.parser, &c);
    XML_SetStartElementHandler(c.parser, check_element);
    enum osm_import_status st = OSM_IMPORT_OK;
    char buf[65536];
    bool done = false;
    while (!done && st == OSM_IMPORT_OK) {
        size_t n = fread(buf, 1, sizeof buf, f);
        done = n < sizeof buf;
        if (ferror(f)) {
            log_warn("could not read OpenStreetMap file \"%s\": %s", path, strerror(errno));
            st = OSM_IMPORT_ERR_OPEN;
        } else if (XML_Parse(c.parser, buf, (int)n, done) != XML_STATUS_OK) {
            log_warn("could not read OpenStreetMap file \"%s\": line %lu: %s", path,
                     (unsigned long)XML_GetCurrentLineNumber(c.parser),
                     c.missing ? c.missing : XML_ErrorString(XML_GetErrorCode(c.parser)));
            st = OSM_IMPORT_ERR_PARSE;
        }
    }
    XML_ParserFree(c.parser);
    fclose(f);
    return st;
}

/* As libreadosm tells XML from PBF: by the name. */
static bool
is_xml(const char *path)
{
    size_t len = strlen(path);
    return len > 4 && !strcasecmp(path + len - 4, ".osm");
}

/* One pass over the file with the given callbacks. */
static enum osm_import_status
parse(const char *path, struct import *im, readosm_node_callback nodes, readosm_way_callback ways)
{
    const void *h = NULL;
    int rc = readosm_open(path, &h);
    enum osm_import_status st = OSM_IMPORT_OK;
    if (rc != READOSM_OK) {
        log_warn("could not open OpenStreetMap file \"%s\": %s", path, readosm_error(rc));
        st = OSM_IMPORT_ERR_OPEN;
        goto out;
    }
    rc = readosm_parse(h, im, nodes, ways, NULL);
    if (rc != READOSM_OK) {
        log_warn("could not read OpenStreetMap file \"%s\": %s (%d)", path, readosm_error(rc), rc);
        st = OSM_IMPORT_ERR_PARSE;
    }
out:
    if (h)
        readosm_close(h);
    return st;
}

/* Every stretch between two consecutive way nodes becomes a segment;
 * stretches touching a node missing from the file (clipped) or a barrier
 * are left out. */
static void
make_segments(struct import *im, struct graph_roads *roads)
{
    uint32_t *node_of = xmalloc((im->nids + 1) * sizeof *node_of);
    for (size_t i = 0; i < im->nids; i++)
        node_of[i] =
            im->have[i] == 1 ? graph_roads_add_node(roads, im->lat[i], im->lon[i]) : UINT32_MAX;
    for (size_t w = 0; w < im->nways; w++) {
        const struct way_rec *wr = &im->ways[w];
        for (uint32_t k = 0; k + 1 < wr->count; k++) {
            size_t a = find_id(im, im->refs[wr->first + k]);
            size_t b = find_id(im, im->refs[wr->first + k + 1]);
            if (node_of[a] == UINT32_MAX || node_of[b] == UINT32_MAX) {
                /* a barrier node is left out so that no car passes it */
                if (!im->have[a] || !im->have[b])
                    im->rep->refs_missing++;
                continue;
            }
            if (a == b)
                continue;
            struct geo_point pa = {im->lat[a], im->lon[a]}, pb = {im->lat[b], im->lon[b]};
            double m = geo_haversine_m(pa, pb);
            double secs = m / (wr->kmh / 3.6);
            graph_roads_add_segment(roads, node_of[a], node_of[b], wr->flags,
                                    (uint32_t)lround(m * 10.0), (uint32_t)lround(secs * 10.0));
        }
    }
    free(node_of);
}

static double
elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

enum osm_import_status
osm_import_roads(const char *path, struct graph_roads *roads, struct osm_import_report *report)
{
    struct import im;
    struct osm_import_report rep;
    struct timespec t0;
    memset(&im, 0, sizeof im);
    memset(&rep, 0, sizeof rep);
    im.rep = &rep;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum osm_import_status st = is_xml(path) ? xml_check(path) : OSM_IMPORT_OK;
    if (st != OSM_IMPORT_OK)
        goto out;
    st = parse(path, &im, NULL, on_way);
    if (st != OSM_IMPORT_OK)
        goto out;
    collect_ids(&im);
    st = parse(path, &im, on_node, NULL);
    if (st != OSM_IMPORT_OK)
        goto out;
    make_segments(&im, roads);
    if (roads->nseg == 0)
        st = OSM_IMPORT_ERR_EMPTY;
out:
    rep.read_seconds = elapsed(&t0);
    free(im.refs);
    free(im.ways);
    free(im.ids);
    free(im.lat);
    free(im.lon);
    free(im.have);
    if (report)
        *report = rep;
    return st;
}

enum osm_import_status
osm_import_graph(const char *path, struct graph **out, struct osm_import_report *report)
{
    struct graph_roads roads;
    struct osm_import_report rep;
    struct timespec t0;
    graph_roads_init(&roads);
    enum osm_import_status st = osm_import_roads(path, &roads, &rep);
    if (st != OSM_IMPORT_OK)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (graph_build(&roads, out, &rep.build) != GRAPH_OK)
        st = OSM_IMPORT_ERR_EMPTY;
    rep.build_seconds = elapsed(&t0);
out:
    graph_roads_clear(&roads);
    if (report)
        *report = rep;
    return st;
}
