/* Booking benchmark load generator: N keep-alive connections (libcurl multi) busy with
 * POST /v1/bookings on 127.0.0.1; prints rate, p50/p99 latency and a status histogram. */
#include <curl/curl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/numparse.h"
#include "common/xalloc.h"

#define MAX_CONNS  256
#define MAX_STATUS 600

struct options {
    int64_t port, conns, seconds, warmup, client_min, client_max, day0, days, last_minute;
    int64_t max_requests; /* stop starting requests after this many (0: no limit) */
    bool idempotency;
    char token[128];
};

struct slot {
    CURL *easy;
    struct curl_slist *headers;
    char body[1024];
    char url[64];
    double started;
    bool counted;  /* started inside the measured window */
    uint64_t done; /* requests completed in the window */
};

struct stats {
    double *lat_ms;
    size_t n, cap;
    uint64_t status[MAX_STATUS + 1]; /* index MAX_STATUS: transport errors */
    double first_start, last_done;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t key_seq;
static char key_prefix[32];

static uint64_t
rng_next(void)
{
    uint64_t x = rng_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static int64_t
rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* RFC 3339 in local time (TZ=Europe/Amsterdam) with its offset. */
static void
format_local(int64_t epoch, char *buf, size_t size)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    localtime_r(&t, &tm);
    int off = (int)(tm.tm_gmtoff / 60);
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:00%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, sign, off / 60, off % 60);
}

/* A valid booking: random client, pickup 07:00-21:59 local on one of the
 * next 60 days, both addresses in a 11 x 14 km box around Dordrecht. The
 * pgbench script draws the same distribution. */
static void
make_body(const struct options *o, struct slot *s)
{
    int64_t client = rng_range(o->client_min, o->client_max);
    int64_t at = o->day0 + rng_range(0, o->days - 1) * 86400 + rng_range(420, o->last_minute) * 60;
    char when[64];
    format_local(at, when, sizeof when);
    double plat = 51.75 + (double)rng_range(0, 10000) * 1e-5;
    double plon = 4.55 + (double)rng_range(0, 20000) * 1e-5;
    double dlat = 51.75 + (double)rng_range(0, 10000) * 1e-5;
    double dlon = 4.55 + (double)rng_range(0, 20000) * 1e-5;
    snprintf(s->body, sizeof s->body,
             "{\"client_id\":\"%" PRId64 "\",\"pickup\":{\"address\":\"Benchstraat %d, "
             "Dordrecht\",\"lat\":%.5f,\"lon\":%.5f},\"dropoff\":{\"address\":\"Meetweg %d, "
             "Dordrecht\",\"lat\":%.5f,\"lon\":%.5f},\"pickup_at\":\"%s\",\"aid\":\"none\","
             "\"channel\":\"app\"}",
             client, (int)rng_range(1, 300), plat, plon, (int)rng_range(1, 300), dlat, dlon, when);
}

static void
slot_start(CURLM *multi, const struct options *o, struct slot *s, double deadline_warm)
{
    make_body(o, s);
    curl_slist_free_all(s->headers);
    char auth[192], key[80];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
    s->headers = curl_slist_append(NULL, auth);
    s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
    if (o->idempotency) {
        snprintf(key, sizeof key, "Idempotency-Key: %s-%" PRIu64, key_prefix, ++key_seq);
        s->headers = curl_slist_append(s->headers, key);
    }
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    s->started = now_s();
    s->counted = s->started >= deadline_warm;
    curl_multi_add_handle(multi, s->easy);
}

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *user)
{
    (void)ptr;
    (void)user;
    return size * nmemb;
}

