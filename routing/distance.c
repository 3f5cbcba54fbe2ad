/* The distance provider: one interface over the haversine estimate, the
 * built-in graph router and an OSRM service with haversine fallback. */
#include "routing/distance.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "routing/graph.h"
#include "routing/graph_query.h"
#include "routing/osrm.h"

enum kind { KIND_HAVERSINE, KIND_GRAPH, KIND_OSRM };

static const char *const kind_names[] = {"haversine", "graph", "osrm"};

struct dist_provider {
    enum kind kind;
    struct dist_options opt;
    struct graph *graph;
    struct osrm_client *osrm;
    char *target; /* graph path or OSRM URL, for messages */
    atomic_uint_fast64_t queries, cache_hits, fallbacks;
};

const char *
dist_status_code(enum dist_status st)
{
    switch (st) {
    case DIST_OK:
        return "ok";
    case DIST_ERR_INVALID_POINT:
        return "invalid_point";
    case DIST_ERR_OUTSIDE_AREA:
        return "outside_service_area";
    case DIST_ERR_UNREACHABLE:
        return "unreachable";
    case DIST_ERR_CONFIG:
        return "invalid_routing_config";
    case DIST_ERR_UNAVAILABLE:
        return "routing_unavailable";
    }
    return "unknown";
}

void
dist_options_init(struct dist_options *o)
{
    o->detour_factor = 1.3;
    o->near_kmh = 25.0;
    o->near_m = 5000.0;
    o->far_kmh = 60.0;
    o->snap_limit_m = 500.0;
    o->osrm_timeout_ms = 2000;
    o->cache_size = 4096;
}

static bool
options_valid(const struct dist_options *o)
{
    return isfinite(o->detour_factor) && o->detour_factor >= 1.0 && o->detour_factor <= 5.0 &&
           o->near_kmh > 0 && o->far_kmh > 0 && o->near_m >= 0 && o->snap_limit_m > 0 &&
           o->osrm_timeout_ms > 0;
}

enum dist_status
dist_provider_create(const char *spec, const struct dist_options *opts, struct dist_provider **out)
{
    enum dist_status st = DIST_ERR_CONFIG;
    struct dist_provider *p = xcalloc(1, sizeof *p);
    if (opts)
        p->opt = *opts;
    else
        dist_options_init(&p->opt);
    if (!options_valid(&p->opt)) {
        log_error("cannot create distance provider: invalid options");
        goto out;
    }
    if (!spec || !*spec || strcmp(spec, "haversine") == 0) {
        p->kind = KIND_HAVERSINE;
    } else if (strncmp(spec, "graph:", 6) == 0 && spec[6]) {
        p->kind = KIND_GRAPH;
        p->target = xstrdup(spec + 6);
        if (graph_load(p->target, &p->graph) != GRAPH_OK) {
            st = DIST_ERR_UNAVAILABLE;
            goto out;
        }
    } else if (strncmp(spec, "osrm:", 5) == 0 &&
               (strncmp(spec + 5, "http://", 7) == 0 || strncmp(spec + 5, "https://", 8) == 0)) {
        p->kind = KIND_OSRM;
        p->target = xstrdup(spec + 5);
        p->osrm = osrm_client_create(p->target, p->opt.osrm_timeout_ms, p->opt.cache_size);
    } else {
        log_error("cannot use routing provider \"%s\": expected haversine, graph:FILE or "
                  "osrm:http://HOST:PORT",
                  spec);
        goto out;
    }
    *out = p;
    p = NULL;
    st = DIST_OK;
out:
    dist_provider_free(p);
    return st;
}

void
dist_provider_free(struct dist_provider *p)
{
    if (!p)
        return;
    graph_free(p->graph);
    osrm_client_free(p->osrm);
    free(p->target);
    free(p);
}

bool
dist_symmetric(const struct dist_provider *p)
{
    return p->kind == KIND_HAVERSINE;
}

const char *
dist_provider_kind(const struct dist_provider *p)
{
    return kind_names[p->kind];
}

