/* ritmo: one program with subcommands, like git. */
#include "cli/cli.h"
#include "cli/cmd_darp.h"
#include "cli/cmd_graph.h"
#include "core/config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
    {"serve", cmd_serve, "run the HTTP API server"},
    {"migrate", cmd_migrate, "apply database schema migrations"},
    {"token", cmd_token, "create, list or revoke API tokens"},
    {"plan", cmd_plan, "plan a service day over its runs (as POST /v1/dispatch/plan)"},
    {"pseudonymise", cmd_pseudonymise, "remove the identifying data of clients past retention"},
    {"graph", cmd_graph, "build a road graph from OpenStreetMap, or query one"},
    {"darp", cmd_darp, "solve a dial-a-ride benchmark instance (planner quality)"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show this help and every setting"},
};

static int
cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("ritmo %s\n", RITMO_VERSION);
    return 0;
}

static int
cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("ritmo: Wmo door-to-door transport and assistive aids logistics\n\n"
           "usage: ritmo COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nsettings (environment variables):\n\n");
    config_print_table(stdout);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(0, NULL);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        name = "help";
    if (!strcmp(name, "--version"))
        name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name))
            continue;
        /* libcurl's global state is set up once, before any thread starts */
        curl_global_init(CURL_GLOBAL_DEFAULT);
        int rc = commands[i].run(argc - 1, argv + 1);
        curl_global_cleanup();
        return rc;
    }
    fprintf(stderr, "ritmo: unknown command \"%s\" (see ritmo help)\n", argv[1]);
    return 2;
}
