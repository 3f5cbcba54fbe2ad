/* Storage of clients (residents with a Wmo provision). */
#ifndef RITMO_TRANSPORT_CLIENT_STORE_H
#define RITMO_TRANSPORT_CLIENT_STORE_H

#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Sizes in bytes for the database's character limits in UTF-8. */
struct client {
    int64_t id;
    char pass_number[129];
    char name[801];
    char phone[161];
    char email[1017];
    char home_address[1201];
    double home_lat, home_lon;
    bool wheelchair, scootmobiel, walker, companion_required;
    char deceased_on[11]; /* "" unless deceased */
    char created_at[40];
    char updated_at[40];
};

enum db_status client_store_insert(struct db_conn *c, const struct client *in, struct client *out)
    __attribute__((warn_unused_result));
/* lock: "" none, "share" (bookings), "update" (changes). */
enum db_status client_store_get(struct db_conn *c, int64_t id, const char *lock, struct client *out)
    __attribute__((warn_unused_result));
enum db_status client_store_update(struct db_conn *c, const struct client *in, struct client *out)
    __attribute__((warn_unused_result));
/* Clients whose name contains q (any case) or whose pass number is q; all
 * clients when q is NULL. Ids > after, at most limit; *items caller-owned. */
enum db_status client_store_search(struct db_conn *c, const char *q, int64_t after, int limit,
                                   struct client **items, int *n)
    __attribute__((warn_unused_result));
/* Ids of clients with a transport indication in year, id > after, at most
 * limit, in id order; *ids caller-owned. */
enum db_status client_store_with_indication(struct db_conn *c, int year, int64_t after, int limit,
                                            int64_t **ids, int *n)
    __attribute__((warn_unused_result));
enum db_status client_store_mark_deceased(struct db_conn *c, int64_t id, const char *date)
    __attribute__((warn_unused_result));

#endif
