/* API tests of dispatch: vehicles and runs, live insertion of bookings
 * made concurrently, day planning, manifests checked independently (order,
 * windows, ride times, places by kind, shifts), and drivers. */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RIDES 40

static struct harness H;
static struct civil_date day;
static char *day_text;
static char vehicle[3][24], run[3][24];
static int64_t clients[10];

/* Destinations around Dordrecht. */

static int
setup(void **state)
{
    (void)state;
    api_setup_tz();
    /* Rides at any hour, so that the tests that book relative to now
     * (test_late_pickup_retimes) run whatever the time of day. */
    setenv("RITMO_SERVICE_HOURS", "00:00-24:00", 1);
    api_harness = &H;
    if (!harness_start(&H, NULL) || !(api_desk = harness_token(&H, "dispatcher", NULL, NULL)))
        return -1;
    day = in_days(3);
    day_text = date_text(day);
    create_fleet(day_text, vehicle, run);
    create_riders("D", 10, clients);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    free(day_text);
    free(api_desk);
    return harness_stop(&H) ? 0 : -1;
}

struct booking_job {
    int i;
    long status;
    char id[24];
    char booking_status[16];
};

static void *
book_one(void *arg)
{
    struct booking_job *x = arg;
    int hh = 8 + x->i % 9, mm = (x->i * 7) % 60;
    char *when = local_time(day, hh, mm);
    bool wheelchair = x->i % 3 == 0;
    char *body =
        fmt("{\"client_id\":\"%lld\",\"pickup\":{\"address\":\"Home\",\"lat\":%.4f,"
            "\"lon\":%.4f},\"dropoff\":%s,\"%s\":\"%s\",\"aid\":\"%s\",\"companions\":%d,"
            "\"channel\":\"phone\"}",
            (long long)clients[x->i % 10], 51.80 + 0.002 * (x->i % 7), 4.65 + 0.003 * (x->i % 5),
            api_places[x->i % 5], x->i % 4 == 1 ? "arrive_by" : "pickup_at", when,
            wheelchair ? "wheelchair" : "none", x->i % 5 == 2 ? 1 : 0);
    struct http_resp r = harness_request(&H, "POST", "/v1/bookings", api_desk, body, NULL);
    x->status = r.status;
    if (r.status == 201) {
        snprintf(x->id, sizeof x->id, "%s", json_string_value(json_object_get(r.json, "id")));
        snprintf(x->booking_status, sizeof x->booking_status, "%s",
                 json_string_value(json_object_get(r.json, "status")));
    }
    http_resp_clear(&r);
    free(body);
    free(when);
    return NULL;
}

static int
check_all(void)
{
    return check_manifest(run[0], 6, 2) + check_manifest(run[1], 4, 1) +
           check_manifest(run[2], 3, 0);
}

static long
unassigned_count(void)
{
    char *path = fmt("/v1/dispatch/unassigned?date=%s", day_text);
    json_t *u = call("GET", path, api_desk, NULL, 200);
    long n = (long)json_array_size(json_object_get(u, "items"));
    json_decref(u);
    free(path);
    return n;
}

