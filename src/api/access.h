/* Who may see what, beyond the route table's roles: residents see only
 * their own client and rides (others answer 404, as their existence is
 * personal data). */
#ifndef RITMO_API_ACCESS_H
#define RITMO_API_ACCESS_H

#include "auth/token.h"

#include <stdbool.h>
#include <stdint.h>

/* Admin and dispatcher see every client; a resident only its own. */
bool access_client(const struct principal *who, int64_t client_id);

#endif
