/* The settings table and its parser. Every setting has a name, a type, a
 * default, bounds and a description; nothing is read anywhere else. */
#include "core/config.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum setting_type {
    SET_STRING,
    SET_INT,
    SET_LISTEN,
    SET_TIMEZONE,
    SET_LOGLEVEL,
    SET_DOUBLE,
    SET_BOOL,
    SET_POLICY,
    SET_AREA,
    SET_HOURS,
    SET_URL,    /* empty, or an http(s) URL */
    SET_SECRET, /* may be empty; never printed */
    SET_PATH,   /* a file, or empty for none */
};

struct setting {
    const char *name;
    enum setting_type type;
    const char *def;
    double min, max; /* SET_INT and SET_DOUBLE */
    size_t offset;
    const char *description;
};

#define OFF(field) offsetof(struct config, field)

static const struct setting settings[] = {
    {"RITMO_DATABASE_URL", SET_STRING, "dbname=ritmo", 0, 0, OFF(database_url),
     "libpq connection string of the PostgreSQL database"},
    {"RITMO_LISTEN", SET_LISTEN, "127.0.0.1:8080", 0, 0, OFF(listen),
     "address and port the HTTP server listens on (host:port)"},
    {"RITMO_TLS_CERT", SET_PATH, "", 0, 0, OFF(tls_cert),
     "PEM certificate (chain) file: with RITMO_TLS_KEY the server speaks HTTPS only"},
    {"RITMO_TLS_KEY", SET_PATH, "", 0, 0, OFF(tls_key),
     "PEM private key file of RITMO_TLS_CERT (keep it readable by the server only)"},
    {"RITMO_THREADS", SET_INT, "4", 1, 256, OFF(threads), "HTTP worker threads"},
    {"RITMO_TIMEZONE", SET_TIMEZONE, "Europe/Amsterdam", 0, 0, OFF(timezone),
     "IANA time zone of service days and allowance years"},
    {"RITMO_BODY_LIMIT", SET_INT, "65536", 1024, 16777216, OFF(body_limit),
     "largest request body accepted, in bytes (413 above)"},
    {"RITMO_CONNECTION_TIMEOUT_S", SET_INT, "30", 1, 3600, OFF(conn_timeout_s),
     "a connection idle this long, or whose request has not arrived whole this long after it "
     "opened (or after the previous answer), is closed (seconds)"},
    {"RITMO_RATE_LIMIT", SET_INT, "0", 0, 100000, OFF(rate_limit),
     "requests a second one token may make on average (429 above); 0: no limit"},
    {"RITMO_RATE_BURST", SET_INT, "50", 1, 100000, OFF(rate_burst),
     "requests one token may make at once before RITMO_RATE_LIMIT applies"},
    {"RITMO_RETENTION_DAYS", SET_INT, "2557", 0, 36500, OFF(retention_days),
     "ritmo pseudonymise: days after a client's last indication ended before the data goes"},
    {"RITMO_DB_POOL_SIZE", SET_INT, "8", 1, 512, OFF(db_pool_size),
     "database connections per server process"},
    {"RITMO_DB_TIMEOUT_MS", SET_INT, "5000", 100, 600000, OFF(db_timeout_ms),
     "longest wait for a database connection before answering 503"},
    {"RITMO_STATEMENT_TIMEOUT_MS", SET_INT, "10000", 100, 3600000, OFF(statement_timeout_ms),
     "PostgreSQL statement_timeout of the server's connections"},
    {"RITMO_SHUTDOWN_GRACE_S", SET_INT, "10", 0, 600, OFF(shutdown_grace_s),
     "on SIGTERM, how long in-flight requests may take to finish"},
    {"RITMO_LOG_LEVEL", SET_LOGLEVEL, "info", 0, 0, OFF(log_level),
     "debug, info, warning or error"},
    {"RITMO_MAX_ANNUAL_KM", SET_INT, "2000", 0, 2000, OFF(max_annual_km),
     "regional maximum of a transport allowance, km per year (art. 3.4)"},
    {"RITMO_ROUTING", SET_STRING, "haversine", 0, 0, OFF(routing),
     "distance provider: haversine, graph:/path/region.graph or osrm:http://host:5000"},
    {"RITMO_DETOUR_FACTOR", SET_DOUBLE, "1.3", 1, 3, OFF(detour_factor),
     "haversine provider: road distance per straight-line distance"},
    {"RITMO_SNAP_LIMIT_M", SET_INT, "500", 10, 10000, OFF(snap_limit_m),
     "graph provider: an address farther than this from any road is outside the service area"},
    {"RITMO_OSRM_TIMEOUT_MS", SET_INT, "2000", 100, 60000, OFF(osrm_timeout_ms),
     "osrm provider: a request taking longer falls back to haversine"},
    {"RITMO_BOOKING_LEAD_MIN", SET_INT, "60", 0, 10080, OFF(lead_min),
     "a ride must be booked at least this many minutes before pickup"},
    {"RITMO_WINDOW_BEFORE_MIN", SET_INT, "0", 0, 120, OFF(window_before_min),
     "promised pickup window starts this many minutes before the agreed time"},
    {"RITMO_WINDOW_AFTER_MIN", SET_INT, "15", 0, 120, OFF(window_after_min),
     "promised pickup window ends this many minutes after the agreed time"},
    {"RITMO_MAX_RIDE_FACTOR", SET_DOUBLE, "1.5", 1, 5, OFF(max_ride_factor),
     "maximum ride time = direct travel time x this factor + RITMO_MAX_RIDE_EXTRA_MIN"},
    {"RITMO_MAX_RIDE_EXTRA_MIN", SET_INT, "10", 0, 240, OFF(max_ride_extra_min),
     "minutes added to the maximum ride time"},
    {"RITMO_SERVICE_MAX_KM", SET_INT, "25", 1, 1000, OFF(service_max_km),
     "longest ride as straight-line km (local travel)"},
    {"RITMO_SERVICE_AREA", SET_AREA, "51.60,4.30,52.05,5.10", 0, 0, OFF(service_area),
     "region served: lat_min,lon_min,lat_max,lon_max (default: Drechtsteden and surroundings)"},
    {"RITMO_SERVICE_HOURS", SET_HOURS, "06:00-24:00", 0, 0, OFF(service_hours),
     "local hours in which rides run (HH:MM-HH:MM, every day)"},
    {"RITMO_FREE_CANCEL_MIN", SET_INT, "60", 0, 10080, OFF(free_cancel_min),
     "cancelling is free until this many minutes before pickup"},
    {"RITMO_LATE_CANCEL_POLICY", SET_POLICY, "debit", 0, 0, OFF(late_cancel_policy),
     "a later cancellation: debit (like a completed ride) or release"},
    {"RITMO_NO_SHOW_POLICY", SET_POLICY, "debit", 0, 0, OFF(no_show_policy),
     "a no-show: debit (like a completed ride) or release"},
    {"RITMO_ALLOWANCE_PRO_RATA", SET_BOOL, "true", 0, 0, OFF(pro_rata),
     "an indication starting or ending within a year grants its km pro rata by days"},
    {"RITMO_SERIES_MAX", SET_INT, "200", 1, 1000, OFF(series_max),
     "most occurrences one recurring ride may have"},
    {"RITMO_BOOKING_HORIZON_DAYS", SET_INT, "400", 1, 1000, OFF(horizon_days),
     "how many days ahead a ride may be booked"},
    {"RITMO_STOP_SERVICE_MIN", SET_INT, "2", 0, 60, OFF(stop_service_min),
     "minutes a vehicle spends at a stop to let a passenger board or alight"},
    {"RITMO_WHEELCHAIR_SERVICE_MIN", SET_INT, "5", 0, 60, OFF(wheelchair_service_min),
     "the same for a wheelchair user"},
    {"RITMO_SCOOTMOBIEL_TRANSFER", SET_BOOL, "true", 0, 0, OFF(scootmobiel_transfer),
     "a scootmobiel user transfers to a seat and the scooter stays (false: needs a scootmobiel "
     "place)"},
    {"RITMO_PLAN_KM_WEIGHT", SET_DOUBLE, "0.5", 0, 100, OFF(plan_km_weight),
     "planning cost of one km, next to each minute a vehicle drives"},
    {"RITMO_PLAN_RIDE_WEIGHT", SET_DOUBLE, "0.25", 0, 100, OFF(plan_ride_weight),
     "planning cost of one minute a passenger spends on board, next to each minute a vehicle "
     "drives"},
    {"RITMO_PLAN_TIME_LIMIT_S", SET_INT, "10", 1, 600, OFF(plan_time_limit_s),
     "default time limit of POST /v1/dispatch/plan"},
    {"RITMO_SLA_SWEEP_MS", SET_INT, "30000", 100, 3600000, OFF(sla_sweep_ms),
     "how often ritmo serve looks for SLA clocks that ran out (breaches)"},
    {"RITMO_ARRIVAL_NOTICE_MIN", SET_INT, "5", 0, 2880, OFF(arrival_notice_min),
     "minutes before a pickup's ETA the passenger is told the vehicle is near "
     "(ride.vehicle_near); 0: never"},
    {"RITMO_ARRIVAL_SWEEP_MS", SET_INT, "30000", 100, 3600000, OFF(arrival_sweep_ms),
     "how often ritmo serve looks for pickups that are that near"},
    {"RITMO_NOTIFY_URL", SET_URL, "", 0, 0, OFF(notify_url),
     "webhook of the notification gateway (SMS/app) for ride events; empty: none"},
    {"RITMO_WEBHOOK_SECRET", SET_SECRET, "", 0, 0, OFF(webhook_secret),
     "key signing every webhook delivery (HMAC-SHA256); empty: events wait, unsent"},
    {"RITMO_OUTBOX_POLL_MS", SET_INT, "1000", 10, 60000, OFF(outbox_poll_ms),
     "how often an idle sender looks for due events"},
    {"RITMO_OUTBOX_RETRY_BASE_MS", SET_INT, "2000", 10, 600000, OFF(outbox_retry_base_ms),
     "first retry delay of a failed delivery; doubles each attempt (at most 1 h)"},
    {"RITMO_OUTBOX_MAX_ATTEMPTS", SET_INT, "15", 1, 100, OFF(outbox_max_attempts),
     "attempts before an event becomes a dead letter (GET /v1/outbox?state=dead)"},
    {"RITMO_OUTBOX_TIMEOUT_MS", SET_INT, "5000", 100, 60000, OFF(outbox_timeout_ms),
     "longest a webhook may take to answer one delivery"},
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

static char **
str_field(struct config *cfg, const struct setting *s)
{
    return (char **)((char *)cfg + s->offset);
}

static int64_t *
int_field(struct config *cfg, const struct setting *s)
{
    return (int64_t *)((char *)cfg + s->offset);
}

static bool
parse_listen(struct config *cfg, const char *value)
{
    const char *colon = strrchr(value, ':');
    int64_t port;
    if (!colon || colon == value || !parse_int64(colon + 1, 1, 65535, &port))
        return false;
    free(cfg->listen_host);
    cfg->listen_host = xstrndup(value, (size_t)(colon - value));
    cfg->listen_port = (int)port;
    return true;
}

static bool
parse_area(struct config *cfg, const char *value)
{
    double a[4];
    const char *p = value;
    for (int i = 0; i < 4; i++) {
        char part[32];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof part || (i < 3) != (p[len] == ','))
            return false;
        snprintf(part, sizeof part, "%.*s", (int)len, p);
        if (!parse_double(part, i % 2 ? -180 : -90, i % 2 ? 180 : 90, &a[i]))
            return false;
        p += len + (i < 3);
    }
    if (a[0] >= a[2] || a[1] >= a[3])
        return false;
    memcpy(cfg->area, a, sizeof a);
    return true;
}