static void
test_live_insertion_and_plan(void **state)
{
    (void)state;
    pthread_t th[RIDES];
    struct booking_job jobs[RIDES];
    for (int i = 0; i < RIDES; i++) {
        jobs[i] = (struct booking_job){.i = i};
        assert_int_equal(pthread_create(&th[i], NULL, book_one, &jobs[i]), 0);
    }
    int scheduled = 0;
    for (int i = 0; i < RIDES; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].status, 201);
        scheduled += !strcmp(jobs[i].booking_status, "scheduled");
    }
    fprintf(stderr, "live insertion scheduled %d of %d rides\n", scheduled, RIDES);
    assert_true(scheduled > RIDES / 2);
    /* what the bookings said is what the manifests carry */
    assert_int_equal(check_all(), scheduled);
    assert_int_equal(unassigned_count(), RIDES - scheduled);

    /* a full replan keeps every promise and never does worse than insertion */
    char *body = fmt("{\"date\":\"%s\",\"time_limit_s\":2}", day_text);
    json_t *p = call("POST", "/v1/dispatch/plan", api_desk, body, 200);
    int planned = (int)json_integer_value(json_object_get(p, "planned"));
    assert_int_equal(planned + (int)json_array_size(json_object_get(p, "unassigned")), RIDES);
    fprintf(stderr, "the day plan placed %d of %d rides\n", planned, RIDES);
    assert_true(planned >= scheduled);
    assert_true(num(p, "total_km") > 0);
    assert_true(json_is_true(json_object_get(p, "full_replan")));
    json_decref(p);
    free(body);
    assert_int_equal(check_all(), planned);
    assert_int_equal(unassigned_count(), RIDES - planned);
    char *board = fmt("/v1/dispatch/board?date=%s", day_text);
    json_t *b = call("GET", board, api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(b, "runs")), 3);
    json_decref(b);
    free(board);
}

/* The first booking on run index v, or NULL. */
static char *
booking_on(int v)
{
    char *path = fmt("/v1/runs/%s/manifest", run[v]);
    json_t *m = call("GET", path, api_desk, NULL, 200);
    json_t *first = json_array_get(json_object_get(m, "stops"), 0);
    char *id = first ? strdup(str(first, "booking_id")) : NULL;
    json_decref(m);
    free(path);
    return id;
}

static void
test_drivers(void **state)
{
    (void)state;
    char *driver = harness_token(&H, "driver", "--vehicle", vehicle[0]);
    char *mine = booking_on(0), *theirs = booking_on(1);
    assert_non_null(mine);
    assert_non_null(theirs);
    /* the booking shows its run and planned pickup (its ETA) */
    char *bp = fmt("/v1/bookings/%s", mine);
    json_t *b = call("GET", bp, api_desk, NULL, 200);
    assert_string_equal(str(b, "run_id"), run[0]);
    assert_string_equal(str(b, "status"), "scheduled");
    int64_t eta = time_member(b, "planned_pickup_at");
    json_t *w = json_object_get(b, "window");
    if (!strcmp(str(w, "kind"), "pickup"))
        assert_true(eta >= time_member(w, "earliest") - 1 && eta <= time_member(w, "latest") + 1);
    json_decref(b);
    free(bp);
    char *now = local_time(today(), 0, 0);
    char *ev = fmt("/v1/bookings/%s/events", mine);
    char *body = fmt("{\"type\":\"picked_up\",\"at\":\"%s\"}", now);
    json_decref(call("POST", ev, driver, body, 200));
    free(body);
    body = fmt("{\"type\":\"dropped_off\",\"at\":\"%s\"}", now);
    json_t *done = call("POST", ev, driver, body, 200);
    assert_string_equal(str(done, "status"), "completed");
    json_decref(done);
    free(ev);
    /* the ride's km are now used, not reserved */
    char *sql =
        fmt("SELECT debited_m = distance_m AND reserved_m = 0 FROM bookings WHERE id = %s", mine);
    char *ok = harness_sql(&H, sql);
    assert_string_equal(ok, "t");
    free(ok);
    free(sql);
    /* a replan and a live insertion later, the ride's stops are still on
     * the run with their actual times: the record of what was driven */
    char *plan = fmt("{\"date\":\"%s\",\"time_limit_s\":1}", day_text);
    json_decref(call("POST", "/v1/dispatch/plan", api_desk, plan, 200));
    free(plan);
    struct booking_job extra = {.i = RIDES};
    book_one(&extra);
    assert_int_equal(extra.status, 201);
    sql = fmt("SELECT count(*) FROM stops WHERE booking_id = %s AND run_id = %s AND actual_at IS "
              "NOT NULL",
              mine, run[0]);
    assert_int_equal(sql_long(sql), 2);
    free(sql);
    ev = fmt("/v1/bookings/%s/events", theirs);
    expect_error("POST", ev, driver, body, 404, "not_found"); /* a ride is personal data */
    free(ev);
    char *m = fmt("/v1/runs/%s/manifest", run[1]);
    expect_error("GET", m, driver, NULL, 403, "forbidden");
    free(m);
    m = fmt("/v1/runs/%s/manifest", run[0]);
    json_t *man = call("GET", m, driver, NULL, 200);
    size_t n_stops = json_array_size(json_object_get(man, "stops"));
    json_decref(man);
    free(m);
    /* the same manifest as a calendar for the driver's tablet */
    m = fmt("/v1/runs/%s/manifest.ics?token=%s", run[0], driver);
    struct http_resp ics = harness_request(&H, "GET", m, NULL, NULL, NULL);
    assert_int_equal(ics.status, 200);
    icalcomponent *cal = icalparser_parse_string(ics.body);
    assert_non_null(cal);
    assert_int_equal((size_t)icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), n_stops);
    assert_non_null(icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT));
    icalcomponent_free(cal);
    http_resp_clear(&ics);
    free(m);
    m = fmt("/v1/runs/%s/manifest.ics?token=%s", run[1], driver);
    expect_error("GET", m, NULL, NULL, 403, "forbidden");
    free(m);
    expect_error("POST", "/v1/dispatch/plan", driver, "{\"date\":\"2026-01-01\"}", 403,
                 "forbidden");
    free(body);
    free(now);
    free(mine);
    free(theirs);
    free(driver);
}

