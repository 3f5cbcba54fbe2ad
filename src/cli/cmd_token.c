/* ritmo token create|list|revoke: API tokens from the command line.
 * `token create` prints the token alone on standard output so that
 * TOKEN=$(ritmo token create ...) works; everything else goes to stderr. */
#include "auth/token_service.h"
#include "cli/cli.h"
#include "common/numparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ritmo token create --role ROLE [--client ID | --vehicle ID | --supplier ID] "
    "--name NAME\n"
    "       ritmo token list\n"
    "       ritmo token revoke ID\n"
    "Roles: admin, dispatcher, resident (--client), driver (--vehicle), supplier (--supplier).\n";

static bool
parse_create(int argc, char **argv, struct token_info *in)
{
    const char *role = NULL, *name = NULL;
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t *id = !strcmp(opt, "--client")     ? &in->client_id
                      : !strcmp(opt, "--vehicle")  ? &in->vehicle_id
                      : !strcmp(opt, "--supplier") ? &in->supplier_id
                                                   : NULL;
        if (!val) {
            fprintf(stderr, "ritmo: option \"%s\" needs a value\n", opt);
            return false;
        }
        if (!strcmp(opt, "--role")) {
            role = val;
        } else if (!strcmp(opt, "--name")) {
            name = val;
        } else if (id) {
            if (!parse_int64(val, 1, INT64_MAX, id)) {
                fprintf(stderr, "ritmo: invalid id \"%s\" for %s\n", val, opt);
                return false;
            }
        } else {
            fprintf(stderr, "ritmo: unknown option \"%s\"\n%s", opt, usage);
            return false;
        }
        i++;
    }
    const char *why;
    if (!role || !role_parse(role, &in->role)) {
        fprintf(stderr, "ritmo: --role must be admin, dispatcher, resident, driver or supplier\n");
        return false;
    }
    if (!name || !*name || strlen(name) > 200) {
        fprintf(stderr, "ritmo: --name is required (1 to 200 characters)\n");
        return false;
    }
    if (!token_binding_valid(in->role, in->client_id, in->vehicle_id, in->supplier_id, &why)) {
        fprintf(stderr, "ritmo: role \"%s\" needs exactly its own binding (%s)\n", role,
                !strcmp(why, "client_id")    ? "--client"
                : !strcmp(why, "vehicle_id") ? "--vehicle"
                                             : "--supplier");
        return false;
    }
    snprintf(in->name, sizeof in->name, "%s", name);
    return true;
}

static void
print_binding(const struct token_info *t)
{
    if (t->client_id)
        fprintf(stdout, "client:%lld", (long long)t->client_id);
    else if (t->vehicle_id)
        fprintf(stdout, "vehicle:%lld", (long long)t->vehicle_id);
    else if (t->supplier_id)
        fprintf(stdout, "supplier:%lld", (long long)t->supplier_id);
    else
        fprintf(stdout, "-");
}

static int
report(enum db_status s)
{
    if (s == DB_OK)
        return 0;
    fprintf(stderr, "ritmo: %s\n",
            s == DB_NOT_FOUND     ? "no such token"
            : s == DB_UNAVAILABLE ? "the database is unavailable"
            : s == DB_NO_REFERENT ? "the client, vehicle or supplier given does not exist"
                                  : "the database refused the request (is the schema migrated?)");
    return 1;
}

static int
run(struct db_pool *pool, int argc, char **argv)
{
    const char *sub = argv[1];
    if (!strcmp(sub, "create")) {
        struct token_info in = {0}, out;
        char token[TOKEN_TEXT_SIZE];
        if (!parse_create(argc, argv, &in))
            return 2;
        int rc = report(token_service_create(pool, &in, 0, token, &out));
        if (rc == 0) {
            fprintf(stderr, "ritmo: created token %lld (%s) for \"%s\"; it is shown only once\n",
                    (long long)out.id, role_name(out.role), out.name);
            fprintf(stdout, "%s\n", token);
        }
        return rc;
    }
    if (!strcmp(sub, "list") && argc == 2) {
        struct token_info *items;
        int n;
        int64_t after = 0;
        fprintf(stdout, "%-8s %-11s %-16s %-21s %-21s %s\n", "ID", "ROLE", "BINDING", "CREATED",
                "REVOKED", "NAME");
        do {
            if (report(token_service_list(pool, after, 500, &items, &n)))
                return 1;
            for (int i = 0; i < n; i++) {
                fprintf(stdout, "%-8lld %-11s ", (long long)items[i].id, role_name(items[i].role));
                print_binding(&items[i]);
                fprintf(stdout, " %-21s %-21s %s\n", items[i].created_at,
                        items[i].revoked_at[0] ? items[i].revoked_at : "-", items[i].name);
            }
            after = n ? items[n - 1].id : after;
            free(items);
        } while (n == 500);
        return 0;
    }
    int64_t id;
    if (!strcmp(sub, "revoke") && argc == 3 && parse_int64(argv[2], 1, INT64_MAX, &id)) {
        struct token_info out;
        int rc = report(token_service_revoke(pool, id, &out));
        if (rc == 0)
            fprintf(stderr, "ritmo: token %lld revoked at %s\n", (long long)id, out.revoked_at);
        return rc;
    }
    fprintf(stderr, "%s", usage);
    return 2;
}

int
cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "%s", usage);
        return argc < 2 ? 2 : 0;
    }
    struct config cfg;
    if (!cli_load_config(&cfg, NULL))
        return 1;
    struct db_pool *pool = cli_pool_create(&cfg);
    int rc = run(pool, argc, argv);
    db_pool_free(pool);
    config_clear(&cfg);
    return rc;
}