static bool
parse_minute(const char *s, int *out)
{
    int64_t h, m;
    char hh[3] = {s[0], s[0] ? s[1] : 0, 0};
    if (strlen(s) != 5 || s[2] != ':' || !parse_int64(hh, 0, 24, &h) ||
        !parse_int64(s + 3, 0, 59, &m) || (h == 24 && m))
        return false;
    *out = (int)(h * 60 + m);
    return true;
}

static bool
parse_hours(struct config *cfg, const char *value)
{
    char open[8], close[8];
    const char *dash = strchr(value, '-');
    if (!dash || dash - value != 5 || strlen(dash + 1) != 5)
        return false;
    snprintf(open, sizeof open, "%.5s", value);
    snprintf(close, sizeof close, "%s", dash + 1);
    return parse_minute(open, &cfg->service_open_min) &&
           parse_minute(close, &cfg->service_close_min) &&
           cfg->service_open_min < cfg->service_close_min;
}

/* A zone name must name a file of the system's tz database; ".." is refused
 * so that the setting cannot point elsewhere. */
static bool
timezone_exists(const char *name)
{
    if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 64)
        return false;
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool
apply(struct config *cfg, const struct setting *s, const char *value, char **err)
{
    switch (s->type) {
    case SET_INT: {
        int64_t v;
        if (!parse_int64(value, (int64_t)s->min, (int64_t)s->max, &v)) {
            *err = xasprintf("invalid value \"%s\" for %s: expected an integer from %lld to %lld",
                             value, s->name, (long long)s->min, (long long)s->max);
            return false;
        }
        *int_field(cfg, s) = v;
        return true;
    }
    case SET_DOUBLE: {
        double v;
        if (!parse_double(value, s->min, s->max, &v)) {
            *err = xasprintf("invalid value \"%s\" for %s: expected a number from %g to %g", value,
                             s->name, s->min, s->max);
            return false;
        }
        *(double *)((char *)cfg + s->offset) = v;
        return true;
    }
    case SET_BOOL: {
        bool v = !strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "on");
        if (!v && strcmp(value, "false") && strcmp(value, "0") && strcmp(value, "off")) {
            *err = xasprintf("invalid value \"%s\" for %s: expected true or false", value, s->name);
            return false;
        }
        *(bool *)((char *)cfg + s->offset) = v;
        return true;
    }
    case SET_POLICY:
        if (strcmp(value, "debit") && strcmp(value, "release")) {
            *err =
                xasprintf("invalid value \"%s\" for %s: expected debit or release", value, s->name);
            return false;
        }
        break;
    case SET_AREA:
        if (!parse_area(cfg, value)) {
            *err =
                xasprintf("invalid value \"%s\" for %s: expected lat_min,lon_min,lat_max,lon_max",
                          value, s->name);
            return false;
        }
        break;
    case SET_HOURS:
        if (!parse_hours(cfg, value)) {
            *err = xasprintf("invalid value \"%s\" for %s: expected HH:MM-HH:MM (24:00 allowed)",
                             value, s->name);
            return false;
        }
        break;
    case SET_LISTEN:
        if (!parse_listen(cfg, value)) {
            *err = xasprintf("invalid value \"%s\" for %s: expected host:port with port 1-65535",
                             value, s->name);
            return false;
        }
        break;
    case SET_TIMEZONE:
        if (!timezone_exists(value)) {
            *err = xasprintf("invalid value \"%s\" for %s: not a time zone of the tz database",
                             value, s->name);
            return false;
        }
        break;
    case SET_LOGLEVEL:
        if (strcmp(value, "debug") && strcmp(value, "info") && strcmp(value, "warning") &&
            strcmp(value, "error")) {
            *err = xasprintf("invalid value \"%s\" for %s: expected debug, info, warning or error",
                             value, s->name);
            return false;
        }
        break;
    case SET_URL:
        if (*value && strncmp(value, "http://", 7) && strncmp(value, "https://", 8)) {
            *err = xasprintf("invalid value \"%s\" for %s: expected an http:// or https:// URL",
                             value, s->name);
            return false;
        }
        break;
    case SET_SECRET:
    case SET_PATH:
        break;
    case SET_STRING:
        if (!*value) {
            *err = xasprintf("invalid value for %s: must not be empty", s->name);
            return false;
        }
        break;
    }
    char **field = str_field(cfg, s);
    free(*field);
    *field = xstrdup(value);
    return true;
}

