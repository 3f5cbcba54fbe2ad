/* Storage of deliveries: orders of an aid model for a client and their
 * delivery against the supplier's term. */
#ifndef RITMO_AIDS_DELIVERY_STORE_H
#define RITMO_AIDS_DELIVERY_STORE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

struct delivery {
    int64_t id, client_id, model_id, supplier_id;
    int64_t ordered_at;
    int term_working_days;
    char exception[32]; /* "" when none */
    char exception_reason[4001];
    int64_t delivered_at; /* 0 until delivered */
    int64_t aid_id, loan_id;
    int working_days;
    bool within_term;
    int64_t created_at;
};

/* Inserts the order (id, delivery fields and created_at ignored). */
enum db_status delivery_store_insert(struct db_conn *c, const struct delivery *in, int64_t actor,
                                     struct delivery *out) __attribute__((warn_unused_result));
enum db_status delivery_store_get(struct db_conn *c, int64_t id, bool lock, struct delivery *out)
    __attribute__((warn_unused_result));
/* Records the delivery fields of *d; DB_CONFLICT when already delivered. */
enum db_status delivery_store_delivered(struct db_conn *c, const struct delivery *d,
                                        struct delivery *out) __attribute__((warn_unused_result));

#endif
