/* Reader for the classic Cordeau/Ropke dial-a-ride benchmark files (a, b and
 * pr families, with or without an end-depot line) into a darp_model. */
#ifndef RITMO_DARP_INSTANCE_H
#define RITMO_DARP_INSTANCE_H

#include "routing/darp_model.h"

#include <stdbool.h>
#include <stddef.h>

/* A parsed benchmark instance. `model` has nodes 0 (start depot),
 * 1..n (pickups), n+1..2n (dropoffs), 2n+1 (end depot, copied from node 0
 * when the file has no end-depot line), K identical vehicles, one capacity
 * dimension and Euclidean times = costs. Owned by the instance. */
struct darp_instance {
    char *name; /* file name without directories */
    int vehicles, requests;
    double max_duration, max_ride;
    int capacity;
    bool has_end_depot;
    double *x, *y; /* coordinates per node */
    struct darp_model *model;
};

/* Parses the text of a benchmark file. On success *out is a new instance the
 * caller frees with darp_instance_free(); on failure *out is NULL and err
 * holds a message naming the offending line. */
bool darp_instance_parse(const char *text, const char *name, struct darp_instance **out, char *err,
                         size_t errlen) __attribute__((warn_unused_result));

/* Reads and parses the file at path (same ownership as darp_instance_parse). */
bool darp_instance_load(const char *path, struct darp_instance **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void darp_instance_free(struct darp_instance *inst);

#endif
