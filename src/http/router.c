/* Path matching for the route table: literal segments must be equal, a
 * "{name}" segment takes any non-empty segment. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

static bool
match_path(const char *pattern, const char *path, struct route_params *params)
{
    params->n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        if (*p == '{') {
            if (slen == 0 || slen >= ROUTE_PARAM_MAX || params->n == ROUTE_MAX_PARAMS)
                return false;
            memcpy(params->value[params->n], s, slen);
            params->value[params->n][slen] = '\0';
            params->n++;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    return *p == '\0' && *s == '\0';
}

enum route_match
router_match(const struct route *table, size_t n, const char *method, const char *path,
             size_t *index, struct route_params *params, char *allow, size_t allow_size)
{
    bool path_known = false;
    size_t used = 0;
    if (allow_size)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        struct route_params tmp;
        if (!match_path(table[i].pattern, path, &tmp))
            continue;
        if (!strcmp(table[i].method, method)) {
            *index = i;
            *params = tmp;
            return ROUTE_FOUND;
        }
        path_known = true;
        if (used < allow_size) {
            int k = snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
                             table[i].method);
            used += k > 0 ? (size_t)k : 0;
        }
    }
    return path_known ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}
