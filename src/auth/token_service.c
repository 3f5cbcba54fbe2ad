/* Token use cases over the token store. */
#include "auth/token_service.h"

#include "common/log.h"

#include <stdlib.h>
#include <string.h>

struct create_ctx {
    const struct token_info *in;
    int64_t created_by;
    char hash[TOKEN_HASH_HEX];
    struct token_info *out;
};

static enum db_status
create_tx(struct db_conn *c, void *arg)
{
    struct create_ctx *x = arg;
    return token_store_insert(c, x->in, x->hash, x->created_by, x->out);
}

enum db_status
token_service_create(struct db_pool *pool, const struct token_info *in, int64_t created_by,
                     char token_out[TOKEN_TEXT_SIZE], struct token_info *out)
{
    if (!token_generate(token_out)) {
        log_error("could not read random bytes for a token");
        return DB_ERROR;
    }
    struct create_ctx x = {in, created_by, {0}, out};
    token_hash_hex(token_out, x.hash);
    enum db_status s = db_tx_run(pool, "token_create", create_tx, &x);
    if (s != DB_OK)
        memset(token_out, 0, TOKEN_TEXT_SIZE);
    return s;
}

struct revoke_ctx {
    int64_t id;
    struct token_info *out;
};

static enum db_status
revoke_tx(struct db_conn *c, void *arg)
{
    struct revoke_ctx *x = arg;
    return token_store_revoke(c, x->id, x->out);
}

enum db_status
token_service_revoke(struct db_pool *pool, int64_t id, struct token_info *out)
{
    struct revoke_ctx x = {id, out};
    return db_tx_run(pool, "token_revoke", revoke_tx, &x);
}

struct list_ctx {
    int64_t after;
    int limit;
    struct token_info **items;
    int *n;
};

static enum db_status
list_tx(struct db_conn *c, void *arg)
{
    struct list_ctx *x = arg;
    free(*x->items); /* a retried attempt starts clean */
    *x->items = NULL;
    return token_store_list(c, x->after, x->limit, x->items, x->n);
}

enum db_status
token_service_list(struct db_pool *pool, int64_t after, int limit, struct token_info **items,
                   int *n)
{
    *items = NULL;
    *n = 0;
    struct list_ctx x = {after, limit, items, n};
    enum db_status s = db_tx_run(pool, "token_list", list_tx, &x);
    if (s != DB_OK) {
        free(*items);
        *items = NULL;
        *n = 0;
    }
    return s;
}
