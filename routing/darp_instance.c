/* Parser of the Cordeau/Ropke dial-a-ride benchmark format (see
 * ../shared/bench/darp/README.md): header "K F T Q L", then "id x y d q e l". */
#include "routing/darp_instance.h"

#include "common/numparse.h"
#include "common/slurp.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 8
#define MAX_NODES  100000

/* One non-empty line split into numbers. */
struct line {
    int lineno;
    int nf;
    double f[MAX_FIELDS];
};

/* Splits the line [s, end) into at most MAX_FIELDS numbers; false with a
 * message on a token that is not a number or too many tokens. */
static bool
split_line(const char *s, const char *end, int lineno, struct line *out, char *err, size_t errlen)
{
    out->lineno = lineno;
    out->nf = 0;
    while (s < end) {
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (s == end)
            break;
        const char *t = s;
        while (s < end && !isspace((unsigned char)*s))
            s++;
        char tok[64];
        size_t len = (size_t)(s - t);
        if (out->nf == MAX_FIELDS) {
            snprintf(err, errlen, "line %d: too many fields", lineno);
            return false;
        }
        if (len >= sizeof(tok)) {
            snprintf(err, errlen, "line %d: field %d is too long", lineno, out->nf + 1);
            return false;
        }
        memcpy(tok, t, len);
        tok[len] = '\0';
        if (!parse_double(tok, -1e9, 1e9, &out->f[out->nf])) {
            snprintf(err, errlen, "line %d: field %d \"%s\" is not a number", lineno, out->nf + 1,
                     tok);
            return false;
        }
        out->nf++;
    }
    return true;
}

/* All non-empty lines of text; caller frees *lines. */
static bool
split_text(const char *text, struct line **lines, int *nlines, char *err, size_t errlen)
{
    int cap = 64, n = 0, lineno = 0;
    struct line *v = xcalloc((size_t)cap, sizeof(*v));
    const char *s = text;
    bool ok = true;
    while (*s) {
        const char *e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        lineno++;
        if (n == cap) {
            cap *= 2;
            v = xreallocarray(v, (size_t)cap, sizeof(*v));
        }
        if (!split_line(s, e, lineno, &v[n], err, errlen)) {
            ok = false;
            break;
        }
        if (v[n].nf > 0)
            n++;
        if (n > MAX_NODES) {
            snprintf(err, errlen, "line %d: too many lines", lineno);
            ok = false;
            break;
        }
        s = *e ? e + 1 : e;
    }
    if (!ok) {
        free(v);
        v = NULL;
        n = 0;
    }
    *lines = v;
    *nlines = n;
    return ok;
}

static bool
is_int(double v)
{
    return v == floor(v);
}

/* Header "K F T Q L"; decides the family from the node-line count. */
static bool
read_header(const struct line *h, int nodelines, struct darp_instance *inst, char *err,
            size_t errlen)
{
    if (h->nf != 5) {
        snprintf(err, errlen, "line %d: header needs 5 fields (K F T Q L), found %d", h->lineno,
                 h->nf);
        return false;
    }
    double K = h->f[0], F = h->f[1];
    if (!is_int(K) || K < 1 || K > 10000 || !is_int(F) || F < 1 || F > MAX_NODES ||
        !is_int(h->f[3]) || h->f[3] < 0 || h->f[3] > 1e6 || h->f[2] < 0 || h->f[4] < 0) {
        snprintf(err, errlen, "line %d: header values out of range", h->lineno);
        return false;
    }
    inst->vehicles = (int)K;
    inst->max_duration = h->f[2];
    inst->capacity = (int)h->f[3];
    inst->max_ride = h->f[4];
    if (nodelines == 2 * (int)F + 2) {
        inst->requests = (int)F;
        inst->has_end_depot = true;
    } else if (nodelines == (int)F + 1 && (int)F % 2 == 0) {
        inst->requests = (int)F / 2;
        inst->has_end_depot = false;
    } else {
        snprintf(err, errlen,
                 "line %d: header says F = %d but the file has %d node lines "
                 "(expected %d with an end depot or %d without)",
                 h->lineno, (int)F, nodelines, 2 * (int)F + 2, (int)F + 1);
        return false;
    }
    return true;
}

static bool
read_node(const struct line *ln, int id, struct darp_instance *inst, char *err, size_t errlen)
{
    if (ln->nf != 7) {
        snprintf(err, errlen, "line %d: node needs 7 fields (id x y d q e l), found %d", ln->lineno,
                 ln->nf);
        return false;
    }
    if (ln->f[0] != id) {
        snprintf(err, errlen, "line %d: node id %g, expected %d", ln->lineno, ln->f[0], id);
        return false;
    }
    if (!is_int(ln->f[4]) || ln->f[3] < 0 || ln->f[5] > ln->f[6]) {
        snprintf(err, errlen, "line %d: bad load, service time or time window", ln->lineno);
        return false;
    }
    struct darp_node *nd = &inst->model->nodes[id];
    inst->x[id] = ln->f[1];
    inst->y[id] = ln->f[2];
    nd->service = ln->f[3];
    nd->load[0] = (int)ln->f[4];
    nd->e = ln->f[5];
    nd->l = ln->f[6];
    return true;
}