void
dist_provider_stats(const struct dist_provider *p, struct dist_stats *out)
{
    out->queries = atomic_load(&((struct dist_provider *)p)->queries);
    out->cache_hits = atomic_load(&((struct dist_provider *)p)->cache_hits);
    out->fallbacks = atomic_load(&((struct dist_provider *)p)->fallbacks);
}

/* Straight line times the detour factor, driven at the near speed for the
 * first near_m (town streets) and the far speed after that. */
/* Road metres and seconds from straight-line metres: times the detour
 * factor, driven at the near speed for the first near_m (town streets) and
 * the far speed after that. */
static void
estimate(const struct dist_options *o, double straight_m, double *metres, double *seconds)
{
    double m = straight_m * o->detour_factor;
    double near = m < o->near_m ? m : o->near_m;
    *metres = m;
    *seconds = near / (o->near_kmh / 3.6) + (m - near) / (o->far_kmh / 3.6);
}

static void
haversine(const struct dist_options *o, struct geo_point a, struct geo_point b, double *metres,
          double *seconds)
{
    estimate(o, geo_haversine_m(a, b), metres, seconds);
}

static void
result_init(struct dist_result *r, enum kind k)
{
    memset(r, 0, sizeof *r);
    r->provider = kind_names[k];
}

/* Snap both points; the status says which failed. */
static enum dist_status
snap_pair(const struct dist_provider *p, struct geo_point from, struct geo_point to,
          struct graph_snap *sf, struct graph_snap *st)
{
    if (!graph_snap(p->graph, from, p->opt.snap_limit_m, sf) ||
        !graph_snap(p->graph, to, p->opt.snap_limit_m, st))
        return DIST_ERR_OUTSIDE_AREA;
    return DIST_OK;
}

static enum dist_status
graph_route_pair(struct dist_provider *p, struct geo_point from, struct geo_point to,
                 struct dist_result *out)
{
    struct graph_snap sf, st;
    enum dist_status s = snap_pair(p, from, to, &sf, &st);
    if (s != DIST_OK)
        return s;
    uint32_t dm = graph_route(p->graph, &sf, &st, GRAPH_METRIC_DIST, GRAPH_ALGO_CH);
    uint32_t ds = graph_route(p->graph, &sf, &st, GRAPH_METRIC_TIME, GRAPH_ALGO_CH);
    if (dm == GRAPH_INF || ds == GRAPH_INF)
        return DIST_ERR_UNREACHABLE;
    out->metres = dm / 10.0;
    out->seconds = ds / 10.0;
    out->snap_from_m = sf.dist_m;
    out->snap_to_m = st.dist_m;
    return DIST_OK;
}

static void
fallback_warn(struct dist_provider *p, const char *what)
{
    atomic_fetch_add(&p->fallbacks, 1);
    log_warn("could not get %s from routing service \"%s\": using haversine estimate", what,
             p->target);
}

static enum dist_status
osrm_route_pair(struct dist_provider *p, struct geo_point from, struct geo_point to,
                struct dist_result *out)
{
    int cached = 0;
    enum osrm_status s = osrm_route(p->osrm, from, to, &out->metres, &out->seconds, &cached);
    if (cached)
        atomic_fetch_add(&p->cache_hits, 1);
    switch (s) {
    case OSRM_OK:
        return DIST_OK;
    case OSRM_ERR_NO_ROUTE:
        return DIST_ERR_UNREACHABLE;
    case OSRM_ERR_NO_SEGMENT:
        return DIST_ERR_OUTSIDE_AREA;
    case OSRM_ERR_TRANSPORT:
    case OSRM_ERR_PROTOCOL:
        break;
    }
    fallback_warn(p, "a route");
    haversine(&p->opt, from, to, &out->metres, &out->seconds);
    out->provider = kind_names[KIND_HAVERSINE];
    return DIST_OK;
}

