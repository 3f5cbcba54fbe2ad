/* API tests of assistive aids: suppliers, models, items and their values,
 * loans and art. 3.2, recovery, pool reservations under concurrency,
 * maintenance due lists and feeds, deliveries and who may see what. */
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
#include <time.h>

static struct harness H;

#define ADDRESS "{\"address\":\"Spuiboulevard 300, Dordrecht\",\"lat\":51.8105,\"lon\":4.6651}"
/* Everything a test allocates is released at teardown, so the checks can
 * stay readable: F() formats, D() writes a date, ask() is apitest's call(). */
static void *owned[8192];
static size_t n_owned;
static json_t *owned_json[4096];
static size_t n_owned_json;

static char *
own(char *s)
{
    assert_true(n_owned < sizeof owned / sizeof owned[0]);
    owned[n_owned++] = s;
    return s;
}
#define F(...) own(fmt(__VA_ARGS__))
#define D(d)   own(date_text(d))

static json_t *
keep(json_t *j)
{
    assert_true(n_owned_json < sizeof owned_json / sizeof owned_json[0]);
    owned_json[n_owned_json++] = j;
    return j;
}

static json_t *
ask(const char *method, const char *path, const char *token, const char *body, long want)
{
    return keep(call(method, path, token, body, want));
}

