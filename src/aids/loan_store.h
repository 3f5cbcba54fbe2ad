/* Storage of loans and pool reservations (aid_allocations): one table whose
 * exclusion constraint keeps the periods of one item from overlapping. */
#ifndef RITMO_AIDS_LOAN_STORE_H
#define RITMO_AIDS_LOAN_STORE_H

#include "db/db.h"
#include "inventory/civil_date.h"

#include <stdbool.h>
#include <stdint.h>

struct allocation {
    int64_t id, aid_id, client_id;
    char kind[16]; /* "loan" | "reservation" */
    int64_t from;  /* unix seconds */
    int64_t until; /* 0: open (a loan not yet returned) */
    struct civil_date received_on;
    char exception[32]; /* "" when none */
    char exception_reason[4001];
    int64_t returned_at; /* 0 until returned */
    char return_condition[16];
    int64_t created_at;
    struct civil_date collect_from; /* year 0: not to be collected */
    int64_t cancelled_at;           /* reservations: 0 unless cancelled */
};

/* One aid the client received before, for art. 3.2 lid 2 h. */
struct loan_receipt {
    char type[32];
    struct civil_date received;
    int depreciation_months;
};

/* Inserts *in unless its period overlaps another allocation of the item:
 * then *taken is false and nothing is written (no error, the transaction
 * goes on). On success *out holds the new row. actor: the token, or 0. */
enum db_status loan_store_insert(struct db_conn *c, const struct allocation *in, int64_t actor,
                                 struct allocation *out, bool *taken)
    __attribute__((warn_unused_result));
enum db_status loan_store_get(struct db_conn *c, int64_t id, bool lock, struct allocation *out)
    __attribute__((warn_unused_result));
/* Ends a loan at `at` (after its start) with the return condition. */
enum db_status loan_store_close(struct db_conn *c, int64_t id, int64_t at, const char *condition)
    __attribute__((warn_unused_result));
/* Marks the client's open loans not yet marked to be collected from
 * `from` (the client died); *items (caller-owned) are the loans marked. */
enum db_status loan_store_mark_collect(struct db_conn *c, int64_t client_id, struct civil_date from,
                                       struct allocation **items, int *n)
    __attribute__((warn_unused_result));
/* Cancels reservation `id` if it has not ended nor been cancelled yet;
 * DB_NOT_FOUND otherwise (or when it is no reservation). */
enum db_status loan_store_cancel(struct db_conn *c, int64_t id, struct allocation *out)
    __attribute__((warn_unused_result));
/* Cancels every reservation of the client that has not ended; *items
 * (caller-owned) are those cancelled. */
enum db_status loan_store_cancel_client(struct db_conn *c, int64_t client_id,
                                        struct allocation **items, int *n)
    __attribute__((warn_unused_result));
/* Every loan the client ever received, with its type and period; *items
 * caller-owned. */
enum db_status loan_store_receipts(struct db_conn *c, int64_t client_id,
                                   struct loan_receipt **items, int *n)
    __attribute__((warn_unused_result));
/* True when the item was lent before (a new loan is then a re-issue). */
enum db_status loan_store_was_lent(struct db_conn *c, int64_t aid_id, bool *out)
    __attribute__((warn_unused_result));

#endif
