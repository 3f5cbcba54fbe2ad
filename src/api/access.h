/* Who may see what, beyond the route table's roles: residents see only
 * their own client and rides (others answer 404, as their existence is
 * personal data). */
#ifndef RITMO_API_ACCESS_H
#define RITMO_API_ACCESS_H

#include "auth/token.h"

#include <stdbool.h>
#include <stdint.h>

struct req;

/* Admin and dispatcher see every client; a resident only its own. */
bool access_client(const struct principal *who, int64_t client_id);
/* The client id of the path (its first parameter) when the caller may see
 * that client; otherwise queues 400 (bad id) or 404 and is false. */
bool client_path_or_reply(struct req *r, int64_t *client_id) __attribute__((warn_unused_result));

#endif