enum dist_status
dist_route(struct dist_provider *p, struct geo_point from, struct geo_point to,
           struct dist_result *out)
{
    atomic_fetch_add(&p->queries, 1);
    if (!geo_point_valid(from) || !geo_point_valid(to))
        return DIST_ERR_INVALID_POINT;
    struct dist_result r;
    enum dist_status st = DIST_OK;
    result_init(&r, p->kind);
    switch (p->kind) {
    case KIND_HAVERSINE:
        haversine(&p->opt, from, to, &r.metres, &r.seconds);
        break;
    case KIND_GRAPH:
        st = graph_route_pair(p, from, to, &r);
        break;
    case KIND_OSRM:
        st = osrm_route_pair(p, from, to, &r);
        break;
    }
    if (st == DIST_OK)
        *out = r;
    return st;
}

/* Validate (and for the graph, snap) every point of one side. */
static enum dist_status
check_points(const struct dist_provider *p, const struct geo_point *pts, size_t n,
             struct graph_snap *snaps, size_t *bad)
{
    for (size_t i = 0; i < n; i++) {
        *bad = i;
        if (!geo_point_valid(pts[i]))
            return DIST_ERR_INVALID_POINT;
        if (snaps && !graph_snap(p->graph, pts[i], p->opt.snap_limit_m, &snaps[i]))
            return DIST_ERR_OUTSIDE_AREA;
    }
    return DIST_OK;
}

/* Half-angle sines and cosines of a point, so that a matrix needs no
 * trigonometry per pair: sin((b - a) / 2) = sin(b/2)cos(a/2) - cos(b/2)sin(a/2). */
struct half_angles {
    double slat, clat, slon, clon, coslat;
};

static struct half_angles *
half_angles_dup(const struct geo_point *p, size_t n)
{
    const double rad = M_PI / 180.0;
    struct half_angles *h = xcalloc(n ? n : 1, sizeof *h);
    for (size_t i = 0; i < n; i++) {
        h[i].slat = sin(p[i].lat * rad / 2.0);
        h[i].clat = cos(p[i].lat * rad / 2.0);
        h[i].slon = sin(p[i].lon * rad / 2.0);
        h[i].clon = cos(p[i].lon * rad / 2.0);
        h[i].coslat = cos(p[i].lat * rad);
    }
    return h;
}

/* The haversine formula of geo_haversine_m over every pair, with the
 * trigonometry done once per point (a day's matrix has millions of pairs). */
static void
matrix_haversine(const struct dist_options *o, const struct geo_point *from, size_t nfrom,
                 const struct geo_point *to, size_t nto, double *metres, double *seconds)
{
    struct half_angles *a = half_angles_dup(from, nfrom), *b = half_angles_dup(to, nto);
    for (size_t i = 0; i < nfrom; i++) {
        for (size_t j = 0; j < nto; j++) {
            double s1 = b[j].slat * a[i].clat - b[j].clat * a[i].slat;
            double s2 = b[j].slon * a[i].clon - b[j].clon * a[i].slon;
            double h = s1 * s1 + a[i].coslat * b[j].coslat * s2 * s2;
            double straight = 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(h > 1.0 ? 1.0 : h));
            estimate(o, straight, &metres[i * nto + j], &seconds[i * nto + j]);
        }
    }
    free(a);
    free(b);
}

/* One graph matrix per requested metric; a NULL output is skipped. */
static void
matrix_graph(const struct dist_provider *p, const struct graph_snap *sf, size_t nfrom,
             const struct graph_snap *st, size_t nto, double *metres, double *seconds)
{
    size_t cells = nfrom * nto;
    uint32_t *w = xmalloc((cells + 1) * sizeof *w);
    double *out[GRAPH_METRICS] = {metres, seconds};
    for (int k = 0; k < GRAPH_METRICS; k++) {
        if (!out[k])
            continue;
        graph_matrix(p->graph, sf, nfrom, st, nto, k, GRAPH_ALGO_CH, w);
        for (size_t i = 0; i < cells; i++)
            out[k][i] = w[i] == GRAPH_INF ? INFINITY : w[i] / 10.0;
    }
    free(w);
}

