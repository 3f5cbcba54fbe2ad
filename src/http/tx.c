/* The request transaction runner and idempotency keys. */
#include "http/tx.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "core/app.h"
#include "core/digest.h"
#include "http/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct db_stmt st_claim = {"idem_claim",
                                  "INSERT INTO idempotency_keys (token_id, key, request_hash) "
                                  "VALUES ($1, $2, decode($3, 'hex')) ON CONFLICT DO NOTHING",
                                  3, 0};
static struct db_stmt st_read = {"idem_read",
                                 "SELECT encode(request_hash, 'hex'), status, response "
                                 "FROM idempotency_keys WHERE token_id = $1 AND key = $2",
                                 2, 0};
static struct db_stmt st_store = {
    "idem_store",
    "UPDATE idempotency_keys SET status = $3, response = $4 WHERE token_id = $1 AND key = $2", 4,
    0};

struct run {
    struct req *r;
    http_tx_fn fn;
    void *ctx;
    enum tx_mode mode;
    const char *key; /* Idempotency-Key, or NULL */
    char token[24];
    char hash[DIGEST_HEX_SIZE];
    struct tx_answer ans;
    bool replayed;
};

enum db_status
tx_reject(struct tx_answer *ans, unsigned status, const char *code, const char *field,
          const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_decref(ans->body);
    ans->status = status;
    ans->body = http_error_json(code, message, field);
    return DB_REJECTED;
}

/* Claims the key, or finds the earlier request that used it: the same
 * request is answered again, another one is a conflict. */
static enum db_status
idem_claim(struct db_conn *c, struct run *x, bool *claimed)
{
    const char *params[] = {x->token, x->key, x->hash};
    int64_t rows = 0;
    enum db_status s = db_exec_cmd(c, &st_claim, params, &rows);
    *claimed = rows == 1;
    if (s != DB_OK || *claimed)
        return s;
    PGresult *res = db_exec(c, &st_read, params, &s);
    if (!res)
        return s;
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), x->hash) != 0) {
        PQclear(res);
        return tx_reject(&x->ans, 409, "conflict", NULL,
                         "this Idempotency-Key was used for another request");
    }
    x->ans.status = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
    x->ans.body = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    x->replayed = true;
    PQclear(res);
    return x->ans.body ? DB_OK : DB_ERROR;
}

static enum db_status
idem_store(struct db_conn *c, struct run *x)
{
    char status[8];
    snprintf(status, sizeof status, "%u", x->ans.status);
    char *text = json_dumps(x->ans.body, JSON_COMPACT);
    if (!text)
        return DB_ERROR;
    const char *params[] = {x->token, x->key, status, text};
    enum db_status s = db_exec_cmd(c, &st_store, params, NULL);
    free(text);
    return s;
}

void
http_access_entry(const struct req *r, int64_t client_id, unsigned status, struct access_entry *e)
{
    *e = (struct access_entry){
        .client_id = client_id, .token_id = r->who.token_id, .status = (int)status};
    snprintf(e->method, sizeof e->method, "%s", r->route->method);
    snprintf(e->route, sizeof e->route, "%s", r->route->pattern);
    snprintf(e->request_id, sizeof e->request_id, "%s", r->request_id);
}

static enum db_status
run_tx(struct db_conn *c, void *arg)
{
    struct run *x = arg;
    json_decref(x->ans.body);
    memset(&x->ans, 0, sizeof x->ans);
    x->replayed = false;
    enum db_status s;
    if (x->key) {
        bool claimed;
        s = idem_claim(c, x, &claimed);
        if (s != DB_OK || !claimed)
            return s;
    }
    x->r->subject_client = 0;
    s = x->fn(c, x->r, x->ctx, &x->ans);
    if (s == DB_OK && x->mode != TX_DRY_RUN && x->r->subject_client && x->r->who.token_id) {
        struct access_entry e;
        http_access_entry(x->r, x->r->subject_client, x->ans.status, &e);
        s = access_log_add(c, &e);
    }
    if (s == DB_OK && x->ans.last)
        s = x->ans.last(c, x->r, x->ctx, &x->ans);
    if (s == DB_OK && x->key)
        s = idem_store(c, x);
    if (s == DB_OK && x->mode == TX_DRY_RUN)
        s = DB_REJECTED; /* roll back what the dry run wrote */
    if (s == DB_REJECTED && !x->ans.status)
        s = DB_ERROR;
    return s;
}

enum db_status
http_tx_run(struct req *r, const char *name, enum tx_mode mode, http_tx_fn fn, void *ctx,
            struct tx_answer *ans)
{
    struct run x = {.r = r, .fn = fn, .ctx = ctx, .mode = mode};
    memset(ans, 0, sizeof *ans);
    if (mode == TX_CREATE) {
        x.key = http_header(r, "Idempotency-Key");
        if (x.key && (!*x.key || strlen(x.key) > 200))
            return tx_reject(ans, 400, "invalid_field", "Idempotency-Key",
                             "Idempotency-Key must be 1 to 200 characters");
        if (x.key) {
            snprintf(x.token, sizeof x.token, "%lld", (long long)r->who.token_id);
            char *material = xasprintf("%s %s\n%s", r->method, r->path, r->body ? r->body : "");
            digest_sha256_hex(material, strlen(material), x.hash);
            free(material);
        }
    }
    enum db_status s = db_tx_run(r->app->pool, name, run_tx, &x);
    if ((s == DB_OK || s == DB_REJECTED) && x.ans.body) {
        *ans = x.ans;
        if (x.replayed)
            log_info("request %s replayed an Idempotency-Key response", r->request_id);
        return s;
    }
    json_decref(x.ans.body);
    return s == DB_REJECTED ? DB_ERROR : s;
}

void
http_tx_reply_text(struct req *r, const char *name, http_tx_fn fn, void *ctx, char **text,
                   const char *content_type)
{
    struct tx_answer ans;
    enum db_status s = http_tx_run(r, name, TX_PLAIN, fn, ctx, &ans);
    if (s == DB_OK && *text)
        http_reply_text(r, 200, content_type, *text, strlen(*text));
    else if (s == DB_OK || s == DB_REJECTED)
        http_reply_json(r, ans.status, json_incref(ans.body));
    else
        http_reply_db_error(r, s);
    json_decref(ans.body);
    free(*text);
    *text = NULL;
}

void
http_tx_reply(struct req *r, const char *name, enum tx_mode mode, http_tx_fn fn, void *ctx)
{
    struct tx_answer ans;
    enum db_status s = http_tx_run(r, name, mode, fn, ctx, &ans);
    if (s == DB_OK || s == DB_REJECTED)
        http_reply_json(r, ans.status, ans.body);
    else
        http_reply_db_error(r, s);
}
