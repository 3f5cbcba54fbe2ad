/* Contraction hierarchies (Geisberger et al. 2008): node ordering and
 * shortcuts so that shortest-path queries only search "upwards". */
#ifndef RITMO_ROUTING_CH_H
#define RITMO_ROUTING_CH_H

#include <stdint.h>

/* Upward search graph, owned by the caller (ch_result_clear). up holds arcs
 * v->w with rank(w) > rank(v); down holds, at v, the arcs w->v with
 * rank(w) > rank(v) as (w, weight), so a backward search climbs too. */
struct ch_result {
    uint32_t n_up, n_down;
    uint32_t *up_first, *up_head, *up_w;
    uint32_t *down_first, *down_head, *down_w;
};

/* Contract a graph given in forward CSR form (first[n+1], head[m], w[m]). */
void ch_build(uint32_t n, const uint32_t *first, const uint32_t *head, const uint32_t *w,
              struct ch_result *out);
void ch_result_clear(struct ch_result *r);

#endif
