/* Helpers shared by the API tests (see apitest.h). */
#include "apitest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOME "{\"address\":\"Spuiboulevard 300, Dordrecht\",\"lat\":51.8105,\"lon\":4.6651}"
#define HOSPITAL                                                                                   \
    "{\"address\":\"Albert Schweitzerplaats 25, Dordrecht\",\"lat\":51.7961,\"lon\":4.6781}"

struct harness *api_harness;
char *api_desk;

void
api_setup_tz(void)
{
    setenv("TZ", "Europe/Amsterdam", 1);
    tzset();
}

static struct timespec started;

double
api_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - started.tv_sec) + (double)(t.tv_nsec - started.tv_nsec) / 1e9;
}

int
api_start(struct harness *h, const char *const *env)
{
    clock_gettime(CLOCK_MONOTONIC, &started);
    api_setup_tz();
    api_harness = h;
    if (!harness_start(h, env))
        return -1;
    api_desk = harness_token(h, "dispatcher", NULL, NULL);
    return api_desk ? 0 : -1;
}

int
api_stop(struct harness *h)
{
    free(api_desk);
    api_desk = NULL;
    return harness_stop(h) ? 0 : -1;
}

char *
fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    if (vasprintf(&s, f, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

/* A local time in Europe/Amsterdam as RFC 3339 with its offset. */
char *
local_time(struct civil_date d, int hh, int mm)
{
    struct tm tm = {.tm_year = d.year - 1900,
                    .tm_mon = d.month - 1,
                    .tm_mday = d.day,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_isdst = -1};
    mktime(&tm);
    long off = tm.tm_gmtoff;
    return fmt("%04d-%02d-%02dT%02d:%02d:00%c%02ld:%02ld", d.year, d.month, d.day, hh, mm,
               off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
}

struct civil_date
today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (struct civil_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

struct civil_date
in_days(int n)
{
    return civil_date_add_days(today(), n);
}

char *
date_text(struct civil_date d)
{
    return fmt("%04d-%02d-%02d", d.year, d.month, d.day);
}

json_t *
call(const char *method, const char *path, const char *token, const char *body, long want)
{
    struct http_resp r = harness_request(api_harness, method, path, token, body, NULL);
    if (r.status != want)
        fprintf(stderr, "%s %s: expected %ld, got %ld: %s\n", method, path, want, r.status, r.body);
    assert_int_equal(r.status, want);
    json_t *j = json_incref(r.json);
    http_resp_clear(&r);
    return j;
}

void
expect_error(const char *method, const char *path, const char *token, const char *body, long status,
             const char *code)
{
    json_t *j = call(method, path, token, body, status);
    const char *got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (!got || strcmp(got, code))
        fprintf(stderr, "%s %s: expected %s, got %s\n", method, path, code, got ? got : "none");
    assert_non_null(got);
    assert_string_equal(got, code);
    json_decref(j);
}

const char *
str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    assert_non_null(s);
    return s;
}

double
num(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

long
sql_long(const char *sql)
{
    char *out = harness_sql(api_harness, sql);
    assert_non_null(out);
    long v = strtol(out, NULL, 10);
    free(out);
    return v;
}

double
metric_value(const char *base, const char *name)
{
    struct http_resp r = harness_request_to(base, "GET", "/metrics", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    char *line = fmt("\n%s ", name);
    const char *at = strstr(r.body, line);
    assert_non_null(at);
    double v = strtod(at + strlen(line), NULL);
    free(line);
    http_resp_clear(&r);
    return v;
}

int64_t
create_client(const char *pass, const char *name)
{
    char *body = fmt("{\"pass_number\":\"%s\",\"name\":\"%s\",\"home\":" HOME
                     ",\"needs\":{\"wheelchair\":true}}",
                     pass, name);
    json_t *c = call("POST", "/v1/clients", api_desk, body, 201);
    int64_t id = strtoll(str(c, "id"), NULL, 10);
    json_decref(c);
    free(body);
    return id;
}

int64_t
add_indication(int64_t client, struct civil_date from, struct civil_date until, int km)
{
    char *f = date_text(from), *u = date_text(until);
    char *path = fmt("/v1/clients/%lld/indications", (long long)client);
    char *body = fmt("{\"kind\":\"transport\",\"valid_from\":\"%s\",\"valid_until\":\"%s\","
                     "\"annual_km\":%d}",
                     f, u, km);
    json_t *i = call("POST", path, api_desk, body, 201);
    int64_t id = strtoll(str(i, "id"), NULL, 10);
    json_decref(i);
    free(f);
    free(u);
    free(path);
    free(body);
    return id;
}

char *
ride_at(int64_t client, struct civil_date d, int minute, const char *notes)
{
    char *when = local_time(d, minute / 60, minute % 60);
    char *tag = notes ? fmt(",\"notes\":\"%s\"", notes) : NULL;
    char *body = fmt("{\"client_id\":\"%lld\",\"pickup\":" HOME ",\"dropoff\":" HOSPITAL
                     ",\"pickup_at\":\"%s\",\"aid\":\"wheelchair\",\"channel\":\"app\"%s}",
                     (long long)client, when, tag ? tag : "");
    free(tag);
    free(when);
    return body;
}

const char *const api_places[5] = {
    "{\"address\":\"Albert Schweitzerplaats 25\",\"lat\":51.7961,\"lon\":4.6781}",
    "{\"address\":\"Reeweg-Zuid 40\",\"lat\":51.7905,\"lon\":4.6905}",
    "{\"address\":\"Sterrenburg\",\"lat\":51.7957,\"lon\":4.7050}",
    "{\"address\":\"Kerkstraat 5, Sliedrecht\",\"lat\":51.8215,\"lon\":4.7734}",
    "{\"address\":\"Ringdijk 200, Zwijndrecht\",\"lat\":51.8128,\"lon\":4.6402}",
};

void
create_fleet(const char *day, char vehicle[][24], char run[][24])
{
    static const char *const vehicles[] = {
        "{\"name\":\"Bus 1\",\"seats\":6,\"wheelchair_places\":2,\"scootmobiel_places\":0,"
        "\"depot\":{\"address\":\"Depot\",\"lat\":51.805,\"lon\":4.66}}",
        "{\"name\":\"Bus 2\",\"seats\":4,\"wheelchair_places\":1,\"scootmobiel_places\":0,"
        "\"depot\":{\"address\":\"Depot\",\"lat\":51.805,\"lon\":4.66}}",
        "{\"name\":\"Car 3\",\"seats\":3,\"wheelchair_places\":0,\"scootmobiel_places\":0,"
        "\"depot\":{\"address\":\"Depot\",\"lat\":51.805,\"lon\":4.66}}",
    };
    for (int v = 0; v < 3; v++) {
        json_t *j = call("POST", "/v1/vehicles", api_desk, vehicles[v], 201);
        if (vehicle)
            snprintf(vehicle[v], 24, "%s", str(j, "id"));
        char *body = fmt("{\"vehicle_id\":\"%s\",\"date\":\"%s\",\"start\":\"07:00\","
                         "\"end\":\"19:00\"}",
                         str(j, "id"), day);
        json_decref(j);
        j = call("POST", "/v1/runs", api_desk, body, 201);
        snprintf(run[v], 24, "%s", str(j, "id"));
        json_decref(j);
        free(body);
    }
}

char *
post_booking(const char *base, const char *body, bool *scheduled)
{
    struct http_resp r = harness_request_to(base, "POST", "/v1/bookings", api_desk, body, NULL);
    if (r.status != 201)
        fprintf(stderr, "POST /v1/bookings at %s: %ld %s\n", base, r.status, r.body);
    assert_int_equal(r.status, 201);
    char *id = strdup(str(r.json, "id"));
    if (scheduled)
        *scheduled = !strcmp(str(r.json, "status"), "scheduled");
    http_resp_clear(&r);
    return id;
}

void
create_riders(const char *prefix, int n, int64_t *ids)
{
    for (int i = 0; i < n; i++) {
        char pass[32];
        snprintf(pass, sizeof pass, "%s-%d", prefix, i);
        ids[i] = create_client(pass, "Rider");
        add_indication(ids[i], in_days(-10), in_days(400), 2000);
    }
}

void
create_scooter_pool(const char *name, int n, char pool_id[24])
{
    char *supplier = fmt("{\"name\":\"%s\",\"email\":\"desk@pool.example\",\"webhook_url\":"
                         "\"https://pool.example/hook\",\"sla\":{\"delivery_working_days\":5,"
                         "\"breakdown_response_minutes\":240,\"breakdown_clock\":\"business\","
                         "\"repair_working_days\":5,\"maintenance_grace_days\":7}}",
                         name);
    json_t *s = call("POST", "/v1/suppliers", api_desk, supplier, 201);
    char *model = fmt("{\"type\":\"scootmobiel\",\"brand\":\"Vermeiren\",\"model\":\"T\","
                      "\"supplier_id\":\"%s\",\"depreciation_months\":84,"
                      "\"residual_value_pct\":10,\"maintenance_rule\":\"FREQ=YEARLY\","
                      "\"maintenance_anchor\":\"fixed\",\"list_price_cents\":150000}",
                      str(s, "id"));
    json_t *m = call("POST", "/v1/aid-models", api_desk, model, 201);
    char *pool = fmt("{\"name\":\"%s\",\"address\":" HOME "}", name);
    json_t *p = call("POST", "/v1/pools", api_desk, pool, 201);
    snprintf(pool_id, 24, "%s", str(p, "id"));
    for (int i = 0; i < n; i++) {
        char *aid = fmt("{\"model_id\":\"%s\",\"serial\":\"%s-%d\",\"purchase_date\":"
                        "\"2025-01-01\",\"purchase_price_cents\":250000,\"pool_id\":\"%s\"}",
                        str(m, "id"), name, i, pool_id);
        json_decref(call("POST", "/v1/aids", api_desk, aid, 201));
        free(aid);
    }
    json_decref(p);
    json_decref(m);
    json_decref(s);
    free(pool);
    free(model);
    free(supplier);
}

void
assert_ledger_adds_up(void)
{
    assert_int_equal(
        sql_long("SELECT count(*) FROM allowance_accounts a LEFT JOIN LATERAL (SELECT "
                 "coalesce(sum(CASE kind WHEN 'reserve' THEN metres WHEN 'release' THEN -metres "
                 "WHEN 'debit' THEN -metres ELSE 0 END), 0) AS reserved, coalesce(sum(metres) "
                 "FILTER (WHERE kind = 'debit'), 0) AS used FROM allowance_entries e WHERE "
                 "e.client_id = a.client_id AND e.year = a.year) s ON true WHERE a.reserved_m <> "
                 "s.reserved OR a.used_m <> s.used OR a.reserved_m + a.used_m > a.base_m + "
                 "a.adjusted_m"),
        0);
    /* every booking holding km has its reserve entry */
    assert_int_equal(
        sql_long(
            "SELECT count(*) FROM bookings b WHERE b.status IN ('requested', 'scheduled') AND NOT "
            "EXISTS (SELECT 1 FROM allowance_entries e WHERE e.booking_id = "
            "b.id AND e.kind = 'reserve')"),
        0);
}

void
assert_no_overlapping_allocations(void)
{
    assert_int_equal(sql_long("SELECT count(*) FROM aid_allocations a JOIN aid_allocations b ON "
                              "a.aid_id = b.aid_id AND a.id < b.id AND a.period && b.period "
                              "AND a.cancelled_at IS NULL AND b.cancelled_at IS NULL"),
                     0);
}

int64_t
time_member(json_t *j, const char *key)
{
    const char *s = str(j, key);
    struct tm tm = {0};
    int off_h = 0, off_m = 0;
    char sign = '+';
    assert_int_equal(sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &off_h, &off_m),
                     9);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - (sign == '-' ? -1 : 1) * (off_h * 3600 + off_m * 60);
}

/* The dropoff of the pickup at index i comes later on the same run,
 * within a ride time. */
static void
check_dropoff_follows(json_t *stops, size_t i, json_t *pickup, int64_t at)
{
    json_t *d;
    size_t k;
    bool found = false;
    json_array_foreach(stops, k, d)
    {
        if (k > i && !strcmp(str(d, "booking_id"), str(pickup, "booking_id"))) {
            assert_string_equal(str(d, "kind"), "dropoff");
            assert_true(time_member(d, "planned_at") - at <= 90 * 60);
            found = true;
        }
    }
    assert_true(found);
}

/* Whether the ride of stop s is closed: a no-show, or dropped off. Its
 * stops stay on the run as the record of what was driven, with the times
 * they had; the checks below are about the rides still to drive. */
static bool
closed_ride(json_t *stops, json_t *s)
{
    size_t k;
    json_t *x;
    json_array_foreach(stops, k, x)
    {
        if (strcmp(str(x, "booking_id"), str(s, "booking_id")))
            continue;
        if (!strcmp(str(x, "status"), "no_show") ||
            (!strcmp(str(x, "kind"), "dropoff") && !strcmp(str(x, "status"), "done")))
            return true;
    }
    return false;
}

int
check_manifest(const char *run_id, int seats, int wheelchairs)
{
    char *path = fmt("/v1/runs/%s/manifest", run_id);
    json_t *m = call("GET", path, api_desk, NULL, 200);
    free(path);
    json_t *stops = json_object_get(m, "stops");
    int64_t start = time_member(m, "start"), end = time_member(m, "end"), last = start;
    int load_seats = 0, load_wc = 0, rides = 0;
    json_int_t last_seq = 0;
    size_t i;
    json_t *s;
    json_array_foreach(stops, i, s)
    {
        /* in order (a cancelled ride leaves a gap in the numbers) */
        json_int_t seq = json_integer_value(json_object_get(s, "seq"));
        assert_true(seq > last_seq);
        last_seq = seq;
        if (closed_ride(stops, s))
            continue;
        int64_t at = time_member(s, "planned_at");
        assert_true(at >= last && at <= end);
        last = at;
        json_t *w = json_object_get(s, "window");
        bool pickup = !strcmp(str(s, "kind"), "pickup");
        bool window_here = !strcmp(str(w, "kind"), pickup ? "pickup" : "arrival");
        if (window_here) /* the promise holds (1 s for rounding) */
            assert_true(at >= time_member(w, "earliest") - 1 && at <= time_member(w, "latest") + 1);
        int people = (int)json_integer_value(json_object_get(s, "passengers"));
        bool wc = !strcmp(str(s, "aid"), "wheelchair");
        int sign = pickup ? 1 : -1;
        load_wc += sign * (wc ? 1 : 0);
        load_seats += sign * (wc ? people - 1 : people);
        assert_true(load_seats <= seats && load_wc <= wheelchairs);
        if (pickup) {
            rides++;
            check_dropoff_follows(stops, i, s, at);
        }
    }
    assert_int_equal(load_seats, 0);
    assert_int_equal(load_wc, 0);
    json_decref(m);
    return rides;
}
