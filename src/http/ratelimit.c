/* Token buckets in a chained hash table under one mutex: a take is a few
 * arithmetic operations, far below the cost of the request it guards. The
 * table holds one entry per token that made a request; tokens are created
 * by staff, so their number stays small. */
#include "http/ratelimit.h"

#include "common/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#define BUCKETS 1024

struct bucket {
    struct bucket *next;
    int64_t key;
    double tokens; /* requests that may be made now */
    double at;     /* when tokens was computed */
};

struct rate_limiter {
    pthread_mutex_t lock;
    double per_s, burst;
    struct bucket *table[BUCKETS];
};

struct rate_limiter *
rate_limiter_new(double per_s, double burst)
{
    struct rate_limiter *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->per_s = per_s;
    l->burst = burst < 1 ? 1 : burst;
    return l;
}

void
rate_limiter_free(struct rate_limiter *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct bucket *b = l->table[i], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static struct bucket *
find_or_add(struct rate_limiter *l, int64_t key, double now)
{
    struct bucket **slot = &l->table[(uint64_t)key % BUCKETS];
    for (struct bucket *b = *slot; b; b = b->next)
        if (b->key == key)
            return b;
    struct bucket *b = xcalloc(1, sizeof *b);
    *b = (struct bucket){*slot, key, l->burst, now};
    *slot = b;
    return b;
}

bool
rate_limiter_take(struct rate_limiter *l, int64_t key, double now, int *retry_after_s)
{
    pthread_mutex_lock(&l->lock);
    struct bucket *b = find_or_add(l, key, now);
    if (now > b->at) {
        b->tokens = fmin(l->burst, b->tokens + (now - b->at) * l->per_s);
        b->at = now;
    }
    bool ok = b->tokens >= 1;
    if (ok)
        b->tokens -= 1;
    else
        *retry_after_s = (int)ceil((1 - b->tokens) / l->per_s);
    pthread_mutex_unlock(&l->lock);
    return ok;
}
