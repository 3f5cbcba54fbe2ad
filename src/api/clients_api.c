/* HTTP glue of clients. */
#include "api/clients_api.h"

#include "api/access.h"
#include "api/address.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/tx.h"
#include "http/validate.h"
#include "transport/client_export.h"
#include "transport/client_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
client_json(const struct client *c)
{
    json_t *o = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:s, s:s}",
                          "id", http_id_json(c->id), "pass_number", c->pass_number, "name", c->name,
                          "phone", c->phone[0] ? json_string(c->phone) : json_null(), "email",
                          c->email[0] ? json_string(c->email) : json_null(), "home",
                          address_json(c->home_address, c->home_lat, c->home_lon), "needs",
                          "wheelchair", c->wheelchair, "scootmobiel", c->scootmobiel, "walker",
                          c->walker, "companion_required", c->companion_required, "deceased_on",
                          c->deceased_on[0] ? json_string(c->deceased_on) : json_null(),
                          "created_at", c->created_at, "updated_at", c->updated_at);
    if (!o)
        abort();
    return o;
}

/* The fields a POST or PATCH gave, with what was given. */
struct client_input {
    struct client v;
    bool pass, name, phone, email, home, wheelchair, scootmobiel, walker, companion;
};

/* Reads a POST (pass_number, name and home required) or a PATCH (all
 * optional) into *in. */
static bool
client_input_or_reply(struct req *r, struct client_input *in, bool patch)
{
    const char *pass = NULL, *name = NULL, *phone = NULL, *email = NULL;
    json_t *home = NULL, *needs = NULL;
    const struct field fields[] = {
        {"pass_number", FIELD_STRING, !patch, &pass, 0, 0, 32, NULL, &in->pass},
        {"name", FIELD_STRING, !patch, &name, 0, 0, 200, NULL, &in->name},
        {"phone", FIELD_STRING, false, &phone, 0, 0, 40, NULL, &in->phone},
        {"email", FIELD_STRING, false, &email, 0, 0, 254, NULL, &in->email},
        {"home", FIELD_OBJECT, !patch, &home, 0, 0, 0, NULL, &in->home},
        {"needs", FIELD_OBJECT, false, &needs, 0, 0, 0, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]))
        return false;
    struct field_error err;
    struct address a;
    struct client *c = &in->v;
    const struct field need_fields[] = {
        {"wheelchair", FIELD_BOOL, false, &c->wheelchair, 0, 0, 0, NULL, &in->wheelchair},
        {"scootmobiel", FIELD_BOOL, false, &c->scootmobiel, 0, 0, 0, NULL, &in->scootmobiel},
        {"walker", FIELD_BOOL, false, &c->walker, 0, 0, 0, NULL, &in->walker},
        {"companion_required", FIELD_BOOL, false, &c->companion_required, 0, 0, 0, NULL,
         &in->companion},
    };
    if ((home && !address_check(home, "home.", &a, &err)) ||
        (needs && !fields_check(needs, "needs.", need_fields, 4, &err))) {
        http_reply_error(r, 400, err.code, err.field, "%s", err.message);
        return false;
    }
    if (email && !strchr(email, '@')) {
        http_reply_error(r, 400, "invalid_field", "email", "email must be an e-mail address");
        return false;
    }
    snprintf(c->pass_number, sizeof c->pass_number, "%s", pass ? pass : "");
    snprintf(c->name, sizeof c->name, "%s", name ? name : "");
    snprintf(c->phone, sizeof c->phone, "%s", phone ? phone : "");
    snprintf(c->email, sizeof c->email, "%s", email ? email : "");
    if (home) {
        snprintf(c->home_address, sizeof c->home_address, "%s", a.text);
        c->home_lat = a.at.lat;
        c->home_lon = a.at.lon;
    }
    return true;
}

