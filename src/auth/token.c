/* Token generation and hashing (nettle's SHA-256, the OS random source). */
#include "auth/token.h"

#include "core/digest.h"

#include <string.h>
#include <sys/random.h>

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool
token_generate(char out[TOKEN_TEXT_SIZE])
{
    unsigned char raw[33] = {0}; /* 32 bytes used; one spare for the last group */
    size_t got = 0;
    while (got < 32) {
        ssize_t n = getrandom(raw + got, 32 - got, 0);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    memcpy(out, TOKEN_PREFIX, 6);
    char *p = out + 6;
    /* 32 bytes = 10 groups of 3 plus 2 bytes: 40 + 3 characters, unpadded. */
    for (int i = 0; i < 33; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        int chars = i + 3 <= 32 ? 4 : 3;
        for (int k = 0; k < chars; k++)
            *p++ = b64url[(v >> (18 - 6 * k)) & 63];
    }
    *p = '\0';
    memset(raw, 0, sizeof raw);
    return true;
}

void
token_hash_hex(const char *token, char out[TOKEN_HASH_HEX])
{
    digest_sha256_hex(token, strlen(token), out);
}

bool
token_well_formed(const char *text)
{
    if (strlen(text) != TOKEN_TEXT_SIZE - 1 || strncmp(text, TOKEN_PREFIX, 6) != 0)
        return false;
    for (const char *p = text + 6; *p; p++)
        if (!strchr(b64url, *p))
            return false;
    return true;
}

static const struct {
    enum role role;
    const char *name;
} roles[] = {
    {ROLE_ADMIN, "admin"},   {ROLE_DISPATCHER, "dispatcher"}, {ROLE_RESIDENT, "resident"},
    {ROLE_DRIVER, "driver"}, {ROLE_SUPPLIER, "supplier"},
};

const char *
role_name(enum role r)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "unknown";
}

bool
role_parse(const char *name, enum role *out)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(roles[i].name, name)) {
            *out = roles[i].role;
            return true;
        }
    return false;
}

bool
token_binding_valid(enum role role, int64_t client_id, int64_t vehicle_id, int64_t supplier_id,
                    const char **why)
{
    static const struct {
        enum role role;
        const char *field;
    } needs[] = {
        {ROLE_RESIDENT, "client_id"}, {ROLE_DRIVER, "vehicle_id"}, {ROLE_SUPPLIER, "supplier_id"}};
    const int64_t given[] = {client_id, vehicle_id, supplier_id};
    for (int i = 0; i < 3; i++) {
        if ((needs[i].role == role) != (given[i] != 0)) {
            *why = needs[i].field;
            return false;
        }
    }
    return true;
}