/* A refusal with the code; returns its message. */
static const char *
refused(const char *method, const char *path, const char *token, const char *body, long status,
        const char *code)
{
    json_t *e = json_object_get(ask(method, path, token, body, status), "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    return json_string_value(json_object_get(e, "message"));
}

static long long
integer(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Rows in the aids tables, to show that a refused request wrote nothing. */
static long
rows(void)
{
    return sql_long("SELECT (SELECT count(*) FROM suppliers) + (SELECT count(*) FROM aid_models) + "
                    "(SELECT count(*) FROM aids) + (SELECT count(*) FROM aid_allocations) + "
                    "(SELECT count(*) FROM aid_events) + (SELECT count(*) FROM deliveries) + "
                    "(SELECT count(*) FROM pools)");
}

static const char *
supplier(const char *name, int grace)
{
    const char *body = F("{\"name\":\"%s\",\"email\":\"desk@%s.example\",\"webhook_url\":"
                         "\"https://%s.example/hook\",\"sla\":{\"delivery_working_days\":5,"
                         "\"breakdown_response_minutes\":240,\"breakdown_clock\":\"business\","
                         "\"repair_working_days\":5,\"maintenance_grace_days\":%d}}",
                         name, name, name, grace);
    return str(ask("POST", "/v1/suppliers", api_desk, body, 201), "id");
}

static const char *
model(const char *supplier_id, const char *type, int months, const char *rule, const char *anchor)
{
    const char *body = F("{\"type\":\"%s\",\"brand\":\"Vermeiren\",\"model\":\"V%d\","
                         "\"supplier_id\":\"%s\",\"depreciation_months\":%d,"
                         "\"residual_value_pct\":10,\"maintenance_rule\":\"%s\","
                         "\"maintenance_anchor\":\"%s\",\"list_price_cents\":150000}",
                         type, months, supplier_id, months, rule, anchor);
    return str(ask("POST", "/v1/aid-models", api_desk, body, 201), "id");
}

static json_t *
aid(const char *model_id, const char *serial, struct civil_date bought, long long price,
    const char *pool_id)
{
    const char *pool = pool_id ? F(",\"pool_id\":\"%s\"", pool_id) : "";
    const char *body = F("{\"model_id\":\"%s\",\"serial\":\"%s\",\"purchase_date\":\"%s\","
                         "\"purchase_price_cents\":%lld%s}",
                         model_id, serial, D(bought), price, pool);
    return ask("POST", "/v1/aids", api_desk, body, 201);
}

/* A client (apitest's fixture); its id as text. */
static const char *
client(const char *pass)
{
    return F("%lld", (long long)create_client(pass, F("Client %s", pass)));
}

static json_t *
lend(const char *aid_id, const char *client_id, const char *from, const char *extra, long want)
{
    const char *path = F("/v1/aids/%s/loans", aid_id);
    const char *body =
        F("{\"client_id\":\"%s\",\"from\":\"%s\"%s}", client_id, from, extra ? extra : "");
    return ask("POST", path, api_desk, body, want);
}

static long long
book_value(const char *aid_id, const char *as_of)
{
    return integer(ask("GET", F("/v1/aids/%s?as_of=%s", aid_id, as_of), api_desk, NULL, 200),
                   "book_value_cents");
}

static int
setup(void **state)
{
    (void)state;
    return api_start(&H, NULL);
}

static int
teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    for (size_t i = 0; i < n_owned_json; i++)
        json_decref(owned_json[i]);
    return api_stop(&H);
}

/* Suppliers, models and items: validation, nothing written on failure,
 * book values and cost to date. */
static void
test_catalog_and_values(void **state)
{
    (void)state;
    const char *s = supplier("Medipoint", 14);
    json_t *got = ask("GET", F("/v1/suppliers/%s", s), api_desk, NULL, 200);
    assert_string_equal(str(got, "name"), "Medipoint");
    assert_int_equal(integer(json_object_get(got, "sla"), "maintenance_grace_days"), 14);
    assert_string_equal(str(json_object_get(got, "sla"), "breakdown_clock"), "business");

    long before = rows();
    expect_error("POST", "/v1/suppliers", api_desk, "{\"name\":\"x\"}", 400, "missing_field");
    expect_error("POST", "/v1/suppliers", api_desk,
                 "{\"name\":\"x\",\"sla\":{\"delivery_working_days\":5,"
                 "\"breakdown_response_minutes\":240,\"breakdown_clock\":\"weekdays\","
                 "\"repair_working_days\":5,\"maintenance_grace_days\":1}}",
                 400, "invalid_field");
    const char *good = "\"type\":\"wheelchair_manual\",\"brand\":\"B\",\"model\":\"M\","
                       "\"list_price_cents\":1000";
    const char *bad_models[][2] = {
        {"\"depreciation_months\":0,\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ=YEARLY\"",
         "invalid_field"},
        {"\"depreciation_months\":60,\"residual_value_pct\":10,\"maintenance_rule\":\"RRULE:FREQ="
         "YEARLY\"",
         "invalid_field"},
        {"\"depreciation_months\":60,\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ="
         "HOURLY\"",
         "invalid_field"},
        {"\"depreciation_months\":60,\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ=YEARLY;"
         "COUNT=1\"",
         "invalid_field"},
        {"\"depreciation_months\":60,\"residual_value_pct\":101,\"maintenance_rule\":\"FREQ="
         "YEARLY\"",
         "invalid_field"},
        {"\"depreciation_months\":60,\"residual_value_pct\":10.005,\"maintenance_rule\":\"FREQ="
         "YEARLY\"",
         "invalid_field"},
    };
    for (size_t i = 0; i < sizeof bad_models / sizeof bad_models[0]; i++)
        expect_error("POST", "/v1/aid-models", api_desk,
                     F("{%s,\"supplier_id\":\"%s\",%s}", good, s, bad_models[i][0]), 400,
                     bad_models[i][1]);
    expect_error("POST", "/v1/aid-models", api_desk,
                 F("{%s,\"supplier_id\":\"999999\",\"depreciation_months\":60,"
                   "\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ=YEARLY\"}",
                   good),
                 404, "not_found");
    assert_int_equal(rows(), before);

    const char *m = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    json_t *mj = ask("GET", F("/v1/aid-models/%s", m), api_desk, NULL, 200);
    assert_string_equal(str(mj, "maintenance_anchor"), "fixed");
    assert_int_equal(integer(mj, "depreciation_months"), 60);

    /* the example of docs/aids-rules.md: EUR 1,234.56, 10 %, 60 months, 31 Jan 2024 */
    json_t *a = aid(m, "WC-1", (struct civil_date){2024, 1, 31}, 123456, NULL);
    const char *id = str(a, "id");
    assert_string_equal(str(a, "status"), "depot");
    assert_int_equal(integer(a, "residual_value_cents"), 12346);
    assert_string_equal(str(a, "depreciation_ends"), "2029-01-31");
    assert_string_equal(str(a, "next_maintenance"), "2025-01-31");
    assert_int_equal(integer(a, "cost_to_date_cents"), 123456);
    assert_true(json_is_null(json_object_get(a, "holder")));
    assert_int_equal(book_value(id, "2023-06-01"), 123456); /* before the purchase */
    assert_int_equal(book_value(id, "2024-01-31"), 123456);
    assert_int_equal(book_value(id, "2024-02-28"), 123456); /* not a whole month yet */
    assert_int_equal(book_value(id, "2024-02-29"), 121605); /* clamped month end, leap year */
    assert_int_equal(book_value(id, "2026-07-31"), 67901);
    assert_int_equal(book_value(id, "2029-01-30"), 14198);
    assert_int_equal(book_value(id, "2029-01-31"), 12346); /* the residual value from the end */
    assert_int_equal(book_value(id, "2040-01-01"), 12346);
    expect_error("GET", F("/v1/aids/%s?as_of=2024-02-30", id), api_desk, NULL, 400,
                 "invalid_field");

    before = rows();
    const char *bad_aids[][2] = {
        {F("{\"model_id\":\"%s\",\"serial\":\"WC-1\",\"purchase_date\":\"2024-02-01\","
           "\"purchase_price_cents\":1000}",
           m),
         "conflict"},
        {F("{\"model_id\":\"%s\",\"serial\":\"WC-2\",\"purchase_date\":\"2024-02-01\","
           "\"purchase_price_cents\":-1}",
           m),
         "invalid_field"},
        {"{\"model_id\":\"999999\",\"serial\":\"WC-2\",\"purchase_date\":\"2024-02-01\","
         "\"purchase_price_cents\":1}",
         "not_found"},
        {F("{\"model_id\":\"%s\",\"serial\":\"WC-2\",\"purchase_date\":\"2024-02-01\","
           "\"purchase_price_cents\":1,\"pool_id\":\"999999\"}",
           m),
         "not_found"},
        {F("{\"model_id\":\"%s\",\"serial\":\"WC-2\",\"purchase_date\":\"01-02-2024\","
           "\"purchase_price_cents\":1}",
           m),
         "invalid_field"},
    };
    const long statuses[] = {409, 400, 404, 404, 400};
    for (size_t i = 0; i < 5; i++)
        expect_error("POST", "/v1/aids", api_desk, bad_aids[i][0], statuses[i], bad_aids[i][1]);
    assert_int_equal(rows(), before);

    /* cost to date (art. 5.2) adds every maintenance cost */
    json_t *mt = ask("POST", F("/v1/aids/%s/maintenance", id), api_desk,
                     "{\"performed_at\":\"2025-01-20T10:00:00+01:00\",\"kind\":\"service\","
                     "\"notes\":\"brakes\",\"cost_cents\":4500}",
                     201);
    assert_int_equal(integer(mt, "cost_to_date_cents"), 127956);
    assert_string_equal(str(mt, "next_maintenance"), "2026-01-31"); /* counts for 2025-01-31 */
    ask("POST", F("/v1/aids/%s/maintenance", id), api_desk,
        "{\"performed_at\":\"2026-02-02T10:00:00+01:00\",\"kind\":\"inspection\","
        "\"cost_cents\":1500}",
        201);
    json_t *full = ask("GET", F("/v1/aids/%s", id), api_desk, NULL, 200);
    assert_int_equal(integer(full, "cost_to_date_cents"), 129456);
    assert_string_equal(str(full, "next_maintenance"), "2027-01-31");
    assert_int_equal(json_array_size(json_object_get(full, "history")), 3);
    expect_error("POST", F("/v1/aids/%s/maintenance", id), api_desk,
                 "{\"performed_at\":\"2023-01-20T10:00:00+01:00\",\"kind\":\"service\","
                 "\"cost_cents\":1}",
                 400, "invalid_field");
    expect_error("POST", F("/v1/aids/%s/maintenance", id), api_desk,
                 "{\"performed_at\":\"2025-01-20T10:00:00+01:00\",\"kind\":\"repair\","
                 "\"cost_cents\":1}",
                 400, "invalid_field");
    /* lists filter by type and status */
    json_t *list =
        ask("GET", F("/v1/aids?supplier_id=%s&type=wheelchair_manual", s), api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    list = ask("GET", F("/v1/aids?supplier_id=%s&status=lent", s), api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
    expect_error("GET", "/v1/aids?status=broken", api_desk, NULL, 400, "invalid_field");
}

/* Loans, returns, art. 3.2 lid 2 h with and without each exception, and
 * the recovery of art. 6.3 lid 2. */
static void
test_loans_reissue_recovery(void **state)
{
    (void)state;
    const char *s = supplier("Welzorg", 7);
    const char *wc = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    const char *sc = model(s, "scootmobiel", 84, "FREQ=YEARLY", "fixed");
    const char *a1 = str(aid(wc, "L-1", (struct civil_date){2024, 1, 31}, 123456, NULL), "id");
    const char *a[4];
    for (int i = 0; i < 4; i++)
        a[i] = str(aid(wc, F("L-%d", i + 2), (struct civil_date){2024, 6, 1}, 100000, NULL), "id");
    const char *sc1 = str(aid(sc, "S-1", (struct civil_date){2024, 6, 1}, 300000, NULL), "id");
    const char *c1 = client("AID-1"), *c2 = client("AID-2");

    json_t *loan = lend(a1, c1, "2025-03-10T10:00:00+01:00", NULL, 201);
    const char *loan_id = str(loan, "id");
    assert_string_equal(str(loan, "received_on"), "2025-03-10");
    assert_string_equal(str(loan, "status"), "active");
    json_t *item = ask("GET", F("/v1/aids/%s", a1), api_desk, NULL, 200);
    assert_string_equal(str(item, "status"), "lent");
    assert_string_equal(str(json_object_get(item, "holder"), "kind"), "client");
    assert_string_equal(str(json_object_get(item, "holder"), "id"), c1);

    long before = rows();
    /* the item is lent: 409; an unknown client: 404 */
    expect_error("POST", F("/v1/aids/%s/loans", a1), api_desk,
                 F("{\"client_id\":\"%s\",\"from\":\"2025-04-01T10:00:00+02:00\"}", c2), 409,
                 "conflict");
    expect_error("POST", F("/v1/aids/%s/loans", a[0]), api_desk,
                 "{\"client_id\":\"999999\",\"from\":\"2025-04-01T10:00:00+02:00\"}", 404,
                 "not_found");
    /* the same type within the period: refused with the expiry date */
    const char *why =
        refused("POST", F("/v1/aids/%s/loans", a[0]), api_desk,
                F("{\"client_id\":\"%s\",\"from\":\"2027-01-05T10:00:00+01:00\"}", c1), 422,
                "depreciation_period_running");
    assert_non_null(strstr(why, "2030-03-10"));
    /* an exception needs a reason */
    expect_error("POST", F("/v1/aids/%s/loans", a[0]), api_desk,
                 F("{\"client_id\":\"%s\",\"from\":\"2027-01-05T10:00:00+01:00\","
                   "\"exception\":\"client_pays\"}",
                   c1),
                 400, "missing_field");
    expect_error("POST", F("/v1/aids/%s/loans", a[0]), api_desk,
                 F("{\"client_id\":\"%s\",\"from\":\"2027-01-05T10:00:00+01:00\","
                   "\"exception\":\"because\",\"exception_reason\":\"x\"}",
                   c1),
                 400, "invalid_field");
    assert_int_equal(rows(), before);

    /* each exception lifts the refusal and is recorded */
    const char *exc[] = {"lost_not_own_fault", "client_pays", "insufficient_support"};
    for (int i = 0; i < 3; i++) {
        json_t *l =
            lend(a[i], c1, F("2027-01-0%dT10:00:00+01:00", 5 + i),
                 F(",\"exception\":\"%s\",\"exception_reason\":\"case %d\"", exc[i], i), 201);
        assert_string_equal(str(l, "exception"), exc[i]);
        assert_string_equal(str(l, "exception_reason"), F("case %d", i));
    }
    /* another type never blocks, nor another client's aid */
    lend(sc1, c1, "2027-01-05T10:00:00+01:00", NULL, 201);
    lend(a[3], c2, "2026-01-10T10:00:00+01:00", NULL, 201);
    /* a loan cannot start before the purchase */
    expect_error("POST",
                 F("/v1/aids/%s/loans",
                   str(aid(wc, "L-9", (struct civil_date){2024, 6, 1}, 100000, NULL), "id")),
                 api_desk, F("{\"client_id\":\"%s\",\"from\":\"2024-05-01T10:00:00+02:00\"}", c2),
                 400, "invalid_field");

    /* return: at before from is refused; twice is 409 */
    before = rows();
    expect_error("POST", F("/v1/loans/%s/return", loan_id), api_desk,
                 "{\"at\":\"2025-03-01T10:00:00+01:00\",\"condition\":\"good\"}", 400,
                 "invalid_field");
    expect_error("POST", F("/v1/loans/%s/return", loan_id), api_desk,
                 "{\"at\":\"2199-03-01T10:00:00+01:00\",\"condition\":\"good\"}", 400,
                 "invalid_field"); /* not yet happened */
    json_t *ret = ask("POST", F("/v1/loans/%s/return", loan_id), api_desk,
                      "{\"at\":\"2026-07-31T12:00:00+02:00\",\"condition\":\"good\"}", 200);
    assert_string_equal(str(ret, "status"), "returned");
    assert_string_equal(str(ret, "condition"), "good");
    long after_return = rows();
    assert_int_equal(after_return, before + 1); /* one history event */
    expect_error("POST", F("/v1/loans/%s/return", loan_id), api_desk,
                 "{\"at\":\"2026-08-01T12:00:00+02:00\",\"condition\":\"good\"}", 409, "conflict");
    assert_int_equal(rows(), after_return);
    assert_string_equal(str(ask("GET", F("/v1/aids/%s", a1), api_desk, NULL, 200), "status"),
                        "depot");

    /* recovery at the return date: 30 of 60 months passed (docs/aids-rules.md) */
    json_t *rec = ask("GET", F("/v1/loans/%s/recovery", loan_id), api_desk, NULL, 200);
    assert_string_equal(str(rec, "as_of"), "2026-07-31");
    assert_int_equal(integer(rec, "months_elapsed"), 30);
    assert_int_equal(integer(rec, "months_remaining"), 30);
    assert_int_equal(integer(rec, "accumulated_cents"), 55555);
    assert_int_equal(integer(rec, "book_value_cents"), 67901);
    assert_int_equal(integer(rec, "recoverable_cents"), 55555);
    assert_true(json_is_true(json_object_get(rec, "period_running")));
    assert_non_null(strstr(str(rec, "explanation"), "55555"));
    rec = ask("GET", F("/v1/loans/%s/recovery?as_of=2029-02-01", loan_id), api_desk, NULL, 200);
    assert_int_equal(integer(rec, "recoverable_cents"), 0);
    assert_true(json_is_false(json_object_get(rec, "period_running")));

    /* re-issue: the item keeps its purchase date and value; the schedule
     * restarts on the re-issue date */
    const char *c3 = client("AID-3");
    lend(a1, c3, "2026-09-15T10:00:00+02:00", NULL, 201);
    json_t *re = ask("GET", F("/v1/aids/%s?as_of=2026-07-31", a1), api_desk, NULL, 200);
    assert_string_equal(str(re, "purchase_date"), "2024-01-31");
    assert_int_equal(integer(re, "book_value_cents"), 67901);
    assert_string_equal(str(re, "next_maintenance"), "2027-09-15");
    char *anchor = harness_sql(&H, F("SELECT anchor_date FROM aids WHERE id = %s", a1));
    assert_non_null(strstr(anchor, "2026-09-15"));
    free(anchor);
    /* a written-off return ends the schedule */
    json_t *l4 = ask("GET", F("/v1/aids/%s", a[3]), api_desk, NULL, 200);
    ask("POST", F("/v1/loans/%s/return", str(l4, "loan_id")), api_desk,
        "{\"at\":\"2026-06-01T10:00:00+02:00\",\"condition\":\"written_off\"}", 200);
    l4 = ask("GET", F("/v1/aids/%s", a[3]), api_desk, NULL, 200);
    assert_string_equal(str(l4, "status"), "written_off");
    assert_true(json_is_null(json_object_get(l4, "next_maintenance")));
}

struct race {
    const char *path, *body;
    long status;
};

static void *
race_one(void *arg)
{
    struct race *x = arg;
    struct http_resp r = harness_request(&H, "POST", x->path, api_desk, x->body, NULL);
    x->status = r.status;
    http_resp_clear(&r);
    return NULL;
}

/* 20 parallel reservations of one slot in a pool with 3 free scooters. */
static void
test_pool_reservations_race(void **state)
{
    (void)state;
    const char *s = supplier("Pool BV", 7);
    const char *sc = model(s, "scootmobiel", 84, "FREQ=YEARLY", "fixed");
    const char *wc = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    const char *pool =
        str(ask("POST", "/v1/pools", api_desk,
                "{\"name\":\"Scootmobielpool Crabbehof\",\"address\":" ADDRESS "}", 201),
            "id");
    assert_string_equal(
        str(json_object_get(ask("GET", F("/v1/pools/%s", pool), api_desk, NULL, 200), "address"),
            "address"),
        "Spuiboulevard 300, Dordrecht");
    const char *first = NULL;
    for (int i = 0; i < 3; i++) {
        json_t *a = aid(sc, F("P-%d", i), (struct civil_date){2025, 1, 1}, 250000, pool);
        assert_string_equal(str(a, "status"), "pool");
        assert_string_equal(str(json_object_get(a, "holder"), "kind"), "pool");
        if (!first)
            first = str(a, "id");
    }
    aid(wc, "P-W", (struct civil_date){2025, 1, 1}, 50000, pool);
    const char *c = client("POOL-1");
    /* a pool item cannot be lent from the depot */
    lend(first, c, "2026-01-01T10:00:00+01:00", NULL, 409);

    const char *path = F("/v1/pools/%s/reservations", pool);
    const char *body = F("{\"client_id\":\"%s\",\"type\":\"scootmobiel\",\"from\":"
                         "\"2030-05-01T09:00:00+02:00\",\"until\":\"2030-05-01T17:00:00+02:00\"}",
                         c);
    pthread_t th[20];
    struct race x[20];
    for (int i = 0; i < 20; i++) {
        x[i] = (struct race){path, body, 0};
        assert_int_equal(pthread_create(&th[i], NULL, race_one, &x[i]), 0);
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < 20; i++) {
        pthread_join(th[i], NULL);
        ok += x[i].status == 201;
        refused += x[i].status == 409;
    }
    assert_int_equal(ok, 3);
    assert_int_equal(refused, 17);
    assert_int_equal(sql_long("SELECT count(*) FROM aid_allocations a JOIN aid_allocations b ON "
                              "a.aid_id = b.aid_id AND a.id < b.id AND a.period && b.period "
                              "AND a.cancelled_at IS NULL AND b.cancelled_at IS NULL"),
                     0);
    assert_int_equal(sql_long(F("SELECT count(DISTINCT aid_id) FROM aid_allocations WHERE "
                                "kind = 'reservation' AND client_id = %s",
                                c)),
                     3);
    /* a specific item, an overlapping slot: 409; a later slot: 201 naming it */
    expect_error("POST", path, api_desk,
                 F("{\"client_id\":\"%s\",\"aid_id\":\"%s\",\"from\":"
                   "\"2030-05-01T16:00:00+02:00\",\"until\":\"2030-05-01T18:00:00+02:00\"}",
                   c, first),
                 409, "conflict");
    json_t *r = ask("POST", path, api_desk,
                    F("{\"client_id\":\"%s\",\"aid_id\":\"%s\",\"from\":"
                      "\"2030-05-01T17:00:00+02:00\",\"until\":\"2030-05-01T18:00:00+02:00\"}",
                      c, first),
                    201);
    assert_string_equal(str(r, "aid_id"), first);
    assert_string_equal(str(r, "from"), "2030-05-01T17:00:00+02:00");
    /* the wheelchair of the pool is still free for the busy slot */
    r = ask("POST", path, api_desk,
            F("{\"client_id\":\"%s\",\"type\":\"wheelchair_manual\",\"from\":"
              "\"2030-05-01T09:00:00+02:00\",\"until\":\"2030-05-01T17:00:00+02:00\"}",
              c),
            201);
    long before = rows();
    expect_error("POST", path, api_desk,
                 F("{\"client_id\":\"%s\",\"type\":\"scootmobiel\",\"aid_id\":\"%s\",\"from\":"
                   "\"2030-06-01T09:00:00+02:00\",\"until\":\"2030-06-01T17:00:00+02:00\"}",
                   c, first),
                 400, "invalid_field");
    expect_error("POST", path, api_desk,
                 F("{\"client_id\":\"%s\",\"type\":\"scootmobiel\",\"from\":"
                   "\"2030-06-01T09:00:00+02:00\",\"until\":\"2030-06-01T09:00:00+02:00\"}",
                   c),
                 400, "invalid_field");
    expect_error("POST", "/v1/pools/999999/reservations", api_desk,
                 F("{\"client_id\":\"%s\",\"type\":\"scootmobiel\",\"from\":"
                   "\"2030-06-01T09:00:00+02:00\",\"until\":\"2030-06-01T10:00:00+02:00\"}",
                   c),
                 404, "not_found");
    assert_int_equal(rows(), before);

    /* cancelling frees the item for the period; the row stays as history */
    const char *rid = str(r, "id");
    json_t *cancelled = ask("POST", F("/v1/reservations/%s/cancel", rid), api_desk, NULL, 200);
    assert_string_equal(str(cancelled, "status"), "cancelled");
    assert_string_equal(str(cancelled, "pool_id"), pool);
    assert_true(json_is_string(json_object_get(cancelled, "cancelled_at")));
    json_t *again = ask("POST", path, api_desk,
                        F("{\"client_id\":\"%s\",\"type\":\"wheelchair_manual\",\"from\":"
                          "\"2030-05-01T12:00:00+02:00\",\"until\":\"2030-05-01T13:00:00+02:00\"}",
                          c),
                        201);
    assert_string_equal(str(again, "aid_id"), str(r, "aid_id"));
    assert_string_equal(str(again, "status"), "active");
    assert_int_equal(sql_long(F("SELECT count(*) FROM aid_events WHERE allocation_id = %s AND "
                                "type = 'unreserved'",
                                rid)),
                     1);
    before = rows();
    expect_error("POST", F("/v1/reservations/%s/cancel", rid), api_desk, NULL, 409, "conflict");
    expect_error("POST", "/v1/reservations/999999/cancel", api_desk, NULL, 404, "not_found");
    assert_int_equal(rows(), before);
    /* a loan is no reservation */
    const char *loan_id =
        str(lend(str(aid(wc, "P-L", (struct civil_date){2025, 1, 1}, 1000, NULL), "id"), c,
                 "2025-02-01T10:00:00+01:00", NULL, 201),
            "id");
    before = rows();
    expect_error("POST", F("/v1/reservations/%s/cancel", loan_id), api_desk, NULL, 404,
                 "not_found");
    assert_int_equal(rows(), before);
}

/* The due list against hand-computed dates, and the supplier's feed
 * parsed back with libical. */
static void
test_maintenance_due_and_feed(void **state)
{
    (void)state;
    const char *s = supplier("Onderhoud NL", 14);
    const char *yearly = model(s, "wheelchair_electric", 72, "FREQ=YEARLY", "fixed");
    const char *half = model(s, "scootmobiel", 84, "FREQ=MONTHLY;INTERVAL=6", "fixed");
    const char *from_done = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "completion");
    struct civil_date t = today();
    /* overdue: due 35 days ago, 14 grace days */
    struct civil_date b1 = civil_date_add_months(civil_date_add_days(t, -35), -12);
    const char *a1 = str(aid(yearly, "M-1", b1, 500000, NULL), "id");
    /* due in about 80 days: bought 100 days ago, half-yearly */
    struct civil_date b2 = civil_date_add_days(t, -100);
    const char *a2 = str(aid(half, "M-2", b2, 300000, NULL), "id");
    /* due 5 days ago: within the grace period, not overdue */
    struct civil_date b3 = civil_date_add_months(civil_date_add_days(t, -5), -6);
    const char *a3 = str(aid(half, "M-3", b3, 300000, NULL), "id");
    /* from completion: done 10 days ago, so due again in a year */
    struct civil_date b4 = civil_date_add_days(t, -200);
    const char *a4 = str(aid(from_done, "M-4", b4, 90000, NULL), "id");
    struct civil_date done4 = civil_date_add_days(t, -10);
    ask("POST", F("/v1/aids/%s/maintenance", a4), api_desk,
        F("{\"performed_at\":\"%sT12:00:00+01:00\",\"kind\":\"inspection\",\"cost_cents\":0}",
          D(done4)),
        201);
    json_t *g4 = ask("GET", F("/v1/aids/%s", a4), api_desk, NULL, 200);
    assert_string_equal(str(g4, "next_maintenance"), D(civil_date_add_months(done4, 12)));

    const char *sup = harness_token(&H, "supplier", "--supplier", s);
    owned[n_owned++] = (void *)sup;
    struct civil_date until = civil_date_add_days(t, 90);
    json_t *due = ask("GET", F("/v1/maintenance/due?until=%s", D(until)), sup, NULL, 200);
    json_t *items = json_object_get(due, "items");
    assert_int_equal(json_array_size(items), 3);
    struct {
        const char *id;
        struct civil_date due;
        bool overdue;
    } want[] = {
        {a1, civil_date_add_months(b1, 12), true},
        {a2, civil_date_add_months(b2, 6), false},
        {a3, civil_date_add_months(b3, 6), false},
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *it = json_array_get(items, i);
        assert_string_equal(str(it, "aid_id"), want[i].id);
        assert_string_equal(str(it, "due"), D(want[i].due));
        assert_int_equal(json_is_true(json_object_get(it, "overdue")), want[i].overdue);
    }
    /* the desk filters by supplier; paging by limit and cursor */
    due = ask("GET", F("/v1/maintenance/due?until=%s&supplier_id=%s&limit=2", D(until), s),
              api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(due, "items")), 2);
    const char *next = str(due, "next");
    due = ask("GET",
              F("/v1/maintenance/due?until=%s&supplier_id=%s&limit=2&cursor=%s", D(until), s, next),
              api_desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(due, "items")), 1);

    /* the feed: one all-day event per item due in the coming year */
    struct http_resp r = harness_request(
        &H, "GET", F("/v1/suppliers/%s/maintenance.ics?token=%s", s, sup), NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/calendar"));
    icalcomponent *cal = icalparser_parse_string(r.body);
    assert_non_null(cal);
    int events = 0, found = 0;
    const char *uid1 = F("aid-%s-%s@ritmo", a1, D(want[0].due));
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        events++;
        if (!strcmp(icalcomponent_get_uid(ev), uid1)) {
            struct icaltimetype d = icalcomponent_get_dtstart(ev);
            assert_true(d.is_date);
            assert_int_equal(d.year, want[0].due.year);
            assert_int_equal(d.month, want[0].due.month);
            assert_int_equal(d.day, want[0].due.day);
            found++;
        }
    }
    assert_int_equal(events, 4);
    assert_int_equal(found, 1);
    icalcomponent_free(cal);
    http_resp_clear(&r);
    /* the supplier records the overdue one; it leaves the list */
    ask("POST", F("/v1/aids/%s/maintenance", a1), sup,
        F("{\"performed_at\":\"%sT09:00:00+01:00\",\"kind\":\"service\",\"cost_cents\":12000}",
          D(civil_date_add_days(t, -1))),
        201);
    due = ask("GET", F("/v1/maintenance/due?until=%s", D(until)), sup, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(due, "items")), 2);
}