enum dist_status
dist_matrix(struct dist_provider *p, const struct geo_point *from, size_t nfrom,
            const struct geo_point *to, size_t nto, double *metres, double *seconds,
            struct dist_matrix_info *info)
{
    struct dist_matrix_info local;
    struct graph_snap *sf = NULL, *st = NULL;
    double *tmp = NULL;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    info->provider = kind_names[p->kind];
    atomic_fetch_add(&p->queries, 1);
    if (p->kind == KIND_GRAPH) {
        sf = xmalloc((nfrom + 1) * sizeof *sf);
        st = xmalloc((nto + 1) * sizeof *st);
    }
    info->bad_is_from = true;
    enum dist_status s = check_points(p, from, nfrom, sf, &info->bad_index);
    if (s != DIST_OK)
        goto out;
    info->bad_is_from = false;
    s = check_points(p, to, nto, st, &info->bad_index);
    if (s != DIST_OK)
        goto out;
    info->bad_index = 0;
    /* haversine and OSRM give both metrics at once: a scratch array takes
     * the one the caller did not ask for */
    if (p->kind != KIND_GRAPH && (!metres || !seconds)) {
        tmp = xmalloc((nfrom * nto + 1) * sizeof *tmp);
        if (!metres)
            metres = tmp;
        else
            seconds = tmp;
    }
    if (p->kind == KIND_GRAPH) {
        matrix_graph(p, sf, nfrom, st, nto, metres, seconds);
    } else if (p->kind == KIND_OSRM) {
        enum osrm_status os = osrm_table(p->osrm, from, nfrom, to, nto, metres, seconds);
        if (os == OSRM_ERR_NO_SEGMENT) {
            s = DIST_ERR_OUTSIDE_AREA;
        } else if (os == OSRM_ERR_NO_ROUTE) {
            for (size_t i = 0; i < nfrom * nto; i++)
                metres[i] = seconds[i] = INFINITY;
        } else if (os != OSRM_OK) {
            fallback_warn(p, "a table");
            matrix_haversine(&p->opt, from, nfrom, to, nto, metres, seconds);
            info->provider = kind_names[KIND_HAVERSINE];
        }
    } else {
        matrix_haversine(&p->opt, from, nfrom, to, nto, metres, seconds);
    }
out:
    free(tmp);
    free(sf);
    free(st);
    return s;
}

enum dist_status
dist_pairs(struct dist_provider *p, const struct geo_point *from, const struct geo_point *to,
           size_t n, double *metres, double *seconds)
{
    for (size_t i = 0; i < n; i++) {
        struct dist_result r;
        enum dist_status st = dist_route(p, from[i], to[i], &r);
        if (st == DIST_ERR_UNREACHABLE)
            r.metres = r.seconds = INFINITY;
        else if (st != DIST_OK)
            return st;
        metres[i] = r.metres;
        seconds[i] = r.seconds;
    }
    return DIST_OK;
}

enum dist_status
dist_path(struct dist_provider *p, struct geo_point from, struct geo_point to,
          struct geo_point **points, size_t *npoints, struct dist_result *out)
{
    enum dist_status st = dist_route(p, from, to, out);
    if (st != DIST_OK)
        return st;
    if (p->kind == KIND_GRAPH) {
        struct graph_snap sf, sn;
        uint32_t w;
        if (snap_pair(p, from, to, &sf, &sn) != DIST_OK)
            return DIST_ERR_OUTSIDE_AREA;
        if (!graph_path(p->graph, &sf, &sn, GRAPH_METRIC_DIST, points, npoints, &w))
            return DIST_ERR_UNREACHABLE;
        return DIST_OK;
    }
    *points = xmalloc(2 * sizeof **points);
    (*points)[0] = from;
    (*points)[1] = to;
    *npoints = 2;
    return DIST_OK;
}
