/* Creating and revoking tokens in one transaction each; used by both the
 * command line and /v1/tokens so that both follow the same rules. */
#ifndef RITMO_AUTH_TOKEN_SERVICE_H
#define RITMO_AUTH_TOKEN_SERVICE_H

#include "auth/token_store.h"

/* Creates a token for in (name, role, binding; checked by the caller with
 * token_binding_valid). Writes the token text, shown once, to token_out,
 * and the stored record to *out. created_by: the creating token, or 0. */
enum db_status token_service_create(struct db_pool *pool, const struct token_info *in,
                                    int64_t created_by, char token_out[TOKEN_TEXT_SIZE],
                                    struct token_info *out) __attribute__((warn_unused_result));
enum db_status token_service_revoke(struct db_pool *pool, int64_t id, struct token_info *out)
    __attribute__((warn_unused_result));
/* Lists tokens after the id cursor; *items caller-owned. */
enum db_status token_service_list(struct db_pool *pool, int64_t after, int limit,
                                  struct token_info **items, int *n)
    __attribute__((warn_unused_result));

#endif
