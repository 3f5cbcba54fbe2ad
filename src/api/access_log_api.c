/* GET /v1/clients/{id}/access-log: who read or changed the client's data,
 * oldest first, paged by id like every list. */
#include "api/access_log_api.h"

#include "audit/access_log.h"
#include "http/reply.h"
#include "http/request.h"
#include "http/tx.h"
#include "http/validate.h"

#include <stdlib.h>

struct list_ctx {
    int64_t client_id, after;
    int limit;
};

static json_t *
entry_json(const struct access_entry *e)
{
    json_t *o = json_pack("{s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:i, s:s}", "id",
                          http_id_json(e->id), "at", e->at, "token_id", http_id_json(e->token_id),
                          "token_name", e->token_name, "role", e->role, "method", e->method,
                          "route", e->route, "status", e->status, "request_id", e->request_id);
    if (!o)
        abort();
    return o;
}

static enum db_status
list_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct list_ctx *x = ctx;
    struct access_entry *items = NULL;
    int n = 0;
    enum db_status s = access_log_list(c, x->client_id, x->after, x->limit, &items, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, entry_json(&items[i]));
    ans->status = 200;
    ans->body = http_page_json(arr, n, x->limit, n ? items[n - 1].id : 0);
    free(items);
    return DB_OK;
}

void
access_log_api_list(struct req *r)
{
    struct list_ctx x = {0, 0, 50};
    if (http_path_id_or_reply(r, 0, &x.client_id) && http_paging_or_reply(r, &x.limit, &x.after))
        http_tx_reply(r, "access_log_list", TX_PLAIN, list_tx, &x);
}
