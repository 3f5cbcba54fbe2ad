/* Outbox storage and the sender thread (see outbox.h). */
#include "outbox/outbox.h"

#include "common/log.h"
#include "common/numparse.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "core/ticker.h"
#include "http/metrics.h"

#include <curl/curl.h>
#include <nettle/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 16

static struct db_stmt st_add = {
    "outbox_add", "INSERT INTO outbox (topic, target, payload) VALUES ($1, $2, $3::jsonb)", 3, 0};
/* Claims due events with a lease: next_attempt_at moves past the delivery
 * timeout, so a sender that dies mid-delivery leaves them to another. */
static struct db_stmt st_claim = {
    "outbox_claim",
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + $1 * interval '1 "
    "millisecond' WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS "
    "NULL AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP "
    "LOCKED) RETURNING id, delivery_id, topic, target, payload::text, attempts, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    2, 0};
static struct db_stmt st_delivered = {
    "outbox_delivered", "UPDATE outbox SET delivered_at = now(), last_error = NULL WHERE id = $1",
    1, 0};
static struct db_stmt st_failed = {
    "outbox_failed",
    "UPDATE outbox SET last_error = $2, next_attempt_at = now() + $3 * interval '1 millisecond', "
    "dead_at = CASE WHEN $4::bool THEN now() END WHERE id = $1",
    4, 0};

#define EVENT_COLUMNS                                                                              \
    "id, delivery_id, topic, target, attempts, CASE WHEN delivered_at IS NOT NULL THEN "           \
    "'delivered' WHEN dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END, "                        \
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                   \
    "coalesce(last_error, '')"

static struct db_stmt st_list = {
    "outbox_list",
    "SELECT " EVENT_COLUMNS " FROM outbox WHERE id > $2 AND CASE $1 WHEN 'delivered' THEN "
    "delivered_at IS NOT NULL WHEN 'dead' THEN dead_at IS NOT NULL ELSE delivered_at IS NULL AND "
    "dead_at IS NULL END ORDER BY id LIMIT $3",
    3, 0};
static struct db_stmt st_retry = {
    "outbox_retry",
    "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = now() WHERE id = $1 AND "
    "dead_at IS NOT NULL RETURNING " EVENT_COLUMNS,
    1, 0};

static void
read_event(const PGresult *r, int row, struct outbox_event *e)
{
    memset(e, 0, sizeof *e);
    if (!parse_int64(PQgetvalue(r, row, 0), 1, INT64_MAX, &e->id))
        e->id = 0;
    snprintf(e->delivery_id, sizeof e->delivery_id, "%s", PQgetvalue(r, row, 1));
    snprintf(e->topic, sizeof e->topic, "%s", PQgetvalue(r, row, 2));
    snprintf(e->target, sizeof e->target, "%s", PQgetvalue(r, row, 3));
    e->attempts = (int)strtol(PQgetvalue(r, row, 4), NULL, 10);
    snprintf(e->state, sizeof e->state, "%s", PQgetvalue(r, row, 5));
    snprintf(e->created_at, sizeof e->created_at, "%s", PQgetvalue(r, row, 6));
    snprintf(e->last_error, sizeof e->last_error, "%s", PQgetvalue(r, row, 7));
}

enum db_status
outbox_list(struct db_conn *c, const char *state, int64_t after, int limit,
            struct outbox_event **items, int *n)
{
    char a[24], l[16];
    snprintf(a, sizeof a, "%lld", (long long)after);
    snprintf(l, sizeof l, "%d", limit);
    const char *params[] = {state, a, l};
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, &st_list, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    *items = xcalloc((size_t)*n, sizeof **items);
    for (int i = 0; i < *n; i++)
        read_event(r, i, &(*items)[i]);
    PQclear(r);
    return DB_OK;
}

enum db_status
outbox_retry(struct db_conn *c, int64_t id, struct outbox_event *out)
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)id);
    const char *params[] = {a};
    enum db_status s;
    PGresult *r = db_exec(c, &st_retry, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read_event(r, 0, out);
    PQclear(r);
    return s;
}

