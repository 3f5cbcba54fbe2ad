/* Load generator of the aids benchmark: N threads, each with one keep-alive
 * connection and its own depot items (used in turn), repeat "lend the item, return it"
 * (POST /v1/aids/{id}/loans then POST /v1/loans/{id}/return) and report the
 * round-trip latency (p50/p99) and rate. Closed loop (as fast as answers
 * come) by default; with -r RATE each thread starts its trips on a fixed
 * schedule and latency counts from the scheduled start, so a slow answer
 * also delays the trips queued behind it (no coordinated omission). */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/numparse.h"
#include "common/xalloc.h"

#define MAX_THREADS 128

struct options {
    int64_t port, threads, seconds, warmup, first_aid, first_client, clients_per_thread;
    int64_t items_per_thread;
    int64_t rate; /* trips per second over all threads; 0 = closed loop */
    char token[128];
};

struct worker {
    const struct options *o;
    int index;
    double *lat_ms;
    size_t n, cap;
    uint64_t errors;
};

struct buf {
    char data[8192];
    size_t len;
};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n, room = sizeof b->data - 1 - b->len;
    memcpy(b->data + b->len, p, len < room ? len : room);
    b->len += len < room ? len : room;
    b->data[b->len] = '\0';
    return len;
}

/* POSTs body to path; the HTTP status, the response in *b. */
static long
post(CURL *h, const struct options *o, const char *path, const char *body, struct buf *b)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%lld%s", (long long)o->port, path);
    b->len = 0;
    b->data[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void
utc(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One loan and its return; false on any unexpected answer. */
static bool
round_trip(CURL *h, const struct options *o, int64_t aid, int64_t client, int64_t t)
{
    char path[96], body[512], from[32], at[32];
    struct buf b;
    utc(t, from);
    utc(t + 60, at);
    snprintf(path, sizeof path, "/v1/aids/%lld/loans", (long long)aid);
    snprintf(body, sizeof body,
             "{\"client_id\":\"%lld\",\"from\":\"%s\",\"exception\":\"insufficient_support\","
             "\"exception_reason\":\"benchmark\"}",
             (long long)client, from);
    if (post(h, o, path, body, &b) != 201)
        return false;
    const char *id = strstr(b.data, "{\"id\":\"");
    int64_t loan;
    char digits[24] = "";
    if (!id || sscanf(id + 7, "%23[0-9]", digits) != 1 || !parse_int64(digits, 1, INT64_MAX, &loan))
        return false;
    snprintf(path, sizeof path, "/v1/loans/%lld/return", (long long)loan);
    snprintf(body, sizeof body, "{\"at\":\"%s\",\"condition\":\"good\"}", at);
    return post(h, o, path, body, &b) == 200;
}

static void
sleep_until(double when)
{
    double wait = when - now_s();
    if (wait <= 0)
        return;
    struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    nanosleep(&ts, NULL);
}

static void *
work(void *arg)
{
    struct worker *w = arg;
    const struct options *o = w->o;
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char auth[192];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
    hdr = curl_slist_append(hdr, auth);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    int64_t t = INT64_C(1704067200); /* 2024-01-01: loans follow each other */
    double start = now_s(), measure = start + (double)o->warmup, end = measure + (double)o->seconds;
    double interval = o->rate ? (double)o->threads / (double)o->rate : 0;
    double next = start + interval * w->index / (double)o->threads;
    for (int64_t k = 0;; k++, t += 120) {
        double t0 = now_s();
        if (interval > 0) {
            sleep_until(next);
            t0 = next;
            next += interval;
        }
        if (t0 >= end)
            break;
        int64_t client =
            o->first_client + w->index * o->clients_per_thread + k % o->clients_per_thread;
        int64_t aid = o->first_aid + w->index * o->items_per_thread + k % o->items_per_thread;
        bool ok = round_trip(h, o, aid, client, t);
        double ms = (now_s() - t0) * 1000.0;
        if (t0 < measure)
            continue;
        if (!ok)
            w->errors++;
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat_ms = xreallocarray(w->lat_ms, w->cap, sizeof *w->lat_ms);
        }
        w->lat_ms[w->n++] = ms;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool
read_options(int argc, char **argv, struct options *o)
{
    const char *tokfile = NULL;
    int c;
    int64_t *slot[128] = {0};
    slot['p'] = &o->port, slot['c'] = &o->threads, slot['d'] = &o->seconds;
    slot['w'] = &o->warmup, slot['a'] = &o->first_aid, slot['n'] = &o->first_client;
    slot['k'] = &o->clients_per_thread, slot['r'] = &o->rate;
    slot['i'] = &o->items_per_thread;
    while ((c = getopt(argc, argv, "p:c:d:w:a:n:k:r:i:T:")) != -1) {
        if (c == 'T')
            tokfile = optarg;
        else if (c > 0 && c < 128 && slot[c] && parse_int64(optarg, 0, INT64_MAX, slot[c]))
            continue;
        else
            return false;
    }
    FILE *f = tokfile ? fopen(tokfile, "r") : NULL;
    if (!f || !fgets(o->token, sizeof o->token, f)) {
        if (f)
            fclose(f);
        return false;
    }
    fclose(f);
    o->token[strcspn(o->token, "\r\n")] = '\0';
    return o->port > 0 && o->threads >= 1 && o->threads <= MAX_THREADS &&
           o->clients_per_thread >= 1 && o->items_per_thread >= 1 && o->first_aid >= 1 &&
           o->first_client >= 1;
}

int
main(int argc, char **argv)
{
    struct options o = {.threads = 16,
                        .seconds = 20,
                        .warmup = 2,
                        .clients_per_thread = 1000,
                        .items_per_thread = 1};
    if (!read_options(argc, argv, &o)) {
        fprintf(stderr,
                "usage: %s -p PORT -T TOKEN_FILE -a FIRST_AID -n FIRST_CLIENT "
                "[-k CLIENTS_PER_THREAD] [-i ITEMS_PER_THREAD] [-c THREADS] [-d SECONDS] [-w "
                "WARMUP] [-r RATE]\n",
                argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t th[MAX_THREADS];
    struct worker w[MAX_THREADS];
    for (int i = 0; i < o.threads; i++) {
        w[i] = (struct worker){.o = &o, .index = i};
        if (pthread_create(&th[i], NULL, work, &w[i]))
            return 1;
    }
    size_t n = 0;
    uint64_t errors = 0;
    for (int i = 0; i < o.threads; i++) {
        pthread_join(th[i], NULL);
        n += w[i].n;
        errors += w[i].errors;
    }
    double *all = xcalloc(n + 1, sizeof *all);
    size_t k = 0;
    for (int i = 0; i < o.threads; i++) {
        memcpy(all + k, w[i].lat_ms, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat_ms);
    }
    qsort(all, n, sizeof *all, cmp_double);
    double p50 = n ? all[(n - 1) * 50 / 100] : 0, p99 = n ? all[(n - 1) * 99 / 100] : 0;
    printf("RESULT trips=%zu rate=%.1f p50=%.2f p99=%.2f errors=%llu\n", n,
           (double)n / (double)o.seconds, p50, p99, (unsigned long long)errors);
    free(all);
    curl_global_cleanup();
    return errors ? 1 : 0;
}
