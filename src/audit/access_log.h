/* The audit trail of reads and changes of a client's data (table
 * client_access): who, when, which route, which answer; never the data. */
#ifndef RITMO_AUDIT_ACCESS_LOG_H
#define RITMO_AUDIT_ACCESS_LOG_H

#include "db/db.h"

#include <stdint.h>

struct access_entry {
    int64_t id, client_id, token_id;
    char at[32];          /* RFC 3339, UTC */
    char token_name[201]; /* of the actor's token */
    char role[16];
    char method[8];
    char route[201]; /* the route pattern, e.g. GET /v1/clients/{id} */
    int status;
    char request_id[101];
};

enum db_status access_log_add(struct db_conn *c, const struct access_entry *e)
    __attribute__((warn_unused_result));
/* The client's entries after id `after`, oldest first, at most limit;
 * *items caller-owned. */
enum db_status access_log_list(struct db_conn *c, int64_t client_id, int64_t after, int limit,
                               struct access_entry **items, int *n)
    __attribute__((warn_unused_result));

#endif
