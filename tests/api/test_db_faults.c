/* Database faults. PostgreSQL is stopped in the middle of a write load
 * (bookings and pool reservations from six threads), once with a fast and
 * once with an immediate shutdown, and started again a few seconds later:
 * meanwhile every request answers 503 unavailable in time, the server
 * process lives on and serves again as soon as the database is back, and
 * nothing is half-written. And a booking transaction failing with a real
 * serialization failure or deadlock (injected by a trigger) is retried and
 * succeeds; one that keeps failing answers 503 and writes nothing. */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CLIENTS = 6, THREADS = 6, MAX_REQUESTS = 40000, OUTAGES = 2, OUTAGE_MS = 3000 };

/* The server's database limits, and the longest a request may take: a wait
 * for a connection, a statement, and a wide margin for a shared machine
 * running the sanitizers. */
#define DB_TIMEOUT_MS        2000
#define STATEMENT_TIMEOUT_MS 2000
#define MAX_ANSWER_S         ((DB_TIMEOUT_MS + STATEMENT_TIMEOUT_MS) / 1000.0 + 6.0)
/* A transaction that keeps conflicting is tried four times in all
 * (docs/operations.md), then answered 503. */
#define TX_ATTEMPTS 4

static struct harness H;
static int64_t clients[CLIENTS];
static char pool_id[24];

/* What request k did and saw; times in seconds since the test began. */
struct outcome {
    double start, end;
    bool reservation;
    long status;
    char code[32];
    char id[24];
};
static struct outcome outcomes[MAX_REQUESTS];
static atomic_int next_request, answered_ok;
static atomic_bool stop;

/* One outage: when the stop began and ended, when the start began and
 * ended (PostgreSQL accepting connections again). */
struct outage {
    double stopping, down, starting, up;
};
static struct outage outages[OUTAGES];

static int
setup(void **state)
{
    (void)state;
    static const char *const env[] = {"RITMO_SERVICE_HOURS=00:05-23:55", "RITMO_DB_TIMEOUT_MS=2000",
                                      "RITMO_STATEMENT_TIMEOUT_MS=2000", NULL};
    return api_start(&H, env);
}

static int
teardown(void **state)
{
    (void)state;
    return api_stop(&H);
}

/* Request k: every fourth reserves a scootmobiel of the pool for a day
 * (three items, so some days are full: 409), the others book a ride
 * tagged "load-k" in its notes, each client at times of its own. */
static char *
request_k(int k, char **path)
{
    int64_t client = clients[k % CLIENTS];
    if (k % 4 == 3) {
        *path = fmt("/v1/pools/%s/reservations", pool_id);
        struct civil_date d = in_days(20 + (k / 16) % 300);
        char *from = local_time(d, 9, 0), *until = local_time(d, 17, 0);
        char *body = fmt("{\"client_id\":\"%lld\",\"type\":\"scootmobiel\",\"from\":\"%s\","
                         "\"until\":\"%s\"}",
                         (long long)client, from, until);
        free(from);
        free(until);
        return body;
    }
    *path = fmt("/v1/bookings");
    char tag[24];
    snprintf(tag, sizeof tag, "load-%d", k);
    return ride_at(client, in_days(2 + (k / 48) % 300), 10 + (k % 48) * 29, tag);
}

static void *
worker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        int k = atomic_fetch_add(&next_request, 1);
        if (k >= MAX_REQUESTS)
            break;
        struct outcome *o = &outcomes[k];
        char *path;
        char *body = request_k(k, &path);
        o->reservation = k % 4 == 3;
        o->start = api_seconds();
        struct http_resp r = harness_request(&H, "POST", path, api_desk, body, NULL);
        o->end = api_seconds();
        o->status = r.status;
        snprintf(o->code, sizeof o->code, "%s", http_resp_error_code(&r));
        if (r.status == 201) {
            snprintf(o->id, sizeof o->id, "%s", str(r.json, "id"));
            atomic_fetch_add(&answered_ok, 1);
        }
        http_resp_clear(&r);
        free(body);
        free(path);
        if (o->status == 503)
            usleep(10000); /* a client waits a moment before it tries again */
    }
    return NULL;
}

