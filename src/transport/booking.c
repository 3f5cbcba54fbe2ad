/* The booking use cases (see booking.h). */
#include "transport/booking.h"

#include "common/xalloc.h"
#include "dispatch/dispatch.h"
#include "dispatch/fleet_store.h"
#include "outbox/ride_event.h"
#include "routing/distance.h"
#include "transport/allowance.h"
#include "transport/client_store.h"
#include "transport/indication_store.h"
#include "transport/series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
ride_drafts_clear(struct ride_drafts *d)
{
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

void
placed_clear(struct placed *p)
{
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

/* "occurrence 3 on 2026-12-01, return ride: " and the like, so that a
 * failing series says which ride failed. */
static void
draft_label(const struct ride_input *in, const struct ride_draft *d, char *buf, size_t size)
{
    int k = 0;
    buf[0] = '\0';
    if (in->recurrence)
        k = snprintf(buf, size, "occurrence %zu on %s%s", d->occurrence + 1, d->date,
                     d->is_return ? ", " : ": ");
    if (d->is_return && k >= 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, "return ride: ");
}

static bool
measure(const struct app *app, struct geo_point from, struct geo_point to, const char *what,
        struct dist_result *out, struct tx_answer *ans)
{
    enum dist_status st = dist_route(app->dist, from, to, out);
    if (st == DIST_OK)
        return true;
    if (st == DIST_ERR_OUTSIDE_AREA || st == DIST_ERR_UNREACHABLE || st == DIST_ERR_INVALID_POINT)
        tx_reject(ans, 422, "outside_service_area", NULL,
                  "the %s cannot be reached by road from its pickup address", what);
    else
        tx_reject(ans, 503, "unavailable", NULL, "distances cannot be computed right now");
    return false;
}

static void
draft_add(struct ride_drafts *d, size_t *cap, const struct ride_draft *x)
{
    if (d->n == *cap)
        d->items = xreallocarray(d->items, *cap = *cap ? *cap * 2 : 4, sizeof *d->items);
    d->items[d->n++] = *x;
}

static void
draft_route(struct ride_draft *d, const struct address *from, const struct address *to,
            const struct dist_result *dist)
{
    d->from = from->at;
    d->to = to->at;
    d->from_text = from->text;
    d->to_text = to->text;
    d->distance_m = (int64_t)(dist->metres + 0.5);
    d->direct_s = (int64_t)(dist->seconds + 0.5);
    d->provider = dist->provider;
}

/* The outward times of every occurrence, and the return times. */
static bool
occurrence_times(const struct app *app, const struct ride_input *in, int64_t **out_t,
                 int64_t **ret_t, size_t *n, struct tx_answer *ans)
{
    struct workcal_local start, ret;
    workcal_to_local(app->tz, in->time, &start);
    workcal_to_local(app->tz, in->return_pickup_at, &ret);
    struct civil_date *dates = NULL;
    size_t count = 1;
    if (in->recurrence) {
        enum series_status st = series_expand(in->recurrence, start.date, start.second_of_day,
                                              (size_t)app->cfg->series_max, &dates, &count);
        if (st != SERIES_OK) {
            static const char *const why[] = {
                "",
                "is not a valid RRULE",
                "needs COUNT or UNTIL",
                "may repeat at most daily",
                "has more occurrences than allowed",
                "may not name hours, minutes or seconds (the time is pickup_at or arrive_by)",
                "may not use BYWEEKNO"};
            tx_reject(ans, 400, "invalid_field", "recurrence", "recurrence %s%s", why[st],
                      st == SERIES_TOO_MANY ? " (RITMO_SERIES_MAX)" : "");
            return false;
        }
    }
    *out_t = xcalloc(count, sizeof **out_t);
    *ret_t = xcalloc(count, sizeof **ret_t);
    for (size_t k = 0; k < count; k++) {
        int64_t days = dates ? civil_date_to_days(dates[k]) : start.days;
        /* Local wall time is kept: 08:00 stays 08:00 after a DST change. */
        (*out_t)[k] = dates ? workcal_from_local(app->tz, days, start.second_of_day) : in->time;
        (*ret_t)[k] =
            dates ? workcal_from_local(app->tz, days + (ret.days - start.days), ret.second_of_day)
                  : in->return_pickup_at;
    }
    free(dates);
    *n = count;
    return true;
}

static bool
plan_or_reject(const struct app *app, const struct ride_input *in, struct ride_draft *d,
               int64_t now, struct tx_answer *ans)
{
    enum ride_check rc =
        ride_plan_make(&app->policy, app->tz, d->kind, d->time, d->direct_s, now, &d->plan);
    civil_date_format(d->plan.pickup_local.date, d->date);
    d->year = d->plan.pickup_local.date.year;
    char label[96];
    draft_label(in, d, label, sizeof label);
    switch (rc) {
    case RIDE_OK:
        return true;
    case RIDE_TOO_LATE:
        tx_reject(ans, 422, "too_late_to_book", NULL,
                  "%sthis ride must be booked at least %lld minutes before pickup", label,
                  (long long)app->cfg->lead_min);
        return false;
    case RIDE_TOO_FAR_AHEAD:
        tx_reject(ans, 400, "invalid_field", in->kind == RIDE_PICKUP_AT ? "pickup_at" : "arrive_by",
                  "%srides can be booked at most %lld days ahead", label,
                  (long long)app->cfg->horizon_days);
        return false;
    case RIDE_OUTSIDE_HOURS:
        tx_reject(ans, 422, "outside_service_hours", NULL,
                  "%srides run from %02d:%02d to %02d:%02d", label, app->policy.open_min / 60,
                  app->policy.open_min % 60, app->policy.close_min / 60,
                  app->policy.close_min % 60);
        return false;
    }
    return false;
}

bool
booking_draft(const struct app *app, const struct ride_input *in, int64_t now,
              struct ride_drafts *out, struct tx_answer *ans)
{
    memset(out, 0, sizeof *out);
    if (!ride_in_service_area(&app->policy, in->pickup.at, in->dropoff.at)) {
        tx_reject(ans, 422, "outside_service_area", NULL,
                  "the ride is outside the service area (within the region, at most %lld km)",
                  (long long)app->cfg->service_max_km);
        return false;
    }
    if (in->has_return && in->return_pickup_at <= in->time) {
        tx_reject(ans, 400, "invalid_field", "return.pickup_at",
                  "the return ride must be picked up after the outward ride");
        return false;
    }
    struct dist_result there, back = {0};
    if (!measure(app, in->pickup.at, in->dropoff.at, "destination", &there, ans) ||
        (in->has_return && !measure(app, in->dropoff.at, in->pickup.at, "return ride", &back, ans)))
        return false;
    int64_t *out_t, *ret_t;
    size_t count, cap = 0;
    if (!occurrence_times(app, in, &out_t, &ret_t, &count, ans))
        return false;
    bool ok = true;
    for (size_t k = 0; k < count && ok; k++) {
        struct ride_draft d = {.occurrence = k, .kind = in->kind, .time = out_t[k]};
        draft_route(&d, &in->pickup, &in->dropoff, &there);
        ok = plan_or_reject(app, in, &d, now, ans);
        if (ok)
            draft_add(out, &cap, &d);
        if (ok && in->has_return) {
            struct ride_draft r = {
                .is_return = true, .occurrence = k, .kind = RIDE_PICKUP_AT, .time = ret_t[k]};
            draft_route(&r, &in->dropoff, &in->pickup, &back);
            ok = plan_or_reject(app, in, &r, now, ans);
            if (ok)
                draft_add(out, &cap, &r);
        }
    }
    free(out_t);
    free(ret_t);
    if (!ok)
        ride_drafts_clear(out);
    return ok;
}

static void
booking_from_draft(const struct ride_input *in, const struct ride_draft *d,
                   const struct principal *who, struct booking *b)
{
    memset(b, 0, sizeof *b);
    b->client_id = in->client_id;
    snprintf(b->status, sizeof b->status, "requested");
    snprintf(b->pickup_address, sizeof b->pickup_address, "%s", d->from_text);
    snprintf(b->dropoff_address, sizeof b->dropoff_address, "%s", d->to_text);
    b->pickup_lat = d->from.lat;
    b->pickup_lon = d->from.lon;
    b->dropoff_lat = d->to.lat;
    b->dropoff_lon = d->to.lon;
    snprintf(b->time_kind, sizeof b->time_kind, "%s",
             d->kind == RIDE_PICKUP_AT ? "pickup_at" : "arrive_by");
    b->requested_time = d->time;
    b->pickup_estimate = d->plan.pickup_estimate;
    b->window_earliest = d->plan.window_earliest;
    b->window_latest = d->plan.window_latest;
    snprintf(b->service_date, sizeof b->service_date, "%s", d->date);
    b->allowance_year = d->year;
    b->distance_m = d->distance_m;
    b->direct_s = d->direct_s;
    snprintf(b->distance_provider, sizeof b->distance_provider, "%s", d->provider);
    b->reserved_m = d->distance_m;
    b->companions = (int)in->companions;
    snprintf(b->aid, sizeof b->aid, "%s", in->aid);
    snprintf(b->channel, sizeof b->channel, "%s", in->channel);
    snprintf(b->notes, sizeof b->notes, "%s", in->notes ? in->notes : "");
    b->booked_by = who->token_id;
    snprintf(b->booked_by_role, sizeof b->booked_by_role, "%s", role_name(who->role));
}

/* Announces a ride event to the notification gateway, in the caller's
 * transaction. */
static enum db_status
notify(struct db_conn *c, const struct app *app, const char *topic, const struct booking *b)
{
    const struct ride_event ev = {b->id, b->client_id, b->status, b->window_earliest,
                                  b->window_latest};
    return ride_event_add(c, app, topic, &ev);
}

/* Checks the indication on the ride's date and reserves its km. */
static enum db_status
place_one(struct db_conn *c, const struct app *app, const struct principal *who,
          const struct ride_input *in, const struct ride_draft *d, int64_t series_id,
          int64_t outward_id, struct booking *b, struct tx_answer *ans)
{
    char label[96];
    draft_label(in, d, label, sizeof label);
    enum indication_state state;
    enum db_status s = indication_store_state_on(c, in->client_id, d->date, &state);
    if (s != DB_OK)
        return s;
    if (state == INDICATION_NONE)
        return tx_reject(ans, 422, "no_valid_indication", NULL,
                         "%sthere is no valid transport indication on %s", label, d->date);
    if (state == INDICATION_SUSPENDED)
        return tx_reject(ans, 422, "indication_suspended", NULL,
                         "%sthe transport indication is suspended on %s", label, d->date);
    bool fitted;
    if ((s = allowance_take(c, in->client_id, d->year, d->distance_m, app->cfg->pro_rata,
                            &fitted)) != DB_OK)
        return s;
    if (fitted) {
        struct booking draft;
        booking_from_draft(in, d, who, &draft);
        draft.series_id = series_id;
        draft.outward_id = d->is_return ? outward_id : 0;
        if ((s = booking_store_insert(c, &draft, b)) == DB_OK &&
            (s = allowance_note_reserve(c, in->client_id, d->year, d->distance_m, b->id,
                                        who->token_id)) == DB_OK)
            s = notify(c, app, "ride.booked", b);
        return s;
    }
    struct allowance_account acc;
    if ((s = allowance_get(c, in->client_id, d->year, app->cfg->pro_rata, &acc)) != DB_OK)
        return s;
    return tx_reject(
        ans, 422, "allowance_exceeded", NULL, "%sthis ride needs %.1f km; %.1f km remain for %d",
        label, allowance_km(d->distance_m), allowance_km(allowance_remaining_m(&acc)), d->year);
}

enum db_status
booking_place(struct db_conn *c, const struct app *app, const struct principal *who,
              const struct ride_input *in, const struct ride_drafts *d, struct placed *out,
              struct tx_answer *ans)
{
    memset(out, 0, sizeof *out);
    struct client client;
    enum db_status s = client_store_get(c, in->client_id, "share", &client);
    if (s == DB_NOT_FOUND)
        return tx_reject(ans, 404, "not_found", "client_id", "no such client");
    if (s != DB_OK)
        return s;
    if (in->recurrence && (s = booking_store_series_insert(c, in->client_id, in->recurrence,
                                                           &out->series_id)) != DB_OK)
        return s;
    out->items = xcalloc(d->n, sizeof *out->items);
    int64_t outward_id = 0;
    for (size_t i = 0; i < d->n; i++) {
        s = place_one(c, app, who, in, &d->items[i], out->series_id, outward_id, &out->items[i],
                      ans);
        if (s != DB_OK)
            break;
        out->n++;
        if (d->items[i].is_return)
            out->items[i - 1].return_id = out->items[i].id; /* drafts: outward, then return */
        else
            outward_id = out->items[i].id;
    }
    return s;
}

enum db_status
booking_schedule(struct db_conn *c, const struct app *app, struct placed *p)
{
    enum db_status s = DB_OK;
    for (size_t i = 0; i < p->n && s == DB_OK; i++) {
        struct booking *b = &p->items[i];
        bool scheduled = false;
        s = dispatch_insert(c, app, b->id, b->service_date, &scheduled);
        if (scheduled)
            snprintf(b->status, sizeof b->status, "scheduled");
    }
    return s;
}

static bool
not_started(const struct booking *b)
{
    return !strcmp(b->status, "requested") || !strcmp(b->status, "scheduled");
}

/* Ends a ride's reservation: debited (counts as travelled) or released. */
static enum db_status
settle(struct db_conn *c, int64_t actor, struct booking *b, bool debit, const char *why)
{
    enum db_status s = DB_OK;
    if (b->reserved_m > 0) {
        s = debit ? allowance_debit(c, b->client_id, b->allowance_year, b->reserved_m, b->id, actor,
                                    why)
                  : allowance_release(c, b->client_id, b->allowance_year, b->reserved_m, b->id,
                                      actor, why);
        if (debit)
            b->debited_m += b->reserved_m;
        b->reserved_m = 0;
    }
    return s == DB_OK ? booking_store_update(c, b) : s;
}

enum db_status
booking_cancel(struct db_conn *c, const struct app *app, int64_t actor, struct booking *b,
               const char *reason, int64_t now, bool free_of_charge, struct tx_answer *ans)
{
    if (!not_started(b))
        return tx_reject(ans, 409, "conflict", NULL, "a ride that is %s cannot be cancelled",
                         b->status);
    bool late = !free_of_charge && now > b->pickup_estimate - app->cfg->free_cancel_min * 60;
    bool debit = late && !strcmp(app->cfg->late_cancel_policy, "debit");
    snprintf(b->status, sizeof b->status, "cancelled");
    snprintf(b->cancel_reason, sizeof b->cancel_reason, "%s", reason);
    enum db_status s = settle(c, actor, b, debit, debit ? "late cancellation" : "cancelled");
    /* off its run under the day's planning lock: a plan in progress would
     * otherwise put it back */
    if (s == DB_OK)
        s = fleet_lock_day(c, b->service_date);
    if (s == DB_OK)
        s = booking_store_remove_stops(c, b->id);
    if (s == DB_OK)
        s = notify(c, app, "ride.cancelled", b);
    if (s != DB_OK)
        return s;
    return booking_store_add_event(c, b->id, "cancelled", now, 0, false, actor);
}

enum db_status
booking_event(struct db_conn *c, const struct app *app, int64_t actor, struct booking *b,
              const char *type, int64_t at, double odometer_km, bool has_odometer,
              struct tx_answer *ans)
{
    enum db_status s = DB_OK;
    if (!strcmp(type, "arrived") && not_started(b)) {
        /* the vehicle is at the door: the status waits for the pickup */
    } else if (!strcmp(type, "picked_up") && not_started(b)) {
        snprintf(b->status, sizeof b->status, "picked_up");
        s = booking_store_update(c, b);
    } else if (!strcmp(type, "dropped_off") && !strcmp(b->status, "picked_up")) {
        snprintf(b->status, sizeof b->status, "completed");
        s = settle(c, actor, b, true, "ride completed");
    } else if (!strcmp(type, "no_show") && not_started(b)) {
        snprintf(b->status, sizeof b->status, "no_show");
        s = settle(c, actor, b, !strcmp(app->cfg->no_show_policy, "debit"), "no-show");
    } else {
        return tx_reject(ans, 409, "conflict", "type",
                         "event \"%s\" does not fit a ride that is %s", type, b->status);
    }
    /* A served stop re-times the rest of its run: the ETAs of those
     * still waiting. */
    if (s == DB_OK && strcmp(type, "arrived"))
        s = dispatch_served(c, app, b->id, b->service_date,
                            strcmp(type, "dropped_off") ? "pickup" : "dropoff", at);
    if (s != DB_OK)
        return s;
    return booking_store_add_event(c, b->id, type, at, odometer_km, has_odometer, actor);
}