static const struct setting *
find_setting(const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The file holds NAME=value lines; # starts a comment line. An unknown
 * name is an error, so that a typo cannot silently leave a default. */
static bool
load_file(struct config *cfg, const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = xasprintf("could not open config file \"%s\": %s", path, strerror(errno));
        return false;
    }
    bool ok = true;
    char line[4096];
    int lineno = 0;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            *err = xasprintf("config file \"%s\" line %d: expected NAME=value", path, lineno);
            ok = false;
            break;
        }
        *eq = '\0';
        const struct setting *s = find_setting(trim(l));
        if (!s) {
            *err = xasprintf("config file \"%s\" line %d: unknown setting \"%s\"", path, lineno,
                             trim(l));
            ok = false;
            break;
        }
        ok = apply(cfg, s, trim(eq + 1), err);
    }
    fclose(f);
    return ok;
}

bool
config_load(struct config *cfg, const char *file, config_lookup_fn lookup, char **err)
{
    memset(cfg, 0, sizeof *cfg);
    *err = NULL;
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (!apply(cfg, &settings[i], settings[i].def, err))
            goto fail;
    if (file && !load_file(cfg, file, err))
        goto fail;
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *v = lookup ? lookup(settings[i].name) : NULL;
        if (v && !apply(cfg, &settings[i], v, err))
            goto fail;
    }
    /* Half a TLS setup would silently serve plain HTTP: refuse it. */
    if (!*cfg->tls_cert != !*cfg->tls_key) {
        *err = xasprintf("RITMO_TLS_CERT and RITMO_TLS_KEY must be set together");
        goto fail;
    }
    return true;
