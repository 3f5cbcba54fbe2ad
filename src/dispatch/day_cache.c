/* A small table of days under one mutex: a server plans few days at once
 * (today and the next ones), so a linear search is the right size. */
#include "dispatch/day_cache.h"

#include "common/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct day day; /* runs and rides only: no model */
    int64_t version;
    uint64_t stored; /* when it was stored, in puts */
};

struct day_cache {
    pthread_mutex_t mu;
    struct entry *e;
    int n, max;
    uint64_t puts;
};

struct day_cache *
day_cache_create(int max_days)
{
    struct day_cache *dc = xcalloc(1, sizeof *dc);
    pthread_mutex_init(&dc->mu, NULL);
    dc->max = max_days > 0 ? max_days : 1;
    dc->e = xcalloc((size_t)dc->max, sizeof *dc->e);
    return dc;
}

void
day_cache_free(struct day_cache *dc)
{
    if (!dc)
        return;
    for (int i = 0; i < dc->n; i++)
        day_clear(&dc->e[i].day);
    free(dc->e);
    pthread_mutex_destroy(&dc->mu);
    free(dc);
}

static int
find(const struct day_cache *dc, const char *date)
{
    for (int i = 0; i < dc->n; i++)
        if (!strcmp(dc->e[i].day.date, date))
            return i;
    return -1;
}

static void
remove_at(struct day_cache *dc, int i)
{
    day_clear(&dc->e[i].day);
    dc->e[i] = dc->e[--dc->n];
}

bool
day_cache_copy(struct day_cache *dc, const char *date, int64_t version, struct day *out,
               int64_t *version_out)
{
    if (!dc)
        return false;
    pthread_mutex_lock(&dc->mu);
    int i = find(dc, date);
    bool hit = i >= 0 && (version == DAY_CACHE_ANY || dc->e[i].version == version);
    if (hit) {
        day_copy(&dc->e[i].day, out);
        if (version_out)
            *version_out = dc->e[i].version;
    } else if (i >= 0) {
        remove_at(dc, i); /* changed since, by another path or process */
    }
    pthread_mutex_unlock(&dc->mu);
    return hit;
}

void
day_cache_put(struct day_cache *dc, int64_t version, struct day *d)
{
    darp_model_free(d->m);
    free(d->metres);
    free(d->served);
    d->m = NULL;
    d->metres = NULL;
    d->served = NULL;
    if (!dc) {
        day_clear(d);
        return;
    }
    pthread_mutex_lock(&dc->mu);
    int i = find(dc, d->date);
    if (i >= 0)
        remove_at(dc, i);
    if (dc->n == dc->max) {
        int oldest = 0;
        for (int j = 1; j < dc->n; j++)
            if (dc->e[j].stored < dc->e[oldest].stored)
                oldest = j;
        remove_at(dc, oldest);
    }
    dc->e[dc->n++] = (struct entry){*d, version, ++dc->puts};
    pthread_mutex_unlock(&dc->mu);
    memset(d, 0, sizeof *d);
}

int
day_cache_size(struct day_cache *dc)
{
    if (!dc)
        return 0;
    pthread_mutex_lock(&dc->mu);
    int n = dc->n;
    pthread_mutex_unlock(&dc->mu);
    return n;
}
