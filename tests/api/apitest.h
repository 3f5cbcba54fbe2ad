/* Helpers shared by the API tests: formatting, local times in the service
 * zone, requests that assert their status, and common fixtures. Each test
 * sets api_harness (and api_desk, a dispatcher token) in its setup. */
#ifndef RITMO_TEST_APITEST_H
#define RITMO_TEST_APITEST_H

#include "harness.h"
#include "inventory/civil_date.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

extern struct harness *api_harness;
extern char *api_desk;

/* printf into a new string; caller frees. */
char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* A local time in Europe/Amsterdam (TZ set by api_setup_tz) as RFC 3339. */
char *local_time(struct civil_date d, int hh, int mm);
struct civil_date today(void);
struct civil_date in_days(int n);
char *date_text(struct civil_date d); /* caller frees */
void api_setup_tz(void);
/* The usual group setup: the time zone, the harness started with env
 * (NULL-terminated "NAME=value", or NULL) as api_harness, and api_desk.
 * 0 on success, as cmocka wants; api_stop is its teardown. */
int api_start(struct harness *h, const char *const *env);
/* Seconds since api_start, on the monotonic clock (for timing checks). */
double api_seconds(void);
int api_stop(struct harness *h);

/* A request that must answer `want`; returns its JSON (caller decrefs). */
json_t *call(const char *method, const char *path, const char *token, const char *body, long want);
/* A request that must fail with status and error code. */
void expect_error(const char *method, const char *path, const char *token, const char *body,
                  long status, const char *code);
const char *str(json_t *j, const char *key); /* asserts a string member */
double num(json_t *j, const char *key);      /* asserts a number member */
long sql_long(const char *sql);              /* a number from SQL */
/* The value of an unlabelled metric (e.g. "ritmo_db_tx_retries_total")
 * in GET /metrics of the server at base; asserts it is there. */
double metric_value(const char *base, const char *name);

/* A client with a home in Dordrecht; returns its id. */
int64_t create_client(const char *pass, const char *name);
/* A transport indication; returns its id. */
int64_t add_indication(int64_t client, struct civil_date from, struct civil_date until, int km);
/* A booking body: a wheelchair ride from the client's home to the
 * hospital, picked up `minute` minutes after local midnight of d, with
 * notes when not NULL (a tag to find the ride by). Caller frees. */
char *ride_at(int64_t client, struct civil_date d, int minute, const char *notes);
/* A supplier, a scootmobiel model and a pool holding n scootmobielen of
 * it; the pool's id goes to pool_id. name tells pools (and serials) apart. */
void create_scooter_pool(const char *name, int n, char pool_id[24]);
/* The dispatch tests' fleet: three vehicles at one depot (6 seats and 2
 * wheelchair places, 4 and 1, 3 and 0), each with a 07:00-19:00 run on
 * day (YYYY-MM-DD); their ids go to vehicle (may be NULL) and run. */
void create_fleet(const char *day, char vehicle[][24], char run[][24]);
/* n clients with passes "<prefix>-i" and 2,000 km indications, into ids. */
void create_riders(const char *prefix, int n, int64_t *ids);
/* POST /v1/bookings of body to the server at base; asserts 201 and returns
 * the booking's id (caller frees), and into *scheduled (when not NULL)
 * whether the ride went into the plan at once. */
char *post_booking(const char *base, const char *body, bool *scheduled);
/* Five destinations around Dordrecht, as JSON place objects. */
extern const char *const api_places[5];

/* Invariants that hold whatever happened before, checked in the database. */
/* The allowance ledger adds up: each account's reserved and used metres
 * are the sums of its entries, none is overspent, and every ride holding
 * km has its reserve entry. */
void assert_ledger_adds_up(void);
/* No two live allocations (loans, reservations) of one aid overlap. */
void assert_no_overlapping_allocations(void);

/* The unix time of the RFC 3339 member key of j. */
int64_t time_member(json_t *j, const char *key);
/* Checks one run's manifest on its own terms, independently of the
 * planner: order (increasing sequence numbers and planned times), planned
 * times within the promised windows and the
 * shift, every dropoff after its pickup on the same run within a ride
 * time, and places by kind never above the vehicle's (seats, wheelchairs).
 * Stops of closed rides (completed, no-show) count only in the numbering.
 * Returns how many open rides it carries. */
int check_manifest(const char *run_id, int seats, int wheelchairs);

#endif