/* Waits (at most 60 s) until n more requests have succeeded. */
static void
wait_for_successes(int n)
{
    int goal = atomic_load(&answered_ok) + n;
    double deadline = api_seconds() + 60;
    while (atomic_load(&answered_ok) < goal && api_seconds() < deadline)
        usleep(20000);
    assert_true(atomic_load(&answered_ok) >= goal);
}

static void
outage(int i, bool immediate)
{
    struct outage *w = &outages[i];
    wait_for_successes(20);
    w->stopping = api_seconds();
    assert_true(immediate ? harness_pg_stop_immediate(&H) : harness_pg_stop(&H));
    w->down = api_seconds();
    usleep(OUTAGE_MS * 1000); /* the length of the outage, not a wait for something */
    w->starting = api_seconds();
    assert_true(harness_pg_start(&H));
    w->up = api_seconds();
    wait_for_successes(20);
}

/* Every answer was a success, a business refusal or 503 unavailable, in
 * time; while the database was down, only 503; once it was up again, no
 * 503. Returns the number of 503s. */
static int
check_answers(int sent, double *worst, double recovery[OUTAGES])
{
    int unavailable = 0, during[OUTAGES] = {0};
    for (int i = 0; i < OUTAGES; i++)
        recovery[i] = -1;
    *worst = 0;
    for (int k = 0; k < sent; k++) {
        const struct outcome *o = &outcomes[k];
        bool ok = o->status == 201 || (o->status == 503 && !strcmp(o->code, "unavailable")) ||
                  (o->status == 409 && o->reservation) || (o->status == 422 && !o->reservation);
        if (!ok)
            fprintf(stderr, "request %d: %ld %s\n", k, o->status, o->code);
        assert_true(ok);
        unavailable += o->status == 503;
        if (o->end - o->start > *worst)
            *worst = o->end - o->start;
        for (int i = 0; i < OUTAGES; i++) {
            const struct outage *w = &outages[i];
            bool inside = o->start >= w->down && o->end <= w->starting;
            bool after =
                o->start >= w->up && (i + 1 == OUTAGES || o->end <= outages[i + 1].stopping);
            if (inside)
                assert_int_equal(o->status, 503);
            during[i] += inside;
            if (after && o->status == 503)
                fprintf(stderr, "request %d after outage %d: 503\n", k, i);
            assert_false(after && o->status == 503);
            if (after && o->status == 201 && (recovery[i] < 0 || o->end - w->up < recovery[i]))
                recovery[i] = o->end - w->up;
        }
    }
    assert_true(*worst < MAX_ANSWER_S);
    for (int i = 0; i < OUTAGES; i++) {
        assert_true(during[i] > 0); /* the load did meet the outage */
        assert_true(recovery[i] >= 0);
    }
    return unavailable;
}

/* A growing comma-separated list. */
static void
append(char **list, const char *item)
{
    char *next = *list ? fmt("%s,%s", *list, item) : fmt("%s", item);
    free(*list);
    *list = next;
}

/* In the database: every answered booking with its reserve entry of its
 * distance, every answered reservation, and besides them only what a
 * request cut off by the shutdown committed just before its connection
 * went (at most one per thread and outage, each whole). Returns that
 * number. */
static long
check_database(int sent, int *booked, int *reserved)
{
    char *bookings = NULL, *tags = NULL, *reservations = NULL;
    *booked = *reserved = 0;
    for (int k = 0; k < sent; k++) {
        const struct outcome *o = &outcomes[k];
        if (o->status != 201)
            continue;
        char tag[40];
        snprintf(tag, sizeof tag, "'load-%d'", k);
        if (o->reservation) {
            append(&reservations, o->id);
            ++*reserved;
        } else {
            append(&bookings, o->id);
            append(&tags, tag);
            ++*booked;
        }
    }
    char *q = fmt("SELECT count(*) FROM bookings b JOIN allowance_entries e ON e.booking_id = b.id "
                  "AND e.kind = 'reserve' AND e.metres = b.distance_m WHERE b.id IN (%s) AND "
                  "b.notes IN (%s)",
                  bookings, tags);
    assert_int_equal(sql_long(q), *booked);
    free(q);
    q = fmt("SELECT count(*) FROM aid_allocations WHERE id IN (%s) AND kind = 'reservation' AND "
            "cancelled_at IS NULL",
            reservations);
    assert_int_equal(sql_long(q), *reserved);
    free(q);
    q = fmt("SELECT count(*) FROM bookings WHERE notes LIKE 'load-%%' AND id NOT IN (%s)",
            bookings);
    long unseen = sql_long(q);
    free(q);
    q = fmt("SELECT count(*) FROM aid_allocations WHERE kind = 'reservation' AND id NOT IN (%s)",
            reservations);
    unseen += sql_long(q);
    free(q);
    assert_true(unseen <= THREADS * OUTAGES);
    assert_ledger_adds_up();
    assert_no_overlapping_allocations();
    free(bookings);
    free(tags);
    free(reservations);
    return unseen;
}

