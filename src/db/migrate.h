/* Schema migrations: sql/NNN_name.sql compiled into the binary, applied in
 * order, each in one transaction, recorded in schema_migrations. */
#ifndef RITMO_DB_MIGRATE_H
#define RITMO_DB_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

/* Versions are the NNN of sql/NNN_name.sql. */
#define MIGRATE_MAX_VERSION 999

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Terminated by an entry with version 0; generated at build time. */
extern const struct migration migrations[];

/* The newest version this binary carries. */
int migrate_latest_version(void);

/* Applies every migration the database has not applied yet, in version
 * order (also one that landed after a higher version was applied) to the database at conninfo,
 * serialised with other migrating processes by an advisory lock; applying twice does nothing.
 * Progress goes to the log. *applied counts what ran. On failure returns false with *err set
 * (caller frees). */
bool migrate_run(const char *conninfo, int *applied, char **err)
    __attribute__((warn_unused_result));

/* How many of this binary's migrations the database lacks (*pending) and
 * how many applied ones this binary does not know (*foreign: a newer ritmo
 * migrated). False with *err set when the database cannot be reached. */
bool migrate_status(const char *conninfo, int *pending, int *foreign, char **err)
    __attribute__((warn_unused_result));

#endif