fail:
    config_clear(cfg);
    return false;
}

void
config_clear(struct config *cfg)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].type != SET_INT && settings[i].type != SET_DOUBLE &&
            settings[i].type != SET_BOOL) {
            free(*str_field(cfg, &settings[i]));
            *str_field(cfg, &settings[i]) = NULL;
        }
    free(cfg->listen_host);
    cfg->listen_host = NULL;
}

void
config_print_table(FILE *out)
{
    static const char *const type_names[] = {"string", "integer", "host:port", "time zone", "level",
                                             "number", "boolean", "policy",    "area",      "hours",
                                             "url",    "secret",  "path"};
    fprintf(out, "%-28s %-10s %-18s %-14s %s\n", "SETTING", "TYPE", "DEFAULT", "BOUNDS",
            "DESCRIPTION");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting *s = &settings[i];
        char bounds[48] = "-";
        if (s->type == SET_INT || s->type == SET_DOUBLE)
            snprintf(bounds, sizeof bounds, "%g..%g", s->min, s->max);
        const char *def = s->type == SET_SECRET ? "(unset)" : *s->def ? s->def : "(empty)";
        fprintf(out, "%-28s %-10s %-18s %-14s %s\n", s->name, type_names[s->type], def, bounds,
                s->description);
    }
    fprintf(out, "\nEach setting is read from the environment; RITMO_CONFIG (or --config FILE)\n"
                 "names an optional file of NAME=value lines, overridden by the environment.\n");
}