/* The first stop on run index v whose aid is (or is not) a wheelchair. */
static char *
ride_on(int v, bool wheelchair)
{
    char *path = fmt("/v1/runs/%s/manifest", run[v]);
    json_t *m = call("GET", path, api_desk, NULL, 200);
    size_t i;
    json_t *s;
    char *id = NULL;
    json_array_foreach(json_object_get(m, "stops"), i, s)
    {
        if (!id && !strcmp(str(s, "status"), "planned") &&
            !strcmp(str(s, "aid"), "wheelchair") == wheelchair)
            id = strdup(str(s, "booking_id"));
    }
    json_decref(m);
    free(path);
    return id;
}

/* The sequence number of run v's first stop still to drive. */
static int
first_planned_seq(int v)
{
    char *path = fmt("/v1/runs/%s/manifest", run[v]);
    json_t *m = call("GET", path, api_desk, NULL, 200);
    size_t i;
    json_t *s;
    int seq = 0;
    json_array_foreach(json_object_get(m, "stops"), i, s)
    {
        if (!seq && !strcmp(str(s, "status"), "planned"))
            seq = (int)json_integer_value(json_object_get(s, "seq"));
    }
    json_decref(m);
    free(path);
    assert_true(seq > 0);
    return seq;
}

static void
test_overrides(void **state)
{
    (void)state;
    /* a wheelchair ride cannot go in the car: capacity, even with force */
    char *wc = ride_on(0, true), *walker = ride_on(0, false);
    assert_non_null(wc);
    assert_non_null(walker);
    char *path = fmt("/v1/bookings/%s/assign", wc);
    char *body = fmt("{\"run_id\":\"%s\",\"force\":true}", run[2]);
    expect_error("POST", path, api_desk, body, 422, "capacity");
    free(path);
    free(body);
    /* another ride moves to bus 2 (forced if it must), and the books agree */
    path = fmt("/v1/bookings/%s/assign", walker);
    body = fmt("{\"run_id\":\"%s\",\"force\":true}", run[1]);
    json_t *a = call("POST", path, api_desk, body, 200);
    bool forced = json_is_true(json_object_get(a, "forced"));
    json_decref(a);
    char *sql = fmt("SELECT r.id FROM stops s JOIN runs r ON r.id = s.run_id WHERE s.booking_id = "
                    "%s AND s.kind = 'pickup'",
                    walker);
    assert_int_equal(sql_long(sql), strtol(run[1], NULL, 10));
    free(sql);
    if (!forced)
        check_manifest(run[1], 4, 1);
    free(path);
    free(body);
    path = fmt("/v1/bookings/%s/assign", walker);
    expect_error("POST", path, api_desk, "{\"run_id\":\"999999\"}", 404, "not_found");
    free(path);

    /* lock a stop still to drive (the run's first stops are those of the
     * ride test_drivers completed): the next plan keeps every run's route
     * and inserts around */
    int seq = first_planned_seq(0);
    path = fmt("/v1/runs/%s/stops/%d/lock", run[0], seq);
    json_t *l = call("POST", path, api_desk, NULL, 200);
    assert_true(json_is_true(json_object_get(l, "locked")));
    json_decref(l);
    free(path);
    path = fmt("/v1/runs/%s/stops/999/lock", run[0]);
    expect_error("POST", path, api_desk, NULL, 404, "not_found");
    free(path);
    body = fmt("{\"date\":\"%s\",\"time_limit_s\":1}", day_text);
    json_t *p = call("POST", "/v1/dispatch/plan", api_desk, body, 200);
    assert_true(json_is_false(json_object_get(p, "full_replan")));
    json_decref(p);
    free(body);
    path = fmt("/v1/runs/%s/stops/%d/unlock", run[0], seq);
    json_decref(call("POST", path, api_desk, NULL, 200));
    free(path);

    /* the car breaks down: its rides go to the buses or are reported */
    char *m = fmt("/v1/runs/%s/manifest", run[2]);
    json_t *before = call("GET", m, api_desk, NULL, 200);
    size_t carried = json_array_size(json_object_get(before, "stops")) / 2;
    json_decref(before);
    path = fmt("/v1/runs/%s/cancel", run[2]);
    json_t *c = call("POST", path, api_desk, "{\"reason\":\"flat tyre at 07:10\"}", 200);
    assert_int_equal(json_array_size(json_object_get(c, "placed")) +
                         json_array_size(json_object_get(c, "not_placed")),
                     carried);
    json_decref(c);
    expect_error("POST", path, api_desk, "{\"reason\":\"again\"}", 409, "conflict");
    json_t *after = call("GET", m, api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(after, "stops")), 0);
    assert_string_equal(str(after, "status"), "cancelled");
    json_decref(after);
    free(path);
    free(m);
    check_manifest(run[0], 6, 2);
    free(wc);
    free(walker);
}

