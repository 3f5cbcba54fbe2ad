/* One request, one transaction: runs a handler's work inside db_tx_run,
 * answers what it decided, and makes creating POSTs idempotent with the
 * Idempotency-Key header (stored in the same transaction, so it holds
 * across server processes and restarts). */
#ifndef RITMO_HTTP_TX_H
#define RITMO_HTTP_TX_H

#include "audit/access_log.h"
#include "db/db.h"
#include "http/request.h"

#include <jansson.h>

struct tx_answer;

/* The work: fills ans and returns DB_OK to commit, or sets an error answer
 * (tx_reject) and returns DB_REJECTED to roll everything back; any other
 * status is a database failure answered by the runner. It may run more
 * than once (serialization retries): ans is reset before each run. */
typedef enum db_status (*http_tx_fn)(struct db_conn *c, struct req *r, void *ctx,
                                     struct tx_answer *ans);

/* What the work answers; body is owned by the answer. */
struct tx_answer {
    unsigned status;
    json_t *body;
    /* Work the runner does last (with the same ctx), after the access
     * trail and before storing the Idempotency-Key's answer: a lock that
     * is held to COMMIT, such as a day's planning lock, is taken here so
     * that it is held as briefly as can be. It may set the body. NULL:
     * none. */
    http_tx_fn last;
};

enum tx_mode {
    TX_PLAIN,   /* read or update */
    TX_CREATE,  /* a creating POST: honours Idempotency-Key */
    TX_DRY_RUN, /* do everything, answer it, then roll back (quotes) */
};

/* Runs fn and answers the request with what it decided (or the database
 * failure). */
void http_tx_reply(struct req *r, const char *name, enum tx_mode mode, http_tx_fn fn, void *ctx);
/* Like http_tx_reply for a body that is not JSON (CSV, iCalendar): fn puts
 * its text in *text (caller-owned pointer, freed here) and a JSON null
 * body in ans; errors are answered as JSON as usual. */
void http_tx_reply_text(struct req *r, const char *name, http_tx_fn fn, void *ctx, char **text,
                        const char *content_type);

/* The access-trail entry of request r about client_id, answered status:
 * the actor's token, the route, the request id; never the data. */
void http_access_entry(const struct req *r, int64_t client_id, unsigned status,
                       struct access_entry *e);

/* Runs fn without answering: *ans (caller json_decref()s its body) holds
 * the answer when the result is DB_OK or DB_REJECTED. For responses that
 * are not JSON, such as CSV and iCalendar. */
enum db_status http_tx_run(struct req *r, const char *name, enum tx_mode mode, http_tx_fn fn,
                           void *ctx, struct tx_answer *ans) __attribute__((warn_unused_result));

/* Sets an error answer (API.md's shape) and returns DB_REJECTED. */
enum db_status tx_reject(struct tx_answer *ans, unsigned status, const char *code,
                         const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
