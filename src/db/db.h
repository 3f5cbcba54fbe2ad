/* Database access: a pool of libpq connections, named prepared statements
 * and one transaction runner with bounded retry. Only storage modules
 * include this; handlers see structs, never a PGresult. */
#ifndef RITMO_DB_H
#define RITMO_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

enum db_status {
    DB_OK = 0,
    DB_NOT_FOUND,     /* the row asked for does not exist */
    DB_CONFLICT,      /* unique or exclusion violation (23505, 23P01) */
    DB_NO_REFERENT,   /* a foreign key names a row that does not exist (23503) */
    DB_REJECTED,      /* the callback refused for a business rule; rolled back */
    DB_UNAVAILABLE,   /* database unreachable or timed out: answer 503 */
    DB_SERIALIZATION, /* 40001/40P01 still failing after the retries */
    DB_ERROR,         /* anything else: a bug or a broken invariant */
};

struct db_pool;
struct db_conn;

/* A named prepared statement. Declare as a static (non-const) object in the
 * storage module; it is prepared lazily once per connection. */
struct db_stmt {
    const char *name;
    const char *sql;
    int nparams;
    int id; /* assigned on first use; 0 = not yet */
};

struct db_pool_options {
    const char *conninfo;
    int size;
    int acquire_timeout_ms;   /* wait for a free connection, and connect timeout */
    int statement_timeout_ms; /* 0: server default */
    const char *application_name;
};

/* Creates the pool; connections are opened lazily, so this succeeds while
 * the database is down. Caller frees with db_pool_free(). */
struct db_pool *db_pool_create(const struct db_pool_options *opt);
void db_pool_free(struct db_pool *pool);
/* Connections in use right now (for /metrics), and the pool size. */
int db_pool_in_use(const struct db_pool *pool);
int db_pool_size(const struct db_pool *pool);
/* Transactions db_tx_run began again after a serialization failure or a
 * deadlock (40001/40P01), since the pool was created. */
unsigned long db_pool_tx_retries(const struct db_pool *pool);

typedef enum db_status (*db_tx_fn)(struct db_conn *c, void *ctx);

/* How often db_tx_run tries a transaction that keeps failing with a
 * serialization failure or deadlock: the first attempt and three retries. */
#define DB_TX_ATTEMPTS 4

/* Runs fn inside BEGIN/COMMIT on a pooled connection. Serialization failures
 * and deadlocks are retried with a short jittered back-off, DB_TX_ATTEMPTS
 * attempts in all (then DB_SERIALIZATION), so fn must only build its
 * results in ctx after clearing what an earlier attempt left there. Returns
 * DB_OK after a successful commit; any other status means everything was
 * rolled back. `name` labels log lines. */
enum db_status db_tx_run(struct db_pool *pool, const char *name, db_tx_fn fn, void *ctx)
    __attribute__((warn_unused_result));

/* Executes a prepared statement with text parameters (NULL = SQL NULL).
 * Returns the result (caller PQclear()s it) or NULL with *status set and the
 * transaction marked failed. */
PGresult *db_exec(struct db_conn *c, struct db_stmt *st, const char *const *params,
                  enum db_status *status) __attribute__((warn_unused_result));
/* Like db_exec for statements whose rows are not needed; returns the
 * number of rows affected in *rows when rows is not NULL. */
enum db_status db_exec_cmd(struct db_conn *c, struct db_stmt *st, const char *const *params,
                           int64_t *rows) __attribute__((warn_unused_result));

/* Runs a statement expected to return at most one row and hands that row
 * to read(res, 0, out): DB_NOT_FOUND when there is none. */
typedef void (*db_row_reader)(const PGresult *res, int row, void *out);
enum db_status db_query_one(struct db_conn *c, struct db_stmt *st, const char *const *params,
                            db_row_reader read, void *out) __attribute__((warn_unused_result));

/* Runs st and hands every row to read(res, row, items + row * size);
 * *items is caller-owned (free()), *n the number of rows. */
enum db_status db_query_rows(struct db_conn *c, struct db_stmt *st, const char *const *params,
                             size_t size, db_row_reader read, void **items, int *n)
    __attribute__((warn_unused_result));

/* Column col of row as an integer; 0 when NULL or not a number. */
int64_t db_i64(const PGresult *res, int row, int col);

/* Maps a failed libpq result or connection to a status (for migrate). */
enum db_status db_status_of(PGconn *conn, const PGresult *res);

/* Opens a single connection outside the pool (CLI commands). Caller
 * PQfinish()es it; NULL with *err (caller frees) on failure. */
PGconn *db_connect(const char *conninfo, int timeout_ms, char **err);

#endif