enum db_status
outbox_add(struct db_conn *c, const char *topic, const char *target, const json_t *payload)
{
    char *text = json_dumps(payload, JSON_COMPACT);
    if (!text)
        return DB_ERROR;
    const char *params[] = {topic, target, text};
    enum db_status s = db_exec_cmd(c, &st_add, params, NULL);
    free(text);
    return s;
}

char *
outbox_signature_dup(const char *secret, int64_t t, const char *body, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    struct hmac_sha256_ctx ctx;
    uint8_t mac[SHA256_DIGEST_SIZE];
    char stamp[24];
    int n = snprintf(stamp, sizeof stamp, "%lld.", (long long)t);
    hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
    hmac_sha256_update(&ctx, (size_t)n, (const uint8_t *)stamp);
    hmac_sha256_update(&ctx, len, (const uint8_t *)body);
    hmac_sha256_digest(&ctx, sizeof mac, mac);
    char digest[2 * SHA256_DIGEST_SIZE + 1];
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        digest[2 * i] = hex[mac[i] >> 4];
        digest[2 * i + 1] = hex[mac[i] & 15];
    }
    digest[2 * SHA256_DIGEST_SIZE] = '\0';
    return xasprintf("t=%lld,v1=%s", (long long)t, digest);
}

struct event {
    char id[24];
    char delivery_id[40];
    char topic[101];
    char *target;
    char *payload;
    int attempts;
    char created_at[40];
};

struct outbox_sender {
    struct app *app;
    struct ticker *ticker;
    struct claim_ctx *claims;
    unsigned seed;
};

struct claim_ctx {
    const struct config *cfg;
    struct event ev[BATCH];
    int n;
};

static void
events_clear(struct claim_ctx *x)
{
    for (int i = 0; i < x->n; i++) {
        free(x->ev[i].target);
        free(x->ev[i].payload);
    }
    x->n = 0;
}

static enum db_status
claim_tx(struct db_conn *c, void *arg)
{
    struct claim_ctx *x = arg;
    events_clear(x);
    char lease[24], limit[8];
    snprintf(lease, sizeof lease, "%lld", (long long)x->cfg->outbox_timeout_ms + 30000);
    snprintf(limit, sizeof limit, "%d", BATCH);
    const char *params[] = {lease, limit};
    enum db_status s;
    PGresult *r = db_exec(c, &st_claim, params, &s);
    if (!r)
        return s;
    for (int i = 0; i < PQntuples(r) && i < BATCH; i++) {
        struct event *e = &x->ev[x->n++];
        snprintf(e->id, sizeof e->id, "%s", PQgetvalue(r, i, 0));
        snprintf(e->delivery_id, sizeof e->delivery_id, "%s", PQgetvalue(r, i, 1));
        snprintf(e->topic, sizeof e->topic, "%s", PQgetvalue(r, i, 2));
        e->target = xstrdup(PQgetvalue(r, i, 3));
        e->payload = xstrdup(PQgetvalue(r, i, 4));
        e->attempts = (int)strtol(PQgetvalue(r, i, 5), NULL, 10);
        snprintf(e->created_at, sizeof e->created_at, "%s", PQgetvalue(r, i, 6));
    }
    PQclear(r);
    return DB_OK;
}

static size_t
discard(char *ptr, size_t size, size_t n, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * n;
}

/* POSTs one event; returns NULL on a 2xx answer, else the reason (static
 * or caller-freed through *owned). */
static char *
deliver(const struct config *cfg, const struct event *e)
{
    char *body = xasprintf("{\"id\":\"%s\",\"topic\":\"%s\",\"created_at\":\"%s\",\"data\":%s}",
                           e->delivery_id, e->topic, e->created_at, e->payload);
    char *sig = outbox_signature_dup(cfg->webhook_secret, (int64_t)time(NULL), body, strlen(body));
    char *h_sig = xasprintf("X-Ritmo-Signature: %s", sig);
    char *h_id = xasprintf("Idempotency-Key: %s", e->delivery_id);
    char *h_topic = xasprintf("X-Ritmo-Topic: %s", e->topic);
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, h_sig);
    hdrs = curl_slist_append(hdrs, h_id);
    hdrs = curl_slist_append(hdrs, h_topic);
    hdrs = curl_slist_append(hdrs, "Expect:");
    CURL *c = curl_easy_init();
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, e->target);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->outbox_timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    char *why = NULL;
    if (rc != CURLE_OK)
        why = xasprintf("%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        why = xasprintf("the webhook answered %ld", status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    free(h_topic);
    free(h_id);
    free(h_sig);
    free(sig);
    free(body);
    return why;
}

