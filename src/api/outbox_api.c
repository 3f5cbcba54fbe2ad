/* HTTP glue of the outbox (admin only). */
#include "api/outbox_api.h"

#include "http/reply.h"
#include "http/tx.h"
#include "outbox/outbox.h"

#include <stdlib.h>
#include <string.h>

static json_t *
event_json(const struct outbox_event *e)
{
    return json_pack("{s:o, s:s, s:s, s:s, s:s, s:i, s:s, s:o}", "id", http_id_json(e->id),
                     "delivery_id", e->delivery_id, "topic", e->topic, "target", e->target, "state",
                     e->state, "attempts", e->attempts, "created_at", e->created_at, "last_error",
                     e->last_error[0] ? json_string(e->last_error) : json_null());
}

struct list_ctx {
    const char *state;
    int64_t after;
    int limit;
};

static enum db_status
list_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct list_ctx *x = ctx;
    struct outbox_event *items;
    int n;
    enum db_status s = outbox_list(c, x->state, x->after, x->limit, &items, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, event_json(&items[i]));
    ans->body = http_page_json(arr, n, x->limit, n ? items[n - 1].id : 0);
    free(items);
    ans->status = 200;
    return DB_OK;
}

void
outbox_api_list(struct req *r)
{
    struct list_ctx x = {http_query(r, "state"), 0, 50};
    if (!x.state)
        x.state = "pending";
    if (strcmp(x.state, "pending") && strcmp(x.state, "delivered") && strcmp(x.state, "dead")) {
        http_reply_error(r, 400, "invalid_field", "state",
                         "state must be pending, delivered or dead");
        return;
    }
    if (http_paging_or_reply(r, &x.limit, &x.after))
        http_tx_reply(r, "outbox_list", TX_PLAIN, list_tx, &x);
}

static enum db_status
retry_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct outbox_event e;
    enum db_status s = outbox_retry(c, *(int64_t *)ctx, &e);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no dead event with this id");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = event_json(&e);
    return DB_OK;
}

void
outbox_api_retry(struct req *r)
{
    int64_t id;
    if (http_path_id_or_reply(r, 0, &id))
        http_tx_reply(r, "outbox_retry", TX_PLAIN, retry_tx, &id);
}