/* A late pickup re-times the rest of the run: the dropoff's ETA follows
 * the actual pickup instead of the old plan. */
static void
test_late_pickup_retimes(void **state)
{
    (void)state;
    struct civil_date d = today();
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (tm.tm_hour < 1 || tm.tm_hour > 20) {
        skip(); /* needs a ride two hours from now, and three hours before that, today */
        return;
    }
    char *date = date_text(d);
    json_t *v = call("POST", "/v1/vehicles", api_desk,
                     "{\"name\":\"Late bus\",\"seats\":4,\"wheelchair_places\":1,"
                     "\"scootmobiel_places\":0,\"depot\":{\"address\":\"Depot\",\"lat\":51.805,"
                     "\"lon\":4.66}}",
                     201);
    char *body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"00:05\","
                     "\"end\":\"23:55\"}",
                     str(v, "id"), date);
    json_decref(call("POST", "/v1/runs", api_desk, body, 201));
    free(body);
    char *when = local_time(d, tm.tm_hour + 2, tm.tm_min);
    body = fmt("{\"client_id\":\"%lld\",\"pickup\":{\"address\":\"Home\",\"lat\":51.81,"
               "\"lon\":4.66},\"dropoff\":%s,\"pickup_at\":\"%s\",\"channel\":\"phone\"}",
               (long long)clients[0], api_places[2], when);
    json_t *b = call("POST", "/v1/bookings", api_desk, body, 201);
    assert_string_equal(str(b, "status"), "scheduled");
    char *id = strdup(str(b, "id"));
    json_decref(b);
    /* the day has moved on: the ride was due an hour ago (fixture) */
    char *sql = fmt("WITH x AS (UPDATE bookings SET window_earliest = window_earliest - "
                    "interval '3 hours', window_latest = window_latest - interval '3 hours', "
                    "pickup_estimate = pickup_estimate - interval '3 hours' WHERE id = %s) "
                    "UPDATE stops SET planned_at = planned_at - interval '3 hours' WHERE "
                    "booking_id = %s",
                    id, id);
    char *ok = harness_sql(&H, sql);
    assert_non_null(ok);
    free(ok);
    free(sql);
    char *driver = harness_token(&H, "driver", "--vehicle", str(v, "id"));
    char *ev = fmt("/v1/bookings/%s/events", id);
    char *at = local_time(d, tm.tm_hour, tm.tm_min);
    char *pick = fmt("{\"type\":\"picked_up\",\"at\":\"%s\"}", at);
    json_decref(call("POST", ev, driver, pick, 200));
    sql = fmt("SELECT extract(epoch FROM planned_at)::bigint - %lld FROM stops WHERE booking_id = "
              "%s AND kind = 'dropoff'",
              (long long)(now - now % 60), id);
    long ahead = sql_long(sql); /* dropoff ETA relative to the actual pickup */
    free(sql);
    assert_true(ahead > 0 && ahead < 45 * 60);
    free(pick);
    free(at);
    free(ev);
    free(driver);
    free(id);
    free(when);
    free(body);
    free(date);
    json_decref(v);
}

