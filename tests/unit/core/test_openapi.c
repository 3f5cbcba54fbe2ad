/* The OpenAPI file and the route table list exactly the same operations. */
#include "http/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPS 400

struct op {
    char method[8];
    char path[160];
};

/* Reads "  /path:" lines under "paths:" and "    get:" method lines. */
static int
read_openapi(struct op *ops)
{
    FILE *f = fopen(RITMO_SOURCE_DIR "/docs/api/openapi.yaml", "r");
    assert_non_null(f);
    char line[512], path[160] = "";
    int n = 0;
    bool in_paths = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != ' ' && line[0] != '#') {
            in_paths = strncmp(line, "paths:", 6) == 0;
            continue;
        }
        if (!in_paths)
            continue;
        if (!strncmp(line, "  /", 3) && line[strlen(line) - 1] == ':') {
            snprintf(path, sizeof path, "%.*s", (int)strlen(line) - 3, line + 2);
            continue;
        }
        static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
        for (int m = 0; m < 5; m++) {
            char want[16];
            snprintf(want, sizeof want, "    %s:", methods[m]);
            if (!strcmp(line, want) && n < MAX_OPS) {
                for (int k = 0; methods[m][k]; k++)
                    ops[n].method[k] = (char)toupper((unsigned char)methods[m][k]);
                snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
                n++;
            }
        }
    }
    fclose(f);
    return n;
}

static void
test_same_operations(void **state)
{
    (void)state;
    static struct op ops[MAX_OPS];
    int n = read_openapi(ops);
    int missing = 0;
    for (size_t i = 0; i < routes_count(); i++) {
        bool found = false;
        for (int k = 0; k < n && !found; k++)
            found =
                !strcmp(ops[k].method, routes[i].method) && !strcmp(ops[k].path, routes[i].pattern);
        if (!found) {
            fprintf(stderr, "route %s %s is not in docs/api/openapi.yaml\n", routes[i].method,
                    routes[i].pattern);
            missing++;
        }
    }
    for (int k = 0; k < n; k++) {
        bool found = false;
        for (size_t i = 0; i < routes_count() && !found; i++)
            found =
                !strcmp(ops[k].method, routes[i].method) && !strcmp(ops[k].path, routes[i].pattern);
        if (!found) {
            fprintf(stderr, "openapi.yaml has %s %s, which the server does not serve\n",
                    ops[k].method, ops[k].path);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
    assert_int_equal((size_t)n, routes_count());
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_same_operations)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
