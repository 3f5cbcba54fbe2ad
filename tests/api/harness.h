/* API test harness: a private PostgreSQL (initdb into a temporary
 * directory, a private socket directory) and a `ritmo serve` on a free
 * port, driven over real HTTP with libcurl. Everything is removed
 * afterwards, even when a test crashes: a guardian process cleans up when
 * the test process goes away. */
#ifndef RITMO_TEST_HARNESS_H
#define RITMO_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct harness {
    char dir[256];     /* temporary directory holding everything */
    char sockdir[300]; /* PostgreSQL's unix socket directory */
    char dburl[512];   /* RITMO_DATABASE_URL for the server */
    char base_url[64]; /* http://127.0.0.1:PORT */
    int pg_port;
    pid_t server_pid;
    char base_url2[64]; /* a second server on the same database, when started */
    pid_t server2_pid;
    int guard_fd; /* write end of the guardian's pipe */
    bool as_root; /* PostgreSQL then runs as the postgres user */
    char admin_token[64];
};

struct http_resp {
    long status;
    char *body;
    json_t *json; /* parsed body, or NULL */
    char request_id[80];
    char allow[128];
    char content_type[128];
    char retry_after[16];
};

/* Starts PostgreSQL, migrates, starts the server and creates an admin
 * token. extra_env: NULL-terminated "NAME=value" settings for the server,
 * or NULL. False (with a message on stderr) when anything fails. */
bool harness_start(struct harness *h, const char *const *extra_env);
/* Stops the server with SIGTERM, expecting a clean exit (exit status 0,
 * which under the sanitizers also means no leak), then PostgreSQL, and
 * removes the directory. Returns the server's exit status check. */
bool harness_stop(struct harness *h);

/* A TCP port on 127.0.0.1 that is free right now. */
int harness_free_port(void);

/* Starts a second `ritmo serve` on the same database (base_url2). */
bool harness_start_second_server(struct harness *h);

/* What the server (and its predecessors) wrote to standard error: the
 * log. Caller frees; NULL when there is none. */
char *harness_server_log(const struct harness *h);
/* Kills the server with SIGKILL (a crash: nothing is flushed or finished)
 * and, separately, starts a new one on the same database (a new port:
 * base_url changes). */
void harness_server_kill(struct harness *h);
bool harness_server_restart(struct harness *h);
/* Stops PostgreSQL: "fast" mode (sessions are ended, a clean shutdown
 * checkpoint) or "immediate" (every process quits at once, as in a crash;
 * the next start recovers from the WAL). Start waits until it accepts
 * connections. */
bool harness_pg_stop(struct harness *h);
bool harness_pg_stop_immediate(struct harness *h);
bool harness_pg_start(struct harness *h);

/* Runs `ritmo ARGS...` against the test database; captures standard output
 * (caller frees *out when out is not NULL). Returns the exit status. */
int harness_ritmo(struct harness *h, char **out, const char *const *args);
/* Creates a token with `ritmo token create`; caller frees. */
char *harness_token(struct harness *h, const char *role, const char *bind_opt, const char *bind_id);
/* Runs SQL through psql and returns its output (caller frees), or NULL. */
char *harness_sql(struct harness *h, const char *sql);

/* One HTTP request. body may be NULL; token may be NULL; extra_header may
 * be NULL or "Name: value". */
struct http_resp harness_request(struct harness *h, const char *method, const char *path,
                                 const char *token, const char *body, const char *extra_header);
/* The same against a given base URL (e.g. base_url2). */
struct http_resp harness_request_to(const char *base, const char *method, const char *path,
                                    const char *token, const char *body, const char *extra_header);
void http_resp_clear(struct http_resp *r);
/* The error code of an error response, or "" */
const char *http_resp_error_code(const struct http_resp *r);

#endif
