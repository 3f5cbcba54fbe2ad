/* A fixed set of threads that run jobs in the order they were handed in:
 * the HTTP server's handlers run here, so that a slow request holds one
 * worker and never the connections that libmicrohttpd polls beside it. */
#ifndef RITMO_COMMON_WORK_QUEUE_H
#define RITMO_COMMON_WORK_QUEUE_H

#include <stdbool.h>

struct work_queue;

typedef void (*work_fn)(void *arg);

/* Starts threads workers; caller frees with work_queue_stop. */
struct work_queue *work_queue_create(int threads);

/* Hands fn(arg) to the next free worker. False once the queue is closing
 * (work_queue_stop has begun): the caller runs the job itself. */
bool work_queue_push(struct work_queue *q, work_fn fn, void *arg)
    __attribute__((warn_unused_result));

/* Refuses new jobs, runs every job already handed in, joins the workers
 * and frees q. NULL does nothing. */
void work_queue_stop(struct work_queue *q);

#endif
