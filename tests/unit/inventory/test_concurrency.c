/* The server calls the inventory rules from many threads at once: one shared
 * calendar and rules, four threads (SLA, maintenance, feed), every answer equal
 * to the serial one. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/maintenance.h"
#include "inventory/maintenance_ics.h"
#include "inventory/sla_clock.h"

#define THREADS 4
#define CASES   400

struct shared {
    const struct workcal *cal;
    const struct maintenance_rule *plain;
    const struct maintenance_rule *general; /* goes through libical's iterator */
    int64_t expected[CASES];
    int64_t got[THREADS][CASES];
};

static int64_t
one_case(const struct shared *sh, int i)
{
    int64_t t = INT64_C(1767222000) + (int64_t)i * 7919, due = 0;
    struct sla_pause p[2] = {{t + 3600, t + 7200}, {t + 90000, t + 95000}};
    struct civil_date anchor = civil_date_from_days(19000 + i), a, b;
    enum sla_unit unit = (enum sla_unit)(i % 3);

    if (sla_due_at(sh->cal, unit, t, unit == SLA_WORKING_DAYS ? 5 : 240, p, 2, &due) != SLA_OK)
        return -1;
    if (maintenance_next_due(sh->plain, MAINTENANCE_ANCHOR_FIXED, anchor, NULL, &a) !=
            MAINTENANCE_OK ||
        maintenance_next_due(sh->general, MAINTENANCE_ANCHOR_FIXED, anchor, NULL, &b) !=
            MAINTENANCE_OK)
        return -2;
    struct maintenance_ics_entry e = {"aid@ritmo", a, "Inspection, yearly", NULL};
    char *ics = maintenance_ics_dup("feed", &e, 1, t);
    int64_t len = (int64_t)strlen(ics);
    free(ics);
    return due ^ (civil_date_to_days(a) << 40) ^ (civil_date_to_days(b) << 20) ^ (len << 52);
}

struct worker {
    struct shared *sh;
    int index;
};

static void *
run_worker(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < CASES; i++)
        w->sh->got[w->index][i] = one_case(w->sh, i);
    return NULL;
}

static void
test_parallel_equals_serial(void **state)
{
    static struct shared sh;
    struct workcal_config c;
    struct workcal *cal;
    struct maintenance_rule *plain, *general;
    pthread_t th[THREADS];
    struct worker w[THREADS];

    (void)state;
    workcal_config_init(&c);
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
    assert_int_equal(maintenance_rule_create("FREQ=MONTHLY;INTERVAL=6", &plain), MAINTENANCE_OK);
    assert_int_equal(maintenance_rule_create("FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1", &general),
                     MAINTENANCE_OK);
    sh.cal = cal;
    sh.plain = plain;
    sh.general = general;
    for (int i = 0; i < CASES; i++) {
        sh.expected[i] = one_case(&sh, i);
        assert_true(sh.expected[i] >= 0);
    }
    for (int k = 0; k < THREADS; k++) {
        w[k].sh = &sh;
        w[k].index = k;
        assert_int_equal(pthread_create(&th[k], NULL, run_worker, &w[k]), 0);
    }
    for (int k = 0; k < THREADS; k++)
        assert_int_equal(pthread_join(th[k], NULL), 0);
    for (int k = 0; k < THREADS; k++)
        for (int i = 0; i < CASES; i++)
            assert_int_equal(sh.got[k][i], sh.expected[i]);
    maintenance_rule_free(general);
    maintenance_rule_free(plain);
    workcal_free(cal);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_equals_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
