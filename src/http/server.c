/* libmicrohttpd glue. Request lifecycle: state is allocated on the first
 * callback, the body collected into a bounded buffer; on the final call the
 * connection is suspended and the request handed to a worker thread, which
 * builds the answer and resumes the connection; libmicrohttpd then calls
 * once more and the answer is queued. Everything is freed in the completion
 * callback, which also writes the access log line and the metrics.
 *
 * Why workers: each of libmicrohttpd's polling threads serves its own
 * connections, one request at a time, so a request that waits (for the
 * day's lock, say) would hold up every other connection on that thread. */
#include "http/server.h"

#include "audit/access_log.h"
#include "auth/token_store.h"
#include "common/log.h"
#include "common/numparse.h"
#include "common/slurp.h"
#include "common/work_queue.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "http/conn_deadline.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/reply.h"
#include "http/tx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    atomic_int in_flight;
    char *tls_cert, *tls_key;     /* PEM text, kept while the daemon runs */
    struct rate_limiter *limiter; /* NULL: no rate limit */
    struct conn_deadline *deadline;
    struct work_queue *workers; /* run the handlers (RITMO_THREADS) */
};

static double
elapsed_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Keeps a client's X-Request-Id when it is short and plain, so that a
 * request can be followed across systems; otherwise makes a new one. */
