/* API tokens and roles: generation from the OS's random source, the stored
 * hash, and the role names of API.md. Pure code, no database. */
#ifndef RITMO_AUTH_TOKEN_H
#define RITMO_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
    ROLE_ADMIN = 1 << 0,
    ROLE_DISPATCHER = 1 << 1,
    ROLE_RESIDENT = 1 << 2,
    ROLE_DRIVER = 1 << 3,
    ROLE_SUPPLIER = 1 << 4,
};
#define ROLE_ANY (ROLE_ADMIN | ROLE_DISPATCHER | ROLE_RESIDENT | ROLE_DRIVER | ROLE_SUPPLIER)

/* Who is calling: the token's role and the one thing it is bound to. */
struct principal {
    int64_t token_id;
    enum role role;
    int64_t client_id;   /* resident */
    int64_t vehicle_id;  /* driver */
    int64_t supplier_id; /* supplier */
};

/* "ritmo_" + 43 characters of base64url (32 random bytes) + NUL. */
#define TOKEN_PREFIX    "ritmo_"
#define TOKEN_TEXT_SIZE (6 + 43 + 1)
#define TOKEN_HASH_SIZE 32
#define TOKEN_HASH_HEX  (TOKEN_HASH_SIZE * 2 + 1)

/* Fills out with a new token from getrandom(2). False only when the OS
 * random source fails. */
bool token_generate(char out[TOKEN_TEXT_SIZE]) __attribute__((warn_unused_result));
/* Lower-case hex of the SHA-256 of the token text. A plain hash suffices:
 * the token carries 256 bits of entropy, so no slow KDF is needed, and the
 * lookup by hash reveals nothing about the token through timing. */
void token_hash_hex(const char *token, char out[TOKEN_HASH_HEX]);
/* True when text has the shape of a token (prefix, length, alphabet). */
bool token_well_formed(const char *text);

/* A role's binding: a resident to a client, a driver to a vehicle, a
 * supplier to a supplier, the others to nothing. False with *why (a static
 * string naming the field) when the ids given do not fit the role. */
bool token_binding_valid(enum role role, int64_t client_id, int64_t vehicle_id, int64_t supplier_id,
                         const char **why) __attribute__((warn_unused_result));

/* Role names as in API.md; role_parse is false for anything else. */
const char *role_name(enum role r);
bool role_parse(const char *name, enum role *out) __attribute__((warn_unused_result));

#endif
