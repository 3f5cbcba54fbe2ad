/* A place found on one version of a day is taken to another version only
 * when its run is exactly as it was: day_subset_rebase matches the run by
 * id and its rides by booking, whatever their order in the newer day, and
 * refuses any change to the run or its rides. */
#include "dispatch/day.h"

#include "common/xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* Runs 101 and 102; bookings 1 and 2 on run 101, 3 on run 102, and 4,
 * the new ride, on none. */
static struct day
sample_day(void)
{
    struct day d = {0};
    memcpy(d.date, "2026-12-07", 11);
    d.n_runs = 2;
    d.runs = xcalloc(2, sizeof *d.runs);
    for (int v = 0; v < 2; v++)
        d.runs[v] = (struct day_run){.id = 101 + v,
                                     .vehicle_id = 7 + v,
                                     .start_at = 1000,
                                     .end_at = 50000,
                                     .capacity = {4, 1, 0}};
    d.n_rides = 4;
    d.rides = xcalloc(4, sizeof *d.rides);
    int run[] = {0, 0, 1, -1};
    for (int k = 0; k < 4; k++) {
        struct day_ride *x = &d.rides[k];
        x->booking_id = k + 1;
        strcpy(x->status, run[k] >= 0 ? "scheduled" : "requested");
        x->from = (struct geo_point){51.8 + 0.01 * k, 4.6};
        x->to = (struct geo_point){51.7, 4.7 + 0.01 * k};
        x->window_earliest = 3000 + 600 * k;
        x->window_latest = x->window_earliest + 900;
        x->direct_s = 1200;
        x->run = run[k];
        x->pickup_seq = run[k] >= 0 ? 2 * k + 1 : 0;
        x->dropoff_seq = run[k] >= 0 ? 2 * k + 2 : 0;
    }
    return d;
}

/* The one-run subset of run 101 with the new ride, as an early place. */
static void
early_subset(const struct day *d, struct day *sub, int *kk)
{
    int run = 0, rides[] = {0, 1};
    day_subset_of(d, &run, 1, rides, 2, 3, sub, kk);
}

static void
test_same_day_rebases(void **state)
{
    (void)state;
    struct day d = sample_day(), sub;
    int kk;
    early_subset(&d, &sub, &kk);
    assert_int_equal(kk, 2);
    assert_true(day_subset_rebase(&sub, kk, &d, 3));
    assert_int_equal(sub.run_origin[0], 0);
    assert_int_equal(sub.origin[0], 0);
    assert_int_equal(sub.origin[1], 1);
    assert_int_equal(sub.origin[2], 3);
    day_clear(&sub);
    day_clear(&d);
}

/* The day as loaded afresh: rides and runs in another order. */
static void
test_reordered_day_rebases_by_id(void **state)
{
    (void)state;
    struct day d = sample_day(), sub, e = {0};
    int kk;
    early_subset(&d, &sub, &kk);
    day_copy(&d, &e);
    e.runs[0] = d.runs[1];
    e.runs[1] = d.runs[0];
    for (int k = 0; k < 4; k++) {
        e.rides[k] = d.rides[3 - k];
        e.rides[k].run = d.rides[3 - k].run < 0 ? -1 : 1 - d.rides[3 - k].run;
    }
    assert_true(day_subset_rebase(&sub, kk, &e, 0));
    assert_int_equal(sub.run_origin[0], 1);
    assert_int_equal(e.rides[sub.origin[0]].booking_id, 1);
    assert_int_equal(e.rides[sub.origin[1]].booking_id, 2);
    assert_int_equal(sub.origin[kk], 0);
    assert_int_equal(sub.parent_runs, 2);
    day_clear(&e);
    day_clear(&sub);
    day_clear(&d);
}

/* Each change to the run or its rides refuses, and leaves sub as it was. */
static void
test_changed_run_refuses(void **state)
{
    (void)state;
    struct day d = sample_day(), sub;
    int kk;
    early_subset(&d, &sub, &kk);
    for (int change = 0; change < 6; change++) {
        struct day e;
        day_copy(&d, &e);
        switch (change) {
        case 0: /* a stop moved */
            e.rides[1].dropoff_seq = 9;
            break;
        case 1: /* another ride joined the run */
            e.rides[2].run = 0;
            break;
        case 2: /* a ride left it */
            e.rides[1].run = -1;
            break;
        case 3: /* the shift changed */
            e.runs[0].end_at = 40000;
            break;
        case 4: /* a driver reported a pickup */
            e.rides[0].pickup_actual = 3100;
            strcpy(e.rides[0].status, "picked_up");
            break;
        case 5: /* the run is gone */
            e.runs[0].id = 999;
            break;
        }
        assert_false(day_subset_rebase(&sub, kk, &e, 3));
        assert_int_equal(sub.origin[0], 0);
        assert_int_equal(sub.origin[1], 1);
        assert_int_equal(sub.origin[2], 3);
        day_clear(&e);
    }
    day_clear(&sub);
    day_clear(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_day_rebases),
        cmocka_unit_test(test_reordered_day_rebases_by_id),
        cmocka_unit_test(test_changed_run_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
