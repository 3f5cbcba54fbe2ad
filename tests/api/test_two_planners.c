/* Planning one day from two servers at once. A day with three runs and 40
 * rides is planned by both servers concurrently, twice each, while rides
 * for that day are booked and cancelled through both. Both answer 200;
 * every write to the day's stops was made under the day's planning lock
 * (a test-only trigger checks pg_locks on each write), so one planner
 * works at a time; afterwards every manifest passes the independent
 * feasibility check, every open ride is either on exactly one run or
 * listed unassigned, no cancelled ride is on a run, and the outbox holds
 * exactly one ride.scheduled or ride.unassigned event per change of a
 * ride's place: never two in a row of one kind. */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RIDES = 40, BOOKERS = 2, MORE = 8, PLANS_EACH = 2, CLIENTS = 10 };

static struct harness H;
static struct civil_date day;
static char day_text[16];
static char run[3][24];
static int64_t clients[CLIENTS];

/* Records, for every write to stops, whether the writing session held
 * the planning lock of the stop's day (the key fleet_store takes:
 * hashtextextended('ritmo.day.' || date), split by pg_locks into two
 * 32-bit halves). Test-only: it watches, it changes nothing. */
static const char *const lock_watch =
    "CREATE TABLE stop_writes (txid bigint NOT NULL, op text NOT NULL, held boolean NOT NULL); "
    "CREATE FUNCTION stop_write_watch() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE k bigint; BEGIN "
    "SELECT hashtextextended('ritmo.day.' || service_date::text, 0) INTO k FROM runs WHERE id = "
    "CASE WHEN TG_OP = 'DELETE' THEN OLD.run_id ELSE NEW.run_id END; "
    "INSERT INTO stop_writes VALUES (txid_current(), TG_OP, EXISTS (SELECT 1 FROM pg_locks "
    "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND "
    "classid = ((k >> 32) & 4294967295)::oid AND objid = (k & 4294967295)::oid AND "
    "objsubid = 1)); RETURN NULL; END $$; "
    "CREATE TRIGGER stop_write_watch AFTER INSERT OR UPDATE OR DELETE ON stops FOR EACH ROW "
    "EXECUTE FUNCTION stop_write_watch()";

static int
setup(void **state)
{
    (void)state;
    /* Events wait in the outbox (no secret: nothing is sent). A plan
     * waits for the other's: the statement timeout leaves room for it. */
    static const char *const env[] = {"RITMO_NOTIFY_URL=http://127.0.0.1:9/notify",
                                      "RITMO_STATEMENT_TIMEOUT_MS=30000", NULL};
    if (api_start(&H, env) != 0 || !harness_start_second_server(&H))
        return -1;
    char *out = harness_sql(&H, lock_watch);
    if (!out)
        return -1;
    free(out);
    day = in_days(3);
    char *d = date_text(day);
    snprintf(day_text, sizeof day_text, "%s", d);
    free(d);
    create_fleet(day_text, NULL, run);
    create_riders("TP", CLIENTS, clients);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return api_stop(&H);
}

/* Ride i of the day: spread over the day and the town, every third in a
 * wheelchair, every fourth to arrive by a time. */
static char *
ride_body(int i)
{
    char *when = local_time(day, 8 + i % 9, (i * 7) % 60);
    char *body =
        fmt("{\"client_id\":\"%lld\",\"pickup\":{\"address\":\"Home\",\"lat\":%.4f,"
            "\"lon\":%.4f},\"dropoff\":%s,\"%s\":\"%s\",\"aid\":\"%s\",\"companions\":%d,"
            "\"channel\":\"phone\"}",
            (long long)clients[i % CLIENTS], 51.80 + 0.002 * (i % 7), 4.65 + 0.003 * (i % 5),
            api_places[i % 5], i % 4 == 1 ? "arrive_by" : "pickup_at", when,
            i % 3 == 0 ? "wheelchair" : "none", i % 5 == 2 ? 1 : 0);
    free(when);
    return body;
}

/* Ride i booked through base; its id (caller frees). */
static char *
book(const char *base, int i)
{
    char *body = ride_body(i);
    char *id = post_booking(base, body, NULL);
    free(body);
    return id;
}

static void *
book_initial(void *arg)
{
    int i = (int)(intptr_t)arg;
    free(book(i % 2 ? H.base_url2 : H.base_url, i));
    return NULL;
}

struct plan_job {
    const char *base;
    long status[PLANS_EACH];
    double start[PLANS_EACH], end[PLANS_EACH];
    int planned[PLANS_EACH];
};

