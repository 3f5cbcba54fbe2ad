/* Booking rides: turning a request (one ride, a return ride, a series)
 * into checked drafts, and placing them against the allowance in one
 * transaction; cancelling and ride events with their ledger effects. */
#ifndef RITMO_TRANSPORT_BOOKING_H
#define RITMO_TRANSPORT_BOOKING_H

#include "api/address.h"
#include "core/app.h"
#include "http/tx.h"
#include "transport/booking_store.h"
#include "transport/ride_rules.h"

struct ride_input {
    int64_t client_id;
    struct address pickup, dropoff;
    enum ride_time_kind kind;
    int64_t time;
    int64_t companions;
    const char *aid, *channel, *notes;
    bool has_return;
    int64_t return_pickup_at;
    const char *recurrence; /* or NULL */
};

/* One ride to place, checked and measured. */
struct ride_draft {
    bool is_return;
    size_t occurrence; /* 0-based index in the series (0 for a single ride) */
    enum ride_time_kind kind;
    int64_t time;
    struct geo_point from, to;
    const char *from_text, *to_text;
    int64_t distance_m, direct_s;
    const char *provider;
    struct ride_plan plan;
    char date[CIVIL_DATE_BUFSZ];
    int year;
};

struct ride_drafts {
    struct ride_draft *items; /* owned */
    size_t n;
};
void ride_drafts_clear(struct ride_drafts *d);

/* Measures, expands and checks everything that needs no database. On a
 * failure fills ans with the 400/422 and returns false. */
bool booking_draft(const struct app *app, const struct ride_input *in, int64_t now,
                   struct ride_drafts *out, struct tx_answer *ans)
    __attribute__((warn_unused_result));

/* The placed rides: bookings in draft order. */
struct placed {
    struct booking *items; /* owned */
    size_t n;
    int64_t series_id;
};
void placed_clear(struct placed *p);

/* In the caller's transaction: checks indications, reserves each ride on
 * its own year and writes the bookings. DB_REJECTED with ans set when a
 * check fails; nothing is kept then (the caller rolls back). */
enum db_status booking_place(struct db_conn *c, const struct app *app, const struct principal *who,
                             const struct ride_input *in, const struct ride_drafts *d,
                             struct placed *out, struct tx_answer *ans)
    __attribute__((warn_unused_result));

/* In the caller's transaction: puts each placed ride whose day has runs
 * into that day's plan (live insertion, which announces ride.scheduled);
 * one that fits becomes "scheduled". Takes the day's planning lock, which
 * is held to COMMIT: call it last. */
enum db_status booking_schedule(struct db_conn *c, const struct app *app, struct placed *p)
    __attribute__((warn_unused_result));

/* Cancels a not-yet-started ride at `now`: free (release) until the free
 * cancellation limit, then per RITMO_LATE_CANCEL_POLICY; always free when
 * the service itself cancels (free_of_charge: an ended indication). */
enum db_status booking_cancel(struct db_conn *c, const struct app *app, int64_t actor,
                              struct booking *b, const char *reason, int64_t now,
                              bool free_of_charge, struct tx_answer *ans)
    __attribute__((warn_unused_result));

/* Applies a ride event (arrived, picked_up, dropped_off, no_show); 409 in
 * ans when it does not fit the status. */
enum db_status booking_event(struct db_conn *c, const struct app *app, int64_t actor,
                             struct booking *b, const char *type, int64_t at, double odometer_km,
                             bool has_odometer, struct tx_answer *ans)
    __attribute__((warn_unused_result));

#endif
