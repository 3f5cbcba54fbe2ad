/* FIFO job queue over a mutex and a condition variable. Jobs are kept in
 * a singly linked list with a tail pointer; each job is one small
 * allocation, freed by the worker that runs it. */
#include "common/work_queue.h"

#include "common/log.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct job {
    struct job *next;
    work_fn fn;
    void *arg;
};

struct work_queue {
    pthread_mutex_t lock;
    pthread_cond_t ready; /* a job was added, or the queue is closing */
    struct job *head, *tail;
    bool closing;
    int n_threads;
    pthread_t *threads;
};

/* The next job, or NULL when the queue is closing and empty. */
static struct job *
next_job(struct work_queue *q)
{
    pthread_mutex_lock(&q->lock);
    while (!q->head && !q->closing)
        pthread_cond_wait(&q->ready, &q->lock);
    struct job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
    }
    pthread_mutex_unlock(&q->lock);
    return j;
}

static void *
worker_main(void *arg)
{
    struct work_queue *q = arg;
    struct job *j;
    while ((j = next_job(q))) {
        j->fn(j->arg);
        free(j);
    }
    return NULL;
}

struct work_queue *
work_queue_create(int threads)
{
    struct work_queue *q = xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->ready, NULL);
    q->threads = xcalloc((size_t)threads, sizeof *q->threads);
    for (int i = 0; i < threads; i++) {
        int rc = pthread_create(&q->threads[i], NULL, worker_main, q);
        if (rc) {
            /* Like an allocation failure: the server cannot run without
             * its workers, and there is no half-started state to keep. */
            log_error("cannot start a worker thread: %s", strerror(rc));
            abort();
        }
        q->n_threads++;
    }
    return q;
}

bool
work_queue_push(struct work_queue *q, work_fn fn, void *arg)
{
    struct job *j = xmalloc(sizeof *j);
    *j = (struct job){NULL, fn, arg};
    pthread_mutex_lock(&q->lock);
    bool ok = !q->closing;
    if (ok) {
        if (q->tail)
            q->tail->next = j;
        else
            q->head = j;
        q->tail = j;
        pthread_cond_signal(&q->ready);
    }
    pthread_mutex_unlock(&q->lock);
    if (!ok)
        free(j);
    return ok;
}

void
work_queue_stop(struct work_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->closing = true;
    pthread_cond_broadcast(&q->ready);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->n_threads; i++)
        pthread_join(q->threads[i], NULL);
    pthread_cond_destroy(&q->ready);
    pthread_mutex_destroy(&q->lock);
    free(q->threads);
    free(q);
}
