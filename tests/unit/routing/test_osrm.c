/* The osrm provider against a small HTTP server started here on a free
 * loopback port, answering in OSRM's documented format: routes, tables
 * split into blocks, the cache, NoRoute/NoSegment, and fallback to
 * haversine (counted) on HTTP errors, garbage, timeouts and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "routing/distance.h"

enum mode { MODE_OK, MODE_500, MODE_GARBAGE, MODE_SLOW, MODE_NOROUTE, MODE_NOSEGMENT };

struct server {
    int fd;
    int port;
    pthread_t thread;
    atomic_int mode;
    atomic_int requests;
    atomic_bool stop;
};

static struct server srv;

/* Route answer: distance 1234.5 m, 98.7 s. */
static const char route_ok[] =
    "{\"code\":\"Ok\",\"routes\":[{\"geometry\":\"abc\",\"legs\":[{\"steps\":[],"
    "\"distance\":1234.5,\"duration\":98.7,\"summary\":\"\",\"weight\":98.7}],"
    "\"distance\":1234.5,\"duration\":98.7,\"weight_name\":\"routability\",\"weight\":98.7}],"
    "\"waypoints\":[{\"hint\":\"x\\\"y\",\"distance\":4.2,\"name\":\"Vest\",\"location\":[4.66,"
    "51.8]},{\"hint\":\"z\",\"distance\":1,\"name\":\"\",\"location\":[4.67,51.81]}]}";

/* Table values encode the points: distance = 1000 * i + j for source
 * latitude 52 + i * 1e-4 and destination longitude 4 + j * 1e-4, duration a
 * tenth of it; i == 1, j == 0 is unreachable (null). */
static void
table_body(const char *path, char *out, size_t cap)
{
    double lat[128], lon[128];
    int n = 0, ns = 0;
    const char *p = strstr(path, "/table/v1/driving/") + strlen("/table/v1/driving/");
    while (n < 128 && sscanf(p, "%lf,%lf", &lon[n], &lat[n]) == 2) {
        n++;
        p = strpbrk(p, ";?");
        if (!p || *p == '?')
            break;
        p++;
    }
    const char *s = strstr(path, "sources=");
    for (ns = 1; s && *s && *s != '&'; s++)
        ns += *s == ';';
    size_t len = 0;
    for (int pass = 0; pass < 2; pass++) {
        len += (size_t)snprintf(out + len, cap - len, "%s\"%s\":[",
                                pass ? "," : "{\"code\":\"Ok\",", pass ? "durations" : "distances");
        for (int i = 0; i < ns; i++) {
            len += (size_t)snprintf(out + len, cap - len, "%s[", i ? "," : "");
            for (int j = ns; j < n; j++) {
                long si = lround((lat[i] - 52) * 1e4), dj = lround((lon[j] - 4) * 1e4);
                double v = (1000.0 * si + dj) / (pass ? 10.0 : 1.0);
                if (si == 1 && dj == 0)
                    len += (size_t)snprintf(out + len, cap - len, "%snull", j > ns ? "," : "");
                else
                    len += (size_t)snprintf(out + len, cap - len, "%s%.1f", j > ns ? "," : "", v);
            }
            len += (size_t)snprintf(out + len, cap - len, "]");
        }
        len += (size_t)snprintf(out + len, cap - len, "]");
    }
    snprintf(out + len, cap - len, "}");
}

static void
answer(int c, const char *path)
{
    static char body[1 << 17];
    const char *status = "200 OK";
    switch (atomic_load(&srv.mode)) {
    case MODE_OK:
        if (strstr(path, "/table/v1/driving/"))
            table_body(path, body, sizeof body);
        else
            snprintf(body, sizeof body, "%s", route_ok);
        break;
    case MODE_500:
        status = "500 Internal Server Error";
        snprintf(body, sizeof body, "oops");
        break;
    case MODE_GARBAGE:
        snprintf(body, sizeof body, "<html>not json</html>");
        break;
    case MODE_SLOW:
        usleep(700 * 1000); /* longer than the client's 300 ms timeout */
        return;
    case MODE_NOROUTE:
        status = "400 Bad Request";
        snprintf(body, sizeof body, "{\"code\":\"NoRoute\",\"message\":\"Impossible route\"}");
        break;
    case MODE_NOSEGMENT:
        status = "400 Bad Request";
        snprintf(body, sizeof body,
                 "{\"message\":\"Could not find a matching segment\","
                 "\"code\":\"NoSegment\"}");
        break;
    }
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, strlen(body));
    if (write(c, head, (size_t)n) < 0 || write(c, body, strlen(body)) < 0)
        return;
}

