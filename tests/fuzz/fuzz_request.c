/* libFuzzer target: one HTTP request through the real route table, body
 * parser and handler (every request shape), up to the database.
 *
 * Input: a request in HTTP's shape, without the version:
 *     POST /v1/bookings?limit=5
 *     Idempotency-Key: abc
 *     X-Fuzz-Role: resident
 *
 *     {"client_id": "1", ...}
 * X-Fuzz-Role picks the caller's role (default: the first role the route
 * admits); a resident is bound to client 1, a driver to vehicle 1, a
 * supplier to supplier 1. Authentication is not fuzzed: it is a database
 * lookup of the token's hash.
 *
 * The database is the boundary: the link wraps db_tx_run (-Wl,--wrap), so
 * the first transaction a handler starts answers DB_UNAVAILABLE. What a
 * handler checks before that (field lists, cross-field rules, times, ids,
 * query parameters) is reached; what it checks inside its transaction, with
 * the stored rows, is not. libmicrohttpd's connection calls are wrapped too:
 * headers and query parameters come from the input, and every response is
 * checked, and time() is a fixed instant (2026-11-20T09:00:00Z) so that a
 * run can be repeated. Invariants: the handler answers exactly once, never 500, and
 * every JSON response is a JSON object (with error.code when >= 400).
 * RITMO_FUZZ_TRACE=1 prints how far each input got (for seeds). */
#include "common/log.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "core/config.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/reply.h"
#include "http/request.h"
#include "http/router.h"
#include "inventory/workcal.h"
#include "routing/distance.h"
#include "transport/ride_rules.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PAIRS 16

struct pair {
    char *name, *value;
};

/* The current input, for the wrapped libmicrohttpd calls. */
static struct {
    struct pair headers[MAX_PAIRS], query[MAX_PAIRS];
    int n_headers, n_query;
    int responses;
    unsigned status;
    int db_calls;
} cur;

static struct config cfg;
static struct app app;

enum db_status __real_db_tx_run(struct db_pool *pool, const char *name, db_tx_fn fn, void *ctx);
enum db_status __wrap_db_tx_run(struct db_pool *pool, const char *name, db_tx_fn fn, void *ctx);
enum MHD_Result __wrap_MHD_queue_response(struct MHD_Connection *connection, unsigned int status,
                                          struct MHD_Response *response);
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
                                               enum MHD_ValueKind kind, const char *key);
time_t __wrap_time(time_t *t);
struct MHD_Response *__real_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
struct MHD_Response *__wrap_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what)
{
    fprintf(stderr, "fuzz_request: %s (status %u, %d responses)\n", what, cur.status,
            cur.responses);
    abort();
}

enum db_status
__wrap_db_tx_run(struct db_pool *pool, const char *name, db_tx_fn fn, void *ctx)
{
    (void)pool, (void)name, (void)fn, (void)ctx;
    cur.db_calls++;
    return DB_UNAVAILABLE;
}

/* A fixed "now", 2026-11-20T09:00:00Z, so that an input gives the same
 * answer on every run and the seeds' dates stay ahead of it. */
time_t
__wrap_time(time_t *t)
{
    time_t now = 1795165200;
    if (t)
        *t = now;
    return now;
}

enum MHD_Result
__wrap_MHD_queue_response(struct MHD_Connection *connection, unsigned int status,
                          struct MHD_Response *response)
{
    (void)connection, (void)response;
    cur.responses++;
    cur.status = status;
    return MHD_YES;
}

/* Every body ritmo sends is checked here: JSON must parse to an object,
 * and an error (status known only later) has error.code; see below. */
static json_t *last_body;

struct MHD_Response *
__wrap_MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
    json_decref(last_body);
    last_body = json_loadb(buffer, size, 0, NULL);
    return __real_MHD_create_response_from_buffer(size, buffer, mode);
}

static const char *
find(const struct pair *p, int n, const char *key, bool nocase)
{
    for (int i = 0; i < n; i++)
        if (nocase ? !strcasecmp(p[i].name, key) : !strcmp(p[i].name, key))
            return p[i].value;
    return NULL;
}

const char *
__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                   const char *key)
{
    (void)connection;
    if (kind == MHD_HEADER_KIND)
        return find(cur.headers, cur.n_headers, key, true);
    if (kind == MHD_GET_ARGUMENT_KIND)
        return find(cur.query, cur.n_query, key, false);
    return NULL;
}

static int
hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* In place, as libmicrohttpd decodes paths and query values: %XX, and '+'
 * as a space in query values. */
static void
unescape(char *s, bool plus)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
            *o++ = (char)(hex(s[1]) * 16 + hex(s[2]));
            s += 2;
        } else {
            *o++ = plus && *s == '+' ? ' ' : *s;
        }
    }
    *o = '\0';
}