/* Copies what the input gave onto cur; the rest of cur stays. */
static void
client_apply(struct client *cur, const struct client_input *in)
{
    const struct client *v = &in->v;
    if (in->pass)
        memcpy(cur->pass_number, v->pass_number, sizeof cur->pass_number);
    if (in->name)
        memcpy(cur->name, v->name, sizeof cur->name);
    if (in->phone)
        memcpy(cur->phone, v->phone, sizeof cur->phone);
    if (in->email)
        memcpy(cur->email, v->email, sizeof cur->email);
    if (in->home) {
        memcpy(cur->home_address, v->home_address, sizeof cur->home_address);
        cur->home_lat = v->home_lat;
        cur->home_lon = v->home_lon;
    }
    if (in->wheelchair)
        cur->wheelchair = v->wheelchair;
    if (in->scootmobiel)
        cur->scootmobiel = v->scootmobiel;
    if (in->walker)
        cur->walker = v->walker;
    if (in->companion)
        cur->companion_required = v->companion_required;
}

static enum db_status
create_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct client out;
    enum db_status s = client_store_insert(c, ctx, &out);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "pass_number",
                         "a client with this pass number exists");
    if (s != DB_OK)
        return s;
    ans->status = 201;
    ans->body = client_json(&out);
    return DB_OK;
}

void
clients_api_create(struct req *r)
{
    struct client_input in = {0};
    if (!client_input_or_reply(r, &in, false))
        return;
    http_tx_reply(r, "client_create", TX_CREATE, create_tx, &in.v);
}

struct patch_ctx {
    int64_t id;
    struct client_input in;
};

static enum db_status
get_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct client out;
    enum db_status s = client_store_get(c, *(int64_t *)ctx, "", &out);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = client_json(&out);
    return DB_OK;
}

void
clients_api_get(struct req *r)
{
    int64_t id;
    if (client_path_or_reply(r, &id))
        http_tx_reply(r, "client_get", TX_PLAIN, get_tx, &id);
}

static enum db_status
patch_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct patch_ctx *x = ctx;
    struct client cur, out;
    enum db_status s = client_store_get(c, x->id, "update", &cur);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    if (s != DB_OK)
        return s;
    client_apply(&cur, &x->in);
    s = client_store_update(c, &cur, &out);
    if (s == DB_CONFLICT)
        return tx_reject(ans, 409, "conflict", "pass_number",
                         "a client with this pass number exists");
    if (s != DB_OK)
        return s;
    ans->status = 200;
    ans->body = client_json(&out);
    return DB_OK;
}

void
clients_api_patch(struct req *r)
{
    struct patch_ctx x = {0};
    if (!http_path_id_or_reply(r, 0, &x.id))
        return;
    if (!client_input_or_reply(r, &x.in, true))
        return;
    http_tx_reply(r, "client_patch", TX_PLAIN, patch_tx, &x);
}

struct search_ctx {
    const char *q;
    int64_t after;
    int limit;
};

static enum db_status
search_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct search_ctx *x = ctx;
    struct client *items;
    int n;
    enum db_status s = client_store_search(c, x->q, x->after, x->limit, &items, &n);
    if (s != DB_OK)
        return s;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, client_json(&items[i]));
    ans->body = http_page_json(arr, n, x->limit, n ? items[n - 1].id : 0);
    free(items);
    ans->status = 200;
    return DB_OK;
}

void
clients_api_search(struct req *r)
{
    struct search_ctx x = {http_query(r, "q"), 0, 50};
    if (!http_paging_or_reply(r, &x.limit, &x.after))
        return;
    if (x.q && (!*x.q || strlen(x.q) > 200)) {
        http_reply_error(r, 400, "invalid_field", "q", "q must be 1 to 200 characters");
        return;
    }
    http_tx_reply(r, "client_search", TX_PLAIN, search_tx, &x);
}

struct export_ctx {
    int64_t id;
    char **text;
};

static enum db_status
export_tx(struct db_conn *c, struct req *r, void *ctx, struct tx_answer *ans)
{
    (void)r;
    struct export_ctx *x = ctx;
    free(*x->text); /* from an attempt that was retried */
    enum db_status s = client_export(c, x->id, x->text);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", NULL, "no such client");
    if (s == DB_OK) {
        ans->status = 200;
        ans->body = json_null();
    }
    return s;
}

/* Residents may export their own data (AVG/GDPR art. 15 and 20). */
void
clients_api_export(struct req *r)
{
    struct export_ctx x = {0};
    char *text = NULL;
    x.text = &text;
    if (client_path_or_reply(r, &x.id))
        http_tx_reply_text(r, "client_export", export_tx, &x, &text, "application/json");
}
