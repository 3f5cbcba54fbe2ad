/* Row and parameter helpers shared by the aids storage modules. */
#include "aids/aids_sql.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

int64_t
aids_sql_i64(const PGresult *r, int row, int col)
{
    int64_t v;
    if (PQgetisnull(r, row, col) || !parse_int64(PQgetvalue(r, row, col), INT64_MIN, INT64_MAX, &v))
        return 0;
    return v;
}

void
aids_sql_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

struct civil_date
aids_sql_date(const PGresult *r, int row, int col)
{
    struct civil_date d = {0, 0, 0};
    if (PQgetisnull(r, row, col) || !civil_date_parse(PQgetvalue(r, row, col), &d))
        return (struct civil_date){0, 0, 0};
    return d;
}

char *
aids_sql_param_i64(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

const char *
aids_sql_param_date(char buf[CIVIL_DATE_BUFSZ], struct civil_date d)
{
    return d.year ? civil_date_format(d, buf) : NULL;
}

const char *
aids_sql_param_id(char buf[24], int64_t id)
{
    return id ? aids_sql_param_i64(buf, id) : NULL;
}

enum db_status
aids_sql_rows(struct db_conn *c, struct db_stmt *st, const char *const *params, size_t size,
              db_row_reader read, void **items, int *n)
{
    enum db_status s;
    *items = NULL;
    *n = 0;
    PGresult *r = db_exec(c, st, params, &s);
    if (!r)
        return s;
    *n = PQntuples(r);
    char *out = xcalloc((size_t)*n + 1, size);
    for (int i = 0; i < *n; i++)
        read(r, i, out + (size_t)i * size);
    *items = out;
    PQclear(r);
    return DB_OK;
}
