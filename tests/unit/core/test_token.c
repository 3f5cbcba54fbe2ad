/* Unit tests of token generation, hashing and role bindings. */
#include "auth/token.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void
test_generate_shape_and_uniqueness(void **state)
{
    (void)state;
    char a[TOKEN_TEXT_SIZE], b[TOKEN_TEXT_SIZE];
    assert_true(token_generate(a));
    assert_true(token_generate(b));
    assert_int_equal(strlen(a), TOKEN_TEXT_SIZE - 1);
    assert_true(token_well_formed(a));
    assert_true(token_well_formed(b));
    assert_string_not_equal(a, b);
}

static void
test_well_formed(void **state)
{
    (void)state;
    assert_false(token_well_formed(""));
    assert_false(token_well_formed("ritmo_"));
    assert_false(token_well_formed("ritmo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));  /* 42 */
    assert_true(token_well_formed("ritmo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));  /* 43 */
    assert_false(token_well_formed("ritmo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=A")); /* '=' */
    assert_false(token_well_formed("xitmo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

static void
test_hash_known_vector(void **state)
{
    (void)state;
    char hex[TOKEN_HASH_HEX];
    token_hash_hex("abc", hex); /* FIPS 180-2 test vector */
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    token_hash_hex("", hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_verify_by_hash(void **state)
{
    (void)state;
    char t[TOKEN_TEXT_SIZE], h1[TOKEN_HASH_HEX], h2[TOKEN_HASH_HEX];
    assert_true(token_generate(t));
    token_hash_hex(t, h1);
    token_hash_hex(t, h2);
    assert_string_equal(h1, h2);
    t[10] = t[10] == 'A' ? 'B' : 'A';
    token_hash_hex(t, h2);
    assert_string_not_equal(h1, h2);
}

static void
test_roles_and_bindings(void **state)
{
    (void)state;
    enum role r;
    const char *why = NULL;
    assert_true(role_parse("dispatcher", &r));
    assert_int_equal(r, ROLE_DISPATCHER);
    assert_string_equal(role_name(ROLE_SUPPLIER), "supplier");
    assert_false(role_parse("Admin", &r));
    assert_true(token_binding_valid(ROLE_ADMIN, 0, 0, 0, &why));
    assert_true(token_binding_valid(ROLE_RESIDENT, 5, 0, 0, &why));
    assert_false(token_binding_valid(ROLE_RESIDENT, 0, 0, 0, &why));
    assert_string_equal(why, "client_id");
    assert_false(token_binding_valid(ROLE_DRIVER, 0, 0, 0, &why));
    assert_string_equal(why, "vehicle_id");
    assert_false(token_binding_valid(ROLE_DISPATCHER, 0, 0, 9, &why));
    assert_string_equal(why, "supplier_id");
    assert_false(token_binding_valid(ROLE_SUPPLIER, 1, 0, 9, &why));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_shape_and_uniqueness),
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_hash_known_vector),
        cmocka_unit_test(test_verify_by_hash),
        cmocka_unit_test(test_roles_and_bindings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
