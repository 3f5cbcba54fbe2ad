/* An item's next maintenance date from its model's RRULE (inventory/
 * maintenance.c), anchored as the model says. Pure: no SQL, no HTTP. */
#ifndef RITMO_AIDS_AID_SCHEDULE_H
#define RITMO_AIDS_AID_SCHEDULE_H

#include "aids/aid_store.h"
#include "inventory/depreciation.h"

#include <stdbool.h>

/* Sets a->next_maintenance_on from the rule, anchor_date and
 * last_maintenance_on; year 0 when nothing is due any more (the rule ended,
 * or the item is written off). False when the stored rule no longer parses
 * (a broken invariant: rules are validated before they are stored). */
bool aid_schedule_update(struct aid *a) __attribute__((warn_unused_result));

/* The depreciation parameters of an item. */
void aid_schedule_depreciation(const struct aid *a, struct depreciation_params *p);

#endif
