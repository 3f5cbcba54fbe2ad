/* HTTP glue of /v1/tokens. */
#include "api/tokens_api.h"

#include "auth/token_service.h"
#include "core/app.h"
#include "http/reply.h"
#include "http/validate.h"

#include <stdio.h>
#include <stdlib.h>

static json_t *
binding_json(int64_t id)
{
    return id ? http_id_json(id) : json_null();
}

static json_t *
token_json(const struct token_info *t)
{
    return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "id", http_id_json(t->id), "name",
                     t->name, "role", role_name(t->role), "client_id", binding_json(t->client_id),
                     "vehicle_id", binding_json(t->vehicle_id), "supplier_id",
                     binding_json(t->supplier_id), "created_at", t->created_at, "revoked_at",
                     t->revoked_at[0] ? json_string(t->revoked_at) : json_null());
}

void
tokens_api_create(struct req *r)
{
    static const char *const role_names[] = {"admin",  "dispatcher", "resident",
                                             "driver", "supplier",   NULL};
    const char *name = NULL, *role = NULL;
    struct token_info in = {0};
    const struct field fields[] = {
        {"name", FIELD_STRING, true, &name, 0, 0, 200, NULL, NULL},
        {"role", FIELD_ENUM, true, &role, 0, 0, 0, role_names, NULL},
        {"client_id", FIELD_ID, false, &in.client_id, 0, 0, 0, NULL, NULL},
        {"vehicle_id", FIELD_ID, false, &in.vehicle_id, 0, 0, 0, NULL, NULL},
        {"supplier_id", FIELD_ID, false, &in.supplier_id, 0, 0, 0, NULL, NULL},
    };
    if (!http_fields_or_reply(r, fields, sizeof fields / sizeof fields[0]))
        return;
    const char *why = "role";
    if (!role_parse(role, &in.role) ||
        !token_binding_valid(in.role, in.client_id, in.vehicle_id, in.supplier_id, &why)) {
        http_reply_error(r, 400, "invalid_field", why,
                         "role \"%s\" needs exactly its own binding (%s)", role, why);
        return;
    }
    snprintf(in.name, sizeof in.name, "%s", name);
    char token[TOKEN_TEXT_SIZE];
    struct token_info out;
    enum db_status s = token_service_create(r->app->pool, &in, r->who.token_id, token, &out);
    if (s == DB_NO_REFERENT) {
        const char *bound = in.client_id    ? "client_id"
                            : in.vehicle_id ? "vehicle_id"
                                            : "supplier_id";
        http_reply_error(r, 400, "invalid_field", bound, "%s names nothing that exists", bound);
        return;
    }
    if (s != DB_OK) {
        http_reply_db_error(r, s);
        return;
    }
    json_t *body = token_json(&out);
    json_object_set_new(body, "token", json_string(token));
    http_reply_json(r, 201, body);
}

void
tokens_api_list(struct req *r)
{
    int limit;
    int64_t after;
    if (!http_paging_or_reply(r, &limit, &after))
        return;
    struct token_info *items;
    int n;
    enum db_status s = token_service_list(r->app->pool, after, limit, &items, &n);
    if (s != DB_OK) {
        http_reply_db_error(r, s);
        return;
    }
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, token_json(&items[i]));
    json_t *page = http_page_json(arr, n, limit, n ? items[n - 1].id : 0);
    free(items);
    http_reply_json(r, 200, page);
}

void
tokens_api_revoke(struct req *r)
{
    int64_t id;
    if (!http_path_id_or_reply(r, 0, &id))
        return;
    struct token_info out;
    enum db_status s = token_service_revoke(r->app->pool, id, &out);
    if (s != DB_OK) {
        http_reply_db_error(r, s);
        return;
    }
    http_reply_json(r, 200, token_json(&out));
}
