/* Unit tests for inventory/ticket_state: the full transition table, names,
 * and replaying a history into response time and repair-clock pauses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/ticket_state.h"

#define X (-1) /* does not fit: 409 */

static void
test_transition_table(void **state)
{
    /* rows: open, acknowledged, on_site, waiting_client, resolved;
     * columns: acknowledged, on_site, waiting_client, resumed, resolved, reopened */
    static const int expected[5][6] = {
        {TICKET_ACKNOWLEDGED, TICKET_ON_SITE, X, X, TICKET_RESOLVED, X},
        {X, TICKET_ON_SITE, TICKET_WAITING_CLIENT, X, TICKET_RESOLVED, X},
        {X, X, TICKET_WAITING_CLIENT, X, TICKET_RESOLVED, X},
        {X, X, X, TICKET_ACKNOWLEDGED, TICKET_RESOLVED, X},
        {X, X, X, X, X, TICKET_ACKNOWLEDGED},
    };

    (void)state;
    for (int s = 0; s < 5; s++) {
        for (int e = 0; e < 6; e++) {
            enum ticket_state to = (enum ticket_state)99;
            bool fits = ticket_transition((enum ticket_state)s, (enum ticket_event)e, &to);
            assert_int_equal(fits, expected[s][e] != X);
            if (fits)
                assert_int_equal(to, expected[s][e]);
            else
                assert_int_equal(to, 99);
        }
    }
    enum ticket_state to;
    assert_false(ticket_transition((enum ticket_state)5, TICKET_EVENT_RESOLVED, &to));
    assert_false(ticket_transition(TICKET_OPEN, (enum ticket_event)6, &to));
}

static void
test_names(void **state)
{
    static const char *const events[] = {"acknowledged", "on_site",  "waiting_client",
                                         "resumed",      "resolved", "reopened"};
    static const char *const states[] = {"open", "acknowledged", "on_site", "waiting_client",
                                         "resolved"};
    enum ticket_event ev;
    enum ticket_state st;

    (void)state;
    for (int i = 0; i < 6; i++) {
        assert_true(ticket_event_parse(events[i], &ev));
        assert_int_equal(ev, i);
        assert_string_equal(ticket_event_name(ev), events[i]);
    }
    for (int i = 0; i < 5; i++) {
        assert_true(ticket_state_parse(states[i], &st));
        assert_int_equal(st, i);
        assert_string_equal(ticket_state_name(st), states[i]);
    }
    assert_false(ticket_event_parse("Resolved", &ev));
    assert_false(ticket_event_parse("open", &ev));
    assert_false(ticket_event_parse(NULL, &ev));
    assert_false(ticket_state_parse("closed", &st));
    assert_true(ticket_event_is_response(TICKET_EVENT_ACKNOWLEDGED));
    assert_true(ticket_event_is_response(TICKET_EVENT_ON_SITE));
    assert_false(ticket_event_is_response(TICKET_EVENT_WAITING_CLIENT));
}

static void
test_replay_history(void **state)
{
    const int64_t t0 = 1795340400; /* any instant; only differences matter here */
    const struct ticket_event_record ev[] = {
        {TICKET_EVENT_ACKNOWLEDGED, t0 + 600},      {TICKET_EVENT_ON_SITE, t0 + 3600},
        {TICKET_EVENT_WAITING_CLIENT, t0 + 4000},   {TICKET_EVENT_RESUMED, t0 + 90000},
        {TICKET_EVENT_WAITING_CLIENT, t0 + 100000}, {TICKET_EVENT_RESOLVED, t0 + 120000},
        {TICKET_EVENT_REOPENED, t0 + 200000},       {TICKET_EVENT_WAITING_CLIENT, t0 + 210000},
    };
    struct sla_pause pauses[8];
    struct ticket_summary s;
    size_t bad = 99;

    (void)state;
    assert_int_equal(ticket_replay(t0, ev, 8, pauses, &s, &bad), TICKET_REPLAY_OK);
    assert_int_equal(s.state, TICKET_WAITING_CLIENT);
    assert_true(s.responded);
    assert_int_equal(s.responded_at, t0 + 600);
    assert_false(s.resolved);
    assert_int_equal(s.n_pauses, 3);
    assert_int_equal(pauses[0].from, t0 + 4000);
    assert_int_equal(pauses[0].until, t0 + 90000);
    assert_int_equal(pauses[1].from, t0 + 100000);
    assert_int_equal(pauses[1].until, t0 + 120000);
    assert_int_equal(pauses[2].from, t0 + 210000);
    assert_int_equal(pauses[2].until, SLA_PAUSE_OPEN);

    assert_int_equal(ticket_replay(t0, ev, 6, pauses, &s, &bad), TICKET_REPLAY_OK);
    assert_true(s.resolved);
    assert_int_equal(s.resolved_at, t0 + 120000);
    assert_int_equal(s.state, TICKET_RESOLVED);

    assert_int_equal(ticket_replay(t0, NULL, 0, pauses, &s, &bad), TICKET_REPLAY_OK);
    assert_int_equal(s.state, TICKET_OPEN);
    assert_false(s.responded);
    assert_int_equal(s.n_pauses, 0);
}

