/* The request deadline (see conn_deadline.h): a list of open connections
 * and a ticker thread that shuts down the socket of each one whose request
 * is late. libmicrohttpd then sees the connection end and closes it in its
 * own thread, so no connection is ever freed behind its back. */
#include "http/conn_deadline.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "core/ticker.h"
#include "http/metrics.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 250

struct entry {
    int fd;
    int64_t since_ms; /* when the request's time began; 0: it has arrived */
    bool cut;
    struct entry *prev, *next;
};

struct conn_deadline {
    int64_t deadline_ms;
    struct metrics *metrics;
    pthread_mutex_t mu; /* guards the list and every entry */
    struct entry *head;
    struct ticker *ticker;
};

static int64_t
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void
unlink_entry(struct conn_deadline *d, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        d->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
}

/* One round: cuts every connection past its deadline. The socket is shut
 * down under the mutex, and an entry leaves the list (under the mutex)
 * before libmicrohttpd closes its socket, so the descriptor cut is always
 * still that connection's. */
static bool
sweep(void *ctx)
{
    struct conn_deadline *d = ctx;
    int64_t now = now_ms();
    int cut = 0;
    pthread_mutex_lock(&d->mu);
    for (struct entry *e = d->head; e; e = e->next) {
        if (e->cut || e->fd < 0 || !e->since_ms || now - e->since_ms < d->deadline_ms)
            continue;
        e->cut = true;
        if (shutdown(e->fd, SHUT_RDWR) == 0)
            cut++;
    }
    pthread_mutex_unlock(&d->mu);
    for (int i = 0; i < cut; i++)
        metrics_connection_cut(d->metrics);
    if (cut)
        log_info("cut off %d connection%s whose request did not arrive within %lld s", cut,
                 cut == 1 ? "" : "s", (long long)(d->deadline_ms / 1000));
    return false;
}

struct conn_deadline *
conn_deadline_create(int deadline_s, struct metrics *metrics)
{
    struct conn_deadline *d = xcalloc(1, sizeof *d);
    d->deadline_ms = (int64_t)deadline_s * 1000;
    d->metrics = metrics;
    pthread_mutex_init(&d->mu, NULL);
    d->ticker = ticker_start("request deadline", SWEEP_MS, sweep, d);
    return d;
}

void
conn_deadline_free(struct conn_deadline *d)
{
    if (!d)
        return;
    ticker_stop(d->ticker);
    while (d->head) {
        struct entry *e = d->head;
        unlink_entry(d, e);
        free(e);
    }
    pthread_mutex_destroy(&d->mu);
    free(d);
}

void
conn_deadline_opened(struct conn_deadline *d, int fd, void **socket_context)
{
    struct entry *e = xcalloc(1, sizeof *e);
    e->fd = fd;
    e->since_ms = now_ms();
    pthread_mutex_lock(&d->mu);
    /* A descriptor is only reused after its close: an entry still holding
     * it is stale (its close was not notified first) and must never be
     * cut. It stays listed until it is, or until conn_deadline_free. */
    for (struct entry *old = d->head; old; old = old->next)
        if (old->fd == fd) {
            old->fd = -1;
            old->since_ms = 0;
        }
    e->next = d->head;
    if (d->head)
        d->head->prev = e;
    d->head = e;
    pthread_mutex_unlock(&d->mu);
    *socket_context = e;
}

void
conn_deadline_closed(struct conn_deadline *d, void **socket_context)
{
    struct entry *e = *socket_context;
    if (!e)
        return;
    pthread_mutex_lock(&d->mu);
    unlink_entry(d, e);
    pthread_mutex_unlock(&d->mu);
    free(e);
    *socket_context = NULL;
}

bool
conn_deadline_arrived(struct conn_deadline *d, void *socket_context)
{
    struct entry *e = socket_context;
    if (!e)
        return true;
    pthread_mutex_lock(&d->mu);
    bool in_time = !e->cut;
    e->since_ms = 0;
    pthread_mutex_unlock(&d->mu);
    return in_time;
}

void
conn_deadline_rearm(struct conn_deadline *d, void *socket_context)
{
    struct entry *e = socket_context;
    if (!e)
        return;
    pthread_mutex_lock(&d->mu);
    e->since_ms = now_ms();
    pthread_mutex_unlock(&d->mu);
}