static void
test_postgres_stopped_mid_load(void **state)
{
    (void)state;
    for (int i = 0; i < CLIENTS; i++) {
        char *pass = fmt("DBF-%d", i);
        clients[i] = create_client(pass, "Database fault");
        add_indication(clients[i], in_days(-10), in_days(400), 2000);
        free(pass);
    }
    create_scooter_pool("Uitval", 3, pool_id);
    pid_t server = H.server_pid;
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, NULL), 0);
    outage(0, false);
    outage(1, true);
    atomic_store(&stop, true);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    int sent = atomic_load(&next_request);
    if (sent > MAX_REQUESTS)
        sent = MAX_REQUESTS;

    /* the same process, alive throughout, serves */
    assert_int_equal(H.server_pid, server);
    assert_int_equal(waitpid(server, NULL, WNOHANG), 0);
    double worst, recovery[OUTAGES];
    int unavailable = check_answers(sent, &worst, recovery);
    int booked, reserved;
    long unseen = check_database(sent, &booked, &reserved);
    print_message("database stopped twice (fast, immediate) for %.1f s each under %d threads: %d "
                  "requests, %d booked, %d reserved, %d answered 503, slowest answer %.2f s, "
                  "first success %.2f s and %.2f s after the database was back, %ld committed "
                  "while their answer was cut off\n",
                  OUTAGE_MS / 1000.0, THREADS, sent, booked, reserved, unavailable, worst,
                  recovery[0], recovery[1], unseen);
    /* no other server error was ever answered */
    struct http_resp m = harness_request(&H, "GET", "/metrics", NULL, NULL, NULL);
    assert_int_equal(m.status, 200);
    assert_null(strstr(m.body, "status=\"500\""));
    http_resp_clear(&m);
}

/* A test-only trigger: the first `failures` attempts to insert a row into
 * `table` for which `when` holds fail with a serialization failure (odd
 * attempts) or a deadlock (even ones). Attempts are counted by a
 * sequence, which a rollback does not undo. */
static void
inject_conflicts_when(const char *table, const char *when, int failures)
{
    char *sql =
        fmt("CREATE SEQUENCE IF NOT EXISTS fault_attempts; "
            "CREATE OR REPLACE FUNCTION fault_inject() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE n bigint := nextval('fault_attempts'); BEGIN "
            "IF n <= %d THEN RAISE EXCEPTION 'injected conflict, attempt %%', n USING ERRCODE = "
            "CASE WHEN n %% 2 = 1 THEN '40001' ELSE '40P01' END; END IF; RETURN NEW; END $$; "
            "ALTER SEQUENCE fault_attempts RESTART; "
            "DROP TRIGGER IF EXISTS fault_inject ON %s; "
            "CREATE TRIGGER fault_inject BEFORE INSERT ON %s FOR EACH ROW WHEN (%s) "
            "EXECUTE FUNCTION fault_inject()",
            failures, table, table, when);
    char *out = harness_sql(&H, sql);
    assert_non_null(out);
    free(out);
    free(sql);
}

/* ... on the rows of one client (when `only` holds for the row as well) */
static void
inject_conflicts_on(const char *table, const char *only, int64_t client, int failures)
{
    char *when = fmt("NEW.client_id = %lld AND %s", (long long)client, only);
    inject_conflicts_when(table, when, failures);
    free(when);
}

/* ... on the reserve entries of a booking's allowance, written early in
 * its transaction */
static void
inject_conflicts(int64_t client, int failures)
{
    inject_conflicts_on("allowance_entries", "NEW.kind = 'reserve'", client, failures);
}

static long
attempts(void)
{
    return sql_long("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM fault_attempts");
}