static void
test_fleet_input(void **state)
{
    (void)state;
    char *body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"18:00\","
                     "\"end\":\"20:00\"}",
                     vehicle[0], day_text);
    expect_error("POST", "/v1/runs", api_desk, body, 409, "conflict"); /* overlaps 07-19 */
    free(body);
    body = fmt("{\"vehicle_id\":\"999999\",\"date\":\"%s\",\"start\":\"07:00\",\"end\":\"08:00\"}",
               day_text);
    expect_error("POST", "/v1/runs", api_desk, body, 400, "invalid_field");
    free(body);
    body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"09:00\",\"end\":\"08:00\"}",
               vehicle[2], day_text);
    expect_error("POST", "/v1/runs", api_desk, body, 400, "invalid_field");
    free(body);
    expect_error("POST", "/v1/vehicles", api_desk,
                 "{\"name\":\"Empty\",\"seats\":0,\"wheelchair_places\":0,"
                 "\"scootmobiel_places\":0,\"depot\":{\"address\":\"D\",\"lat\":51.8,"
                 "\"lon\":4.6}}",
                 400, "invalid_field");
    expect_error("GET", "/v1/dispatch/board", api_desk, NULL, 400, "missing_field");
}

/* `ritmo plan` does what POST /v1/dispatch/plan does, from the shell. */
static void
test_plan_command(void **state)
{
    (void)state;
    char *out = NULL;
    const char *args[] = {"plan", "--date", day_text, "--time-limit", "1", NULL};
    assert_int_equal(harness_ritmo(&H, &out, args), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    int planned = (int)json_integer_value(json_object_get(j, "planned"));
    char *sql = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status IN "
                    "('scheduled', 'requested')",
                    day_text);
    assert_int_equal(planned + (int)json_array_size(json_object_get(j, "unassigned")),
                     sql_long(sql));
    free(sql);
    sql = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status = 'scheduled'",
              day_text);
    assert_int_equal(sql_long(sql), planned);
    free(sql);
    json_decref(j);
    free(out);
    const char *bad[] = {"plan", "--date", "2026-02-30", NULL};
    assert_int_equal(harness_ritmo(&H, NULL, bad), 2);
    const char *slow[] = {"plan", "--date", day_text, "--time-limit", "9999", NULL};
    assert_int_equal(harness_ritmo(&H, NULL, slow), 2);
}