static void
serve_one(int c)
{
    char req[16384];
    size_t len = 0;
    struct pollfd pfd = {c, POLLIN, 0};
    while (len + 1 < sizeof req && poll(&pfd, 1, 2000) > 0) {
        ssize_t k = read(c, req + len, sizeof req - 1 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[len] = '\0';
    char *sp = strchr(req, ' ');
    if (sp) {
        char *end = strchr(sp + 1, ' ');
        if (end)
            *end = '\0';
        atomic_fetch_add(&srv.requests, 1);
        answer(c, sp + 1);
    }
    close(c);
}

static void *
server_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv.stop)) {
        struct pollfd pfd = {srv.fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int c = accept(srv.fd, NULL, NULL);
        if (c >= 0)
            serve_one(c);
    }
    return NULL;
}

static int
setup(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(srv.fd, 16) != 0 || getsockname(srv.fd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    srv.port = ntohs(a.sin_port);
    return pthread_create(&srv.thread, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    atomic_store(&srv.stop, true);
    pthread_join(srv.thread, NULL);
    close(srv.fd);
    return 0;
}

static struct dist_provider *
provider(void)
{
    struct dist_options o;
    struct dist_provider *p = NULL;
    dist_options_init(&o);
    o.osrm_timeout_ms = 300;
    o.cache_size = 64;
    char *spec = xasprintf("osrm:http://127.0.0.1:%d/", srv.port);
    assert_int_equal(dist_provider_create(spec, &o, &p), DIST_OK);
    free(spec);
    assert_string_equal(dist_provider_kind(p), "osrm");
    return p;
}

static const struct geo_point A = {51.80, 4.66}, B = {51.81, 4.67};

static void
test_route_and_cache(void **state)
{
    (void)state;
    struct dist_provider *p = provider();
    struct dist_result r;
    struct dist_stats st;
    atomic_store(&srv.mode, MODE_OK);
    int before = atomic_load(&srv.requests);
    assert_int_equal(dist_route(p, A, B, &r), DIST_OK);
    assert_true(r.metres == 1234.5 && r.seconds == 98.7);
    assert_string_equal(r.provider, "osrm");
    assert_int_equal(atomic_load(&srv.requests), before + 1);
    /* the second time from the cache: no request */
    assert_int_equal(dist_route(p, A, B, &r), DIST_OK);
    assert_true(r.metres == 1234.5);
    assert_int_equal(atomic_load(&srv.requests), before + 1);
    dist_provider_stats(p, &st);
    assert_int_equal(st.cache_hits, 1);
    assert_int_equal(st.fallbacks, 0);
    /* the reverse direction is another question */
    assert_int_equal(dist_route(p, B, A, &r), DIST_OK);
    assert_int_equal(atomic_load(&srv.requests), before + 2);
    dist_provider_free(p);
}

static void
check_table(int nf, int nt)
{
    struct dist_provider *p = provider();
    struct geo_point *from = xmalloc((size_t)nf * sizeof *from);
    struct geo_point *to = xmalloc((size_t)nt * sizeof *to);
    double *m = xmalloc((size_t)(nf * nt) * sizeof *m), *s = xmalloc((size_t)(nf * nt) * sizeof *s);
    for (int i = 0; i < nf; i++)
        from[i] = (struct geo_point){52 + i * 1e-4, 5.0};
    for (int j = 0; j < nt; j++)
        to[j] = (struct geo_point){51.0, 4 + j * 1e-4};
    struct dist_matrix_info info;
    atomic_store(&srv.mode, MODE_OK);
    int before = atomic_load(&srv.requests);
    assert_int_equal(dist_matrix(p, from, (size_t)nf, to, (size_t)nt, m, s, &info), DIST_OK);
    assert_string_equal(info.provider, "osrm");
    int blocks = ((nf + 49) / 50) * ((nt + 49) / 50);
    assert_int_equal(atomic_load(&srv.requests), before + blocks);
    for (int i = 0; i < nf; i++) {
        for (int j = 0; j < nt; j++) {
            if (i == 1 && j == 0) {
                assert_true(isinf(m[i * nt + j]) && isinf(s[i * nt + j]));
                continue;
            }
            assert_true(fabs(m[i * nt + j] - (1000.0 * i + j)) < 1e-6);
            assert_true(fabs(s[i * nt + j] - (1000.0 * i + j) / 10.0) < 0.051);
        }
    }
    free(from);
    free(to);
    free(m);
    free(s);
    dist_provider_free(p);
}

static void
test_table(void **state)
{
    (void)state;
    check_table(3, 2);
    check_table(60, 7); /* two blocks of sources */
}

/* Every failure of the service gives a haversine answer, counted. */
static void
test_fallbacks(void **state)
{
    (void)state;
    struct dist_provider *p = provider(), *h = NULL;
    struct dist_result r, hr;
    struct dist_stats st;
    assert_int_equal(dist_provider_create("haversine", NULL, &h), DIST_OK);
    assert_int_equal(dist_route(h, A, B, &hr), DIST_OK);
    enum mode modes[] = {MODE_500, MODE_GARBAGE, MODE_SLOW};
    for (int i = 0; i < 3; i++) {
        atomic_store(&srv.mode, modes[i]);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct geo_point from = {A.lat + i * 0.001, A.lon};
        assert_int_equal(dist_route(p, from, B, &r), DIST_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_string_equal(r.provider, "haversine");
        assert_int_equal(dist_route(h, from, B, &hr), DIST_OK);
        assert_true(r.metres == hr.metres && r.seconds == hr.seconds);
        /* bounded by the timeout, not by the slow server */
        assert_true(t1.tv_sec - t0.tv_sec < 2);
        dist_provider_stats(p, &st);
        assert_int_equal(st.fallbacks, (uint64_t)i + 1);
    }
    /* failures are not cached: once the service is back, it answers (the
     * single-threaded test server first finishes its slow answer) */
    usleep(600 * 1000);
    atomic_store(&srv.mode, MODE_OK);
    assert_int_equal(dist_route(p, A, B, &r), DIST_OK);
    assert_string_equal(r.provider, "osrm");

    /* a table falls back as a whole */
    atomic_store(&srv.mode, MODE_500);
    struct geo_point pts[2] = {A, B};
    double m[4], s[4];
    struct dist_matrix_info info;
    assert_int_equal(dist_matrix(p, pts, 2, pts, 2, m, s, &info), DIST_OK);
    assert_string_equal(info.provider, "haversine");
    assert_true(m[1] == hr.metres || fabs(m[1] - 1.3 * geo_haversine_m(A, B)) < 1e-6);
    dist_provider_stats(p, &st);
    assert_int_equal(st.fallbacks, 4);
    dist_provider_free(p);
    dist_provider_free(h);
}

static void
test_refused_connection(void **state)
{
    (void)state;
    /* a port that was free a moment ago and has no listener now */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    close(fd);
    char *spec = xasprintf("osrm:http://127.0.0.1:%d", ntohs(a.sin_port));
    struct dist_provider *p = NULL;
    struct dist_result r;
    struct dist_stats st;
    assert_int_equal(dist_provider_create(spec, NULL, &p), DIST_OK);
    assert_int_equal(dist_route(p, A, B, &r), DIST_OK);
    assert_string_equal(r.provider, "haversine");
    dist_provider_stats(p, &st);
    assert_int_equal(st.fallbacks, 1);
    dist_provider_free(p);
    free(spec);
}

/* OSRM's own verdicts on the points are errors, not outages. */
static void
test_noroute_nosegment(void **state)
{
    (void)state;
    struct dist_provider *p = provider();
    struct dist_result r;
    struct dist_stats st;
    atomic_store(&srv.mode, MODE_NOROUTE);
    assert_int_equal(dist_route(p, A, B, &r), DIST_ERR_UNREACHABLE);
    atomic_store(&srv.mode, MODE_NOSEGMENT);
    assert_int_equal(dist_route(p, A, B, &r), DIST_ERR_OUTSIDE_AREA);
    struct geo_point pts[2] = {A, B};
    double m[4], s[4];
    assert_int_equal(dist_matrix(p, pts, 2, pts, 2, m, s, NULL), DIST_ERR_OUTSIDE_AREA);
    dist_provider_stats(p, &st);
    assert_int_equal(st.fallbacks, 0);
    dist_provider_free(p);
}

struct worker {
    struct dist_provider *p;
    int id, failures;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < 25; k++) {
        /* a few distinct pairs per thread, each asked several times */
        struct geo_point from = {A.lat + (k % 5) * 1e-3, A.lon + w->id * 1e-3};
        struct dist_result r;
        if (dist_route(w->p, from, B, &r) != DIST_OK || r.metres != 1234.5 ||
            strcmp(r.provider, "osrm") != 0)
            w->failures++;
    }
    return NULL;
}

/* One osrm provider shared by threads: the cache and curl under load. */
static void
test_shared_between_threads(void **state)
{
    (void)state;
    struct dist_provider *p = provider();
    struct dist_stats st;
    atomic_store(&srv.mode, MODE_OK);
    int before = atomic_load(&srv.requests);
    enum { T = 4 };
    pthread_t th[T];
    struct worker w[T];
    for (int i = 0; i < T; i++) {
        w[i] = (struct worker){p, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    dist_provider_stats(p, &st);
    assert_int_equal(st.queries, T * 25);
    assert_int_equal(st.fallbacks, 0);
    /* 20 distinct questions: every answer came from the service or the
     * cache (direct-mapped, so colliding keys may be asked again) */
    int asked = atomic_load(&srv.requests) - before;
    assert_int_equal((uint64_t)asked + st.cache_hits, T * 25);
    if (asked < 20 || st.cache_hits == 0)
        fail_msg("asked %d, cache hits %llu", asked, (unsigned long long)st.cache_hits);
    dist_provider_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_and_cache),   cmocka_unit_test(test_table),
        cmocka_unit_test(test_fallbacks),         cmocka_unit_test(test_refused_connection),
        cmocka_unit_test(test_noroute_nosegment), cmocka_unit_test(test_shared_between_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
