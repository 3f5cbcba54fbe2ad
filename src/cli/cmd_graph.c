/* ritmo graph build|route|info: the operator's tools for road graphs. The
 * report goes to standard output; problems to standard error. */
#include "cli/cmd_graph.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"
#include "common/xalloc.h"
#include "routing/distance.h"
#include "routing/graph.h"
#include "routing/osm_import.h"

static const char usage[] =
    "usage: ritmo graph build --osm FILE.osm.pbf [--out FILE.graph]\n"
    "       ritmo graph route --graph FILE.graph --from LAT,LON --to LAT,LON\n"
    "                         [--snap-limit METRES] [--geojson]\n"
    "       ritmo graph info --graph FILE.graph\n"
    "Map data (c) OpenStreetMap contributors, ODbL.\n";

struct opts {
    const char *osm, *out, *graph, *from, *to, *snap;
    bool geojson;
};

static bool
parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--geojson")) {
            o->geojson = true;
            continue;
        }
        const char **slot = !strcmp(opt, "--osm")          ? &o->osm
                            : !strcmp(opt, "--out")        ? &o->out
                            : !strcmp(opt, "--graph")      ? &o->graph
                            : !strcmp(opt, "--from")       ? &o->from
                            : !strcmp(opt, "--to")         ? &o->to
                            : !strcmp(opt, "--snap-limit") ? &o->snap
                                                           : NULL;
        if (!slot) {
            fprintf(stderr, "ritmo: unknown option \"%s\"\n%s", opt, usage);
            return false;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "ritmo: option \"%s\" needs a value\n", opt);
            return false;
        }
        *slot = argv[++i];
    }
    return true;
}

/* FILE.osm.pbf -> FILE.graph (also for .osm and .pbf). */
static char *
default_out(const char *osm)
{
    static const char *const suffixes[] = {".osm.pbf", ".osm", ".pbf"};
    size_t len = strlen(osm);
    for (size_t i = 0; i < 3; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > sl && !strcmp(osm + len - sl, suffixes[i])) {
            len -= sl;
            break;
        }
    }
    return xasprintf("%.*s.graph", (int)len, osm);
}

static void
print_report(const struct osm_import_report *r, const struct graph *g, const char *out)
{
    const struct graph_build_report *b = &r->build;
    printf("read: %llu ways (%llu usable by car), %llu nodes in %.2f s\n",
           (unsigned long long)r->ways_read, (unsigned long long)r->ways_kept,
           (unsigned long long)r->nodes_read, r->read_seconds);
    if (r->refs_missing)
        printf("skipped: %llu road stretches whose nodes are missing (clipped extract)\n",
               (unsigned long long)r->refs_missing);
    if (r->barriers)
        printf("blocked: %llu barrier nodes (bollards and the like) a car cannot pass\n",
               (unsigned long long)r->barriers);
    printf("kept the largest strongly connected component: %u of %u nodes, %u of %u "
           "segments (dropped %u nodes, %u segments in %u smaller components)\n",
           b->nodes_kept, b->nodes_in, b->segs_kept, b->segs_in, b->nodes_in - b->nodes_kept,
           b->segs_in - b->segs_kept, b->components ? b->components - 1 : 0);
    printf("built: %u arcs, contraction hierarchies in %.2f s, total build %.2f s\n",
           graph_arc_count(g), b->ch_seconds, r->build_seconds);
    printf("wrote: %s (%zu bytes)\n", out, graph_size_bytes(g));
}

static int
graph_build_cmd(const struct opts *o)
{
    int rc = 1;
    struct graph *g = NULL;
    struct osm_import_report rep;
    if (!o->osm) {
        fprintf(stderr, "ritmo: --osm is required\n%s", usage);
        return 2;
    }
    char *out = o->out ? xstrdup(o->out) : default_out(o->osm);
    enum osm_import_status st = osm_import_graph(o->osm, &g, &rep);
    if (st != OSM_IMPORT_OK) {
        fprintf(stderr, "ritmo: cannot import \"%s\": %s\n", o->osm, osm_import_status_str(st));
        goto out;
    }
    if (graph_save(g, out) != GRAPH_OK) {
        fprintf(stderr, "ritmo: could not write \"%s\"\n", out);
        goto out;
    }
    print_report(&rep, g, out);
    rc = 0;
out:
    graph_free(g);
    free(out);
    return rc;
}