static void *
planner(void *arg)
{
    struct plan_job *p = arg;
    char *body = fmt("{\"date\":\"%s\",\"time_limit_s\":2}", day_text);
    for (int k = 0; k < PLANS_EACH; k++) {
        p->start[k] = api_seconds();
        struct http_resp r =
            harness_request_to(p->base, "POST", "/v1/dispatch/plan", api_desk, body, NULL);
        p->end[k] = api_seconds();
        p->status[k] = r.status;
        if (r.status == 200)
            p->planned[k] = (int)json_integer_value(json_object_get(r.json, "planned"));
        else
            fprintf(stderr, "plan through %s: %ld %s\n", p->base, r.status, r.body);
        http_resp_clear(&r);
    }
    free(body);
    return NULL;
}

static atomic_int booked_more, cancelled;

/* Books MORE rides of the day through alternate servers while the plans
 * run, and cancels every third at once through the other server. */
static void *
booker(void *arg)
{
    int b = (int)(intptr_t)arg;
    for (int j = 0; j < MORE; j++) {
        int i = RIDES + b * MORE + j;
        const char *here = j % 2 ? H.base_url2 : H.base_url;
        const char *there = j % 2 ? H.base_url : H.base_url2;
        char *id = book(here, i);
        atomic_fetch_add(&booked_more, 1);
        if (j % 3 == 0) {
            char *path = fmt("/v1/bookings/%s/cancel", id);
            struct http_resp r =
                harness_request_to(there, "POST", path, api_desk, "{\"reason\":\"test\"}", NULL);
            assert_int_equal(r.status, 200);
            atomic_fetch_add(&cancelled, 1);
            http_resp_clear(&r);
            free(path);
        }
        free(id);
    }
    return NULL;
}

/* Every open ride of the day is on exactly one run (pickup and dropoff)
 * when scheduled, on none and listed unassigned when requested; no
 * cancelled ride has a stop. Returns the number scheduled. */
static long
check_places(void)
{
    char *q =
        fmt("SELECT count(*) FROM bookings b WHERE b.service_date = '%s' AND NOT CASE b.status "
            "WHEN 'scheduled' THEN (SELECT count(*) = 2 AND count(DISTINCT run_id) = 1 AND "
            "count(*) FILTER (WHERE kind = 'pickup') = 1 FROM stops s WHERE s.booking_id = b.id) "
            "WHEN 'no_show' THEN true ELSE NOT EXISTS (SELECT 1 FROM stops s WHERE s.booking_id = "
            "b.id) END",
            day_text);
    assert_int_equal(sql_long(q), 0);
    free(q);
    q = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status = 'scheduled'",
            day_text);
    long scheduled = sql_long(q);
    free(q);
    q = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status = 'requested'",
            day_text);
    long requested = sql_long(q);
    free(q);
    char *path = fmt("/v1/dispatch/unassigned?date=%s", day_text);
    struct http_resp r = harness_request_to(H.base_url2, "GET", path, api_desk, NULL, NULL);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal((long)json_array_size(items), requested);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *id = json_string_value(it);
        assert_non_null(id);
        char *one = fmt("SELECT count(*) FROM bookings WHERE id = %s AND status = 'requested'", id);
        assert_int_equal(sql_long(one), 1);
        free(one);
    }
    http_resp_clear(&r);
    free(path);
    return scheduled;
}

/* One ride.scheduled or ride.unassigned per change of place: per ride the
 * events alternate, beginning with ride.scheduled, and the last one agrees
 * with where the ride is now. Every ride was announced booked once. */
static long
check_events(void)
{
    assert_int_equal(
        sql_long("WITH ev AS (SELECT topic, lag(topic) OVER (PARTITION BY payload->>'booking_id' "
                 "ORDER BY id) AS prev FROM outbox WHERE topic IN ('ride.scheduled', "
                 "'ride.unassigned')) SELECT count(*) FROM ev WHERE topic = prev OR (prev IS NULL "
                 "AND topic = 'ride.unassigned')"),
        0);
    char *q = fmt("WITH last AS (SELECT DISTINCT ON (payload->>'booking_id') "
                  "(payload->>'booking_id')::bigint AS booking_id, topic FROM outbox WHERE topic "
                  "IN ('ride.scheduled', 'ride.unassigned') ORDER BY payload->>'booking_id', id "
                  "DESC) SELECT count(*) FROM bookings b LEFT JOIN last ON last.booking_id = b.id "
                  "WHERE b.service_date = '%s' AND b.status IN ('requested', 'scheduled') AND "
                  "(b.status = 'scheduled') <> (last.topic IS NOT DISTINCT FROM "
                  "'ride.scheduled')",
                  day_text);
    assert_int_equal(sql_long(q), 0);
    free(q);
    q = fmt("SELECT count(*) FROM bookings b WHERE b.service_date = '%s' AND (SELECT count(*) "
            "FROM outbox o WHERE o.topic = 'ride.booked' AND (o.payload->>'booking_id')::bigint "
            "= b.id) <> 1",
            day_text);
    assert_int_equal(sql_long(q), 0);
    free(q);
    return sql_long("SELECT count(*) FROM outbox WHERE topic IN ('ride.scheduled', "
                    "'ride.unassigned')");
}

