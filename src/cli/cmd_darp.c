/* `ritmo darp FILE [--seed N] [--time-limit S] [--iterations N] [--cpu-time]
 * [--json]`: solves a benchmark instance, re-checks it, compares with bks.csv. */
#include "cli/cmd_darp.h"

#include "routing/darp_instance.h"
#include "routing/darp_solve.h"

#include "common/log.h"
#include "common/numparse.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct darp_args {
    const char *file;
    struct darp_solve_params params;
    bool json;
};

static void
usage(void)
{
    fprintf(stderr, "usage: ritmo darp FILE [--seed N] [--time-limit SECONDS] "
                    "[--iterations N] [--cpu-time] [--json] [--verbose]\n");
}

static bool
parse_args(int argc, char **argv, struct darp_args *a)
{
    memset(a, 0, sizeof(*a));
    darp_solve_params_init(&a->params);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t n;
        if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "--cpu-time") == 0) {
            a->params.cpu_clock = true;
        } else if (strcmp(arg, "--verbose") == 0) {
            a->params.verbose = true;
        } else if (strcmp(arg, "--seed") == 0 && val) {
            if (!parse_int64(val, 0, INT64_MAX, &n)) {
                log_error("invalid seed \"%s\"", val);
                return false;
            }
            a->params.seed = (uint64_t)n;
            i++;
        } else if (strcmp(arg, "--time-limit") == 0 && val) {
            if (!parse_double(val, 0, 86400, &a->params.time_limit)) {
                log_error("invalid time limit \"%s\"", val);
                return false;
            }
            i++;
        } else if (strcmp(arg, "--iterations") == 0 && val) {
            if (!parse_int64(val, 0, 1000000000, &n)) {
                log_error("invalid iteration count \"%s\"", val);
                return false;
            }
            a->params.max_iterations = (long)n;
            i++;
        } else if (arg[0] != '-' && !a->file) {
            a->file = arg;
        } else {
            return false;
        }
    }
    if (a->params.max_iterations > 0 && a->params.time_limit == 10)
        a->params.time_limit = 0; /* an explicit iteration budget replaces the default */
    return a->file != NULL;
}

/* Splits one CSV line in place (no quoting in bks.csv). */
static int
csv_fields(char *line, char **f, int max)
{
    int n = 0;
    char *s = line;
    while (n < max) {
        f[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* Best-known cost of `name` from bks.csv in dir or its parent; false if absent. */
static bool
lookup_bks(const char *file, const char *name, double *bks)
{
    bool found = false;
    const char *slash = strrchr(file, '/');
    int dirlen = slash ? (int)(slash - file) : 1;
    const char *dir = slash ? file : ".";
    const char *cand[] = {"", "/.."};
    for (int c = 0; c < 2 && !found; c++) {
        char path[4096], line[512];
        snprintf(path, sizeof(path), "%.*s%s/bks.csv", dirlen, dir, cand[c]);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        while (!found && fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\r\n")] = '\0';
            char *fld[12];
            int nf = csv_fields(line, fld, 12);
            found = nf >= 8 && strcmp(fld[0], name) == 0 && parse_double(fld[7], 0, 1e12, bks);
        }
        fclose(f);
    }
    return found;
}

/* JSON string body: the instance name comes from a file name. */
static void
json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

struct report {
    const char *name;
    const struct darp_solution *sol;
    bool feasible, have_bks;
    double bks, gap;
    uint64_t seed;
    bool cpu_clock;
};

static void
print_json(const struct report *r)
{
    const struct darp_solution *s = r->sol;
    printf("{\"instance\": ");
    json_string(stdout, r->name);
    printf(", \"cost\": %.6f, \"vehicles_used\": %d, \"feasible\": %s, \"unserved\": %d", s->cost,
           darp_solution_vehicles_used(s), r->feasible ? "true" : "false", s->n_unserved);
    if (r->have_bks)
        printf(", \"bks\": %.2f, \"gap_pct\": %.4f", r->bks, r->gap);
    printf(", \"seed\": %llu, \"iterations\": %ld, \"elapsed_ms\": %.0f, \"clock\": \"%s\"",
           (unsigned long long)r->seed, s->iterations, s->elapsed * 1000,
           r->cpu_clock ? "cpu" : "wall");
    printf(", \"routes\": [");
    bool first = true;
    for (int v = 0; v < s->n_vehicles; v++) {
        if (s->n_stops[v] == 0)
            continue;
        printf("%s[", first ? "" : ", ");
        first = false;
        for (int i = 0; i < s->n_stops[v]; i++)
            printf("%s%d", i ? ", " : "", s->routes[v][i]);
        printf("]");
    }
    printf("]}\n");
}

static void
print_text(const struct report *r)
{
    const struct darp_solution *s = r->sol;
    printf("instance      %s\n", r->name);
    printf("cost          %.4f\n", s->cost);
    printf("vehicles_used %d\n", darp_solution_vehicles_used(s));
    printf("feasible      %s\n", r->feasible ? "yes" : "no");
    printf("unserved      %d\n", s->n_unserved);
    if (r->have_bks)
        printf("bks           %.2f\ngap_pct       %.3f\n", r->bks, r->gap);
    printf("iterations    %ld\nelapsed_ms    %.0f\n", s->iterations, s->elapsed * 1000);
}

int
cmd_darp(int argc, char **argv)
{
    int status = 1;
    struct darp_args a;
    struct darp_instance *inst = NULL, *orig = NULL;
    struct darp_solution *sol = NULL;
    char err[512];
    if (!parse_args(argc, argv, &a)) {
        usage();
        goto out;
    }
    /* two copies: the solver's windows get tightened, the check uses the file's */
    if (!darp_instance_load(a.file, &inst, err, sizeof(err)) ||
        !darp_instance_load(a.file, &orig, err, sizeof(err))) {
        log_error("cannot read instance \"%s\": %s", a.file, err);
        goto out;
    }
    darp_model_tighten_windows(inst->model);
    if (!darp_model_validate(inst->model, err, sizeof(err))) {
        log_error("cannot solve \"%s\": %s", a.file, err);
        goto out;
    }
    fprintf(stderr, "darp: %s: %d requests, %d vehicles, seed %llu, time limit %.1f s\n",
            inst->name, inst->requests, inst->vehicles, (unsigned long long)a.params.seed,
            a.params.time_limit);
    sol = darp_solve(inst->model, &a.params);
    struct report r = {inst->name, sol, false, false, 0, 0, a.params.seed, a.params.cpu_clock};
    r.feasible = darp_solution_check(orig->model, sol, err, sizeof(err));
    if (!r.feasible)
        log_error("solution of \"%s\" fails the check: %s", inst->name, err);
    r.have_bks = lookup_bks(a.file, inst->name, &r.bks);
    if (r.have_bks && r.bks > 0)
        r.gap = 100.0 * (sol->cost - r.bks) / r.bks;
    if (a.json)
        print_json(&r);
    else
        print_text(&r);
    status = r.feasible && sol->n_unserved == 0 ? 0 : 2;
out:
    darp_solution_free(sol);
    darp_instance_free(inst);
    darp_instance_free(orig);
    return status;
}