static void
test_serialization_failures_retried(void **state)
{
    (void)state;
    int64_t client = create_client("DBF-RETRY", "Retry test");
    add_indication(client, in_days(-10), in_days(400), 2000);
    char *count = fmt("SELECT count(*) FROM bookings WHERE client_id = %lld", (long long)client);
    char *entries =
        fmt("SELECT count(*) FROM allowance_entries WHERE client_id = %lld", (long long)client);
    char *reserved = fmt("SELECT coalesce(sum(reserved_m), 0) FROM allowance_accounts WHERE "
                         "client_id = %lld",
                         (long long)client);

    /* three failures: the fourth and last attempt commits */
    inject_conflicts(client, TX_ATTEMPTS - 1);
    double retries = metric_value(H.base_url, "ritmo_db_tx_retries_total");
    char *body = ride_at(client, in_days(30), 12 * 60, "retried");
    json_t *b = call("POST", "/v1/bookings", api_desk, body, 201);
    assert_int_equal(attempts(), TX_ATTEMPTS);
    assert_int_equal(sql_long(count), 1);
    char *q = fmt("SELECT count(*) FROM allowance_entries WHERE booking_id = %s AND kind = "
                  "'reserve'",
                  str(b, "id"));
    assert_int_equal(sql_long(q), 1);
    free(q);
    double after = metric_value(H.base_url, "ritmo_db_tx_retries_total");
    assert_int_equal((long)(after - retries), TX_ATTEMPTS - 1);
    json_decref(b);
    free(body);

    /* failing in every attempt: 503, and nothing was written */
    long bookings_before = sql_long(count), entries_before = sql_long(entries);
    long reserved_before = sql_long(reserved);
    inject_conflicts(client, 1000);
    body = ride_at(client, in_days(31), 12 * 60, "given up");
    expect_error("POST", "/v1/bookings", api_desk, body, 503, "unavailable");
    assert_int_equal(attempts(), TX_ATTEMPTS);
    assert_int_equal(sql_long(count), bookings_before);
    assert_int_equal(sql_long(entries), entries_before);
    assert_int_equal(sql_long(reserved), reserved_before);
    double last = metric_value(H.base_url, "ritmo_db_tx_retries_total");
    assert_int_equal((long)(last - after), TX_ATTEMPTS - 1);

    /* without the fault the same request succeeds */
    free(harness_sql(&H, "DROP TRIGGER fault_inject ON allowance_entries"));
    json_decref(call("POST", "/v1/bookings", api_desk, body, 201));
    assert_ledger_adds_up();
    print_message("serialization failures: %d retries then success; %d attempts then 503\n",
                  TX_ATTEMPTS - 1, TX_ATTEMPTS);
    free(body);
    free(count);
    free(entries);
    free(reserved);
}

/* The access trail entry is written after the booking's own rows and its
 * allowance entries (just before the ride goes into its day's plan, the
 * transaction's last step): a failure there must fail the whole booking,
 * be retried like any conflict, and leave nothing behind when it
 * persists. */
static void
test_failing_access_trail_write_rolls_back(void **state)
{
    (void)state;
    int64_t client = create_client("DBF-COMMIT", "Commit test");
    add_indication(client, in_days(-10), in_days(400), 2000);
    char *count = fmt("SELECT count(*) FROM bookings WHERE client_id = %lld", (long long)client);
    char *trail = fmt("SELECT count(*) FROM client_access WHERE client_id = %lld AND route = "
                      "'/v1/bookings'",
                      (long long)client);
    char *entries =
        fmt("SELECT count(*) FROM allowance_entries WHERE client_id = %lld", (long long)client);

    inject_conflicts_on("client_access", "true", client, TX_ATTEMPTS - 1);
    char *body = ride_at(client, in_days(40), 12 * 60, "access trail retried");
    json_decref(call("POST", "/v1/bookings", api_desk, body, 201));
    assert_int_equal(attempts(), TX_ATTEMPTS);
    assert_int_equal(sql_long(count), 1);
    assert_int_equal(sql_long(trail), 1);
    free(body);

    long entries_before = sql_long(entries);
    inject_conflicts_on("client_access", "true", client, 1000);
    body = ride_at(client, in_days(41), 12 * 60, "access trail given up");
    expect_error("POST", "/v1/bookings", api_desk, body, 503, "unavailable");
    assert_int_equal(attempts(), TX_ATTEMPTS);
    assert_int_equal(sql_long(count), 1);
    assert_int_equal(sql_long(trail), 1);
    assert_int_equal(sql_long(entries), entries_before);
    free(harness_sql(&H, "DROP TRIGGER fault_inject ON client_access"));
    assert_ledger_adds_up();
    free(body);
    free(entries);
    free(trail);
    free(count);
}

