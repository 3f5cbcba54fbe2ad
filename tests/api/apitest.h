/* Helpers shared by the API tests: formatting, local times in the service
 * zone, requests that assert their status, and common fixtures. Each test
 * sets api_harness (and api_desk, a dispatcher token) in its setup. */
#ifndef RITMO_TEST_APITEST_H
#define RITMO_TEST_APITEST_H

#include "harness.h"
#include "inventory/civil_date.h"

#include <jansson.h>
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
int api_stop(struct harness *h);

/* A request that must answer `want`; returns its JSON (caller decrefs). */
json_t *call(const char *method, const char *path, const char *token, const char *body, long want);
/* A request that must fail with status and error code. */
void expect_error(const char *method, const char *path, const char *token, const char *body,
                  long status, const char *code);
const char *str(json_t *j, const char *key); /* asserts a string member */
double num(json_t *j, const char *key);      /* asserts a number member */
long sql_long(const char *sql);              /* a number from SQL */

/* A client with a home in Dordrecht; returns its id. */
int64_t create_client(const char *pass, const char *name);
/* A transport indication; returns its id. */
int64_t add_indication(int64_t client, struct civil_date from, struct civil_date until, int km);

#endif
