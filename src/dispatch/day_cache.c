/* A small table of days under one mutex: a server plans few days at once
 * (today and the next ones), so a linear search is the right size. Each
 * stored day is an immutable, reference-counted snapshot, so that the
 * mutex is held only to find or swap one, never while a day of thousands
 * of rides is copied: the booking that holds a day's planning lock must
 * not wait behind copies made for bookings still waiting for it. */
#include "dispatch/day_cache.h"

#include "common/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct snapshot {
    struct day day; /* runs, rides and legs only: no model */
    int64_t version;
    atomic_int refs;
};

struct entry {
    struct snapshot *s;
    uint64_t stored; /* when it was stored, in puts */
};

struct day_cache {
    pthread_mutex_t mu;
    struct entry *e;
    int n, max;
    uint64_t puts;
};

static void
snapshot_release(struct snapshot *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        day_clear(&s->day);
        free(s);
    }
}

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
        snapshot_release(dc->e[i].s);
    free(dc->e);
    pthread_mutex_destroy(&dc->mu);
    free(dc);
}

static int
find(const struct day_cache *dc, const char *date)
{
    for (int i = 0; i < dc->n; i++)
        if (!strcmp(dc->e[i].s->day.date, date))
            return i;
    return -1;
}

/* Takes entry i out; the caller releases what it returns, after the
 * mutex (the last reference frees a whole day). */
static struct snapshot *
remove_at(struct day_cache *dc, int i)
{
    struct snapshot *s = dc->e[i].s;
    dc->e[i] = dc->e[--dc->n];
    return s;
}

bool
day_cache_copy(struct day_cache *dc, const char *date, int64_t version, struct day *out,
               int64_t *version_out)
{
    if (!dc)
        return false;
    struct snapshot *hit = NULL, *stale = NULL;
    pthread_mutex_lock(&dc->mu);
    int i = find(dc, date);
    if (i >= 0 && (version == DAY_CACHE_ANY || dc->e[i].s->version == version)) {
        hit = dc->e[i].s;
        atomic_fetch_add(&hit->refs, 1);
    } else if (i >= 0) {
        stale = remove_at(dc, i); /* changed since, by another path or process */
    }
    pthread_mutex_unlock(&dc->mu);
    snapshot_release(stale);
    if (!hit)
        return false;
    day_copy(&hit->day, out);
    if (version_out)
        *version_out = hit->version;
    snapshot_release(hit);
    return true;
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
    struct snapshot *s = xcalloc(1, sizeof *s), *gone = NULL, *evicted = NULL;
    s->day = *d;
    s->version = version;
    atomic_init(&s->refs, 1);
    memset(d, 0, sizeof *d);
    pthread_mutex_lock(&dc->mu);
    int i = find(dc, s->day.date);
    if (i >= 0)
        gone = remove_at(dc, i);
    if (dc->n == dc->max) {
        int oldest = 0;
        for (int j = 1; j < dc->n; j++)
            if (dc->e[j].stored < dc->e[oldest].stored)
                oldest = j;
        evicted = remove_at(dc, oldest);
    }
    dc->e[dc->n++] = (struct entry){s, ++dc->puts};
    pthread_mutex_unlock(&dc->mu);
    snapshot_release(gone);
    snapshot_release(evicted);
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
