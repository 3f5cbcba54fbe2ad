/* Cost of one exact route feasibility test (darp_route_window: earliest and
 * latest schedule) against route length, on two kinds of route: plain
 * (rides one after another, no waiting needed) and staircase (every ride
 * overlaps the next and only the last dropoff is late, so each pickup must
 * be delayed because the next one was: the worst case of pushing departures
 * one ride at a time). Prints one line per kind and size. */
#include "routing/darp_model.h"
#include "routing/darp_route.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* nr rides on one vehicle, every leg 3 minutes, ride limits as tight as the
 * route allows; stops[] receives the visiting order (2 * nr stops). */
static struct darp_model *
route_model(int nr, bool stair, int *stops)
{
    int nn = 2 * nr + 2, n = 0;
    struct darp_model *m = darp_model_create(nn, nr, 1, 1);
    for (int r = 0; r < nr; r++) {
        m->requests[r] = (struct darp_request){1 + r, 1 + nr + r, 0};
        m->nodes[1 + r].request = m->nodes[1 + nr + r].request = r;
        m->nodes[1 + r].load[0] = 1;
        m->nodes[1 + nr + r].load[0] = -1;
        if (!stair) {
            stops[n++] = 1 + r;
            stops[n++] = 1 + nr + r;
        } else if (r == 0) {
            stops[n++] = 1;
        } else {
            stops[n++] = 1 + r;
            stops[n++] = 1 + nr + r - 1;
        }
    }
    if (stair)
        stops[n++] = 2 * nr;
    double *at = calloc((size_t)nn, sizeof(double));
    for (int k = 0; k < n; k++)
        at[stops[k]] = 3.0 * (k + 1);
    for (int i = 0; i < nn; i++) {
        m->nodes[i].l = 1e7;
        for (int j = 0; j < nn; j++)
            m->time[i * nn + j] = m->cost[i * nn + j] = 3;
    }
    for (int r = 0; r < nr; r++) /* the ride as driven, no room to wait */
        m->requests[r].max_ride = at[1 + nr + r] - at[1 + r];
    if (stair)
        m->nodes[2 * nr].e = at[2 * nr] + 60; /* the one late dropoff */
    m->vehicles[0] = (struct darp_vehicle){0, nn - 1, {2}, 0, INFINITY, INFINITY};
    free(at);
    return m;
}

int
main(void)
{
    static const int sizes[] = {5, 15, 50, 150, 500, 1500};
    printf("%-9s %6s %12s %10s\n", "route", "stops", "ns/test", "ns/stop");
    for (int stair = 0; stair <= 1; stair++)
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            int nr = sizes[s], n = 2 * nr;
            int *stops = malloc((size_t)n * sizeof(int));
            struct darp_model *m = route_model(nr, stair, stops);
            struct darp_route_eval *ev = darp_route_eval_create(m);
            double *early = malloc((size_t)(n + 2) * sizeof(double));
            double *late = malloc((size_t)(n + 2) * sizeof(double));
            /* about 20 ms of work per batch, 15 batches, the median */
            double t0 = now_ns();
            int reps = 0;
            while (now_ns() - t0 < 2e7) {
                if (!darp_route_window(ev, 0, stops, n, early, late)) {
                    fprintf(stderr, "route of %d stops found infeasible\n", n);
                    return 1;
                }
                reps++;
            }
            double batch[15];
            for (int b = 0; b < 15; b++) {
                double t = now_ns();
                for (int i = 0; i < reps; i++)
                    if (!darp_route_window(ev, 0, stops, n, early, late))
                        return 1;
                batch[b] = (now_ns() - t) / reps;
            }
            qsort(batch, 15, sizeof(double), cmp_double);
            printf("%-9s %6d %12.0f %10.1f\n", stair ? "staircase" : "plain", n, batch[7],
                   batch[7] / n);
            free(late);
            free(early);
            darp_route_eval_free(ev);
            darp_model_free(m);
            free(stops);
        }
    return 0;
}
