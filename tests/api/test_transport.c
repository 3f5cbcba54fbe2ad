/* API tests of transport: clients, indications, the allowance ledger and
 * bookings, over real HTTP against a real database. */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libical/ical.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct harness H;
#define desk api_desk /* a dispatcher token */

#define HOME "{\"address\":\"Spuiboulevard 300, Dordrecht\",\"lat\":51.8105,\"lon\":4.6651}"
#define HOSPITAL                                                                                   \
    "{\"address\":\"Albert Schweitzerplaats 25, Dordrecht\",\"lat\":51.7961,\"lon\":4.6781}"
#define FAR "{\"address\":\"Utrecht Centraal\",\"lat\":52.0894,\"lon\":5.1100}"

/* A client with an indication from a month ago for two years. */
static int64_t
travelling_client(const char *pass)
{
    int64_t id = create_client(pass, "Jansen");
    add_indication(id, in_days(-30), in_days(730), 2000);
    return id;
}

static char *
ride_body(int64_t client, const char *when_key, const char *when, const char *extra)
{
    return fmt("{\"client_id\":\"%lld\",\"pickup\":" HOME ",\"dropoff\":" HOSPITAL
               ",\"%s\":\"%s\",\"aid\":\"wheelchair\",\"channel\":\"phone\"%s}",
               (long long)client, when_key, when, extra ? extra : "");
}

static json_t *
allowance(int64_t client, int year)
{
    char *path = fmt("/v1/clients/%lld/allowance?year=%d", (long long)client, year);
    json_t *a = call("GET", path, desk, NULL, 200);
    free(path);
    return a;
}

static json_t *
book(int64_t client, struct civil_date d, int hh, int mm, long want)
{
    char *when = local_time(d, hh, mm);
    char *body = ride_body(client, "pickup_at", when, NULL);
    json_t *b = call("POST", "/v1/bookings", desk, body, want);
    free(when);
    free(body);
    return b;
}

static int
setup(void **state)
{
    (void)state;
    api_setup_tz();
    api_harness = &H;
    static const char *const env[] = {"RITMO_FREE_CANCEL_MIN=1440",
                                      "RITMO_SERVICE_HOURS=00:05-23:55", NULL};
    if (!harness_start(&H, env))
        return -1;
    desk = harness_token(&H, "dispatcher", NULL, NULL);
    return desk ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    free(desk);
    return harness_stop(&H) ? 0 : -1;
}

static void
test_clients(void **state)
{
    (void)state;
    int64_t id = create_client("WMO-1001", "Mevrouw A. Jansen");
    char *path = fmt("/v1/clients/%lld", (long long)id);
    json_t *c = call("GET", path, desk, NULL, 200);
    assert_string_equal(str(c, "pass_number"), "WMO-1001");
    assert_true(json_is_true(json_object_get(json_object_get(c, "needs"), "wheelchair")));
    assert_true(json_is_false(json_object_get(json_object_get(c, "needs"), "walker")));
    json_decref(c);
    c = call("PATCH", path, desk, "{\"phone\":\"078-1234567\"}", 200);
    assert_string_equal(str(c, "phone"), "078-1234567");
    assert_string_equal(str(c, "name"), "Mevrouw A. Jansen"); /* untouched */
    json_decref(c);
    expect_error("POST", "/v1/clients", desk,
                 "{\"pass_number\":\"WMO-1001\",\"name\":\"x\",\"home\":" HOME "}", 409,
                 "conflict");
    expect_error("POST", "/v1/clients", desk, "{\"pass_number\":\"X\",\"name\":\"x\"}", 400,
                 "missing_field");
    expect_error("POST", "/v1/clients", desk,
                 "{\"pass_number\":\"X\",\"name\":\"x\",\"home\":{\"address\":\"a\",\"lat\":95,"
                 "\"lon\":4}}",
                 400, "invalid_field");
    c = call("GET", "/v1/clients?q=jans", desk, NULL, 200);
    assert_true(json_array_size(json_object_get(c, "items")) >= 1);
    json_decref(c);
    c = call("GET", "/v1/clients?q=WMO-1001", desk, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(c, "items")), 1);
    json_decref(c);
    /* a resident sees only herself */
    int64_t other = create_client("WMO-1002", "Meneer De Boer");
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    char *resident = harness_token(&H, "resident", "--client", id_text);
    c = call("GET", path, resident, NULL, 200);
    json_decref(c);
    char *other_path = fmt("/v1/clients/%lld", (long long)other);
    expect_error("GET", other_path, resident, NULL, 404, "not_found");
    expect_error("GET", "/v1/clients?q=x", resident, NULL, 403, "forbidden");
    free(other_path);
    free(resident);
    free(path);
}

