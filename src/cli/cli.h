/* Shared pieces of the subcommands: loading the configuration and opening
 * the database pool the way every command does. */
#ifndef RITMO_CLI_H
#define RITMO_CLI_H

#include "core/config.h"

#include <stdbool.h>

struct app;
struct db_pool;

/* Loads the configuration from RITMO_CONFIG (or file when not NULL) and the
 * environment, and sets the log level. Prints the problem and is false when
 * a setting is invalid. */
bool cli_load_config(struct config *cfg, const char *file) __attribute__((warn_unused_result));
/* A pool for a command-line command (one connection). */
struct db_pool *cli_pool_create(const struct config *cfg);
/* The services of app->cfg every request shares: time zone, distance
 * provider, ride rules, day cache. False (logged) when one cannot start. */
bool cli_app_create(struct app *app) __attribute__((warn_unused_result));
void cli_app_free(struct app *app);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_pseudonymise(int argc, char **argv);
int cmd_plan(int argc, char **argv);

#endif
