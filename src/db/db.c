/* Connection pool, prepared statements and the transaction runner. */
#include "db/db.h"

#include "common/log.h"
#include "common/numparse.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_STATEMENTS 1024

struct db_conn {
    PGconn *pg;
    bool busy;
    bool failed; /* a statement failed inside the current transaction */
    uint64_t prepared[MAX_STATEMENTS / 64];
};

struct db_pool {
    char *conninfo;
    char *application_name;
    int size;
    int acquire_timeout_ms;
    int statement_timeout_ms;
    int in_use;
    int waiting;              /* threads queued for a connection */
    int n_handoff;            /* released connections set aside for them */
    struct db_conn **handoff; /* ... so that a late arrival cannot barge in */
    unsigned long tx_retries; /* transactions run again after 40001/40P01 */
    pthread_mutex_t mu;
    pthread_cond_t freed;
    struct db_conn *conns;
};

static atomic_int next_stmt_id;
static pthread_mutex_t stmt_id_mu = PTHREAD_MUTEX_INITIALIZER;

PGconn *
db_connect(const char *conninfo, int timeout_ms, char **err)
{
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", timeout_ms < 2000 ? 2 : (timeout_ms + 999) / 1000);
    const char *keys[] = {"dbname", "connect_timeout", "fallback_application_name", NULL};
    const char *vals[] = {conninfo, timeout, "ritmo", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(pg);
        size_t len = strcspn(msg, "\n");
        *err = xasprintf("could not connect to the database: %.*s", (int)len, msg);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

struct db_pool *
db_pool_create(const struct db_pool_options *opt)
{
    struct db_pool *p = xcalloc(1, sizeof *p);
    p->conninfo = xstrdup(opt->conninfo);
    p->application_name = xstrdup(opt->application_name ? opt->application_name : "ritmo");
    p->size = opt->size > 0 ? opt->size : 1;
    p->acquire_timeout_ms = opt->acquire_timeout_ms;
    p->statement_timeout_ms = opt->statement_timeout_ms;
    p->conns = xcalloc((size_t)p->size, sizeof *p->conns);
    p->handoff = xcalloc((size_t)p->size, sizeof *p->handoff);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &ca);
    pthread_condattr_destroy(&ca);
    return p;
}

void
db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].pg)
            PQfinish(pool->conns[i].pg);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->freed);
    free(pool->conns);
    free(pool->handoff);
    free(pool->conninfo);
    free(pool->application_name);
    free(pool);
}

int
db_pool_in_use(const struct db_pool *pool)
{
    return __atomic_load_n(&pool->in_use, __ATOMIC_RELAXED);
}

int
db_pool_size(const struct db_pool *pool)
{
    return pool->size;
}

unsigned long
db_pool_tx_retries(const struct db_pool *pool)
{
    return __atomic_load_n(&pool->tx_retries, __ATOMIC_RELAXED);
}

static void
conn_drop(struct db_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    memset(c->prepared, 0, sizeof c->prepared);
}

/* Opens the slot's connection when it has none (first use, or after the
 * previous one broke). Runs outside the pool mutex. */
static bool
conn_ensure(struct db_pool *pool, struct db_conn *c)
{
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
        return true;
    conn_drop(c);
    char *err = NULL;
    c->pg = db_connect(pool->conninfo, pool->acquire_timeout_ms, &err);
    if (!c->pg) {
        log_warn("%s", err);
        free(err);
        return false;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "SET statement_timeout = %d; SET application_name = 'ritmo'",
             pool->statement_timeout_ms);
    PGresult *r = PQexec(c->pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok)
        conn_drop(c);
    return ok;
}

/* A free slot, preferring one that is already connected; NULL if none. */
static struct db_conn *
free_slot(struct db_pool *pool)
{
    struct db_conn *c = NULL;
    for (int i = 0; i < pool->size; i++) {
        struct db_conn *s = &pool->conns[i];
        if (!s->busy && (s->pg || !c))
            c = s;
        if (c && c->pg)
            break;
    }
    if (c) {
        c->busy = true;
        pool->in_use++;
    }
    return c;
}

