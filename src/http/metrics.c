/* Counters are C11 atomics indexed by route and status, so recording costs
 * a few atomic adds and never a lock on the request path. */
#include "http/metrics.h"

#include "common/xalloc.h"
#include "db/db.h"
#include "http/router.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_STATUS  500 /* 100..599 */
#define N_BUCKETS 12
#define MAX_JOBS  8

static const double bucket_le[N_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,   0.25,   0.5,   1,    2.5,   10};

struct route_metrics {
    atomic_ulong by_status[N_STATUS];
    atomic_ulong buckets[N_BUCKETS + 1]; /* last = +Inf */
    atomic_ulong sum_us;
    atomic_ulong count;
};

struct job_metrics {
    char name[32];
    unsigned long count;
    double sum;
};

struct metrics {
    size_t nroutes;
    struct route_metrics *routes; /* nroutes + 1 */
    pthread_mutex_t jobs_mu;
    struct job_metrics jobs[MAX_JOBS];
    atomic_ulong connections_cut;
};

struct metrics *
metrics_create(size_t nroutes)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    m->nroutes = nroutes;
    m->routes = xcalloc(nroutes + 1, sizeof *m->routes);
    pthread_mutex_init(&m->jobs_mu, NULL);
    return m;
}

void
metrics_free(struct metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->jobs_mu);
    free(m->routes);
    free(m);
}

void
metrics_observe(struct metrics *m, size_t route, unsigned status, double seconds)
{
    if (route > m->nroutes)
        route = m->nroutes;
    struct route_metrics *rm = &m->routes[route];
    if (status >= 100 && status < 600)
        atomic_fetch_add(&rm->by_status[status - 100], 1);
    int b = 0;
    while (b < N_BUCKETS && seconds > bucket_le[b])
        b++;
    atomic_fetch_add(&rm->buckets[b], 1);
    atomic_fetch_add(&rm->sum_us, (unsigned long)(seconds * 1e6));
    atomic_fetch_add(&rm->count, 1);
}

void
metrics_connection_cut(struct metrics *m)
{
    atomic_fetch_add(&m->connections_cut, 1);
}

void
metrics_observe_job(struct metrics *m, const char *job, double seconds)
{
    pthread_mutex_lock(&m->jobs_mu);
    for (int i = 0; i < MAX_JOBS; i++) {
        struct job_metrics *j = &m->jobs[i];
        if (!j->name[0])
            snprintf(j->name, sizeof j->name, "%s", job);
        if (!strcmp(j->name, job)) {
            j->count++;
            j->sum += seconds;
            break;
        }
    }
    pthread_mutex_unlock(&m->jobs_mu);
}

/* A growing text buffer for the exposition. */
struct text {
    char *s;
    size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (n > 0 ? (size_t)n : 0);
        t->s = xrealloc(t->s, t->cap);
    }
}

static void
route_label(const struct metrics *m, size_t i, char *out, size_t size)
{
    if (i < m->nroutes)
        snprintf(out, size, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].pattern);
    else
        snprintf(out, size, "method=\"\",route=\"unmatched\"");
}

static void
render_requests(struct metrics *m, struct text *t)
{
    char label[256];
    text_add(t, "# HELP ritmo_http_requests_total HTTP requests by route and status.\n"
                "# TYPE ritmo_http_requests_total counter\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        route_label(m, i, label, sizeof label);
        for (int s = 0; s < N_STATUS; s++) {
            unsigned long v = atomic_load(&m->routes[i].by_status[s]);
            if (v)
                text_add(t, "ritmo_http_requests_total{%s,status=\"%d\"} %lu\n", label, s + 100, v);
        }
    }
    text_add(t, "# HELP ritmo_http_request_duration_seconds Time to answer a request.\n"
                "# TYPE ritmo_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        struct route_metrics *rm = &m->routes[i];
        unsigned long count = atomic_load(&rm->count);
        if (!count)
            continue;
        route_label(m, i, label, sizeof label);
        unsigned long cum = 0;
        for (int b = 0; b <= N_BUCKETS; b++) {
            cum += atomic_load(&rm->buckets[b]);
            if (b < N_BUCKETS)
                text_add(t, "ritmo_http_request_duration_seconds_bucket{%s,le=\"%g\"} %lu\n", label,
                         bucket_le[b], cum);
            else
                text_add(t, "ritmo_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %lu\n",
                         label, cum);
        }
        text_add(t, "ritmo_http_request_duration_seconds_sum{%s} %.6f\n", label,
                 (double)atomic_load(&rm->sum_us) / 1e6);
        text_add(t, "ritmo_http_request_duration_seconds_count{%s} %lu\n", label, count);
    }
}

char *
metrics_render(struct metrics *m, const struct db_pool *pool)
{
    struct text t = {xmalloc(4096), 0, 4096};
    render_requests(m, &t);
    text_add(&t,
             "# HELP ritmo_http_connections_cut_total Connections cut off because their request "
             "did not arrive within RITMO_CONNECTION_TIMEOUT_S.\n"
             "# TYPE ritmo_http_connections_cut_total counter\n"
             "ritmo_http_connections_cut_total %lu\n",
             atomic_load(&m->connections_cut));
    if (pool) {
        text_add(&t,
                 "# HELP ritmo_db_pool_in_use Database connections in use.\n"
                 "# TYPE ritmo_db_pool_in_use gauge\nritmo_db_pool_in_use %d\n"
                 "# HELP ritmo_db_pool_size Database connections in the pool.\n"
                 "# TYPE ritmo_db_pool_size gauge\nritmo_db_pool_size %d\n"
                 "# HELP ritmo_db_tx_retries_total Transactions run again after a "
                 "serialization failure or deadlock.\n"
                 "# TYPE ritmo_db_tx_retries_total counter\nritmo_db_tx_retries_total %lu\n",
                 db_pool_in_use(pool), db_pool_size(pool), db_pool_tx_retries(pool));
    }
    text_add(&t, "# HELP ritmo_job_duration_seconds Duration of background jobs such as "
                 "planning.\n# TYPE ritmo_job_duration_seconds summary\n");
    pthread_mutex_lock(&m->jobs_mu);
    for (int i = 0; i < MAX_JOBS && m->jobs[i].name[0]; i++) {
        text_add(&t, "ritmo_job_duration_seconds_sum{job=\"%s\"} %.6f\n", m->jobs[i].name,
                 m->jobs[i].sum);
        text_add(&t, "ritmo_job_duration_seconds_count{job=\"%s\"} %lu\n", m->jobs[i].name,
                 m->jobs[i].count);
    }
    pthread_mutex_unlock(&m->jobs_mu);
    return t.s;
}
