/* The km allowance ledger: one account per client and year (granted =
 * base + adjustments; reserved; used) and its append-only entries. Every
 * change goes through here, in the caller's transaction; the account row's
 * CHECK constraint makes overspending impossible whatever the concurrency. */
#ifndef RITMO_TRANSPORT_ALLOWANCE_H
#define RITMO_TRANSPORT_ALLOWANCE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

struct allowance_account {
    int64_t client_id;
    int year;
    int64_t base_m, adjusted_m, reserved_m, used_m;
    bool exists; /* false: computed from the indications, not yet stored */
};

static inline int64_t
allowance_granted_m(const struct allowance_account *a)
{
    return a->base_m + a->adjusted_m;
}

static inline int64_t
allowance_remaining_m(const struct allowance_account *a)
{
    return a->base_m + a->adjusted_m - a->reserved_m - a->used_m;
}

struct allowance_entry {
    char at[40];
    char kind[8];
    int64_t metres;
    int64_t booking_id; /* 0: none */
    char reason[2001];
};

/* Creates the year's account from the client's indications when missing. */
enum db_status allowance_ensure(struct db_conn *c, int64_t client_id, int year, bool pro_rata)
    __attribute__((warn_unused_result));
/* Reads the account; when it does not exist yet, its grant is computed
 * from the indications (exists = false) without writing anything. */
enum db_status allowance_get(struct db_conn *c, int64_t client_id, int year, bool pro_rata,
                             struct allowance_account *out) __attribute__((warn_unused_result));
/* Takes metres from the year's remaining km for a new booking, creating
 * the year's account from the indications first when there is none:
 * *fitted false (nothing changed) when they do not fit. In the common case
 * this is one conditional UPDATE. Record the reservation in the ledger
 * with allowance_note_reserve once the booking exists. */
enum db_status allowance_take(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                              bool pro_rata, bool *fitted) __attribute__((warn_unused_result));
enum db_status allowance_note_reserve(struct db_conn *c, int64_t client_id, int year,
                                      int64_t metres, int64_t booking_id, int64_t actor)
    __attribute__((warn_unused_result));
/* Gives back a booking's reservation. */
enum db_status allowance_release(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                                 int64_t booking_id, int64_t actor, const char *reason)
    __attribute__((warn_unused_result));
/* Turns a booking's reservation into use. */
enum db_status allowance_debit(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                               int64_t booking_id, int64_t actor, const char *reason)
    __attribute__((warn_unused_result));
/* Corrects the grant by metres (±) with a reason: *fitted false when the
 * grant would drop below reserved + used. */
enum db_status allowance_adjust(struct db_conn *c, int64_t client_id, int year, int64_t metres,
                                int64_t actor, const char *reason, bool *fitted)
    __attribute__((warn_unused_result));
/* Recomputes the base grant of every stored year of the client after its
 * indications changed. A grant never drops below what is already reserved
 * or used: km travelled cannot be taken back. */
enum db_status allowance_regrant(struct db_conn *c, int64_t client_id, bool pro_rata)
    __attribute__((warn_unused_result));
/* The year's entries, oldest first; *items caller-owned. */
enum db_status allowance_entries(struct db_conn *c, int64_t client_id, int year,
                                 struct allowance_entry **items, int *n)
    __attribute__((warn_unused_result));

#endif