static void
test_booking_and_its_checks(void **state)
{
    (void)state;
    int64_t id = travelling_client("WMO-2001");
    long bookings_before = sql_long("SELECT count(*) FROM bookings");
    long entries_before = sql_long("SELECT count(*) FROM allowance_entries");
    struct civil_date d = in_days(3);
    char *when, *body;

    /* too late: 30 minutes from now */
    time_t soon = time(NULL) + 1800;
    struct tm tm;
    localtime_r(&soon, &tm);
    when = local_time((struct civil_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}, tm.tm_hour,
                      tm.tm_min);
    body = ride_body(id, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", desk, body, 422, "too_late_to_book");
    free(when);
    free(body);
    /* in the past */
    when = local_time(in_days(-2), 10, 0);
    body = ride_body(id, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", desk, body, 422, "too_late_to_book");
    free(when);
    free(body);
    /* outside service hours (00:05-23:55 in this test) */
    when = local_time(d, 0, 1);
    body = ride_body(id, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", desk, body, 422, "outside_service_hours");
    free(when);
    free(body);
    /* outside the service area */
    when = local_time(d, 10, 0);
    body = fmt("{\"client_id\":\"%lld\",\"pickup\":" HOME ",\"dropoff\":" FAR
               ",\"pickup_at\":\"%s\",\"channel\":\"app\"}",
               (long long)id, when);
    expect_error("POST", "/v1/bookings", desk, body, 422, "outside_service_area");
    free(body);
    /* no indication */
    int64_t none = create_client("WMO-2002", "Zonder Indicatie");
    body = ride_body(none, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", desk, body, 422, "no_valid_indication");
    free(body);
    /* suspended */
    int64_t susp = create_client("WMO-2003", "In Ziekenhuis");
    int64_t ind = add_indication(susp, in_days(-30), in_days(400), 2000);
    char *path = fmt("/v1/indications/%lld/suspensions", (long long)ind);
    char *from = date_text(in_days(2)), *until = date_text(in_days(5));
    char *sbody = fmt("{\"from\":\"%s\",\"until\":\"%s\",\"reason\":\"hospital\"}", from, until);
    json_t *s = call("POST", path, desk, sbody, 201);
    json_decref(s);
    body = ride_body(susp, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", desk, body, 422, "indication_suspended");
    free(body);
    free(path);
    free(from);
    free(until);
    free(sbody);
    /* not enough km: a 1 km grant */
    int64_t poor = create_client("WMO-2004", "Weinig Km");
    add_indication(poor, in_days(-400), in_days(400), 1);
    body = ride_body(poor, "pickup_at", when, NULL);
    json_t *e = call("POST", "/v1/bookings", desk, body, 422);
    assert_string_equal(str(json_object_get(e, "error"), "code"), "allowance_exceeded");
    assert_non_null(strstr(str(json_object_get(e, "error"), "message"), "km remain for"));
    json_decref(e);
    free(body);
    /* bad input */
    body = ride_body(id, "pickup_at", "tomorrow at ten", NULL);
    expect_error("POST", "/v1/bookings", desk, body, 400, "invalid_field");
    free(body);
    body = fmt("{\"client_id\":\"%lld\",\"pickup\":" HOME ",\"dropoff\":" HOSPITAL
               ",\"pickup_at\":\"%s\",\"arrive_by\":\"%s\",\"channel\":\"app\"}",
               (long long)id, when, when);
    expect_error("POST", "/v1/bookings", desk, body, 400, "invalid_field");
    free(body);
    body = ride_body(id, "pickup_at", when, ",\"recurrence\":\"RRULE:FREQ=WEEKLY\"");
    expect_error("POST", "/v1/bookings", desk, body, 400, "invalid_field");
    free(body);
    body = ride_body(id, "pickup_at", when, ",\"companions\":9");
    expect_error("POST", "/v1/bookings", desk, body, 400, "invalid_field");
    free(body);
    /* nothing was written by any of the failures */
    assert_int_equal(sql_long("SELECT count(*) FROM bookings"), bookings_before);
    assert_int_equal(sql_long("SELECT count(*) FROM allowance_entries"), entries_before);

    /* a good booking reserves its distance */
    json_t *b = book(id, d, 10, 0, 201);
    double km = num(b, "distance_km");
    assert_true(km > 1.0 && km < 5.0);
    assert_string_equal(str(b, "status"), "requested");
    assert_string_equal(str(b, "distance_provider"), "haversine");
    assert_string_equal(str(json_object_get(b, "window"), "earliest"), when);
    json_t *a = allowance(id, d.year);
    assert_true(fabs(num(a, "reserved_km") - km) < 0.051);
    assert_true(fabs(num(a, "remaining_km") - (num(a, "granted_km") - km)) < 0.051);
    json_decref(a);
    /* its GET answers the same body */
    char *bpath = fmt("/v1/bookings/%s", str(b, "id"));
    json_t *g = call("GET", bpath, desk, NULL, 200);
    json_object_del(json_object_get(b, "allowance"), "by_year"); /* the POST adds the years */
    assert_true(json_equal(g, b));
    json_decref(g);
    free(bpath);
    json_decref(b);
    free(when);
}

static void
test_lifecycle_ledger(void **state)
{
    (void)state;
    int64_t id = travelling_client("WMO-3001");
    struct civil_date d = in_days(4);
    json_t *a = allowance(id, d.year);
    double granted = num(a, "granted_km");
    json_decref(a);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char *now = local_time(today(), tm.tm_hour, tm.tm_min);

    /* completed: reserve -> debit */
    json_t *b = book(id, d, 9, 0, 201);
    double km = num(b, "distance_km");
    char *ev = fmt("/v1/bookings/%s/events", str(b, "id"));
    char *body = fmt("{\"type\":\"dropped_off\",\"at\":\"%s\"}", now);
    expect_error("POST", ev, desk, body, 409, "conflict"); /* not picked up yet */
    free(body);
    body = fmt("{\"type\":\"picked_up\",\"at\":\"%s\",\"odometer_km\":12034.5}", now);
    json_t *x = call("POST", ev, desk, body, 200);
    assert_string_equal(str(x, "status"), "picked_up");
    json_decref(x);
    free(body);
    body = fmt("{\"type\":\"dropped_off\",\"at\":\"%s\"}", now);
    x = call("POST", ev, desk, body, 200);
    assert_string_equal(str(x, "status"), "completed");
    json_decref(x);
    expect_error("POST", ev, desk, body, 409, "conflict"); /* twice does not fit */
    free(body);
    free(ev);
    json_decref(b);
    a = allowance(id, d.year);
    assert_true(fabs(num(a, "used_km") - km) < 0.051);
    assert_true(fabs(num(a, "reserved_km")) < 0.001);
    json_decref(a);

    /* free cancellation (more than 24 h ahead here): reserve -> release */
    b = book(id, d, 11, 0, 201);
    char *cancel = fmt("/v1/bookings/%s/cancel", str(b, "id"));
    x = call("POST", cancel, desk, "{\"reason\":\"feeling ill\"}", 200);
    assert_string_equal(str(x, "status"), "cancelled");
    json_decref(x);
    expect_error("POST", cancel, desk, "{\"reason\":\"again\"}", 409, "conflict");
    free(cancel);
    json_decref(b);
    a = allowance(id, d.year);
    assert_true(fabs(num(a, "used_km") - km) < 0.051); /* unchanged */
    assert_true(fabs(num(a, "reserved_km")) < 0.001);
    json_decref(a);

    /* late cancellation (within 24 h): debited like a ride */
    time_t later = time(NULL) + 3 * 3600;
    localtime_r(&later, &tm);
    struct civil_date ld = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    if (tm.tm_hour >= 1 && tm.tm_hour < 23) {
        b = book(id, ld, tm.tm_hour, 0, 201);
        cancel = fmt("/v1/bookings/%s/cancel", str(b, "id"));
        x = call("POST", cancel, desk, "{\"reason\":\"forgot\"}", 200);
        json_decref(x);
        free(cancel);
        double late_km = num(b, "distance_km");
        json_decref(b);
        a = allowance(id, ld.year);
        double used_expected = (ld.year == d.year ? km : 0) + late_km;
        assert_true(fabs(num(a, "used_km") - used_expected) < 0.11);
        json_decref(a);
    }

    /* no-show: debited */
    b = book(id, d, 13, 0, 201);
    ev = fmt("/v1/bookings/%s/events", str(b, "id"));
    body = fmt("{\"type\":\"no_show\",\"at\":\"%s\"}", now);
    x = call("POST", ev, desk, body, 200);
    assert_string_equal(str(x, "status"), "no_show");
    json_decref(x);
    free(body);
    free(ev);
    json_decref(b);

    /* the ledger adds up to the account */
    char *sql = fmt("SELECT (SELECT reserved_m FROM allowance_accounts WHERE client_id = %lld AND "
                    "year = %d) - coalesce(sum(CASE kind WHEN 'reserve' THEN metres WHEN "
                    "'release' THEN -metres WHEN 'debit' THEN -metres ELSE 0 END), 0) FROM "
                    "allowance_entries WHERE client_id = %lld AND year = %d",
                    (long long)id, d.year, (long long)id, d.year);
    assert_int_equal(sql_long(sql), 0);
    free(sql);
    sql = fmt("SELECT (SELECT used_m FROM allowance_accounts WHERE client_id = %lld AND year = "
              "%d) - coalesce(sum(metres) FILTER (WHERE kind = 'debit'), 0) FROM "
              "allowance_entries WHERE client_id = %lld AND year = %d",
              (long long)id, d.year, (long long)id, d.year);
    assert_int_equal(sql_long(sql), 0);
    free(sql);
    /* and cannot be rewritten */
    assert_null(harness_sql(&H, "UPDATE allowance_entries SET metres = 0"));
    assert_null(harness_sql(&H, "DELETE FROM allowance_entries"));
    a = allowance(id, d.year);
    assert_true(num(a, "granted_km") == granted);
    assert_true(json_array_size(json_object_get(a, "entries")) >= 6);
    json_decref(a);
    free(now);
}

static double
pro_rata(int km, int days, int year_days)
{
    return floor((double)km * 10 * days / year_days + 0.5) / 10;
}

static void
test_pro_rata_and_adjustment(void **state)
{
    (void)state;
    int y = today().year + 1;
    int year_days = civil_date_is_leap_year(y) ? 366 : 365;
    int64_t id = create_client("WMO-4001", "Halfjaar");
    add_indication(id, (struct civil_date){y, 4, 1}, (struct civil_date){y + 1, 3, 31}, 2000);
    json_t *a = allowance(id, y);
    int days = year_days - (civil_date_is_leap_year(y) ? 91 : 90);
    assert_true(fabs(num(a, "granted_km") - pro_rata(2000, days, year_days)) < 0.001);
    json_decref(a);
    /* an indication that ends in March grants January to March */
    int64_t id2 = create_client("WMO-4002", "Eindigt Maart");
    int64_t ind =
        add_indication(id2, (struct civil_date){y, 1, 1}, (struct civil_date){y, 12, 31}, 1500);
    char *path = fmt("/v1/indications/%lld/end", (long long)ind);
    char *body = fmt("{\"at\":\"%d-04-01\",\"reason\":\"moved\"}", y);
    json_t *e = call("POST", path, desk, body, 200);
    char *ended = fmt("%d-04-01", y);
    assert_string_equal(str(e, "ended_on"), ended);
    free(ended);
    json_decref(e);
    free(path);
    free(body);
    a = allowance(id2, y);
    assert_true(fabs(num(a, "granted_km") -
                     pro_rata(1500, civil_date_is_leap_year(y) ? 91 : 90, year_days)) < 0.001);
    json_decref(a);
    /* an adjustment corrects the grant, with its reason in the ledger */
    path = fmt("/v1/clients/%lld/allowance/adjustments", (long long)id);
    body = fmt("{\"year\":%d,\"km\":120.5,\"reason\":\"bezwaar 2026-118 toegewezen\"}", y);
    a = call("POST", path, desk, body, 201);
    assert_true(fabs(num(a, "granted_km") - (pro_rata(2000, days, year_days) + 120.5)) < 0.001);
    json_t *last = json_array_get(json_object_get(a, "entries"), 0);
    assert_string_equal(str(last, "kind"), "adjust");
    assert_string_equal(str(last, "reason"), "bezwaar 2026-118 toegewezen");
    json_decref(a);
    free(body);
    /* it may not take back more than is left */
    body = fmt("{\"year\":%d,\"km\":-9999,\"reason\":\"x\"}", y);
    expect_error("POST", path, desk, body, 400, "invalid_field");
    free(body);
    body = fmt("{\"year\":%d,\"km\":-3000,\"reason\":\"x\"}", y);
    expect_error("POST", path, desk, body, 422, "allowance_exceeded");
    free(body);
    free(path);
}

static void
test_year_boundary(void **state)
{
    (void)state;
    struct civil_date t = today();
    int y = (t.month == 12 && t.day >= 30) ? t.year + 1 : t.year;
    int64_t id = create_client("WMO-5001", "Oudjaar");
    add_indication(id, (struct civil_date){y, 1, 1}, (struct civil_date){y + 1, 12, 31}, 2000);
    json_t *b1 = book(id, (struct civil_date){y, 12, 31}, 23, 30, 201);
    json_t *b2 = book(id, (struct civil_date){y + 1, 1, 1}, 0, 10, 201);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b1, "allowance"), "year")),
                     y);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b2, "allowance"), "year")),
                     y + 1);
    json_t *a = allowance(id, y), *a2 = allowance(id, y + 1);
    assert_true(fabs(num(a, "reserved_km") - num(b1, "distance_km")) < 0.051);
    assert_true(fabs(num(a2, "reserved_km") - num(b2, "distance_km")) < 0.051);
    json_decref(a);
    json_decref(a2);
    json_decref(b1);
    json_decref(b2);
}

