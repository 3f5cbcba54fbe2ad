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

#endif
