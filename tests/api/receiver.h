/* A webhook receiver for tests: a small HTTP server on 127.0.0.1 that
 * records each delivery, checks its signature, and answers 200 or, when
 * told to, 500. */
#ifndef RITMO_TEST_RECEIVER_H
#define RITMO_TEST_RECEIVER_H

#include <stdbool.h>

#define RECEIVER_MAX 256

struct delivery {
    char id[64];    /* Idempotency-Key header */
    char topic[64]; /* X-Ritmo-Topic header */
    char *body;
    bool signature_ok;
    bool answered_ok;
};

struct receiver;

/* Starts on a free port (or port when not 0); secret checks signatures. */
struct receiver *receiver_start(int port, const char *secret);
int receiver_port(const struct receiver *rc);
/* The next n deliveries are answered 500; n < 0: every one. */
void receiver_fail(struct receiver *rc, int n);
/* Stops listening (deliveries then fail to connect); keeps the records. */
void receiver_pause(struct receiver *rc);
bool receiver_resume(struct receiver *rc);
/* Copies of the deliveries so far (answered 200 or not); returns count. */
int receiver_count(struct receiver *rc);
bool receiver_get(struct receiver *rc, int i, struct delivery *out); /* out->body borrowed */
void receiver_free(struct receiver *rc);

#endif