/* The last Sunday of October on or after today. */
static struct civil_date
next_october_change(void)
{
    struct civil_date t = today();
    for (int y = t.year;; y++) {
        struct civil_date d = {y, 10, 31};
        while (civil_date_weekday(d) != 7)
            d.day--;
        if (civil_date_compare(d, civil_date_add_days(t, 10)) > 0)
            return d;
    }
}

static void
test_series_across_dst_with_return(void **state)
{
    (void)state;
    int64_t id = create_client("WMO-6001", "Dialyse");
    add_indication(id, in_days(-30), in_days(800), 2000);
    struct civil_date change = next_october_change();
    struct civil_date first = civil_date_add_days(change, -12); /* a Tuesday */
    char *when = local_time(first, 8, 30);
    char *ret = local_time(first, 12, 30);
    char *extra = fmt(",\"return\":{\"pickup_at\":\"%s\"},\"recurrence\":"
                      "\"RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6\"",
                      ret);
    char *body = ride_body(id, "arrive_by", when, extra);
    json_t *b = call("POST", "/v1/bookings", desk, body, 201);
    assert_non_null(json_object_get(b, "series_id"));
    assert_false(json_is_null(json_object_get(b, "return_id")));
    assert_int_equal(json_array_size(json_object_get(b, "occurrences")), 6);
    char *path = fmt("/v1/series/%s", str(b, "series_id"));
    json_t *s = call("GET", path, desk, NULL, 200);
    json_t *list = json_object_get(s, "bookings");
    assert_int_equal(json_array_size(list), 12); /* 6 outward + 6 return */
    size_t i;
    json_t *o;
    int before = 0, after = 0;
    json_array_foreach(list, i, o)
    {
        const char *t = json_string_value(json_object_get(o, "arrive_by"));
        if (!t)
            t = str(o, "pickup_at");
        /* local time kept on both sides of the change: 08:30 or 12:30 */
        assert_true(strstr(t, "T08:30:00+") || strstr(t, "T12:30:00+"));
        before += strstr(t, "+02:00") != NULL;
        after += strstr(t, "+01:00") != NULL;
    }
    assert_true(before > 0 && after > 0);
    json_decref(s);
    /* cancel the rest of the series from the change on */
    char *cpath = fmt("/v1/series/%s/cancel", str(b, "series_id"));
    char *from = local_time(change, 0, 0);
    char *cbody = fmt("{\"from\":\"%s\"}", from);
    s = call("POST", cpath, desk, cbody, 200);
    assert_true(json_array_size(json_object_get(s, "cancelled")) >= 2);
    json_decref(s);
    free(cpath);
    free(cbody);
    free(from);
    free(path);
    json_decref(b);
    free(body);
    free(extra);

    /* all or nothing: a suspension in the middle makes the series fail */
    int64_t id2 = create_client("WMO-6002", "Opname");
    int64_t ind = add_indication(id2, in_days(-30), in_days(800), 2000);
    char *sp = fmt("/v1/indications/%lld/suspensions", (long long)ind);
    char *sf = date_text(civil_date_add_days(first, 6)),
         *su = date_text(civil_date_add_days(first, 8));
    char *sb = fmt("{\"from\":\"%s\",\"until\":\"%s\",\"reason\":\"opname\"}", sf, su);
    json_decref(call("POST", sp, desk, sb, 201));
    long before_n = sql_long("SELECT count(*) FROM bookings");
    extra = fmt(",\"recurrence\":\"RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4\"");
    body = ride_body(id2, "arrive_by", when, extra);
    json_t *e = call("POST", "/v1/bookings", desk, body, 422);
    assert_string_equal(str(json_object_get(e, "error"), "code"), "indication_suspended");
    assert_non_null(strstr(str(json_object_get(e, "error"), "message"), "occurrence 2"));
    json_decref(e);
    assert_int_equal(sql_long("SELECT count(*) FROM bookings"), before_n);
    free(sp);
    free(sf);
    free(su);
    free(sb);
    free(extra);
    free(body);
    free(when);
    free(ret);
}

