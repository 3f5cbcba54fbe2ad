/* SQL of the client access trail. */
#include "audit/access_log.h"

#include <stdio.h>
#include <string.h>

static struct db_stmt st_add = {
    "access_add",
    "INSERT INTO client_access (client_id, token_id, method, route, status, request_id) "
    "SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM clients WHERE id = $1)",
    6, 0};
static struct db_stmt st_list = {
    "access_list",
    "SELECT a.id, a.client_id, a.token_id, to_char(a.at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), t.name, t.role, a.method, a.route, a.status, "
    "a.request_id FROM client_access a JOIN api_tokens t ON t.id = a.token_id WHERE "
    "a.client_id = $1 AND a.id > $2 ORDER BY a.id LIMIT $3",
    3, 0};

static void
copy(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

static void
read_entry(const PGresult *r, int row, void *dst)
{
    struct access_entry *e = dst;
    memset(e, 0, sizeof *e);
    e->id = db_i64(r, row, 0);
    e->client_id = db_i64(r, row, 1);
    e->token_id = db_i64(r, row, 2);
    copy(e->at, sizeof e->at, r, row, 3);
    copy(e->token_name, sizeof e->token_name, r, row, 4);
    copy(e->role, sizeof e->role, r, row, 5);
    copy(e->method, sizeof e->method, r, row, 6);
    copy(e->route, sizeof e->route, r, row, 7);
    e->status = (int)db_i64(r, row, 8);
    copy(e->request_id, sizeof e->request_id, r, row, 9);
}

enum db_status
access_log_add(struct db_conn *c, const struct access_entry *e)
{
    char client[24], token[24], status[16];
    snprintf(client, sizeof client, "%lld", (long long)e->client_id);
    snprintf(token, sizeof token, "%lld", (long long)e->token_id);
    snprintf(status, sizeof status, "%d", e->status);
    const char *params[] = {client, token, e->method, e->route, status, e->request_id};
    int64_t rows = 0;
    return db_exec_cmd(c, &st_add, params, &rows);
}

enum db_status
access_log_list(struct db_conn *c, int64_t client_id, int64_t after, int limit,
                struct access_entry **items, int *n)
{
    char client[24], from[24], lim[16];
    snprintf(client, sizeof client, "%lld", (long long)client_id);
    snprintf(from, sizeof from, "%lld", (long long)after);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {client, from, lim};
    return db_query_rows(c, &st_list, params, sizeof **items, read_entry, (void **)items, n);
}
