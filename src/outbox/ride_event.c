/* Ride events (see ride_event.h). */
#include "outbox/ride_event.h"

#include "core/app.h"
#include "inventory/workcal.h"
#include "outbox/outbox.h"

#include <jansson.h>

enum db_status
ride_event_add(struct db_conn *c, const struct app *app, const char *topic,
               const struct ride_event *ev)
{
    if (!app->cfg->notify_url[0])
        return DB_OK;
    char earliest[WORKCAL_RFC3339_BUFSZ], latest[WORKCAL_RFC3339_BUFSZ];
    json_t *p =
        json_pack("{s:I, s:I, s:s, s:{s:s, s:s}}", "booking_id", (json_int_t)ev->booking_id,
                  "client_id", (json_int_t)ev->client_id, "status", ev->status, "window",
                  "earliest", workcal_format_rfc3339(app->tz, ev->window_earliest, earliest),
                  "latest", workcal_format_rfc3339(app->tz, ev->window_latest, latest));
    enum db_status s = p ? outbox_add(c, topic, app->cfg->notify_url, p) : DB_ERROR;
    json_decref(p);
    return s;
}