static void
test_idempotency_and_quote(void **state)
{
    (void)state;
    int64_t id = travelling_client("WMO-7001");
    char *when = local_time(in_days(5), 10, 0);
    char *body = ride_body(id, "pickup_at", when, NULL);
    long bookings = sql_long("SELECT count(*) FROM bookings");
    long entries = sql_long("SELECT count(*) FROM allowance_entries");
    json_t *q = call("POST", "/v1/bookings/quote", desk, body, 200);
    assert_true(num(q, "distance_km") > 1.0);
    assert_true(num(q, "remaining_km_after") < 2000.0);
    json_decref(q);
    assert_int_equal(sql_long("SELECT count(*) FROM bookings"), bookings);
    assert_int_equal(sql_long("SELECT count(*) FROM allowance_entries"), entries);

    struct http_resp r1 =
        harness_request(&H, "POST", "/v1/bookings", desk, body, "Idempotency-Key: ride-7001-a");
    struct http_resp r2 =
        harness_request(&H, "POST", "/v1/bookings", desk, body, "Idempotency-Key: ride-7001-a");
    assert_int_equal(r1.status, 201);
    assert_int_equal(r2.status, 201);
    assert_string_equal(str(r1.json, "id"), str(r2.json, "id"));
    assert_int_equal(sql_long("SELECT count(*) FROM bookings"), bookings + 1);
    assert_int_equal(sql_long("SELECT count(*) FROM allowance_entries"), entries + 1);
    http_resp_clear(&r1);
    http_resp_clear(&r2);
    char *other = ride_body(id, "pickup_at", when, ",\"notes\":\"rollator mee\"");
    r1 = harness_request(&H, "POST", "/v1/bookings", desk, other, "Idempotency-Key: ride-7001-a");
    assert_int_equal(r1.status, 409);
    assert_string_equal(http_resp_error_code(&r1), "conflict");
    http_resp_clear(&r1);
    assert_int_equal(sql_long("SELECT count(*) FROM bookings"), bookings + 1);
    free(other);
    free(body);
    free(when);
}

