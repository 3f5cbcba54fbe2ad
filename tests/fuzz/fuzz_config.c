/* libFuzzer target: the configuration parser. Input: a config file
 * (NAME=value lines), read once as the file and once through the lookup
 * function that stands for the environment; what loads is then turned into
 * the ride policy as `ritmo serve` does. (The time zone it names is a file
 * of the system's tz database, loaded by workcal_create: not fuzzed here,
 * it would take nine tenths of the time.) Invariants: an error leaves a
 * message, success every setting set and consistent. */
#include "core/config.h"
#include "transport/ride_rules.h"

#include "common/xalloc.h"

#include "fuzz_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *input; /* the current input, NUL-terminated, for lookup() */

static void
die(const char *what)
{
    fprintf(stderr, "fuzz_config: %s\n", what);
    abort();
}

/* The value of the first "name=value" line of the input, as getenv would
 * give it; borrowed until the next call. */
static const char *
lookup(const char *name)
{
    static char value[4096];
    size_t len = strlen(name);
    for (const char *l = input; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!strncmp(l, name, len) && l[len] == '=') {
            const char *v = l + len + 1;
            snprintf(value, sizeof value, "%.*s", (int)strcspn(v, "\n"), v);
            return value;
        }
    }
    return NULL;
}

static void
check(bool ok, struct config *cfg, char *err)
{
    if (!ok) {
        if (!err || !*err)
            die("a failure without a message");
        free(err);
        return;
    }
    if (err)
        die("a message on success");
    if (!cfg->database_url || !cfg->listen_host || !cfg->timezone || !cfg->routing ||
        !cfg->tls_cert || !cfg->tls_key || !cfg->notify_url || !cfg->webhook_secret)
        die("a setting left unset");
    if (cfg->listen_port < 1 || cfg->listen_port > 65535 || cfg->area[0] >= cfg->area[2] ||
        cfg->area[1] >= cfg->area[3] || cfg->service_open_min >= cfg->service_close_min ||
        cfg->service_close_min > 24 * 60)
        die("inconsistent settings accepted");
    struct ride_policy policy;
    ride_policy_from_config(cfg, &policy);
    config_clear(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input = xmalloc(size + 1);
    memcpy(input, data, size);
    input[size] = '\0';
    const char *path = fuzz_file_write("ritmo.conf", data, size);
    struct config cfg;
    char *err = NULL;
    bool ok = config_load(&cfg, path, NULL, &err);
    check(ok, &cfg, err);
    err = NULL;
    ok = config_load(&cfg, NULL, lookup, &err);
    check(ok, &cfg, err);
    free(input);
    input = NULL;
    return 0;
}
