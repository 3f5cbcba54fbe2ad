/* Ownership checks shared by the transport handlers. */
#include "api/access.h"

#include "http/reply.h"
#include "http/request.h"

bool
access_client(const struct principal *who, int64_t client_id)
{
    if (who->role == ROLE_ADMIN || who->role == ROLE_DISPATCHER)
        return true;
    return who->role == ROLE_RESIDENT && who->client_id == client_id;
}

bool
client_path_or_reply(struct req *r, int64_t *client_id)
{
    if (!http_path_id_or_reply(r, 0, client_id))
        return false;
    if (access_client(&r->who, *client_id))
        return true;
    http_reply_error(r, 404, "not_found", NULL, "no such client");
    return false;
}