static void
test_deceased(void **state)
{
    (void)state;
    int64_t id = create_client("WMO-8001", "Overleden");
    int64_t ind = add_indication(id, in_days(-30), in_days(400), 2000);
    json_t *b1 = book(id, in_days(3), 10, 0, 201), *b2 = book(id, in_days(6), 10, 0, 201);
    char *path = fmt("/v1/indications/%lld/end", (long long)ind);
    char *t = date_text(in_days(1));
    char *body = fmt("{\"at\":\"%s\",\"reason\":\"deceased\"}", t);
    json_t *e = call("POST", path, desk, body, 200);
    assert_int_equal(json_array_size(json_object_get(e, "cancelled_bookings")), 2);
    json_decref(e);
    expect_error("POST", path, desk, body, 409, "conflict");
    json_t *a = allowance(id, in_days(3).year);
    assert_true(fabs(num(a, "reserved_km")) < 0.001);
    assert_true(fabs(num(a, "used_km")) < 0.001);
    json_decref(a);
    char *bp = fmt("/v1/bookings/%s", str(b1, "id"));
    json_t *g = call("GET", bp, desk, NULL, 200);
    assert_string_equal(str(g, "status"), "cancelled");
    json_decref(g);
    char *cp = fmt("/v1/clients/%lld", (long long)id);
    g = call("GET", cp, desk, NULL, 200);
    assert_string_equal(str(g, "deceased_on"), t);
    json_decref(g);
    free(cp);
    free(bp);
    free(path);
    free(t);
    free(body);
    json_decref(b1);
    json_decref(b2);
}

