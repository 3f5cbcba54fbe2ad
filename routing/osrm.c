/* OSRM over HTTP: URL building, a bounded response buffer, a small parser
 * for exactly the parts of OSRM's JSON answers that ritmo reads, and a
 * direct-mapped cache of point-to-point answers. */
#include "routing/osrm.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xalloc.h"

/* A default osrm-routed accepts at most 100 coordinates per table request. */
#define TABLE_BLOCK 50
/* Largest answer accepted; a 50x50 table is about 60 kB. */
#define MAX_BODY       (8u << 20)
#define JSON_MAX_DEPTH 32

struct cache_entry {
    int32_t key[4]; /* from lat, lon, to lat, lon in 1e-6 degrees */
    bool used;
    double metres, seconds;
};

struct osrm_client {
    char *base;
    long timeout_ms;
    size_t cache_size;
    struct cache_entry *cache;
    pthread_mutex_t lock;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct osrm_client *
osrm_client_create(const char *base_url, long timeout_ms, size_t cache_size)
{
    pthread_once(&curl_once, curl_init_once);
    struct osrm_client *c = xcalloc(1, sizeof *c);
    size_t len = strlen(base_url);
    while (len > 0 && base_url[len - 1] == '/')
        len--;
    c->base = xstrndup(base_url, len);
    c->timeout_ms = timeout_ms;
    c->cache_size = cache_size;
    c->cache = cache_size ? xcalloc(cache_size, sizeof *c->cache) : NULL;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void
osrm_client_free(struct osrm_client *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->cache);
    free(c->base);
    free(c);
}

/* ---- growable strings for URLs and bodies ---- */

struct buf {
    char *s;
    size_t len, cap;
    bool overflow;
};

static void
buf_add(struct buf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void __attribute__((format(printf, 2, 3))) buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    char *tmp = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_add(b, tmp, (size_t)n);
    free(tmp);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t n = size * nmemb;
    if (b->len + n > MAX_BODY) {
        b->overflow = true;
        return 0;
    }
    buf_add(b, data, n);
    return n;
}

/* GET url; body is filled (NUL-terminated) on any HTTP answer. */
static enum osrm_status
http_get(const struct osrm_client *c, const char *url, struct buf *body, long *http_code)
{
    enum osrm_status st = OSRM_ERR_TRANSPORT;
    CURL *h = curl_easy_init();
    if (!h)
        goto out;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM timeouts */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ritmo");
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        log_debug("routing service request failed: %s", curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, http_code);
    if (!body->s)
        buf_add(body, "", 0);
    st = OSRM_OK;
out:
    curl_easy_cleanup(h);
    return st;
}

/* ---- just enough JSON ---- */

struct json {
    const char *p;
};

static void
ws(struct json *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static bool
lit(struct json *j, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(j->p, word, n) != 0)
        return false;
    j->p += n;
    return true;
}

/* A string into out (escapes reduced to the escaped character, which is
 * enough to compare keys and codes). */
static bool
string(struct json *j, char *out, size_t cap)
{
    size_t n = 0;
    if (*j->p != '"')
        return false;
    for (j->p++; *j->p != '"'; j->p++) {
        if (!*j->p)
            return false;
        if (*j->p == '\\' && !*++j->p)
            return false;
        if (n + 1 < cap)
            out[n++] = *j->p;
    }
    j->p++;
    if (cap)
        out[n] = '\0';
    return true;
}

static bool
number(struct json *j, double *out)
{
    char *end;
    *out = strtod(j->p, &end);
    if (end == j->p || !isfinite(*out))
        return false;
    j->p = end;
    return true;
}

static bool skip(struct json *j, int depth);

static bool
skip_container(struct json *j, int depth, char close)
{
    char key[8];
    j->p++;
    ws(j);
    if (*j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        ws(j);
        if (close == '}') {
            if (!string(j, key, sizeof key))
                return false;
            ws(j);
            if (*j->p++ != ':')
                return false;
        }
        if (!skip(j, depth + 1))
            return false;
        ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        return *j->p++ == close;
    }
}

static bool
skip(struct json *j, int depth)
{
    double d;
    ws(j);
    if (depth > JSON_MAX_DEPTH)
        return false;
    switch (*j->p) {
    case '{':
        return skip_container(j, depth, '}');
    case '[':
        return skip_container(j, depth, ']');
    case '"':
        return string(j, NULL, 0);
    case 't':
        return lit(j, "true");
    case 'f':
        return lit(j, "false");
    case 'n':
        return lit(j, "null");
    default:
        return number(j, &d);
    }
}

/* In the object at j, move to the value of key; false if absent. */
static bool
member(struct json *j, const char *key)
{
    char name[64];
    ws(j);
    if (*j->p != '{')
        return false;
    j->p++;
    for (;;) {
        ws(j);
        if (!string(j, name, sizeof name))
            return false;
        ws(j);
        if (*j->p++ != ':')
            return false;
        ws(j);
        if (strcmp(name, key) == 0)
            return true;
        if (!skip(j, 1))
            return false;
        ws(j);
        if (*j->p++ != ',')
            return false;
    }
}

/* OSRM's "code" of the answer: "Ok", "NoRoute", "NoSegment", ... */
static enum osrm_status
answer_code(const char *body)
{
    struct json j = {body};
    char code[32];
    if (!member(&j, "code") || !string(&j, code, sizeof code))
        return OSRM_ERR_PROTOCOL;
    if (strcmp(code, "Ok") == 0)
        return OSRM_OK;
    if (strcmp(code, "NoRoute") == 0)
        return OSRM_ERR_NO_ROUTE;
    if (strcmp(code, "NoSegment") == 0)
        return OSRM_ERR_NO_SEGMENT;
    log_warn("routing service answered code \"%s\"", code);
    return OSRM_ERR_PROTOCOL;
}

static enum osrm_status
fetch(const struct osrm_client *c, const char *url, struct buf *body)
{
    long http = 0;
    enum osrm_status st = http_get(c, url, body, &http);
    if (st != OSRM_OK)
        return st;
    if (http >= 500) {
        log_debug("routing service answered HTTP %ld", http);
        return OSRM_ERR_TRANSPORT;
    }
    /* OSRM reports NoRoute/NoSegment with HTTP 400 and a JSON code. */
    st = answer_code(body->s);
    if (st == OSRM_OK && http != 200)
        st = OSRM_ERR_PROTOCOL;
    return st;
}

/* ---- cache ---- */

static void
cache_key(struct geo_point a, struct geo_point b, int32_t key[4])
{
    key[0] = (int32_t)lround(a.lat * 1e6);
    key[1] = (int32_t)lround(a.lon * 1e6);
    key[2] = (int32_t)lround(b.lat * 1e6);
    key[3] = (int32_t)lround(b.lon * 1e6);
}

static size_t
cache_slot(const struct osrm_client *c, const int32_t key[4])
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 4; i++)
        h = (h ^ (uint32_t)key[i]) * 1099511628211ull;
    /* Finalizer (MurmurHash3 fmix64): the multiplications alone keep the
     * low bits of nearby coordinates alike, which would crowd them into a
     * few slots. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (size_t)(h % c->cache_size);
}

static bool
cache_get(struct osrm_client *c, const int32_t key[4], double *m, double *s)
{
    bool hit = false;
    if (!c->cache_size)
        return false;
    pthread_mutex_lock(&c->lock);
    const struct cache_entry *e = &c->cache[cache_slot(c, key)];
    if (e->used && memcmp(e->key, key, sizeof e->key) == 0) {
        *m = e->metres;
        *s = e->seconds;
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

/* Direct-mapped: a new answer replaces whatever shared its slot. */
static void
cache_put(struct osrm_client *c, const int32_t key[4], double m, double s)
{
    if (!c->cache_size)
        return;
    pthread_mutex_lock(&c->lock);
    struct cache_entry *e = &c->cache[cache_slot(c, key)];
    memcpy(e->key, key, sizeof e->key);
    e->used = true;
    e->metres = m;
    e->seconds = s;
    pthread_mutex_unlock(&c->lock);
}

