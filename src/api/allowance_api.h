/* The km allowance: a client's year with its ledger, adjustments, and the
 * allowance report. */
#ifndef RITMO_API_ALLOWANCE_API_H
#define RITMO_API_ALLOWANCE_API_H

struct req;

void allowance_api_get(struct req *r);
void allowance_api_adjust(struct req *r);
void allowance_api_report(struct req *r);

#endif
