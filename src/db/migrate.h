/* Schema migrations: sql/NNN_name.sql compiled into the binary, applied in
 * order, each in one transaction, recorded in schema_migrations. */
#ifndef RITMO_DB_MIGRATE_H
#define RITMO_DB_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Terminated by an entry with version 0; generated at build time. */
extern const struct migration migrations[];

/* The newest version this binary carries. */
int migrate_latest_version(void);

/* Applies every pending migration to the database at conninfo, serialised
 * with other migrating processes by an advisory lock; applying twice does
 * nothing. Progress goes to the log. *applied counts what ran. On failure
 * returns false with *err set (caller frees). */
bool migrate_run(const char *conninfo, int *applied, char **err)
    __attribute__((warn_unused_result));

/* Reads the schema version of a database (0 when never migrated).
 * False with *err set when the database cannot be reached. */
bool migrate_current_version(const char *conninfo, int *version, char **err)
    __attribute__((warn_unused_result));

#endif