/* Loads must be +q at pickup i and -q at dropoff n+i, 0 at depots. */
static bool
check_requests(struct darp_instance *inst, const struct line *lines, char *err, size_t errlen)
{
    struct darp_model *m = inst->model;
    int n = inst->requests;
    for (int i = 1; i <= n; i++) {
        const struct darp_node *p = &m->nodes[i], *d = &m->nodes[n + i];
        if (p->load[0] <= 0 || d->load[0] != -p->load[0] || p->load[0] > inst->capacity) {
            snprintf(err, errlen, "line %d: dropoff load %d does not match pickup load %d",
                     lines[n + i + 1].lineno, d->load[0], p->load[0]);
            return false;
        }
    }
    if (m->nodes[0].load[0] != 0 || m->nodes[2 * n + 1].load[0] != 0) {
        snprintf(err, errlen, "line %d: depot load must be 0", lines[1].lineno);
        return false;
    }
    return true;
}

static void
fill_model(struct darp_instance *inst)
{
    struct darp_model *m = inst->model;
    int n = inst->requests, nn = m->n_nodes;
    for (int r = 0; r < n; r++) {
        m->requests[r] = (struct darp_request){1 + r, 1 + n + r, inst->max_ride};
        m->nodes[1 + r].request = m->nodes[1 + n + r].request = r;
    }
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < nn; j++) {
            double d = hypot(inst->x[i] - inst->x[j], inst->y[i] - inst->y[j]);
            m->time[(size_t)i * (size_t)nn + (size_t)j] = d;
            m->cost[(size_t)i * (size_t)nn + (size_t)j] = d;
        }
    for (int v = 0; v < inst->vehicles; v++) {
        struct darp_vehicle *veh = &m->vehicles[v];
        veh->start = 0;
        veh->end = 2 * n + 1;
        veh->capacity[0] = inst->capacity;
        veh->shift_start = -INFINITY;
        veh->shift_end = INFINITY;
        veh->max_duration = inst->max_duration;
    }
}

static const char *
base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool
darp_instance_parse(const char *text, const char *name, struct darp_instance **out, char *err,
                    size_t errlen)
{
    struct line *lines = NULL;
    int nlines = 0;
    bool ok = false;
    struct darp_instance *inst = xcalloc(1, sizeof(*inst));
    inst->name = xstrdup(base_name(name));
    *out = NULL;
    if (!split_text(text, &lines, &nlines, err, errlen))
        goto out;
    if (nlines == 0) {
        snprintf(err, errlen, "line 1: empty file, expected header \"K F T Q L\"");
        goto out;
    }
    if (!read_header(&lines[0], nlines - 1, inst, err, errlen))
        goto out;
    int nn = 2 * inst->requests + 2;
    inst->model = darp_model_create(nn, inst->requests, inst->vehicles, 1);
    inst->x = xcalloc((size_t)nn, sizeof(double));
    inst->y = xcalloc((size_t)nn, sizeof(double));
    for (int id = 0; id < nlines - 1; id++)
        if (!read_node(&lines[id + 1], id, inst, err, errlen))
            goto out;
    if (!inst->has_end_depot) { /* pr files: the end depot is a copy of node 0 */
        inst->model->nodes[nn - 1] = inst->model->nodes[0];
        inst->x[nn - 1] = inst->x[0];
        inst->y[nn - 1] = inst->y[0];
    }
    if (!check_requests(inst, lines, err, errlen))
        goto out;
    fill_model(inst);
    ok = true;
out:
    free(lines);
    if (ok)
        *out = inst;
    else
        darp_instance_free(inst);
    return ok;
}

bool
darp_instance_load(const char *path, struct darp_instance **out, char *err, size_t errlen)
{
    bool ok = false;
    char *buf = NULL;
    size_t len;
    *out = NULL;
    switch (slurp_file(path, 64u << 20, &buf, &len)) {
    case SLURP_OK:
        break;
    case SLURP_OPEN:
        snprintf(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
        goto out;
    case SLURP_READ:
        snprintf(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
        goto out;
    case SLURP_TOO_LARGE:
        snprintf(err, errlen, "cannot read \"%s\": file too large", path);
        goto out;
    }
    if (memchr(buf, '\0', len)) {
        snprintf(err, errlen, "cannot parse \"%s\": binary data", path);
        goto out;
    }
    ok = darp_instance_parse(buf, path, out, err, errlen);
out:
    free(buf);
    return ok;
}

void
darp_instance_free(struct darp_instance *inst)
{
    if (!inst)
        return;
    free(inst->name);
    free(inst->x);
    free(inst->y);
    darp_model_free(inst->model);
    free(inst);
}