/* Gives a connection back: to a queued thread when there is one (it stays
 * busy), else to the pool. Called with the mutex held. */
static void
give_back(struct db_pool *pool, struct db_conn *c)
{
    if (pool->waiting > pool->n_handoff) {
        pool->handoff[pool->n_handoff++] = c;
    } else {
        c->busy = false;
        pool->in_use--;
    }
    pthread_cond_signal(&pool->freed);
}

/* Waits for a connection in arrival order, roughly: once threads queue,
 * released connections are handed to them, so a thread that just arrived
 * cannot take one ahead of those waiting (that made the tail latency of
 * busy servers long). */
static struct db_conn *
pool_acquire(struct db_pool *pool)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += pool->acquire_timeout_ms / 1000;
    deadline.tv_nsec += (long)(pool->acquire_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&pool->mu);
    struct db_conn *c = pool->waiting ? NULL : free_slot(pool);
    if (!c) {
        pool->waiting++;
        for (;;) {
            if (pool->n_handoff) {
                c = pool->handoff[--pool->n_handoff];
                break;
            }
            if (pthread_cond_timedwait(&pool->freed, &pool->mu, &deadline) == ETIMEDOUT &&
                !pool->n_handoff)
                break;
        }
        pool->waiting--;
    }
    pthread_mutex_unlock(&pool->mu);
    if (c && !conn_ensure(pool, c)) {
        pthread_mutex_lock(&pool->mu);
        give_back(pool, c);
        pthread_mutex_unlock(&pool->mu);
        c = NULL;
    }
    return c;
}

static void
pool_release(struct db_pool *pool, struct db_conn *c)
{
    if (c->pg && (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE))
        conn_drop(c);
    pthread_mutex_lock(&pool->mu);
    give_back(pool, c);
    pthread_mutex_unlock(&pool->mu);
}

enum db_status
db_status_of(PGconn *conn, const PGresult *res)
{
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return DB_UNAVAILABLE;
    ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
        return DB_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return DB_UNAVAILABLE;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
        return DB_SERIALIZATION;
    if (!strcmp(state, "23505") || !strcmp(state, "23P01"))
        return DB_CONFLICT;
    if (!strcmp(state, "23503"))
        return DB_NO_REFERENT;
    /* Connection exceptions, statement timeout, shutdown in progress. */
    if (!strncmp(state, "08", 2) || !strcmp(state, "57014") || !strncmp(state, "57P", 3) ||
        !strcmp(state, "53300"))
        return DB_UNAVAILABLE;
    return DB_ERROR;
}

static int
stmt_id(struct db_stmt *st)
{
    int id = __atomic_load_n(&st->id, __ATOMIC_ACQUIRE);
    if (id)
        return id;
    pthread_mutex_lock(&stmt_id_mu);
    if (!st->id) {
        int next = atomic_fetch_add(&next_stmt_id, 1) + 1;
        if (next >= MAX_STATEMENTS) {
            log_error("cannot register statement \"%s\": more than %d statements", st->name,
                      MAX_STATEMENTS);
            abort();
        }
        __atomic_store_n(&st->id, next, __ATOMIC_RELEASE);
    }
    id = st->id;
    pthread_mutex_unlock(&stmt_id_mu);
    return id;
}

static void
log_failure(const char *what, const char *name, PGconn *pg, const PGresult *res)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(pg);
    log_warn("%s \"%s\" failed: %.*s", what, name, (int)strcspn(msg, "\n"), msg);
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (detail) /* may carry row values: personal data stays at debug */
        log_debug("detail: %s", detail);
}

