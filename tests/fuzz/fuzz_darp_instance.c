/* libFuzzer target: the DARP benchmark-instance reader as `ritmo darp` uses
 * it: darp_instance_load on a file, then darp_model_tighten_windows and
 * darp_model_validate on what it accepted. Input: the file's bytes. */
#include "routing/darp_instance.h"
#include "routing/darp_model.h"

#include "fuzz_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file_write("instance.txt", data, size);
    struct darp_instance *inst;
    char err[256];
    if (!darp_instance_load(path, &inst, err, sizeof err)) {
        if (inst) {
            fprintf(stderr, "fuzz_darp_instance: an instance with an error\n");
            abort();
        }
        return 0;
    }
    const struct darp_model *m = inst->model;
    if (m->n_nodes != 2 * inst->requests + 2 || m->n_requests != inst->requests ||
        m->n_vehicles != inst->vehicles) {
        fprintf(stderr, "fuzz_darp_instance: counts do not match the header\n");
        abort();
    }
    darp_model_tighten_windows(inst->model);
    err[0] = '\0';
    if (!darp_model_validate(inst->model, err, sizeof err) && !err[0]) {
        fprintf(stderr, "fuzz_darp_instance: a refusal without a message\n");
        abort();
    }
    darp_instance_free(inst);
    return 0;
}
