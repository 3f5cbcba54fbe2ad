/* Ownership checks shared by the transport handlers. */
#include "api/access.h"

bool
access_client(const struct principal *who, int64_t client_id)
{
    if (who->role == ROLE_ADMIN || who->role == ROLE_DISPATCHER)
        return true;
    return who->role == ROLE_RESIDENT && who->client_id == client_id;
}