PGresult *
db_exec(struct db_conn *c, struct db_stmt *st, const char *const *params, enum db_status *status)
{
    int id = stmt_id(st);
    uint64_t bit = 1ULL << (id % 64);
    if (!(c->prepared[id / 64] & bit)) {
        PGresult *p = PQprepare(c->pg, st->name, st->sql, st->nparams, NULL);
        *status = db_status_of(c->pg, p);
        if (*status != DB_OK) {
            log_failure("preparing statement", st->name, c->pg, p);
            PQclear(p);
            c->failed = true;
            return NULL;
        }
        PQclear(p);
        c->prepared[id / 64] |= bit;
    }
    PGresult *r = PQexecPrepared(c->pg, st->name, st->nparams, params, NULL, NULL, 0);
    *status = db_status_of(c->pg, r);
    if (*status != DB_OK) {
        if (*status != DB_CONFLICT && *status != DB_SERIALIZATION && *status != DB_NO_REFERENT)
            log_failure("statement", st->name, c->pg, r);
        PQclear(r);
        c->failed = true;
        return NULL;
    }
    return r;
}

enum db_status
db_exec_cmd(struct db_conn *c, struct db_stmt *st, const char *const *params, int64_t *rows)
{
    enum db_status s;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    if (rows) {
        const char *n = PQcmdTuples(r);
        *rows = *n ? strtoll(n, NULL, 10) : 0;
    }
    PQclear(r);
    return DB_OK;
}

enum db_status
db_query_one(struct db_conn *c, struct db_stmt *st, const char *const *params, db_row_reader read,
             void *out)
{
    enum db_status s;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    s = PQntuples(r) == 1 ? DB_OK : DB_NOT_FOUND;
    if (s == DB_OK)
        read(r, 0, out);
    PQclear(r);
    return s;
}

enum db_status
db_query_rows(struct db_conn *c, struct db_stmt *st, const char *const *params, size_t size,
              db_row_reader read, void **items, int *n)
{
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    char *out = xcalloc((size_t)*n, size);
    for (int i = 0; i < *n; i++)
        read(r, i, out + (size_t)i * size);
    PQclear(r);
    *items = out;
    return DB_OK;
}

int64_t
db_i64(const PGresult *res, int row, int col)
{
    int64_t v = 0;
    if (!parse_int64(PQgetvalue(res, row, col), INT64_MIN, INT64_MAX, &v))
        return 0;
    return v;
}

static enum db_status
simple(struct db_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    enum db_status s = db_status_of(c->pg, r);
    PQclear(r);
    return s;
}

/* Waits a little before retrying, longer each attempt, with jitter so that
 * the two sides of a conflict do not collide again in lockstep. */
static void
backoff(int attempt)
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&attempt;
    useconds_t us = (useconds_t)((1000 << attempt) + rand_r(&seed) % 2000);
    usleep(us);
}

enum db_status
db_tx_run(struct db_pool *pool, const char *name, db_tx_fn fn, void *ctx)
{
    enum db_status s = DB_UNAVAILABLE;
    for (int attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
        struct db_conn *c = pool_acquire(pool);
        if (!c) {
            log_warn("transaction \"%s\": no database connection available", name);
            return DB_UNAVAILABLE;
        }
        c->failed = false;
        s = simple(c, "BEGIN");
        if (s == DB_UNAVAILABLE) {
            /* A pooled connection that the server dropped (restart): nothing
             * ran yet, so reconnect and try once more right away. */
            conn_drop(c);
            if (conn_ensure(pool, c))
                s = simple(c, "BEGIN");
        }
        if (s == DB_OK) {
            s = fn(c, ctx);
            if (s == DB_OK && c->failed)
                s = DB_ERROR; /* a failed statement whose status was ignored */
            if (s == DB_OK)
                s = simple(c, "COMMIT");
            else
                (void)simple(c, "ROLLBACK");
        }
        pool_release(pool, c);
        if (s != DB_SERIALIZATION)
            break;
        if (attempt == DB_TX_ATTEMPTS - 1) {
            log_warn("transaction \"%s\": serialization conflict in each of %d attempts, "
                     "giving up",
                     name, DB_TX_ATTEMPTS);
            break;
        }
        log_info("transaction \"%s\": serialization conflict, retrying", name);
        __atomic_fetch_add(&pool->tx_retries, 1, __ATOMIC_RELAXED);
        backoff(attempt);
    }
    return s;
}