static void
set_request_id(struct req *r)
{
    const char *given = http_header(r, "X-Request-Id");
    if (given && *given && strlen(given) <= REQUEST_ID_MAX &&
        strspn(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") ==
            strlen(given)) {
        snprintf(r->request_id, sizeof r->request_id, "%s", given);
        return;
    }
    unsigned char raw[12] = {0};
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        log_warn("could not read random bytes for a request id");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(r->request_id + 2 * i, 3, "%02x", raw[i]);
}

static struct req *
req_create(struct http_server *s, struct MHD_Connection *conn, const char *method, const char *path)
{
    struct req *r = xcalloc(1, sizeof *r);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->app = s->app;
    r->server = s;
    r->conn = conn;
    r->method = method;
    r->path = path;
    set_request_id(r);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

static void
req_free(struct req *r)
{
    if (!r)
        return;
    if (r->response)
        MHD_destroy_response(r->response);
    json_decref(r->json);
    free(r->body);
    free(r);
}

/* Appends a body chunk; beyond the limit the rest is read and dropped so
 * that the client still gets its 413. */
static void
collect_body(struct req *r, const char *data, size_t len)
{
    size_t limit = (size_t)r->app->cfg->body_limit;
    if (r->body_too_large || r->body_len + len > limit) {
        r->body_too_large = true;
        return;
    }
    r->body = xrealloc(r->body, r->body_len + len + 1);
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
}

static bool
declared_too_large(struct req *r)
{
    const char *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t n;
    return cl && parse_int64(cl, 0, INT64_MAX, &n) && n > r->app->cfg->body_limit;
}

struct auth_ctx {
    const char *hash;
    struct principal *who;
};

static enum db_status
auth_tx(struct db_conn *c, void *ctx)
{
    struct auth_ctx *a = ctx;
    return token_store_lookup(c, a->hash, a->who);
}

/* 401 unless a valid bearer token is given, 403 unless its role may use
 * the route (admin may use every route); 503 when the database is down. */
/* The bearer token of the request. Calendar feeds (*.ics) may also carry it
 * as ?token=, since calendar apps subscribe by URL and cannot send headers;
 * query strings never reach the log. */
static const char *
bearer_token(struct req *r)
{
    const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h)
        return strncmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
    size_t len = strlen(r->route->pattern);
    if (len > 4 && !strcmp(r->route->pattern + len - 4, ".ics"))
        return http_query(r, "token");
    return NULL;
}

static bool
authorize_or_reply(struct req *r)
{
    const char *token = bearer_token(r);
    if (!token || !token_well_formed(token)) {
        http_reply_error(r, 401, "unauthenticated", NULL,
                         "a valid bearer token is required (Authorization: Bearer <token>)");
        return false;
    }
    char hash[TOKEN_HASH_HEX];
    token_hash_hex(token, hash);
    struct auth_ctx a = {hash, &r->who};
    enum db_status st = db_tx_run(r->app->pool, "authenticate", auth_tx, &a);
    if (st == DB_NOT_FOUND) {
        http_reply_error(r, 401, "unauthenticated", NULL, "the token is unknown or revoked");
        return false;
    }
    if (st != DB_OK) {
        http_reply_db_error(r, st);
        return false;
    }
    if (r->who.role != ROLE_ADMIN && !(r->route->roles & r->who.role)) {
        http_reply_error(r, 403, "forbidden", NULL, "the role \"%s\" may not do this",
                         role_name(r->who.role));
        return false;
    }
    return true;
}

/* 429 when the request's token has used up its rate (RITMO_RATE_LIMIT);
 * checked after authentication, so that the limit is the token's. */
static bool
rate_ok_or_reply(struct http_server *s, struct req *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int retry = 1;
    if (!s->limiter || rate_limiter_take(s->limiter, r->who.token_id,
                                         (double)now.tv_sec + (double)now.tv_nsec / 1e9, &retry))
        return true;
    r->retry_after_s = retry;
    http_reply_error(r, 429, "rate_limited", NULL,
                     "too many requests with this token; try again in %d s", retry);
    return false;
}

static enum db_status
access_tx(struct db_conn *c, void *ctx)
{
    return access_log_add(c, ctx);
}

/* Every answered read or change of one client's data (the routes under
 * /v1/clients/{id}) goes into the access trail, after the answer was
 * decided; a failure to record is logged, the request stands. */
static void
record_client_access(struct req *r)
{
    static const char prefix[] = "/v1/clients/{id}";
    int64_t client_id;
    if (r->status >= 400 || !r->who.token_id ||
        strncmp(r->route->pattern, prefix, sizeof prefix - 1) ||
        !parse_int64(r->params.value[0], 1, INT64_MAX, &client_id))
        return;
    struct access_entry e;
    http_access_entry(r, client_id, r->status, &e);
    enum db_status st = db_tx_run(r->app->pool, "client_access", access_tx, &e);
    if (st != DB_OK)
        log_warn("request %s: could not record the client access (status %d)", r->request_id,
                 (int)st);
}

static void
dispatch(struct http_server *s, struct req *r)
{
    char allow[128];
    size_t n = routes_count();
    size_t index;
    switch (router_match(routes, n, r->method, r->path, &index, &r->params, allow, sizeof allow)) {
    case ROUTE_NOT_FOUND:
        http_reply_error(r, 404, "not_found", NULL, "no such resource");
        return;
    case ROUTE_METHOD_NOT_ALLOWED: {
        snprintf(r->allow, sizeof r->allow, "%s", allow);
        http_reply_error(r, 405, "method_not_allowed", NULL, "method %s is not allowed here",
                         r->method);
        return;
    }
    case ROUTE_FOUND:
        break;
    }
    r->route_index = index;
    r->route = &routes[index];
    if (r->body_too_large) {
        http_reply_error(r, 413, "body_too_large", NULL, "the body is larger than %lld bytes",
                         (long long)r->app->cfg->body_limit);
        return;
    }
    if (r->route->roles && (!authorize_or_reply(r) || !rate_ok_or_reply(s, r)))
        return;
    if (!http_body_json_or_reply(r))
        return;
    r->route->handler(r);
    if (!r->status) {
        log_error("handler of %s %s gave no answer", r->route->method, r->route->pattern);
        http_reply_error(r, 500, "internal", NULL, "internal error");
    }
    record_client_access(r);
}

/* A worker's job: the answer is kept in the request until libmicrohttpd,
 * woken by the resume, calls on_request again on its own thread. */
static void
run_request(void *arg)
{
    struct req *r = arg;
    dispatch(r->server, r);
    MHD_resume_connection(r->conn);
}

/* The connection's entry in the request deadline. */
static void *
socket_context_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (info)
            conn_deadline_opened(s->deadline, info->connect_fd, socket_context);
    } else {
        conn_deadline_closed(s->deadline, socket_context);
    }
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct req *r = *con_cls;
    if (!r) {
        r = req_create(s, conn, method, url);
        *con_cls = r;
        if (declared_too_large(r)) {
            /* Answer at once instead of reading a body we will refuse. */
            r->body_too_large = true;
            dispatch(s, r);
            http_reply_send(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->status)
            collect_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* The request has arrived whole; one that came too late was cut off
     * and is not run (its client is gone). */
    if (!conn_deadline_arrived(s->deadline, socket_context_of(conn)))
        return MHD_NO;
    if (r->status) { /* answered: by a worker, or before the body came */
        http_reply_send(r);
        return MHD_YES;
    }
    /* Suspended before it is handed over, so that the worker's resume
     * always follows the suspend. While the server stops, the queue takes
     * nothing more and the request runs here. */
    MHD_suspend_connection(conn);
    if (work_queue_push(s->workers, run_request, r))
        return MHD_YES;
    MHD_resume_connection(conn);
    dispatch(s, r);
    http_reply_send(r);
    return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    conn_deadline_rearm(s->deadline, socket_context_of(conn)); /* the next request's time */
    struct req *r = *con_cls;
    if (!r)
        return;
    double secs = elapsed_since(&r->started);
    size_t route = r->route ? r->route_index : routes_count();
    metrics_observe(r->app->metrics, route, r->status, secs);
    log_info("request id=%s method=%s path=\"%s\" status=%u ms=%.1f%s", r->request_id, r->method,
             r->path, r->status, secs * 1e3,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    req_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_warn("http: %s", msg);
}

static bool
resolve(const char *host, int port, struct sockaddr_storage *out, char **err)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        *err = xasprintf("cannot listen on \"%s:%d\": %s", host, port, gai_strerror(rc));
        return false;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

static void
server_free(struct http_server *s)
{
    free(s->tls_cert);
    free(s->tls_key);
    rate_limiter_free(s->limiter);
    conn_deadline_free(s->deadline);
    work_queue_stop(s->workers);
    free(s);
}

/* The whole PEM file as a string (MHD wants the text, not a path). */
static char *
pem_read(const char *path, const char *setting, char **err)
{
    char *pem;
    size_t len;
    enum slurp_status s = slurp_file(path, 1 << 20, &pem, &len);
    if (s == SLURP_OK && len > 0)
        return pem;
    *err = s == SLURP_OPEN || s == SLURP_READ
               ? xasprintf("cannot read %s \"%s\": %s", setting, path, strerror(errno))
               : xasprintf("cannot read %s \"%s\": empty or larger than 1 MiB", setting, path);
    free(pem);
    return NULL;
}

/* libmicrohttpd's polling threads only read requests and write answers:
 * more of them than cores would only take turns. */
static unsigned
polling_threads(const struct config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    return (unsigned)(cfg->threads < cores ? cfg->threads : cores);
}

struct http_server *
http_server_start(struct app *app, char **err)
{
    const struct config *cfg = app->cfg;
    struct sockaddr_storage addr;
    if (!resolve(cfg->listen_host, cfg->listen_port, &addr, err))
        return NULL;
    struct http_server *s = xcalloc(1, sizeof *s);
    s->app = app;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* Without TLS the two options end the list early (MHD_OPTION_END). */
    enum MHD_OPTION key_opt = MHD_OPTION_END, cert_opt = MHD_OPTION_END;
    if (*cfg->tls_cert) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            *err = xasprintf("this libmicrohttpd has no TLS support (RITMO_TLS_CERT is set)");
            free(s);
            return NULL;
        }
        if (!(s->tls_cert = pem_read(cfg->tls_cert, "RITMO_TLS_CERT", err)) ||
            !(s->tls_key = pem_read(cfg->tls_key, "RITMO_TLS_KEY", err))) {
            server_free(s);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        key_opt = MHD_OPTION_HTTPS_MEM_KEY;
        cert_opt = MHD_OPTION_HTTPS_MEM_CERT;
    }
    if (cfg->rate_limit > 0)
        s->limiter = rate_limiter_new((double)cfg->rate_limit, (double)cfg->rate_burst);
    s->deadline = conn_deadline_create((int)cfg->conn_timeout_s, app->metrics);
    s->workers = work_queue_create((int)cfg->threads);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
        polling_threads(cfg), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, key_opt, s->tls_key, cert_opt, s->tls_cert, MHD_OPTION_END);
    if (!s->daemon) {
        *err = *cfg->tls_cert
                   ? xasprintf("cannot serve HTTPS on \"%s\": the address is in use, or the "
                               "certificate and key do not load or do not match",
                               cfg->listen)
                   : xasprintf("cannot listen on \"%s\": the address is in use or not available",
                               cfg->listen);
        server_free(s);
        return NULL;
    }
    return s;
}

void
http_server_stop(struct http_server *s, int grace_s)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&s->in_flight) > 0 && elapsed_since(&t0) < grace_s)
        usleep(20000);
    if (atomic_load(&s->in_flight) > 0)
        log_warn("stopping with %d requests still running", atomic_load(&s->in_flight));
    /* Every request handed to a worker is answered and its connection
     * resumed before the daemon stops (libmicrohttpd must not stop with
     * a connection suspended). */
    work_queue_stop(s->workers);
    s->workers = NULL;
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
