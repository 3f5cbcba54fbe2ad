/* Configuration: one declarative table of settings, read from an optional
 * config file and then from RITMO_* environment variables (which win). */
#ifndef RITMO_CONFIG_H
#define RITMO_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config {
    char *database_url; /* libpq connection string */
    char *listen;       /* host:port as given */
    char *tls_cert;     /* PEM certificate file; "" = plain HTTP */
    char *tls_key;      /* PEM key file of tls_cert */
    char *listen_host;  /* parsed from listen */
    int listen_port;    /* parsed from listen */
    int64_t threads;    /* HTTP worker threads */
    char *timezone;     /* IANA zone of service days and years */
    int64_t body_limit; /* bytes */
    int64_t conn_timeout_s;
    int64_t rate_limit;     /* requests/s per token, 0 = none */
    int64_t rate_burst;     /* bucket size of the rate limit */
    int64_t retention_days; /* ritmo pseudonymise: days after the last indication ended */
    int64_t db_pool_size;
    int64_t db_timeout_ms;
    int64_t statement_timeout_ms;
    int64_t shutdown_grace_s;
    char *log_level;
    int64_t max_annual_km;
    /* transport (DOMAIN.md, "Operating rules"; every one configurable) */
    char *routing;             /* distance provider spec */
    double detour_factor;      /* haversine: road km per straight km */
    int64_t snap_limit_m;      /* graph: farthest an address may be from a road */
    int64_t osrm_timeout_ms;   /* osrm: one request, before falling back */
    int64_t lead_min;          /* booking lead time */
    int64_t window_before_min; /* promised pickup window around the agreed time */
    int64_t window_after_min;
    double max_ride_factor; /* maximum ride time = direct x factor + extra */
    int64_t max_ride_extra_min;
    int64_t service_max_km; /* longest ride, straight-line km */
    char *service_area;     /* lat_min,lon_min,lat_max,lon_max */
    double area[4];         /* parsed service_area */
    char *service_hours;    /* HH:MM-HH:MM, local */
    int service_open_min;   /* parsed service_hours, minutes after midnight */
    int service_close_min;
    int64_t free_cancel_min;  /* free cancellation until this long before pickup */
    char *late_cancel_policy; /* debit | release */
    char *no_show_policy;     /* debit | release */
    bool pro_rata;            /* grant km pro rata by days of the indication */
    int64_t series_max;       /* most occurrences one series may have */
    int64_t horizon_days;     /* how far ahead a ride may be booked */
    /* dispatch */
    int64_t stop_service_min;       /* boarding or alighting time at a stop */
    int64_t wheelchair_service_min; /* the same for a wheelchair user */
    bool scootmobiel_transfer;      /* scootmobiel users take a seat, the scooter stays */
    double plan_km_weight;          /* planning cost per km, next to each minute driven */
    double plan_ride_weight;        /* planning cost per passenger-minute on board */
    int64_t plan_time_limit_s;      /* default time limit of a day plan */
    int64_t sla_sweep_ms;           /* how often breaches are looked for */
    int64_t arrival_notice_min;     /* tell a waiting passenger this long before the ETA */
    int64_t arrival_sweep_ms;       /* how often pickups are looked at for that */
    /* the outbox: events to webhooks */
    char *notify_url;     /* the notification gateway ("" = none) */
    char *webhook_secret; /* HMAC-SHA256 key of every delivery ("" = do not send) */
    int64_t outbox_poll_ms;
    int64_t outbox_retry_base_ms;
    int64_t outbox_max_attempts;
    int64_t outbox_timeout_ms;
};

/* Looks a variable up by name; getenv fits. Tests pass their own. */
typedef const char *(*config_lookup_fn)(const char *name);

/* Fills *cfg from defaults, then the file (NULL: none), then lookup().
 * On failure returns false and sets *err (caller frees) to a message naming
 * the setting; *cfg is then cleared. Call config_clear() after success. */
bool config_load(struct config *cfg, const char *file, config_lookup_fn lookup, char **err)
    __attribute__((warn_unused_result));
void config_clear(struct config *cfg);

/* Prints the table (name, type, default, bounds, description) to out. */
void config_print_table(FILE *out);

#endif
