/* The worker queue: jobs run in the order handed in, every job handed in
 * runs before work_queue_stop returns, and a closing queue refuses jobs. */
#include "common/work_queue.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#define N_JOBS 2000

struct order {
    int seen[N_JOBS];
    int n;
};

struct numbered {
    struct order *order;
    int i;
};

static void
note_order(void *arg)
{
    struct numbered *job = arg;
    job->order->seen[job->order->n++] = job->i;
}

static void
test_one_worker_keeps_order(void **state)
{
    (void)state;
    static struct order order;
    static struct numbered jobs[N_JOBS];
    struct work_queue *q = work_queue_create(1);
    for (int i = 0; i < N_JOBS; i++) {
        jobs[i] = (struct numbered){&order, i};
        assert_true(work_queue_push(q, note_order, &jobs[i]));
    }
    work_queue_stop(q); /* joins: order is complete and visible */
    assert_int_equal(order.n, N_JOBS);
    for (int i = 0; i < N_JOBS; i++)
        assert_int_equal(order.seen[i], i);
}

static void
count(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void
test_every_job_runs_before_stop_returns(void **state)
{
    (void)state;
    atomic_int done = 0;
    struct work_queue *q = work_queue_create(4);
    for (int i = 0; i < N_JOBS; i++)
        assert_true(work_queue_push(q, count, &done));
    work_queue_stop(q);
    assert_int_equal(atomic_load(&done), N_JOBS);
}

/* A job that holds its worker until the test lets it go. */
static atomic_bool release;

static void
hold(void *arg)
{
    (void)arg;
    while (!atomic_load(&release))
        usleep(1000);
}

static void *
stopper(void *arg)
{
    work_queue_stop(arg);
    return NULL;
}

static void
test_closing_queue_refuses_and_drains(void **state)
{
    (void)state;
    atomic_int done = 0;
    struct work_queue *q = work_queue_create(1);
    assert_true(work_queue_push(q, hold, NULL));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stopper, q), 0);
    /* Until the stop has begun, jobs are taken; then they are refused.
     * The stop cannot finish while hold() runs, so q stays valid. */
    int taken = 0;
    while (work_queue_push(q, count, &done))
        taken++;
    atomic_store(&release, true);
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&done), taken);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_worker_keeps_order),
        cmocka_unit_test(test_every_job_runs_before_stop_returns),
        cmocka_unit_test(test_closing_queue_refuses_and_drains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
