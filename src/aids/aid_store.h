/* Storage of aid items, their history (aid_events) and the maintenance
 * due list. */
#ifndef RITMO_AIDS_AID_STORE_H
#define RITMO_AIDS_AID_STORE_H

#include "db/db.h"
#include "inventory/civil_date.h"

#include <stdbool.h>
#include <stdint.h>

/* An item with what it needs from its model and supplier. Dates with year
 * 0 are absent; ids 0 are absent. */
struct aid {
    int64_t id, model_id;
    char serial[401];
    struct civil_date purchase_date;
    int64_t purchase_price_cents, residual_cents;
    char status[16];
    int64_t pool_id, client_id, loan_id;
    struct civil_date anchor_date, last_maintenance_on, next_maintenance_on;
    int64_t created_at;
    /* from the model and its supplier (read only) */
    char type[32];
    int64_t supplier_id;
    int depreciation_months;
    char maintenance_rule[2001];
    char maintenance_anchor[16];
    int maintenance_grace_days;
};

struct aid_filter {
    const char *type, *status;    /* NULL = any */
    int64_t pool_id, supplier_id; /* 0 = any */
};

struct aid_event {
    int64_t id, aid_id;
    char type[16];
    int64_t at;
    char detail[401]; /* maintenance kind or return condition; "" when none */
    char notes[8001];
    int64_t cost_cents, client_id, allocation_id, actor;
};

/* Inserts the item (id and created_at of *in are ignored) and reads it back
 * into *out. DB_CONFLICT: serial used for the model; DB_NO_REFERENT: no
 * such model or pool. */
enum db_status aid_store_insert(struct db_conn *c, const struct aid *in, struct aid *out)
    __attribute__((warn_unused_result));
/* lock: the row is locked FOR UPDATE (state changes). */
enum db_status aid_store_get(struct db_conn *c, int64_t id, bool lock, struct aid *out)
    __attribute__((warn_unused_result));
/* Writes status, pool, holder, loan and the maintenance dates of *a. */
enum db_status aid_store_update(struct db_conn *c, const struct aid *a)
    __attribute__((warn_unused_result));
/* Items matching f with id > after, at most limit, in id order; *items
 * caller-owned. */
enum db_status aid_store_list(struct db_conn *c, const struct aid_filter *f, int64_t after,
                              int limit, struct aid **items, int *n)
    __attribute__((warn_unused_result));
/* Items (of supplier_id, 0 = all) whose next maintenance is on or before
 * until, id > after, at most limit; in id order, or in due-date order when
 * by_date. *items caller-owned. */
enum db_status aid_store_due(struct db_conn *c, struct civil_date until, int64_t supplier_id,
                             bool by_date, int64_t after, int limit, struct aid **items, int *n)
    __attribute__((warn_unused_result));
/* Ids of the pool's items in status pool, of the type or the one aid_id
 * (NULL/0 = any), in id order; *ids caller-owned. */
enum db_status aid_store_pool_candidates(struct db_conn *c, int64_t pool_id, const char *type,
                                         int64_t aid_id, int64_t **ids, int *n)
    __attribute__((warn_unused_result));

/* Appends *e (id ignored); its id in *id when id is not NULL. */
enum db_status aid_store_event_add(struct db_conn *c, const struct aid_event *e, int64_t *id)
    __attribute__((warn_unused_result));
/* The item's history in time order; *items caller-owned. */
enum db_status aid_store_events(struct db_conn *c, int64_t aid_id, struct aid_event **items, int *n)
    __attribute__((warn_unused_result));

#endif