static void
parse_query(char *q)
{
    while (q && *q && cur.n_query < MAX_PAIRS) {
        char *next = strchr(q, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(q, '=');
        if (eq)
            *eq++ = '\0';
        unescape(q, true);
        if (eq)
            unescape(eq, true);
        cur.query[cur.n_query++] = (struct pair){q, eq ? eq : ""};
        q = next;
    }
}

/* Splits the request line and headers (text up to the blank line, NUL
 * terminated and modified in place); false when there is no request line. */
static bool
parse_head(char *head, char **method, char **path)
{
    char *line = head, *next = strchr(line, '\n');
    if (next)
        *next++ = '\0';
    char *sp = strchr(line, ' ');
    if (!sp)
        return false;
    *sp = '\0';
    *method = line;
    *path = sp + 1;
    char *q = strchr(*path, '?');
    if (q)
        *q++ = '\0';
    unescape(*path, false);
    parse_query(q);
    while (next && *next && cur.n_headers < MAX_PAIRS) {
        line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon++ = '\0';
        while (*colon == ' ')
            colon++;
        cur.headers[cur.n_headers++] = (struct pair){line, colon};
    }
    return true;
}

static void
set_principal(struct req *r)
{
    const char *name = find(cur.headers, cur.n_headers, "X-Fuzz-Role", true);
    enum role role = 0;
    if (!name || !role_parse(name, &role))
        for (role = ROLE_ADMIN; role <= ROLE_SUPPLIER && !(r->route->roles & role); role <<= 1)
            ;
    if (role > ROLE_SUPPLIER)
        role = ROLE_ADMIN;
    r->who = (struct principal){.token_id = 1, .role = role};
    if (role == ROLE_RESIDENT)
        r->who.client_id = 1;
    if (role == ROLE_DRIVER)
        r->who.vehicle_id = 1;
    if (role == ROLE_SUPPLIER)
        r->who.supplier_id = 1;
}

/* The response of the request passes the invariants, or the run aborts. */
static void
check_answer(void)
{
    if (cur.responses != 1)
        die("the handler must answer exactly once");
    if (cur.status == 500)
        die("a request answered 500 internal");
    if (!last_body)
        return; /* text: CSV or iCalendar */
    if (!json_is_object(last_body))
        die("a response body is not a JSON object");
    if (cur.status >= 400 &&
        !json_is_string(json_object_get(json_object_get(last_body, "error"), "code")))
        die("an error response without error.code");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR);
    char *err = NULL;
    if (!config_load(&cfg, NULL, NULL, &err)) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        abort();
    }
    app.cfg = &cfg;
    struct workcal_config wc;
    workcal_config_init(&wc);
    wc.time_zone = cfg.timezone;
    struct dist_options opt;
    dist_options_init(&opt);
    opt.detour_factor = cfg.detour_factor;
    if (workcal_create(&wc, &app.tz) != WORKCAL_OK ||
        dist_provider_create(cfg.routing, &opt, &app.dist) != DIST_OK) {
        fprintf(stderr, "fuzz_request: cannot set up the time zone or distances\n");
        abort();
    }
    ride_policy_from_config(&cfg, &app.policy);
    /* A pool that is never connected: db_tx_run is wrapped. /metrics
     * reads its size. */
    struct db_pool_options po = {.conninfo = "host=/nonexistent", .size = 1};
    app.pool = db_pool_create(&po);
    app.metrics = metrics_create(routes_count());
    app.started = 1700000000;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&cur, 0, sizeof cur);
    json_decref(last_body);
    last_body = NULL;
    /* head: up to the first blank line; body: the rest. */
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t head_len = strnlen(text, size);
    char *blank = strstr(text, "\n\n");
    if (blank && (size_t)(blank - text) < head_len)
        head_len = (size_t)(blank - text);
    const char *body = head_len + 2 <= size ? text + head_len + 2 : "";
    size_t body_len = head_len + 2 <= size ? size - head_len - 2 : 0;
    char *head = xstrndup(text, head_len);
    char *method, *path;
    struct req *r = NULL;
    size_t index;
    struct route_params params;
    char allow[128];
    if (!parse_head(head, &method, &path) ||
        router_match(routes, routes_count(), method, path, &index, &params, allow, sizeof allow) !=
            ROUTE_FOUND)
        goto out;
    r = xcalloc(1, sizeof *r);
    r->app = &app;
    r->method = method;
    r->path = path;
    r->route_index = index;
    r->route = &routes[index];
    r->params = params;
    snprintf(r->request_id, sizeof r->request_id, "fuzz");
    if (body_len) {
        r->body = xmalloc(body_len + 1);
        memcpy(r->body, body, body_len);
        r->body[body_len] = '\0';
        r->body_len = body_len;
    }
    set_principal(r);
    if (http_body_json_or_reply(r))
        r->route->handler(r);
    http_reply_send(r);
    check_answer();
    if (getenv("RITMO_FUZZ_TRACE")) { /* for checking seeds: how far each got */
        char *answer = last_body ? json_dumps(last_body, JSON_COMPACT) : NULL;
        fprintf(stderr, "%s %s: %u%s %s\n", r->route->method, r->route->pattern, cur.status,
                cur.db_calls ? " (reached the database)" : "", answer ? answer : "");
        free(answer);
    }
out:
    if (r) {
        json_decref(r->json);
        free(r->body);
        free(r);
    }
    json_decref(last_body);
    last_body = NULL;
    free(head);
    free(text);
    return 0;
}