struct race {
    const char *base;
    const char *body;
    long status;
};

static void *
race_one(void *arg)
{
    struct race *x = arg;
    struct http_resp r = harness_request_to(x->base, "POST", "/v1/bookings", desk, x->body, NULL);
    x->status = r.status;
    http_resp_clear(&r);
    return NULL;
}

/* 50 parallel bookings where the remaining allowance fits exactly 10. */
static void
race(const char *pass, bool two_servers)
{
    int64_t id = travelling_client(pass);
    struct civil_date d = in_days(8);
    json_t *b = book(id, d, 10, 0, 201);
    char *sql = fmt("SELECT distance_m FROM bookings WHERE id = %s", str(b, "id"));
    long dist = sql_long(sql);
    free(sql);
    char *cancel = fmt("/v1/bookings/%s/cancel", str(b, "id"));
    json_decref(call("POST", cancel, desk, "{\"reason\":\"setup\"}", 200));
    free(cancel);
    json_decref(b);
    sql = fmt("SELECT base_m + adjusted_m - reserved_m - used_m FROM allowance_accounts WHERE "
              "client_id = %lld AND year = %d",
              (long long)id, d.year);
    long remaining = sql_long(sql);
    free(sql);
    char *adj = fmt("/v1/clients/%lld/allowance/adjustments", (long long)id);
    char *abody = fmt("{\"year\":%d,\"km\":%.3f,\"reason\":\"test: fits exactly 10 rides\"}",
                      d.year, (double)(10 * dist - remaining) / 1000.0);
    json_decref(call("POST", adj, desk, abody, 201));
    free(adj);
    free(abody);

    char *when = local_time(d, 11, 0);
    char *body = ride_body(id, "pickup_at", when, NULL);
    pthread_t th[50];
    struct race x[50];
    for (int i = 0; i < 50; i++) {
        x[i] = (struct race){two_servers && i % 2 ? H.base_url2 : H.base_url, body, 0};
        assert_int_equal(pthread_create(&th[i], NULL, race_one, &x[i]), 0);
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < 50; i++) {
        pthread_join(th[i], NULL);
        ok += x[i].status == 201;
        refused += x[i].status == 422;
    }
    assert_int_equal(ok, 10);
    assert_int_equal(refused, 40);
    sql = fmt("SELECT count(*) FROM bookings WHERE client_id = %lld AND status = 'requested'",
              (long long)id);
    assert_int_equal(sql_long(sql), 10);
    free(sql);
    sql = fmt("SELECT reserved_m + used_m - (base_m + adjusted_m) FROM allowance_accounts WHERE "
              "client_id = %lld AND year = %d",
              (long long)id, d.year);
    assert_int_equal(sql_long(sql), 0); /* exactly spent, never over */
    free(sql);
    sql = fmt("SELECT a.reserved_m - (SELECT coalesce(sum(CASE kind WHEN 'reserve' THEN metres "
              "WHEN 'release' THEN -metres WHEN 'debit' THEN -metres ELSE 0 END), 0) FROM "
              "allowance_entries e WHERE e.client_id = a.client_id AND e.year = a.year) FROM "
              "allowance_accounts a WHERE a.client_id = %lld AND a.year = %d",
              (long long)id, d.year);
    assert_int_equal(sql_long(sql), 0);
    free(sql);
    free(body);
    free(when);
}