/* Writing the ride's stops is the last step of a booking on a day with
 * runs, under the day's planning lock, after the day's copy in memory has
 * been worked on: a failure there is retried like any conflict, and when
 * it persists the booking leaves nothing behind, and the next booking of
 * the day is planned on the day as it is in the database. */
static void
test_failing_plan_write_rolls_back(void **state)
{
    (void)state;
    struct civil_date day = in_days(45);
    char *date = date_text(day), run[3][24];
    create_fleet(date, NULL, run);
    int64_t client = create_client("DBF-PLAN", "Plan write test");
    int64_t other = create_client("DBF-PLAN-2", "Plan write neighbour");
    add_indication(client, in_days(-10), in_days(400), 2000);
    add_indication(other, in_days(-10), in_days(400), 2000);
    bool scheduled = false;
    char *body = ride_at(other, day, 10 * 60, "before the faults");
    char *first = post_booking(H.base_url, body, &scheduled); /* the day is now in memory */
    assert_true(scheduled);
    free(body);
    char *count = fmt("SELECT count(*) FROM bookings WHERE client_id = %lld", (long long)client);
    char *stops = fmt("SELECT count(*) FROM stops s JOIN bookings b ON b.id = s.booking_id "
                      "WHERE b.client_id = %lld",
                      (long long)client);
    char *entries =
        fmt("SELECT count(*) FROM allowance_entries WHERE client_id = %lld", (long long)client);
    /* the stops of the bookings made from here on (a trigger's condition
     * cannot look the client up) */
    char *when = fmt("NEW.booking_id > %s", first);

    inject_conflicts_when("stops", when, TX_ATTEMPTS - 1);
    body = ride_at(client, day, 11 * 60, "plan write retried");
    free(post_booking(H.base_url, body, &scheduled));
    assert_true(scheduled);
    /* three failed attempts, then the pickup and the dropoff written */
    assert_int_equal(attempts(), TX_ATTEMPTS - 1 + 2);
    assert_int_equal(sql_long(count), 1);
    assert_int_equal(sql_long(stops), 2);
    free(body);

    long entries_before = sql_long(entries);
    inject_conflicts_when("stops", when, 1000);
    body = ride_at(client, day, 14 * 60, "plan write given up");
    expect_error("POST", "/v1/bookings", api_desk, body, 503, "unavailable");
    assert_int_equal(attempts(), TX_ATTEMPTS);
    assert_int_equal(sql_long(count), 1);
    assert_int_equal(sql_long(stops), 2);
    assert_int_equal(sql_long(entries), entries_before);
    free(harness_sql(&H, "DROP TRIGGER fault_inject ON stops"));
    free(body);

    body = ride_at(other, day, 15 * 60, "after the faults");
    free(post_booking(H.base_url, body, &scheduled));
    assert_true(scheduled);
    char *unmatched = fmt("SELECT count(*) FROM bookings b WHERE b.service_date = '%s' AND "
                          "(SELECT count(*) FROM stops s WHERE s.booking_id = b.id) <> "
                          "CASE WHEN b.status = 'scheduled' THEN 2 ELSE 0 END",
                          date);
    assert_int_equal(sql_long(unmatched), 0);
    char *planned = fmt("SELECT count(*) FROM bookings WHERE service_date = '%s' AND status = "
                        "'scheduled'",
                        date);
    assert_int_equal(sql_long(planned), 3);
    assert_ledger_adds_up();
    free(planned);
    free(unmatched);
    free(body);
    free(when);
    free(first);
    free(entries);
    free(stops);
    free(count);
    free(date);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postgres_stopped_mid_load),
        cmocka_unit_test(test_serialization_failures_retried),
        cmocka_unit_test(test_failing_access_trail_write_rolls_back),
        cmocka_unit_test(test_failing_plan_write_rolls_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