/* Deliveries: working days against the SLA term (holidays count), the
 * delivery lends the item, and only the model's supplier may report it. */
static void
test_deliveries(void **state)
{
    (void)state;
    const char *s = supplier("Leverancier", 7); /* 5 working days */
    const char *other = supplier("Concurrent", 7);
    const char *m = model(s, "walker", 36, "FREQ=YEARLY", "fixed");
    const char *m2 = model(s, "tricycle", 36, "FREQ=YEARLY", "fixed");
    const char *a = str(aid(m, "D-1", (struct civil_date){2025, 4, 1}, 30000, NULL), "id");
    const char *a2 = str(aid(m, "D-2", (struct civil_date){2025, 4, 1}, 30000, NULL), "id");
    const char *wrong = str(aid(m2, "D-3", (struct civil_date){2025, 4, 1}, 30000, NULL), "id");
    const char *c = client("DEL-1"), *c2 = client("DEL-2");
    const char *sup = harness_token(&H, "supplier", "--supplier", s);
    const char *rival = harness_token(&H, "supplier", "--supplier", other);
    owned[n_owned++] = (void *)sup;
    owned[n_owned++] = (void *)rival;

    /* ordered Wednesday 30 April 2025; 1, 2, (5 May Liberation Day, lustrum), 6, 7 May */
    json_t *d = ask("POST", "/v1/deliveries", api_desk,
                    F("{\"client_id\":\"%s\",\"model_id\":\"%s\",\"ordered_at\":"
                      "\"2025-04-30T11:00:00+02:00\"}",
                      c, m),
                    201);
    const char *id = str(d, "id");
    assert_string_equal(str(d, "status"), "ordered");
    assert_string_equal(str(d, "due_by"), "2025-05-08");
    expect_error("POST", F("/v1/deliveries/%s/delivered", id), rival,
                 F("{\"at\":\"2025-05-07T15:00:00+02:00\",\"aid_id\":\"%s\"}", a), 404,
                 "not_found");
    long before = rows();
    expect_error("POST", F("/v1/deliveries/%s/delivered", id), sup,
                 F("{\"at\":\"2025-05-07T15:00:00+02:00\",\"aid_id\":\"%s\"}", wrong), 400,
                 "invalid_field");
    expect_error("POST", F("/v1/deliveries/%s/delivered", id), sup,
                 F("{\"at\":\"2025-04-29T15:00:00+02:00\",\"aid_id\":\"%s\"}", a), 400,
                 "invalid_field");
    assert_int_equal(rows(), before);
    d = ask("POST", F("/v1/deliveries/%s/delivered", id), sup,
            F("{\"at\":\"2025-05-07T15:00:00+02:00\",\"aid_id\":\"%s\"}", a), 200);
    assert_int_equal(integer(d, "working_days"), 4);
    assert_true(json_is_true(json_object_get(d, "within_term")));
    assert_string_equal(str(d, "status"), "delivered");
    json_t *item = ask("GET", F("/v1/aids/%s", a), sup, NULL, 200);
    assert_string_equal(str(item, "status"), "lent");
    assert_string_equal(str(item, "loan_id"), str(d, "loan_id"));
    expect_error("POST", F("/v1/deliveries/%s/delivered", id), sup,
                 F("{\"at\":\"2025-05-08T15:00:00+02:00\",\"aid_id\":\"%s\"}", a2), 409,
                 "conflict");
    ask("GET", F("/v1/deliveries/%s", id), sup, NULL, 200);
    expect_error("GET", F("/v1/deliveries/%s", id), rival, NULL, 404, "not_found");

    /* late: ordered Tuesday 22 April, delivered Wednesday 30 April = 6 */
    d = ask("POST", "/v1/deliveries", api_desk,
            F("{\"client_id\":\"%s\",\"model_id\":\"%s\",\"ordered_at\":"
              "\"2025-04-22T11:00:00+02:00\"}",
              c2, m),
            201);
    d = ask("POST", F("/v1/deliveries/%s/delivered", str(d, "id")), api_desk,
            F("{\"at\":\"2025-04-30T09:00:00+02:00\",\"aid_id\":\"%s\"}", a2), 200);
    assert_int_equal(integer(d, "working_days"), 6);
    assert_true(json_is_false(json_object_get(d, "within_term")));
    /* a second walker for the first client is refused at order time */
    expect_error("POST", "/v1/deliveries", api_desk,
                 F("{\"client_id\":\"%s\",\"model_id\":\"%s\",\"ordered_at\":"
                   "\"2025-06-01T11:00:00+02:00\"}",
                   c, m),
                 422, "depreciation_period_running");
}

