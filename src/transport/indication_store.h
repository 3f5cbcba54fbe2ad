/* Storage of transport indications and their suspensions. */
#ifndef RITMO_TRANSPORT_INDICATION_STORE_H
#define RITMO_TRANSPORT_INDICATION_STORE_H

#include "db/db.h"
#include "transport/ride_rules.h"

struct indication {
    int64_t id;
    int64_t client_id;
    char valid_from[11], valid_until[11];
    int annual_km;
    char ended_on[11]; /* "" while not ended */
    char end_reason[801];
    char created_at[40];
    int n_suspensions;
};

struct suspension {
    int64_t id;
    int64_t indication_id;
    char from[11], until[11];
    char reason[2001];
};

/* Inserts an indication; DB_CONFLICT when it overlaps another effective
 * transport indication of the client. */
enum db_status indication_store_insert(struct db_conn *c, const struct indication *in,
                                       int64_t actor, struct indication *out)
    __attribute__((warn_unused_result));
/* Locks the row (FOR UPDATE) when lock is true. */
enum db_status indication_store_get(struct db_conn *c, int64_t id, bool lock,
                                    struct indication *out) __attribute__((warn_unused_result));
enum db_status indication_store_list(struct db_conn *c, int64_t client_id,
                                     struct indication **items, int *n)
    __attribute__((warn_unused_result));
/* Effective periods (until the day before an end) for the grant. */
enum db_status indication_store_periods(struct db_conn *c, int64_t client_id,
                                        struct grant_period **items, int *n)
    __attribute__((warn_unused_result));

enum indication_state { INDICATION_NONE, INDICATION_SUSPENDED, INDICATION_VALID };
/* Whether the client may travel on date (YYYY-MM-DD). */
enum db_status indication_store_state_on(struct db_conn *c, int64_t client_id, const char *date,
                                         enum indication_state *out)
    __attribute__((warn_unused_result));

enum db_status indication_store_suspend(struct db_conn *c, const struct suspension *in,
                                        int64_t actor, struct suspension *out)
    __attribute__((warn_unused_result));
enum db_status indication_store_end(struct db_conn *c, int64_t id, const char *on,
                                    const char *reason) __attribute__((warn_unused_result));

#endif