/* Books one ride on `date` through the server at base; returns the booking
 * id (caller frees) and whether it was scheduled. */
static char *
book_at(const char *base, struct civil_date date, int i, bool *scheduled)
{
    char *when = local_time(date, 8 + i % 9, (i * 11) % 60);
    char *body = fmt("{\"client_id\":\"%lld\",\"pickup\":{\"address\":\"Home\",\"lat\":%.4f,"
                     "\"lon\":%.4f},\"dropoff\":%s,\"pickup_at\":\"%s\",\"channel\":\"app\"}",
                     (long long)clients[i % 10], 51.80 + 0.002 * (i % 7), 4.65 + 0.003 * (i % 5),
                     api_places[i % 5], when);
    char *id = post_booking(base, body, scheduled);
    free(body);
    free(when);
    return id;
}

/* Every scheduled ride of the date has its two stops, and no other ride
 * has any: what a server that planned from a stale copy of the day would
 * break (it rewrites a run without the rides the other server put there). */
static void
assert_stops_match(const char *date)
{
    char *sql = fmt("SELECT count(*) FROM bookings b WHERE b.service_date = '%s' AND "
                    "(SELECT count(*) FROM stops s WHERE s.booking_id = b.id) <> "
                    "CASE WHEN b.status = 'scheduled' THEN 2 ELSE 0 END",
                    date);
    assert_int_equal(sql_long(sql), 0);
    free(sql);
}

/* Live insertion keeps a day in memory between bookings (sql/013_plan_days
 * tells when it changed). Two servers take turns on one day, with a
 * cancellation and a driver's pickup in between through the other one:
 * each must see what the other did. */
static void
test_two_servers_share_a_day(void **state)
{
    (void)state;
    assert_true(harness_start_second_server(&H));
    struct civil_date d2 = in_days(4);
    char *d2_text = date_text(d2), *runs[2];
    for (int v = 0; v < 2; v++) {
        char *body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"07:00\","
                         "\"end\":\"19:00\"}",
                         vehicle[v], d2_text);
        json_t *j = call("POST", "/v1/runs", api_desk, body, 201);
        runs[v] = strdup(str(j, "id"));
        json_decref(j);
        free(body);
    }
    const char *base[2] = {H.base_url, H.base_url2};
    char *ids[24];
    int scheduled = 0;
    for (int i = 0; i < 24; i++) {
        bool sch;
        ids[i] = book_at(base[i % 2], d2, i, &sch);
        scheduled += sch;
        assert_stops_match(d2_text);
        if (i == 9) { /* a ride cancelled through the server that did not book it */
            char *path = fmt("/v1/bookings/%s/cancel", ids[4]);
            struct http_resp r = harness_request_to(base[1], "POST", path, api_desk,
                                                    "{\"reason\":\"not needed\"}", NULL);
            assert_int_equal(r.status, 200);
            http_resp_clear(&r);
            free(path);
            scheduled--;
            assert_stops_match(d2_text);
        }
    }
    fprintf(stderr, "two servers scheduled %d of 23 rides on one day\n", scheduled);
    assert_true(scheduled > 12);
    char *sql = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status = "
                    "'scheduled'",
                    d2_text);
    assert_int_equal(sql_long(sql), scheduled);
    free(sql);
    assert_int_equal(check_manifest(runs[0], 6, 2) + check_manifest(runs[1], 4, 1), scheduled);
    for (int i = 0; i < 24; i++)
        free(ids[i]);
    free(runs[0]);
    free(runs[1]);
    free(d2_text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_insertion_and_plan),
        cmocka_unit_test(test_drivers),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_late_pickup_retimes),
        cmocka_unit_test(test_fleet_input),
        cmocka_unit_test(test_two_servers_share_a_day),
        cmocka_unit_test(test_plan_command),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
