/* Response helpers over libmicrohttpd and jansson. */
#include "http/reply.h"

#include "common/log.h"
#include "common/numparse.h"
#include "common/xalloc.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages and field names quote what the client sent, cut to a buffer's
 * size, and a parser's excerpt of a body need not end where a character
 * does: text that is not valid UTF-8 goes out with its non-ASCII bytes as
 * '?' rather than not at all. */
static json_t *
text_json(const char *text)
{
    json_t *j = json_string(text);
    if (!j) {
        char *copy = xstrdup(text);
        for (char *p = copy; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        j = json_string(copy);
        free(copy);
    }
    if (!j)
        abort(); /* only on allocation failure */
    return j;
}

json_t *
http_error_json(const char *code, const char *message, const char *field)
{
    json_t *err = json_object();
    if (!err)
        abort();
    json_object_set_new(err, "code", text_json(code));
    json_object_set_new(err, "message", text_json(message));
    if (field)
        json_object_set_new(err, "field", text_json(field));
    return json_pack("{s:o}", "error", err);
}

static void
queue(struct req *r, unsigned status, const char *content_type, char *data, size_t len,
      enum MHD_ResponseMemoryMode mode)
{
    if (r->status) {
        log_error("second response for request \"%s\" ignored", r->request_id);
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(data);
        return;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, mode);
    if (!resp)
        abort();
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->allow[0])
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->retry_after_s > 0) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", r->retry_after_s);
        MHD_add_response_header(resp, "Retry-After", secs);
    }
    r->response = resp;
    r->status = status;
}

void
http_reply_send(struct req *r)
{
    if (!r->response)
        return;
    if (MHD_queue_response(r->conn, r->status, r->response) != MHD_YES)
        log_warn("could not queue the response of request \"%s\"", r->request_id);
    MHD_destroy_response(r->response);
    r->response = NULL;
}

void
http_reply_json(struct req *r, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (!text)
        abort();
    size_t len = strlen(text);
    char *copy = xrealloc(text, len + 2);
    copy[len] = '\n';
    copy[len + 1] = '\0';
    queue(r, status, "application/json", copy, len + 1, MHD_RESPMEM_MUST_FREE);
}

void
http_reply_error(struct req *r, unsigned status, const char *code, const char *field,
                 const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    http_reply_json(r, status, http_error_json(code, message, field));
}

void
http_reply_text(struct req *r, unsigned status, const char *content_type, const char *text,
                size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    queue(r, status, content_type, copy, len, MHD_RESPMEM_MUST_FREE);
}

void
http_reply_db_error(struct req *r, enum db_status s)
{
    switch (s) {
    case DB_NOT_FOUND:
        http_reply_error(r, 404, "not_found", NULL, "no such resource");
        break;
    case DB_CONFLICT:
        http_reply_error(r, 409, "conflict", NULL, "the request conflicts with existing data");
        break;
    case DB_UNAVAILABLE:
    case DB_SERIALIZATION:
        http_reply_error(r, 503, "unavailable", NULL,
                         "the database is unavailable; the request did nothing, try again");
        break;
    default:
        http_reply_error(r, 500, "internal", NULL, "internal error; the request did nothing");
        break;
    }
}

bool
http_body_json_or_reply(struct req *r)
{
    if (strcmp(r->method, "POST") && strcmp(r->method, "PATCH") && strcmp(r->method, "PUT"))
        return true;
    if (r->body_len == 0) {
        r->json = json_object(); /* a POST without body, such as a plain action */
        return true;
    }
    json_error_t err;
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!r->json) {
        http_reply_error(r, 400, "invalid_json", NULL, "the body is not valid JSON: %s (at %d:%d)",
                         err.text, err.line, err.column);
        return false;
    }
    if (!json_is_object(r->json)) {
        http_reply_error(r, 400, "invalid_json", NULL, "the body must be a JSON object");
        return false;
    }
    return true;
}

const char *
http_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
http_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

bool
http_path_id_or_reply(struct req *r, int i, int64_t *id)
{
    if (i < r->params.n && parse_int64(r->params.value[i], 1, INT64_MAX, id))
        return true;
    http_reply_error(r, 404, "not_found", NULL, "no such resource");
    return false;
}

bool
http_paging_or_reply(struct req *r, int *limit, int64_t *after)
{
    const char *l = http_query(r, "limit"), *c = http_query(r, "cursor");
    int64_t v = 50;
    if (l && !parse_int64(l, 1, 500, &v)) {
        http_reply_error(r, 400, "invalid_field", "limit",
                         "limit must be an integer from 1 to 500");
        return false;
    }
    *limit = (int)v;
    *after = 0;
    if (c && *c && !parse_int64(c, 0, INT64_MAX, after)) {
        http_reply_error(r, 400, "invalid_field", "cursor", "cursor is not one this server gave");
        return false;
    }
    return true;
}

json_t *
http_page_json(json_t *items, int n, int limit, int64_t last_id)
{
    return json_pack("{s:o, s:o}", "items", items, "next",
                     n == limit && n > 0 ? http_id_json(last_id) : json_null());
}

json_t *
http_id_json(int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return json_string(buf);
}