struct result_ctx {
    const struct event *e;
    const char *error; /* NULL: delivered */
    int64_t retry_ms;
    bool dead;
};

static enum db_status
result_tx(struct db_conn *c, void *arg)
{
    struct result_ctx *x = arg;
    if (!x->error) {
        const char *params[] = {x->e->id};
        return db_exec_cmd(c, &st_delivered, params, NULL);
    }
    char retry[24];
    snprintf(retry, sizeof retry, "%lld", (long long)x->retry_ms);
    const char *params[] = {x->e->id, x->error, retry, x->dead ? "t" : "f"};
    return db_exec_cmd(c, &st_failed, params, NULL);
}

/* base, 2 base, 4 base, ... at most an hour, with up to 25 % jitter so
 * that many failed events do not come back in one burst. */
static int64_t
backoff_ms(const struct config *cfg, int attempts, unsigned *seed)
{
    int64_t ms = cfg->outbox_retry_base_ms;
    for (int i = 1; i < attempts && ms < 3600000; i++)
        ms *= 2;
    if (ms > 3600000)
        ms = 3600000;
    return ms + (int64_t)(rand_r(seed) % (unsigned)(ms / 4 + 1));
}

static void
process(struct outbox_sender *s, struct claim_ctx *x, unsigned *seed)
{
    const struct config *cfg = s->app->cfg;
    for (int i = 0; i < x->n; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        char *why = deliver(cfg, &x->ev[i]);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        metrics_observe_job(s->app->metrics, why ? "outbox_failed" : "outbox_delivered",
                            (double)(t1.tv_sec - t0.tv_sec) +
                                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        struct result_ctx r = {&x->ev[i], why, backoff_ms(cfg, x->ev[i].attempts, seed),
                               x->ev[i].attempts >= cfg->outbox_max_attempts};
        if (why)
            log_warn("could not deliver event %s (%s, attempt %d)%s: %s", x->ev[i].delivery_id,
                     x->ev[i].topic, x->ev[i].attempts, r.dead ? ", now a dead letter" : "", why);
        if (db_tx_run(s->app->pool, "outbox_result", result_tx, &r) != DB_OK)
            log_warn("could not record the delivery of event %s; it will be retried",
                     x->ev[i].delivery_id);
        free(why);
    }
}

/* One round: claim due events and deliver them; more when the batch was
 * full. */
static bool
round_once(void *arg)
{
    struct outbox_sender *s = arg;
    enum db_status st = db_tx_run(s->app->pool, "outbox_claim", claim_tx, s->claims);
    if (st == DB_OK)
        process(s, s->claims, &s->seed);
    bool more = st == DB_OK && s->claims->n == BATCH;
    events_clear(s->claims);
    return more;
}

struct outbox_sender *
outbox_sender_start(struct app *app)
{
    if (!app->cfg->webhook_secret[0]) {
        log_warn("RITMO_WEBHOOK_SECRET is not set: webhook events are kept but not sent");
        return NULL;
    }
    struct outbox_sender *s = xcalloc(1, sizeof *s);
    s->app = app;
    s->claims = xcalloc(1, sizeof *s->claims);
    s->claims->cfg = app->cfg;
    s->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)s;
    s->ticker = ticker_start("outbox sender", app->cfg->outbox_poll_ms, round_once, s);
    if (!s->ticker) {
        free(s->claims);
        free(s);
        return NULL;
    }
    return s;
}

void
outbox_sender_stop(struct outbox_sender *s)
{
    if (!s)
        return;
    ticker_stop(s->ticker);
    free(s->claims);
    free(s);
}
