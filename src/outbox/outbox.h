/* The transactional outbox: events written in the same transaction as the
 * change they announce, delivered to webhooks by a sender thread in every
 * `ritmo serve` (several processes share the work with SKIP LOCKED), with
 * an HMAC-SHA256 signature, retries with exponential backoff and a dead
 * letter state. Delivery is at least once; the delivery id lets receivers
 * drop repeats. */
#ifndef RITMO_OUTBOX_H
#define RITMO_OUTBOX_H

#include "db/db.h"

#include <jansson.h>
#include <stdint.h>

struct app;

/* Queues an event for target in the caller's transaction; payload is
 * borrowed. */
enum db_status outbox_add(struct db_conn *c, const char *topic, const char *target,
                          const json_t *payload) __attribute__((warn_unused_result));

/* The signature header value for body sent at unix time t:
 * "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". Caller frees. */
char *outbox_signature_dup(const char *secret, int64_t t, const char *body, size_t len);

/* One event as admins see it. */
struct outbox_event {
    int64_t id;
    char delivery_id[40];
    char topic[101];
    char target[512];
    int attempts;
    char state[12]; /* pending | delivered | dead */
    char created_at[40];
    char last_error[512];
};

/* Events in a state ("pending", "delivered", "dead"), id > after, at most
 * limit, oldest first; *items caller-owned. */
enum db_status outbox_list(struct db_conn *c, const char *state, int64_t after, int limit,
                           struct outbox_event **items, int *n) __attribute__((warn_unused_result));
/* Puts a dead letter back in the queue: DB_NOT_FOUND when there is no dead
 * event with that id. */
enum db_status outbox_retry(struct db_conn *c, int64_t id, struct outbox_event *out)
    __attribute__((warn_unused_result));

struct outbox_sender;
/* Starts the sender thread (NULL, with a warning, when no secret is set:
 * events then wait in the table until one is). */
struct outbox_sender *outbox_sender_start(struct app *app);
/* Stops it, waiting for a delivery in progress (bounded by its timeout). */
void outbox_sender_stop(struct outbox_sender *s);

#endif
