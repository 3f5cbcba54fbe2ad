/* The day cache of live insertion: a day is copied out at the version it
 * was stored with (or at any, for work begun before the day's lock), a day
 * asked for at another version is dropped, and the least recently stored
 * goes first. */
#include "dispatch/day_cache.h"

#include "common/xalloc.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* A day of date with n rides (booking ids 1..n), as day_load leaves it. */
static struct day
day_of(const char *date, int n)
{
    struct day d = {0};
    snprintf(d.date, sizeof d.date, "%s", date);
    d.rides = xcalloc((size_t)n + 1, sizeof *d.rides);
    for (int k = 0; k < n; k++)
        d.rides[k].booking_id = k + 1;
    d.n_rides = n;
    return d;
}

static void
test_only_at_its_version(void **state)
{
    (void)state;
    struct day_cache *dc = day_cache_create(4);
    struct day d = day_of("2026-12-07", 3), got;
    day_cache_put(dc, 41, &d);
    assert_int_equal(d.n_rides, 0); /* moved into the cache */
    assert_int_equal(day_cache_size(dc), 1);
    assert_false(day_cache_copy(dc, "2026-12-08", 41, &got, NULL)); /* another day */
    assert_false(day_cache_copy(dc, "2026-12-07", 42, &got, NULL)); /* changed since: dropped */
    assert_int_equal(day_cache_size(dc), 0);
    d = day_of("2026-12-07", 3);
    day_cache_put(dc, 43, &d);
    int64_t version = 0;
    assert_true(day_cache_copy(dc, "2026-12-07", 43, &got, &version));
    assert_int_equal(version, 43);
    assert_int_equal(got.n_rides, 3);
    assert_int_equal(got.rides[2].booking_id, 3);
    /* a copy: changing it changes nothing stored, and the day stays */
    got.rides[2].booking_id = 99;
    struct day again;
    assert_true(day_cache_copy(dc, "2026-12-07", DAY_CACHE_ANY, &again, &version));
    assert_int_equal(version, 43);
    assert_int_equal(again.rides[2].booking_id, 3);
    assert_int_equal(day_cache_size(dc), 1);
    day_clear(&again);
    day_clear(&got);
    day_cache_free(dc);
}

static void
test_replaces_and_evicts(void **state)
{
    (void)state;
    struct day_cache *dc = day_cache_create(2);
    struct day a = day_of("2026-12-07", 1), b = day_of("2026-12-08", 2),
               a2 = day_of("2026-12-07", 5);
    day_cache_put(dc, 1, &a);
    day_cache_put(dc, 2, &b);
    day_cache_put(dc, 3, &a2); /* the same date again: replaces, no eviction */
    assert_int_equal(day_cache_size(dc), 2);
    struct day c = day_of("2026-12-09", 1), got;
    day_cache_put(dc, 4, &c); /* full: 2026-12-08, stored longest ago, goes */
    assert_int_equal(day_cache_size(dc), 2);
    assert_false(day_cache_copy(dc, "2026-12-08", DAY_CACHE_ANY, &got, NULL));
    assert_true(day_cache_copy(dc, "2026-12-07", 3, &got, NULL));
    assert_int_equal(got.n_rides, 5);
    day_clear(&got);
    day_cache_free(dc); /* frees what it still holds */
}

static void
test_no_cache(void **state)
{
    (void)state;
    struct day d = day_of("2026-12-07", 2), got;
    day_cache_put(NULL, 1, &d); /* just cleared */
    assert_int_equal(d.n_rides, 0);
    assert_false(day_cache_copy(NULL, "2026-12-07", 1, &got, NULL));
    assert_int_equal(day_cache_size(NULL), 0);
}

/* Copies taken while other threads replace the day are whole days, each
 * as it was stored with its version (a day of n rides at version n). */
#define ROUNDS 300

static void *
putter(void *arg)
{
    struct day_cache *dc = arg;
    for (int n = 1; n <= ROUNDS; n++) {
        struct day d = day_of("2026-12-07", n);
        day_cache_put(dc, n, &d);
    }
    return NULL;
}

static void *
copier(void *arg)
{
    struct day_cache *dc = arg;
    long bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        struct day got;
        int64_t version;
        if (!day_cache_copy(dc, "2026-12-07", DAY_CACHE_ANY, &got, &version))
            continue;
        bad += got.n_rides != version || got.rides[got.n_rides - 1].booking_id != version;
        day_clear(&got);
    }
    return (void *)bad;
}

static void
test_copies_while_replaced(void **state)
{
    (void)state;
    struct day_cache *dc = day_cache_create(2);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, i < 2 ? putter : copier, dc), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_int_equal((long)bad, 0);
    }
    assert_int_equal(day_cache_size(dc), 1);
    day_cache_free(dc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_at_its_version),
        cmocka_unit_test(test_replaces_and_evicts),
        cmocka_unit_test(test_no_cache),
        cmocka_unit_test(test_copies_while_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
