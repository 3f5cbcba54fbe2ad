/* Storage of API tokens (the api_tokens table). */
#ifndef RITMO_AUTH_TOKEN_STORE_H
#define RITMO_AUTH_TOKEN_STORE_H

#include "auth/token.h"
#include "db/db.h"

struct token_info {
    int64_t id;
    char name[201];
    enum role role;
    int64_t client_id, vehicle_id, supplier_id; /* 0 when unbound */
    char created_at[40];
    char revoked_at[40]; /* "" while valid */
};

/* Inserts a token with its hash; fills *out. created_by 0 = command line. */
enum db_status token_store_insert(struct db_conn *c, const struct token_info *in,
                                  const char *hash_hex, int64_t created_by, struct token_info *out)
    __attribute__((warn_unused_result));
/* Finds the valid (unrevoked) token with that hash: DB_NOT_FOUND if none. */
enum db_status token_store_lookup(struct db_conn *c, const char *hash_hex, struct principal *out)
    __attribute__((warn_unused_result));
/* Lists tokens with id > after, oldest first, at most limit; *items is
 * caller-owned (free()), *n its length. */
enum db_status token_store_list(struct db_conn *c, int64_t after, int limit,
                                struct token_info **items, int *n)
    __attribute__((warn_unused_result));
/* Revokes a token: DB_NOT_FOUND when there is no such token; a token that
 * is already revoked keeps its first revocation time. Fills *out. */
enum db_status token_store_revoke(struct db_conn *c, int64_t id, struct token_info *out)
    __attribute__((warn_unused_result));

#endif