static void
test_replay_errors(void **state)
{
    const int64_t t0 = 1795340400;
    const struct ticket_event_record twice[] = {
        {TICKET_EVENT_ACKNOWLEDGED, t0 + 60},
        {TICKET_EVENT_ACKNOWLEDGED, t0 + 120},
    };
    const struct ticket_event_record early[] = {
        {TICKET_EVENT_ACKNOWLEDGED, t0 + 60},
        {TICKET_EVENT_ON_SITE, t0 + 30},
    };
    const struct ticket_event_record before_report[] = {{TICKET_EVENT_ACKNOWLEDGED, t0 - 1}};
    const struct ticket_event_record wait_first[] = {{TICKET_EVENT_WAITING_CLIENT, t0}};
    struct sla_pause pauses[2];
    struct ticket_summary s;
    size_t bad = 99;

    (void)state;
    assert_int_equal(ticket_replay(t0, twice, 2, pauses, &s, &bad), TICKET_REPLAY_DOES_NOT_FIT);
    assert_int_equal(bad, 1);
    assert_int_equal(ticket_replay(t0, early, 2, pauses, &s, &bad), TICKET_REPLAY_OUT_OF_ORDER);
    assert_int_equal(bad, 1);
    assert_int_equal(ticket_replay(t0, before_report, 1, pauses, &s, &bad),
                     TICKET_REPLAY_OUT_OF_ORDER);
    assert_int_equal(bad, 0);
    assert_int_equal(ticket_replay(t0, wait_first, 1, pauses, &s, &bad),
                     TICKET_REPLAY_DOES_NOT_FIT);
}

static void
test_replay_feeds_the_clock(void **state)
{
    struct workcal_config c;
    struct workcal *cal;
    /* Reported Monday 16 Nov 2026 10:00 CET (09:00 UTC); waiting for the
     * client Tuesday 15:00 - Wednesday 11:00 CET: 5 business hours. */
    const int64_t t0 = INT64_C(1794819600);
    const struct ticket_event_record ev[] = {
        {TICKET_EVENT_ACKNOWLEDGED, t0 + 1800},
        {TICKET_EVENT_WAITING_CLIENT, t0 + 29 * 3600},
        {TICKET_EVENT_RESUMED, t0 + 49 * 3600},
    };
    struct sla_pause pauses[3];
    struct ticket_summary s;
    size_t bad;
    int64_t due;

    (void)state;
    workcal_config_init(&c);
    assert_int_equal(workcal_create(&c, &cal), WORKCAL_OK);
    assert_int_equal(ticket_replay(t0, ev, 3, pauses, &s, &bad), TICKET_REPLAY_OK);
    assert_int_equal(sla_due_at(cal, SLA_WORKING_DAYS, t0, 5, pauses, s.n_pauses, &due), SLA_OK);
    /* Monday 23 Nov 10:00 + 5 paused business hours = 15:00 CET = 14:00 UTC. */
    assert_int_equal(due, t0 + 7 * 86400 + 5 * 3600);
    workcal_free(cal);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transition_table),       cmocka_unit_test(test_names),
        cmocka_unit_test(test_replay_history),         cmocka_unit_test(test_replay_errors),
        cmocka_unit_test(test_replay_feeds_the_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
