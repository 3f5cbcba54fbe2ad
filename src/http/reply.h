/* Building and queueing responses: JSON bodies, the error shape of API.md,
 * and request helpers (query parameters, path ids, JSON validation). */
#ifndef RITMO_HTTP_REPLY_H
#define RITMO_HTTP_REPLY_H

#include "db/db.h"
#include "http/request.h"

#include <jansson.h>
#include <stdint.h>

/* {"error": {"code", "message", "field"?}}; caller owns the result. */
json_t *http_error_json(const char *code, const char *message, const char *field);

/* Queues body (stolen, even on failure) as the response with status. */
void http_reply_json(struct req *r, unsigned status, json_t *body);
/* Queues an error response; message is printf-style. */
void http_reply_error(struct req *r, unsigned status, const char *code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Queues text (copied) with a content type. */
void http_reply_text(struct req *r, unsigned status, const char *content_type, const char *text,
                     size_t len);
/* Answers a failed database status: 503, 409, 404 or 500. */
void http_reply_db_error(struct req *r, enum db_status s);

/* The http_reply_* functions build the answer and keep it in the request
 * (handlers may run on a worker thread, where libmicrohttpd's connection
 * must not be touched); this queues it on the connection and releases it.
 * Called by the server on libmicrohttpd's thread; nothing when there is no
 * answer waiting. */
void http_reply_send(struct req *r);

/* Parses the body of a POST, PATCH or PUT into r->json (owned by r; an
 * empty body is {}); otherwise queues 400 invalid_json and is false. Other
 * methods have no JSON body: true, r->json stays NULL. */
bool http_body_json_or_reply(struct req *r) __attribute__((warn_unused_result));

/* Query parameter value, borrowed for the request's life; NULL if absent. */
const char *http_query(struct req *r, const char *key);
/* Request header value, borrowed; NULL if absent. */
const char *http_header(struct req *r, const char *name);

/* Path parameter i as a positive id; otherwise queues 404 and is false. */
bool http_path_id_or_reply(struct req *r, int i, int64_t *id) __attribute__((warn_unused_result));
/* List paging: limit (default 50, 1..500) and an id cursor (default 0);
 * queues 400 invalid_field and is false on bad values. */
bool http_paging_or_reply(struct req *r, int *limit, int64_t *after)
    __attribute__((warn_unused_result));
/* A page of a list: {"items": items, "next": cursor or null}; items is
 * stolen. last_id is the id of the page's last item; a full page (n ==
 * limit) has a next page to ask for. */
json_t *http_page_json(json_t *items, int n, int limit, int64_t last_id);

/* Opaque id as JSON: ids are strings in the API. */
json_t *http_id_json(int64_t id);

#endif
