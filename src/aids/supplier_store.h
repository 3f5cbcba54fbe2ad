/* Storage of suppliers (with their SLA terms), aid models and pools. */
#ifndef RITMO_AIDS_SUPPLIER_STORE_H
#define RITMO_AIDS_SUPPLIER_STORE_H

#include "db/db.h"

#include <stdint.h>

/* Sizes in bytes for the database's character limits in UTF-8. */
struct supplier {
    int64_t id;
    char name[801];
    char email[1017];       /* "" when none */
    char webhook_url[8001]; /* "" when none */
    int delivery_working_days;
    int breakdown_response_minutes;
    char breakdown_clock[16]; /* "24x7" | "business" */
    int repair_working_days;
    int maintenance_grace_days;
    int64_t created_at;
};

struct aid_model {
    int64_t id;
    char type[32];
    char brand[801];
    char model[801];
    int64_t supplier_id;
    int depreciation_months;
    int residual_pct_bp; /* hundredths of a percent */
    char maintenance_rule[2001];
    char maintenance_anchor[16]; /* "fixed" | "completion" */
    int64_t list_price_cents;
    int64_t created_at;
};

struct pool {
    int64_t id;
    char name[801];
    char address[1201];
    double lat, lon;
    int64_t created_at;
};

enum db_status supplier_store_insert(struct db_conn *c, const struct supplier *in,
                                     struct supplier *out) __attribute__((warn_unused_result));
enum db_status supplier_store_get(struct db_conn *c, int64_t id, struct supplier *out)
    __attribute__((warn_unused_result));

/* DB_NO_REFERENT when the supplier does not exist. */
enum db_status supplier_store_model_insert(struct db_conn *c, const struct aid_model *in,
                                           struct aid_model *out)
    __attribute__((warn_unused_result));
enum db_status supplier_store_model_get(struct db_conn *c, int64_t id, struct aid_model *out)
    __attribute__((warn_unused_result));

enum db_status supplier_store_pool_insert(struct db_conn *c, const struct pool *in,
                                          struct pool *out) __attribute__((warn_unused_result));
enum db_status supplier_store_pool_get(struct db_conn *c, int64_t id, struct pool *out)
    __attribute__((warn_unused_result));

#endif