/* The desk meanwhile: a ride that was scheduled is reported a no-show,
 * and the first stop of a run is locked and unlocked again. Each of these
 * writes a stop, so each must wait for a plan in progress. */
static char no_show_id[24];

static void *
desk(void *arg)
{
    (void)arg;
    char *at = local_time(today(), 0, 0);
    char *path = fmt("/v1/bookings/%s/events", no_show_id);
    char *body = fmt("{\"type\":\"no_show\",\"at\":\"%s\"}", at);
    struct http_resp r = harness_request_to(H.base_url2, "POST", path, api_desk, body, NULL);
    assert_int_equal(r.status, 200);
    http_resp_clear(&r);
    free(path);
    free(body);
    free(at);
    for (int k = 0; k < 2; k++) {
        path = fmt("/v1/runs/%s/stops/1/%s", run[0], k ? "unlock" : "lock");
        r = harness_request_to(k ? H.base_url : H.base_url2, "POST", path, api_desk, NULL, NULL);
        assert_true(r.status == 200 || r.status == 404); /* 404: the run had no stop then */
        http_resp_clear(&r);
        free(path);
    }
    return NULL;
}

static void
test_two_servers_plan_one_day(void **state)
{
    (void)state;
    pthread_t th[RIDES];
    for (int i = 0; i < RIDES; i++)
        assert_int_equal(pthread_create(&th[i], NULL, book_initial, (void *)(intptr_t)i), 0);
    for (int i = 0; i < RIDES; i++)
        pthread_join(th[i], NULL);

    char *q = fmt("SELECT min(id) FROM bookings WHERE service_date = '%s' AND status = "
                  "'scheduled'",
                  day_text);
    snprintf(no_show_id, sizeof no_show_id, "%ld", sql_long(q));
    free(q);
    struct plan_job plans[2] = {{.base = H.base_url}, {.base = H.base_url2}};
    pthread_t pt[2], bt[BOOKERS], dt;
    for (int p = 0; p < 2; p++)
        assert_int_equal(pthread_create(&pt[p], NULL, planner, &plans[p]), 0);
    for (int b = 0; b < BOOKERS; b++)
        assert_int_equal(pthread_create(&bt[b], NULL, booker, (void *)(intptr_t)b), 0);
    assert_int_equal(pthread_create(&dt, NULL, desk, NULL), 0);
    for (int p = 0; p < 2; p++)
        pthread_join(pt[p], NULL);
    for (int b = 0; b < BOOKERS; b++)
        pthread_join(bt[b], NULL);
    pthread_join(dt, NULL);

    double longest = 0;
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < PLANS_EACH; k++) {
            assert_int_equal(plans[p].status[k], 200);
            if (plans[p].end[k] - plans[p].start[k] > longest)
                longest = plans[p].end[k] - plans[p].start[k];
        }
    /* the two servers' first plans were in flight at the same time */
    assert_true(plans[0].start[0] < plans[1].end[0] && plans[1].start[0] < plans[0].end[0]);
    assert_int_equal(atomic_load(&booked_more), BOOKERS * MORE);

    /* one planner at a time: no write to the day's stops without its lock */
    long writes = sql_long("SELECT count(*) FROM stop_writes");
    long unlocked = sql_long("SELECT count(*) FROM stop_writes WHERE NOT held");
    if (unlocked) {
        char *ops = harness_sql(&H, "SELECT string_agg(DISTINCT op, ',') FROM stop_writes WHERE "
                                    "NOT held");
        fprintf(stderr, "%ld writes to stops without the day's lock: %s\n", unlocked, ops);
        free(ops);
    }
    assert_true(writes > 0);
    assert_int_equal(unlocked, 0);

    long scheduled = check_places();
    int on_runs =
        check_manifest(run[0], 6, 2) + check_manifest(run[1], 4, 1) + check_manifest(run[2], 3, 0);
    assert_int_equal(on_runs, scheduled);
    long events = check_events();
    assert_ledger_adds_up();
    print_message("two planners: 4 plans of one day through two servers (planned %d, %d, %d, %d; "
                  "longest answer %.2f s) with %d bookings, %d cancellations, a no-show and a "
                  "stop locked and unlocked meanwhile; %ld of %d open rides scheduled, every "
                  "manifest feasible, %ld stop writes all under the day's lock, %ld "
                  "scheduled/unassigned events, none repeated\n",
                  plans[0].planned[0], plans[1].planned[0], plans[0].planned[1],
                  plans[1].planned[1], longest, atomic_load(&booked_more), atomic_load(&cancelled),
                  scheduled, RIDES + BOOKERS * MORE - atomic_load(&cancelled) - 1, writes, events);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_servers_plan_one_day),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