static void
test_concurrent_bookings_one_server(void **state)
{
    (void)state;
    race("WMO-9001", false);
}

static void
test_concurrent_bookings_two_servers(void **state)
{
    (void)state;
    assert_true(harness_start_second_server(&H));
    race("WMO-9002", true);
}

static void
test_resident_rules_and_report(void **state)
{
    (void)state;
    int64_t me = travelling_client("WMO-9101"), other = travelling_client("WMO-9102");
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)me);
    char *resident = harness_token(&H, "resident", "--client", id_text);
    char *when = local_time(in_days(9), 10, 0);
    char *body = ride_body(other, "pickup_at", when, NULL);
    expect_error("POST", "/v1/bookings", resident, body, 403, "forbidden");
    free(body);
    json_t *theirs = book(other, in_days(9), 10, 0, 201);
    char *path = fmt("/v1/bookings/%s", str(theirs, "id"));
    expect_error("GET", path, resident, NULL, 404, "not_found");
    free(path);
    path = fmt("/v1/bookings/%s/cancel", str(theirs, "id"));
    expect_error("POST", path, resident, "{\"reason\":\"x\"}", 404, "not_found");
    free(path);
    body = ride_body(me, "pickup_at", when, NULL);
    json_t *mine = call("POST", "/v1/bookings", resident, body, 201);
    assert_string_equal(str(mine, "booked_by_role"), "resident");
    json_t *l = call("GET", "/v1/bookings", resident, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    json_decref(mine);
    json_decref(theirs);
    free(body);
    free(when);
    char *year = fmt("/v1/reports/allowance?year=%d&format=csv", in_days(9).year);
    struct http_resp r = harness_request(&H, "GET", year, desk, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/csv"));
    assert_int_equal(strncmp(r.body, "client_id,year,granted_km", 25), 0);
    http_resp_clear(&r);
    expect_error("GET", year, resident, NULL, 403, "forbidden");
    free(year);
    free(resident);
}

static void
test_rides_ics(void **state)
{
    (void)state;
    int64_t id = travelling_client("WMO-9201");
    json_t *b1 = book(id, in_days(3), 10, 0, 201), *b2 = book(id, in_days(4), 10, 0, 201);
    char *cancel = fmt("/v1/bookings/%s/cancel", str(b2, "id"));
    json_decref(call("POST", cancel, desk, "{\"reason\":\"no need\"}", 200));
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    char *resident = harness_token(&H, "resident", "--client", id_text);
    /* calendar apps subscribe by URL: the token may be a query parameter */
    char *path = fmt("/v1/clients/%lld/rides.ics?token=%s", (long long)id, resident);
    struct http_resp r = harness_request(&H, "GET", path, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/calendar"));
    icalcomponent *cal = icalparser_parse_string(r.body);
    assert_non_null(cal);
    assert_non_null(icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT));
    int events = 0, cancelled = 0;
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        events++;
        char *uid2 = fmt("ride-%s@ritmo", str(b2, "id"));
        if (!strcmp(icalcomponent_get_uid(ev), uid2)) {
            assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
            assert_true(icalcomponent_get_sequence(ev) >= 1);
            cancelled++;
        }
        free(uid2);
    }
    assert_int_equal(events, 2);
    assert_int_equal(cancelled, 1);
    icalcomponent_free(cal);
    http_resp_clear(&r);
    /* another resident's feed does not exist for her; no token is 401 */
    char *other = fmt("/v1/clients/%lld/rides.ics?token=%s", (long long)id + 1000, resident);
    expect_error("GET", other, NULL, NULL, 404, "not_found");
    char *bare = fmt("/v1/clients/%lld/rides.ics", (long long)id);
    expect_error("GET", bare, NULL, NULL, 401, "unauthenticated");
    /* query tokens are for feeds only */
    char *q = fmt("/v1/clients/%lld?token=%s", (long long)id, resident);
    expect_error("GET", q, NULL, NULL, 401, "unauthenticated");
    free(q);
    free(bare);
    free(other);
    free(path);
    free(resident);
    free(cancel);
    json_decref(b1);
    json_decref(b2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_booking_and_its_checks),
        cmocka_unit_test(test_lifecycle_ledger),
        cmocka_unit_test(test_pro_rata_and_adjustment),
        cmocka_unit_test(test_year_boundary),
        cmocka_unit_test(test_series_across_dst_with_return),
        cmocka_unit_test(test_idempotency_and_quote),
        cmocka_unit_test(test_deceased),
        cmocka_unit_test(test_concurrent_bookings_one_server),
        cmocka_unit_test(test_concurrent_bookings_two_servers),
        cmocka_unit_test(test_resident_rules_and_report),
        cmocka_unit_test(test_rides_ics),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
