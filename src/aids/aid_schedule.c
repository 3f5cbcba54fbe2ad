/* Next maintenance and depreciation parameters of an item, from the pure
 * rules of inventory/. */
#include "aids/aid_schedule.h"

#include "inventory/maintenance.h"

#include <string.h>

bool
aid_schedule_update(struct aid *a)
{
    a->next_maintenance_on = (struct civil_date){0, 0, 0};
    if (!strcmp(a->status, "written_off"))
        return true;
    struct maintenance_rule *rule;
    if (maintenance_rule_create(a->maintenance_rule, &rule) != MAINTENANCE_OK)
        return false;
    enum maintenance_anchor mode = strcmp(a->maintenance_anchor, "completion")
                                       ? MAINTENANCE_ANCHOR_FIXED
                                       : MAINTENANCE_ANCHOR_COMPLETION;
    /* A maintenance before the anchor (before a re-issue) does not count
     * for the schedule that starts at the re-issue. */
    const struct civil_date *last = NULL;
    if (a->last_maintenance_on.year &&
        civil_date_compare(a->last_maintenance_on, a->anchor_date) >= 0)
        last = &a->last_maintenance_on;
    struct civil_date next;
    enum maintenance_status st = maintenance_next_due(rule, mode, a->anchor_date, last, &next);
    maintenance_rule_free(rule);
    if (st == MAINTENANCE_OK)
        a->next_maintenance_on = next;
    return st == MAINTENANCE_OK || st == MAINTENANCE_ENDED;
}

void
aid_schedule_depreciation(const struct aid *a, struct depreciation_params *p)
{
    p->price_cents = a->purchase_price_cents;
    p->residual_cents = a->residual_cents;
    p->start = a->purchase_date;
    p->months = a->depreciation_months;
}
