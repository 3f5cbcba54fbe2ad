/* Shared pieces of the subcommands: loading the configuration and opening
 * the database pool the way every command does. */
#ifndef RITMO_CLI_H
#define RITMO_CLI_H

#include "core/config.h"

#include <stdbool.h>

struct db_pool;

/* Loads the configuration from RITMO_CONFIG (or file when not NULL) and the
 * environment, and sets the log level. Prints the problem and is false when
 * a setting is invalid. */
bool cli_load_config(struct config *cfg, const char *file) __attribute__((warn_unused_result));
/* A pool for a command-line command (one connection). */
struct db_pool *cli_pool_create(const struct config *cfg);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_pseudonymise(int argc, char **argv);

#endif