static void
print_geojson(const struct geo_point *pts, size_t n, const struct dist_result *r)
{
    printf("{\"type\":\"Feature\",\"properties\":{\"distance_m\":%.1f,\"duration_s\":%.1f,"
           "\"attribution\":\"\\u00a9 OpenStreetMap contributors\"},"
           "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[",
           r->metres, r->seconds);
    for (size_t i = 0; i < n; i++)
        printf("%s[%.7f,%.7f]", i ? "," : "", pts[i].lon, pts[i].lat);
    printf("]}}\n");
}

static int
graph_route_cmd(const struct opts *o)
{
    int rc = 1;
    struct dist_options dopt;
    struct dist_provider *p = NULL;
    struct geo_point from, to, *pts = NULL;
    size_t n = 0;
    struct dist_result r;
    dist_options_init(&dopt);
    if (!o->graph || !o->from || !o->to) {
        fprintf(stderr, "ritmo: --graph, --from and --to are required\n%s", usage);
        return 2;
    }
    if (!geo_point_parse(o->from, &from) || !geo_point_parse(o->to, &to)) {
        fprintf(stderr, "ritmo: points are written LAT,LON in decimal degrees\n");
        return 2;
    }
    if (o->snap && !parse_double(o->snap, 1, 100000, &dopt.snap_limit_m)) {
        fprintf(stderr, "ritmo: invalid --snap-limit \"%s\"\n", o->snap);
        return 2;
    }
    char *spec = xasprintf("graph:%s", o->graph);
    if (dist_provider_create(spec, &dopt, &p) != DIST_OK)
        goto out;
    enum dist_status st = dist_path(p, from, to, &pts, &n, &r);
    if (st != DIST_OK) {
        fprintf(stderr, "ritmo: no route: %s\n", dist_status_code(st));
        goto out;
    }
    if (o->geojson) {
        print_geojson(pts, n, &r);
    } else {
        printf("distance: %.3f km (shortest)\ntime: %.1f min (fastest)\n", r.metres / 1000.0,
               r.seconds / 60.0);
        printf("snapped: from %.1f m, to %.1f m off the road\n", r.snap_from_m, r.snap_to_m);
        printf("path: %zu points\n", n);
    }
    rc = 0;
out:
    free(pts);
    free(spec);
    dist_provider_free(p);
    return rc;
}

static int
graph_info_cmd(const struct opts *o)
{
    struct graph *g = NULL;
    if (!o->graph) {
        fprintf(stderr, "ritmo: --graph is required\n%s", usage);
        return 2;
    }
    enum graph_status st = graph_load(o->graph, &g);
    if (st != GRAPH_OK) {
        fprintf(stderr, "ritmo: cannot use \"%s\": %s\n", o->graph, graph_status_str(st));
        return 1;
    }
    struct geo_point lo, hi;
    graph_bbox(g, &lo, &hi);
    printf("nodes: %u\narcs: %u\nsegments: %u\nbytes: %zu\n", graph_node_count(g),
           graph_arc_count(g), graph_segment_count(g), graph_size_bytes(g));
    printf("bbox: %.7f,%.7f %.7f,%.7f (lat,lon)\n", lo.lat, lo.lon, hi.lat, hi.lon);
    graph_free(g);
    return 0;
}

int
cmd_graph(int argc, char **argv)
{
    struct opts o;
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (!parse_opts(argc, argv, &o))
        return 2;
    if (!strcmp(argv[1], "build"))
        return graph_build_cmd(&o);
    if (!strcmp(argv[1], "route"))
        return graph_route_cmd(&o);
    if (!strcmp(argv[1], "info"))
        return graph_info_cmd(&o);
    fprintf(stderr, "ritmo: unknown graph command \"%s\"\n%s", argv[1], usage);
    return 2;
}
