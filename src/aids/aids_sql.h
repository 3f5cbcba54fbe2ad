/* Small helpers the aids storage modules share: reading typed columns of a
 * result and formatting parameters. Storage modules only. */
#ifndef RITMO_AIDS_AIDS_SQL_H
#define RITMO_AIDS_AIDS_SQL_H

#include "db/db.h"
#include "inventory/civil_date.h"

#include <stddef.h>
#include <stdint.h>

/* Timestamps travel as unix seconds, dates as ISO text. */
#define AIDS_EPOCH(col) "extract(epoch FROM " col ")::bigint"

/* Column col of row as an integer; 0 when NULL or not a number. */
int64_t aids_sql_i64(const PGresult *r, int row, int col);
/* Copies the column's text into dst (truncated to size). */
void aids_sql_text(char *dst, size_t size, const PGresult *r, int row, int col);
/* A date column; {0, 0, 0} when NULL or not a date. */
struct civil_date aids_sql_date(const PGresult *r, int row, int col);

/* Text of an integer parameter in buf; returns buf. */
char *aids_sql_param_i64(char buf[24], int64_t v);
/* Text of a date parameter in buf, or NULL (SQL NULL) when year is 0. */
const char *aids_sql_param_date(char buf[CIVIL_DATE_BUFSZ], struct civil_date d);
/* Text of an id parameter, or NULL (SQL NULL) when id is 0. */
const char *aids_sql_param_id(char buf[24], int64_t id);

/* Runs st and hands every row to read(r, row, out + row * size); *items is
 * caller-owned (free()), *n the number of rows. (db_query_one reads one.) */
enum db_status aids_sql_rows(struct db_conn *c, struct db_stmt *st, const char *const *params,
                             size_t size, db_row_reader read, void **items, int *n)
    __attribute__((warn_unused_result));
#endif