/* Suppliers see only their own; residents only what is lent to them. */
static void
test_roles(void **state)
{
    (void)state;
    const char *s = supplier("Eigen", 7), *t = supplier("Ander", 7);
    const char *ms = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    const char *mt = model(t, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    const char *as = str(aid(ms, "R-1", (struct civil_date){2025, 1, 1}, 100000, NULL), "id");
    const char *as2 = str(aid(ms, "R-2", (struct civil_date){2025, 1, 1}, 100000, NULL), "id");
    const char *at = str(aid(mt, "R-3", (struct civil_date){2025, 1, 1}, 100000, NULL), "id");
    const char *ts = harness_token(&H, "supplier", "--supplier", s);
    const char *tt = harness_token(&H, "supplier", "--supplier", t);
    owned[n_owned++] = (void *)ts;
    owned[n_owned++] = (void *)tt;
    ask("GET", F("/v1/aids/%s", as), ts, NULL, 200);
    expect_error("GET", F("/v1/aids/%s", as), tt, NULL, 404, "not_found");
    expect_error("GET", F("/v1/aid-models/%s", ms), tt, NULL, 404, "not_found");
    expect_error("GET", F("/v1/suppliers/%s", s), tt, NULL, 404, "not_found");
    expect_error("GET", F("/v1/suppliers/%s/maintenance.ics", s), tt, NULL, 404, "not_found");
    long before = rows();
    expect_error("POST", F("/v1/aids/%s/maintenance", as), tt,
                 "{\"performed_at\":\"2025-06-01T10:00:00+02:00\",\"kind\":\"service\","
                 "\"cost_cents\":100}",
                 404, "not_found");
    assert_int_equal(rows(), before);
    expect_error("GET", F("/v1/aids?supplier_id=%s", s), tt, NULL, 403, "forbidden");
    json_t *list = ask("GET", "/v1/aids", tt, NULL, 200);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(str(json_array_get(items, 0), "id"), at);
    expect_error("POST", "/v1/aids", tt,
                 F("{\"model_id\":\"%s\",\"serial\":\"X\",\"purchase_date\":\"2025-01-01\","
                   "\"purchase_price_cents\":1}",
                   mt),
                 403, "forbidden");

    const char *c = client("ROLE-1");
    const char *loan = str(lend(as, c, "2025-02-01T10:00:00+01:00", NULL, 201), "id");
    const char *res = harness_token(&H, "resident", "--client", c);
    owned[n_owned++] = (void *)res;
    json_t *mine = ask("GET", F("/v1/aids/%s", as), res, NULL, 200);
    assert_string_equal(str(mine, "status"), "lent");
    expect_error("GET", F("/v1/aids/%s", as2), res, NULL, 404, "not_found");
    expect_error("GET", F("/v1/aids/%s", at), res, NULL, 404, "not_found");
    ask("GET", F("/v1/loans/%s", loan), res, NULL, 200);
    expect_error("GET", "/v1/aids", res, NULL, 403, "forbidden");
    expect_error("GET", F("/v1/loans/%s/recovery", loan), res, NULL, 403, "forbidden");
    /* once returned, it is no longer hers to see */
    ask("POST", F("/v1/loans/%s/return", loan), api_desk,
        "{\"at\":\"2025-03-01T10:00:00+01:00\",\"condition\":\"needs_repair\"}", 200);
    expect_error("GET", F("/v1/aids/%s", as), res, NULL, 404, "not_found");
    assert_string_equal(str(ask("GET", F("/v1/aids/%s", as), api_desk, NULL, 200), "status"),
                        "in_repair");
}

/* Idempotency-Key on a loan: the replay answers the same loan, once. */
static void
test_idempotent_loan(void **state)
{
    (void)state;
    const char *s = supplier("Idem", 7);
    const char *m = model(s, "other", 24, "FREQ=YEARLY", "fixed");
    const char *a = str(aid(m, "I-1", (struct civil_date){2025, 1, 1}, 1000, NULL), "id");
    const char *c = client("IDEM-1");
    const char *path = F("/v1/aids/%s/loans", a);
    const char *body = F("{\"client_id\":\"%s\",\"from\":\"2025-02-01T10:00:00+01:00\"}", c);
    struct http_resp r1 = harness_request(&H, "POST", path, api_desk, body, "Idempotency-Key: k-1");
    struct http_resp r2 = harness_request(&H, "POST", path, api_desk, body, "Idempotency-Key: k-1");
    assert_int_equal(r1.status, 201);
    assert_true(r2.status == 200 || r2.status == 201);
    assert_string_equal(str(r1.json, "id"), str(r2.json, "id"));
    http_resp_clear(&r1);
    http_resp_clear(&r2);
    assert_int_equal(sql_long(F("SELECT count(*) FROM aid_allocations WHERE aid_id = %s", a)), 1);
}

/* Journey 5: the desk ends the indication of a client who died; the
 * scootmobiel still on loan is marked to be collected, with its remaining
 * value for the file. A returned loan and an ordinary end mark nothing. */
static void
test_deceased_collect(void **state)
{
    (void)state;
    const char *s = supplier("Collect", 7);
    const char *sc = model(s, "scootmobiel", 84, "FREQ=YEARLY", "fixed");
    const char *wc = model(s, "wheelchair_manual", 60, "FREQ=YEARLY", "fixed");
    const char *scooter = str(aid(sc, "C-1", (struct civil_date){2024, 6, 1}, 300000, NULL), "id");
    const char *chair = str(aid(wc, "C-2", (struct civil_date){2024, 6, 1}, 100000, NULL), "id");
    const char *other = str(aid(wc, "C-3", (struct civil_date){2024, 6, 1}, 100000, NULL), "id");
    const char *c = client("COLLECT-1"), *alive = client("COLLECT-2");
    int64_t ind = add_indication(strtoll(c, NULL, 10), (struct civil_date){2025, 1, 1},
                                 (struct civil_date){2027, 12, 31}, 2000);
    int64_t ind2 = add_indication(strtoll(alive, NULL, 10), (struct civil_date){2025, 1, 1},
                                  (struct civil_date){2027, 12, 31}, 2000);
    const char *chair_loan = str(lend(chair, c, "2025-02-01T10:00:00+01:00", NULL, 201), "id");
    ask("POST", F("/v1/loans/%s/return", chair_loan), api_desk,
        "{\"at\":\"2025-06-01T10:00:00+02:00\",\"condition\":\"good\"}", 200);
    const char *scooter_loan = str(lend(scooter, c, "2025-03-01T10:00:00+01:00", NULL, 201), "id");
    const char *other_loan = str(lend(other, alive, "2025-03-01T10:00:00+01:00", NULL, 201), "id");
    const char *pool = str(ask("POST", "/v1/pools", api_desk,
                               "{\"name\":\"Pool Collect\",\"address\":" ADDRESS "}", 201),
                           "id");
    const char *pooled = str(aid(wc, "C-4", (struct civil_date){2024, 6, 1}, 100000, pool), "id");
    const char *reservation =
        str(ask("POST", F("/v1/pools/%s/reservations", pool), api_desk,
                F("{\"client_id\":\"%s\",\"aid_id\":\"%s\",\"from\":\"2030-05-01T09:00:00+02:00\","
                  "\"until\":\"2030-05-01T17:00:00+02:00\"}",
                  c, pooled),
                201),
            "id");

    /* an ordinary end: nothing to collect */
    json_t *e = ask("POST", F("/v1/indications/%lld/end", (long long)ind2), api_desk,
                    "{\"at\":\"2026-03-01\",\"reason\":\"moved\"}", 200);
    assert_int_equal(json_array_size(json_object_get(e, "aids_to_collect")), 0);
    assert_true(json_is_null(json_object_get(
        ask("GET", F("/v1/loans/%s", other_loan), api_desk, NULL, 200), "collect_from")));

    e = ask("POST", F("/v1/indications/%lld/end", (long long)ind), api_desk,
            "{\"at\":\"2026-03-01\",\"reason\":\"deceased\"}", 200);
    json_t *list = json_object_get(e, "aids_to_collect");
    assert_int_equal(json_array_size(list), 1);
    json_t *released = json_object_get(e, "cancelled_reservations");
    assert_int_equal(json_array_size(released), 1);
    assert_string_equal(str(json_array_get(released, 0), "id"), reservation);
    assert_string_equal(str(json_array_get(released, 0), "status"), "cancelled");
    json_t *loan = json_object_get(json_array_get(list, 0), "loan");
    json_t *value = json_object_get(json_array_get(list, 0), "value");
    assert_string_equal(str(loan, "id"), scooter_loan);
    assert_string_equal(str(loan, "aid_id"), scooter);
    assert_string_equal(str(loan, "collect_from"), "2026-03-01");
    assert_string_equal(str(loan, "status"), "active");
    assert_string_equal(str(value, "as_of"), "2026-03-01");
    /* the same remaining value the item's own page shows on that date */
    long long bv = integer(value, "book_value_cents");
    assert_true(bv > 30000 && bv < 300000);
    assert_int_equal(bv, book_value(scooter, "2026-03-01"));

    /* the loan shows it is to be collected; the returned one does not */
    json_t *g = ask("GET", F("/v1/loans/%s", scooter_loan), api_desk, NULL, 200);
    assert_string_equal(str(g, "collect_from"), "2026-03-01");
    assert_true(json_is_null(json_object_get(
        ask("GET", F("/v1/loans/%s", chair_loan), api_desk, NULL, 200), "collect_from")));
    assert_int_equal(
        sql_long("SELECT count(*) FROM aid_allocations WHERE collect_from IS NOT NULL"), 1);

    /* collected: the return closes the loan as usual, the mark stays */
    json_t *ret = ask("POST", F("/v1/loans/%s/return", scooter_loan), api_desk,
                      "{\"at\":\"2026-03-04T10:00:00+01:00\",\"condition\":\"good\"}", 200);
    assert_string_equal(str(ret, "status"), "returned");
    assert_string_equal(str(ret, "collect_from"), "2026-03-01");
    assert_string_equal(str(ask("GET", F("/v1/aids/%s", scooter), api_desk, NULL, 200), "status"),
                        "depot");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_and_values),
        cmocka_unit_test(test_loans_reissue_recovery),
        cmocka_unit_test(test_pool_reservations_race),
        cmocka_unit_test(test_maintenance_due_and_feed),
        cmocka_unit_test(test_deliveries),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_idempotent_loan),
        cmocka_unit_test(test_deceased_collect),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