static void
record(struct stats *st, struct slot *s, CURLcode rc, double done)
{
    long code = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    if (!s->counted)
        return;
    s->done++;
    st->status[(code > 0 && code < MAX_STATUS) ? code : MAX_STATUS]++;
    if (st->n == st->cap)
        st->lat_ms =
            xreallocarray(st->lat_ms, st->cap = st->cap ? st->cap * 2 : 65536, sizeof *st->lat_ms);
    st->lat_ms[st->n++] = (done - s->started) * 1e3;
    if (st->first_start == 0 || s->started < st->first_start)
        st->first_start = s->started;
    if (done > st->last_done)
        st->last_done = done;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static double
cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
report(struct stats *st)
{
    qsort(st->lat_ms, st->n, sizeof *st->lat_ms, cmp_double);
    double span = st->last_done - st->first_start;
    double rate = span > 0 ? (double)st->n / span : 0;
    uint64_t ok = st->status[201];
    printf("status:");
    for (int c = 0; c <= MAX_STATUS; c++)
        if (st->status[c])
            printf(" %s%d=%" PRIu64, c == MAX_STATUS ? "error" : "", c == MAX_STATUS ? 0 : c,
                   st->status[c]);
    printf("\nrequests %zu in %.2f s: %.1f req/s, %.1f bookings/s (201)\n", st->n, span, rate,
           span > 0 ? (double)ok / span : 0);
    printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
           percentile(st->lat_ms, st->n, 0.50), percentile(st->lat_ms, st->n, 0.90),
           percentile(st->lat_ms, st->n, 0.99), st->n ? st->lat_ms[st->n - 1] : 0);
    printf("RESULT n=%zu ok=%" PRIu64 " s422=%" PRIu64 " other=%" PRIu64
           " rate=%.1f p50=%.2f p99=%.2f cpu=%.2f\n",
           st->n, ok, st->status[422], (uint64_t)st->n - ok - st->status[422],
           span > 0 ? (double)ok / span : 0, percentile(st->lat_ms, st->n, 0.50),
           percentile(st->lat_ms, st->n, 0.99), cpu_seconds());
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* How evenly the server served the connections: a server that lets one
 * connection wait behind another shows a wide spread. */
static void
report_spread(const struct slot *slots, size_t n)
{
    uint64_t *done = xcalloc(n, sizeof *done);
    for (size_t i = 0; i < n; i++)
        done[i] = slots[i].done;
    qsort(done, n, sizeof *done, cmp_u64);
    printf("requests per connection: min %" PRIu64 "  median %" PRIu64 "  max %" PRIu64 "\n",
           done[0], done[n / 2], done[n - 1]);
    free(done);
}

static bool
read_token(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(out, (int)size, f) != NULL;
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return ok && *out;
}

static void
usage(void)
{
    fprintf(stderr, "usage: loadgen -p PORT -T TOKEN_FILE -n CLIENT_MIN -x CLIENT_MAX -b DAY0_EPOCH"
                    " [-c CONNS] [-d SECONDS] [-w WARMUP_S] [-k]\n"
                    "  DAY0_EPOCH: local midnight of the first day rides may fall on\n"
                    "  -k: send a unique Idempotency-Key with each request\n"
                    "  -D DAYS: spread pickups over DAYS days from -b (default 60)\n"
                    "  -L MIN: latest pickup, minutes after local midnight (default 1319)\n"
                    "  -N COUNT: stop after COUNT requests (a day of a given size)\n");
    exit(2);
}

static bool
parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){.conns = 32, .seconds = 30, .warmup = 2, .days = 60, .last_minute = 1319};
    bool have_token = false;
    int opt;
    while ((opt = getopt(argc, argv, "p:T:n:x:b:c:d:w:kD:L:N:")) != -1) {
        bool ok = true;
        switch (opt) {
        case 'p':
            ok = parse_int64(optarg, 1, 65535, &o->port);
            break;
        case 'T':
            ok = have_token = read_token(optarg, o->token, sizeof o->token);
            break;
        case 'n':
            ok = parse_int64(optarg, 1, INT64_MAX, &o->client_min);
            break;
        case 'x':
            ok = parse_int64(optarg, 1, INT64_MAX, &o->client_max);
            break;
        case 'b':
            ok = parse_int64(optarg, 1, INT64_MAX, &o->day0);
            break;
        case 'c':
            ok = parse_int64(optarg, 1, MAX_CONNS, &o->conns);
            break;
        case 'd':
            ok = parse_int64(optarg, 1, 3600, &o->seconds);
            break;
        case 'D':
            ok = parse_int64(optarg, 1, 365, &o->days);
            break;
        case 'L':
            ok = parse_int64(optarg, 420, 1439, &o->last_minute);
            break;
        case 'w':
            ok = parse_int64(optarg, 0, 600, &o->warmup);
            break;
        case 'k':
            o->idempotency = true;
            break;
        case 'N':
            ok = parse_int64(optarg, 1, INT64_MAX, &o->max_requests);
            break;
        default:
            ok = false;
        }
        if (!ok)
            return false;
    }
    return have_token && o->port && o->client_min && o->client_max >= o->client_min && o->day0;
}

int
main(int argc, char **argv)
{
    struct options o;
    if (!parse_args(argc, argv, &o))
        usage();
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
    rng_state ^= (uint64_t)time(NULL) * 0x100000001b3ULL;
    snprintf(key_prefix, sizeof key_prefix, "lg%lld", (long long)time(NULL));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)o.conns);
    struct slot *slots = xcalloc((size_t)o.conns, sizeof *slots);
    struct stats st = {0};
    double t0 = now_s(), warm_end = t0 + (double)o.warmup, end = warm_end + (double)o.seconds;
    for (int64_t i = 0; i < o.conns; i++) {
        struct slot *s = &slots[i];
        s->easy = curl_easy_init();
        /* Only loopback: the URL is built here, never taken from the caller. */
        snprintf(s->url, sizeof s->url, "http://127.0.0.1:%lld/v1/bookings", (long long)o.port);
        curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
        slot_start(multi, &o, s, warm_end);
    }
    int running = (int)o.conns;
    int64_t started = o.conns;
    while (running > 0) {
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            double done = now_s();
            struct slot *s;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            CURLcode rc = m->data.result;
            curl_multi_remove_handle(multi, s->easy);
            record(&st, s, rc, done);
            if (done < end && (!o.max_requests || started < o.max_requests)) {
                slot_start(multi, &o, s, warm_end);
                running++;
                started++;
            }
        }
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    report(&st);
    report_spread(slots, (size_t)o.conns);
    for (int64_t i = 0; i < o.conns; i++) {
        curl_slist_free_all(slots[i].headers);
        curl_easy_cleanup(slots[i].easy);
    }
    free(slots);
    free(st.lat_ms);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