/* ---- requests ---- */

static bool
route_numbers(const char *body, double *m, double *s)
{
    struct json j = {body};
    if (!member(&j, "routes") || *j.p != '[')
        return false;
    j.p++;
    const char *route = j.p;
    j.p = route;
    if (!member(&j, "distance") || !number(&j, m) || *m < 0)
        return false;
    j.p = route;
    return member(&j, "duration") && number(&j, s) && *s >= 0;
}

enum osrm_status
osrm_route(struct osrm_client *c, struct geo_point from, struct geo_point to, double *metres,
           double *seconds, int *cached)
{
    int32_t key[4];
    struct buf url = {0}, body = {0};
    *cached = 0;
    cache_key(from, to, key);
    if (cache_get(c, key, metres, seconds)) {
        *cached = 1;
        return OSRM_OK;
    }
    buf_printf(&url, "%s/route/v1/driving/%.6f,%.6f;%.6f,%.6f", c->base, from.lon, from.lat, to.lon,
               to.lat);
    buf_printf(&url, "?overview=false&alternatives=false&steps=false");
    enum osrm_status st = fetch(c, url.s, &body);
    if (st != OSRM_OK)
        goto out;
    double m, s;
    if (!route_numbers(body.s, &m, &s)) {
        st = OSRM_ERR_PROTOCOL;
        goto out;
    }
    cache_put(c, key, m, s);
    *metres = m;
    *seconds = s;
out:
    free(url.s);
    free(body.s);
    return st;
}

