/* Applies the migrations compiled into the binary, one transaction each. */
#include "db/migrate.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "db/db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any constant works as long as every ritmo process uses the same one. */
#define MIGRATE_LOCK_KEY "7263957"

static bool
migration_known(int version)
{
    for (const struct migration *m = migrations; m->sql; m++)
        if (m->version == version)
            return true;
    return false;
}

int
migrate_latest_version(void)
{
    int latest = 0;
    for (const struct migration *m = migrations; m->sql; m++)
        latest = m->version;
    return latest;
}

static bool
exec_ok(PGconn *pg, const char *sql, char **err)
{
    PGresult *r = PQexec(pg, sql);
    bool ok = db_status_of(pg, r) == DB_OK;
    if (!ok) {
        const char *msg = PQresultErrorMessage(r);
        *err = xasprintf("%.*s", (int)strcspn(msg, "\n"), msg);
    }
    PQclear(r);
    return ok;
}

/* Which versions the database has applied: a set, not a maximum, so that
 * migrations that landed out of order are still applied. */
static bool
read_applied(PGconn *pg, bool applied[MIGRATE_MAX_VERSION + 1], int *foreign, char **err)
{
    memset(applied, 0, sizeof(bool) * (MIGRATE_MAX_VERSION + 1));
    *foreign = 0;
    PGresult *r = PQexec(pg, "SELECT version FROM schema_migrations");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (ok) {
        for (int i = 0; i < PQntuples(r); i++) {
            long v = strtol(PQgetvalue(r, i, 0), NULL, 10);
            if (v > 0 && v <= MIGRATE_MAX_VERSION)
                applied[v] = true;
        }
    } else if (PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
               !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42P01")) {
        ok = true; /* undefined_table: never migrated */
    } else {
        *err = xasprintf("could not read the schema version: %s", PQresultErrorMessage(r));
    }
    PQclear(r);
    if (ok) /* versions this binary does not know: a newer ritmo migrated */
        for (int v = 1; v <= MIGRATE_MAX_VERSION; v++)
            *foreign += applied[v] && !migration_known(v);
    return ok;
}

static bool
apply_one(PGconn *pg, const struct migration *m, char **err)
{
    char *e = NULL;
    if (!exec_ok(pg, "BEGIN", &e) || !exec_ok(pg, m->sql, &e))
        goto fail;
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version, m->name};
    PGresult *r = PQexecParams(pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                               2, NULL, params, NULL, NULL, 0);
    bool ok = db_status_of(pg, r) == DB_OK;
    if (!ok)
        e = xstrdup(PQresultErrorMessage(r));
    PQclear(r);
    if (!ok || !exec_ok(pg, "COMMIT", &e))
        goto fail;
    log_info("applied migration %03d_%s", m->version, m->name);
    return true;
fail:
    *err = xasprintf("could not apply migration %03d_%s: %s", m->version, m->name, e);
    free(e);
    PQclear(PQexec(pg, "ROLLBACK"));
    return false;
}

bool
migrate_run(const char *conninfo, int *applied, char **err)
{
    *applied = 0;
    PGconn *pg = db_connect(conninfo, 10000, err);
    if (!pg)
        return false;
    bool ok = false;
    char *e = NULL;
    /* Quiet NOTICEs such as "relation already exists, skipping". */
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    if (!exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", &e) ||
        !exec_ok(pg,
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version integer PRIMARY KEY,"
                 " name text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())",
                 &e)) {
        *err = xasprintf("could not prepare migrations: %s", e);
        goto out;
    }
    bool done[MIGRATE_MAX_VERSION + 1];
    int foreign;
    if (!read_applied(pg, done, &foreign, err))
        goto out;
    for (const struct migration *m = migrations; m->sql; m++) {
        if (done[m->version])
            continue;
        if (!apply_one(pg, m, err))
            goto out;
        (*applied)++;
    }
    ok = true;
out:
    free(e);
    PQfinish(pg); /* ends the session, which releases the advisory lock */
    return ok;
}

bool
migrate_status(const char *conninfo, int *pending, int *foreign, char **err)
{
    PGconn *pg = db_connect(conninfo, 5000, err);
    if (!pg)
        return false;
    bool applied[MIGRATE_MAX_VERSION + 1];
    bool ok = read_applied(pg, applied, foreign, err);
    PQfinish(pg);
    *pending = 0;
    for (const struct migration *m = migrations; ok && m->sql; m++)
        *pending += !applied[m->version];
    return ok;
}