/* Read rows x cols numbers (null as INFINITY) from the array of arrays at
 * j into out[i * stride + k]. */
static bool
table_numbers(struct json *j, size_t rows, size_t cols, double *out, size_t stride)
{
    ws(j);
    if (*j->p++ != '[')
        return false;
    for (size_t i = 0; i < rows; i++) {
        ws(j);
        if (*j->p++ != '[')
            return false;
        for (size_t k = 0; k < cols; k++) {
            ws(j);
            if (lit(j, "null"))
                out[i * stride + k] = INFINITY;
            else if (!number(j, &out[i * stride + k]))
                return false;
            ws(j);
            if (*j->p++ != (k + 1 < cols ? ',' : ']'))
                return false;
        }
        ws(j);
        if (*j->p++ != (i + 1 < rows ? ',' : ']'))
            return false;
    }
    return true;
}

static void
coords(struct buf *url, const struct geo_point *pts, size_t n, bool *first)
{
    for (size_t i = 0; i < n; i++) {
        buf_printf(url, "%s%.6f,%.6f", *first ? "" : ";", pts[i].lon, pts[i].lat);
        *first = false;
    }
}

static void
index_list(struct buf *url, const char *name, size_t start, size_t n)
{
    buf_printf(url, "%s=", name);
    for (size_t i = 0; i < n; i++)
        buf_printf(url, "%s%zu", i ? ";" : "", start + i);
}

/* One request for a block of at most TABLE_BLOCK sources and destinations;
 * results go into the full matrices at (r0, c0). */
static enum osrm_status
table_block(struct osrm_client *c, const struct geo_point *from, size_t nf,
            const struct geo_point *to, size_t nt, double *metres, double *seconds, size_t stride)
{
    struct buf url = {0}, body = {0};
    bool first = true;
    buf_printf(&url, "%s/table/v1/driving/", c->base);
    coords(&url, from, nf, &first);
    coords(&url, to, nt, &first);
    buf_printf(&url, "?");
    index_list(&url, "sources", 0, nf);
    buf_printf(&url, "&");
    index_list(&url, "destinations", nf, nt);
    buf_printf(&url, "&annotations=distance,duration");
    enum osrm_status st = fetch(c, url.s, &body);
    if (st != OSRM_OK)
        goto out;
    struct json j = {body.s};
    st = OSRM_ERR_PROTOCOL;
    if (!member(&j, "distances") || !table_numbers(&j, nf, nt, metres, stride))
        goto out;
    j.p = body.s;
    if (!member(&j, "durations") || !table_numbers(&j, nf, nt, seconds, stride))
        goto out;
    st = OSRM_OK;
out:
    free(url.s);
    free(body.s);
    return st;
}

enum osrm_status
osrm_table(struct osrm_client *c, const struct geo_point *from, size_t nfrom,
           const struct geo_point *to, size_t nto, double *metres, double *seconds)
{
    for (size_t i = 0; i < nfrom; i += TABLE_BLOCK) {
        size_t nf = nfrom - i < TABLE_BLOCK ? nfrom - i : TABLE_BLOCK;
        for (size_t k = 0; k < nto; k += TABLE_BLOCK) {
            size_t nt = nto - k < TABLE_BLOCK ? nto - k : TABLE_BLOCK;
            size_t at = i * nto + k;
            enum osrm_status st =
                table_block(c, from + i, nf, to + k, nt, metres + at, seconds + at, nto);
            if (st != OSRM_OK)
                return st;
        }
    }
    return OSRM_OK;
}
