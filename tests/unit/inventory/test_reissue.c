/* Unit tests for inventory/reissue: art. 3.2 lid 2 h refusals with their
 * expiry date, and each of the three exceptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/reissue.h"

static struct civil_date
D(int y, int m, int d) {
    return (struct civil_date){y, m, d};
}

/* A scooter received 31 Aug 2021 (60 months: expires 31 Aug 2026) and a
 * manual wheelchair received 30 Nov 2020 (48 months: expires 30 Nov 2024). */
static const struct reissue_receipt history[] = {
    {"scootmobiel", {2021, 8, 31}, 60},
    {"wheelchair_manual", {2020, 11, 30}, 48},
};

static void
assert_date(struct civil_date got, int y, int m, int d)
{
    assert_int_equal(got.year, y);
    assert_int_equal(got.month, m);
    assert_int_equal(got.day, d);
}

static void
test_refused_while_running(void **state)
{
    struct reissue_request req = {"scootmobiel", {2026, 8, 30}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_REFUSED);
    assert_date(dec.expires, 2026, 8, 31);
    assert_int_equal(dec.blocking_index, 0);
}

static void
test_allowed_on_expiry_day(void **state)
{
    struct reissue_request req = {"scootmobiel", {2026, 8, 31}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_ALLOWED);
}

static void
test_other_type_and_expired(void **state)
{
    struct reissue_request req = {"wheelchair_electric", {2025, 1, 1}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_ALLOWED);
    req.type = "wheelchair_manual";
    req.date = D(2024, 11, 29);
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_REFUSED);
    assert_date(dec.expires, 2024, 11, 30);
    req.date = D(2024, 11, 30);
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_ALLOWED);
    assert_int_equal(reissue_decide(NULL, 0, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_ALLOWED);
}

static void
test_each_exception(void **state)
{
    static const char *names[] = {"lost_not_own_fault", "client_pays", "insufficient_support"};
    struct reissue_request req = {"scootmobiel", {2024, 1, 15}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_true(reissue_exception_parse(names[i], &req.exception));
        assert_string_equal(reissue_exception_name(req.exception), names[i]);
        assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_OK);
        assert_int_equal(dec.verdict, REISSUE_ALLOWED_BY_EXCEPTION);
        assert_date(dec.expires, 2026, 8, 31);
    }
    assert_false(reissue_exception_parse("none", &req.exception));
    assert_false(reissue_exception_parse("client-pays", &req.exception));
    assert_false(reissue_exception_parse("", &req.exception));
}

static void
test_latest_expiry_and_month_end(void **state)
{
    const struct reissue_receipt two[] = {
        {"scootmobiel", {2021, 8, 31}, 60},
        {"scootmobiel", {2024, 2, 29}, 36},
    };
    struct reissue_request req = {"scootmobiel", {2026, 9, 1}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    assert_int_equal(reissue_decide(two, 2, &req, &dec), REISSUE_OK);
    assert_int_equal(dec.verdict, REISSUE_REFUSED);
    assert_date(dec.expires, 2027, 2, 28);
    assert_int_equal(dec.blocking_index, 1);
    req.date = D(2026, 3, 1);
    assert_int_equal(reissue_decide(two, 2, &req, &dec), REISSUE_OK);
    assert_date(dec.expires, 2027, 2, 28);
}

static void
test_bad_input(void **state)
{
    const struct reissue_receipt bad[] = {{"scootmobiel", {2021, 2, 29}, 60}};
    const struct reissue_receipt zero[] = {{"scootmobiel", {2021, 2, 28}, 0}};
    struct reissue_request req = {"scootmobiel", {2026, 9, 1}, REISSUE_EXCEPTION_NONE};
    struct reissue_decision dec;

    (void)state;
    assert_int_equal(reissue_decide(bad, 1, &req, &dec), REISSUE_BAD_RECEIPT);
    assert_int_equal(reissue_decide(zero, 1, &req, &dec), REISSUE_BAD_RECEIPT);
    req.type = NULL;
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_BAD_REQUEST);
    req.type = "scootmobiel";
    req.date = D(2026, 13, 1);
    assert_int_equal(reissue_decide(history, 2, &req, &dec), REISSUE_BAD_REQUEST);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_while_running),
        cmocka_unit_test(test_allowed_on_expiry_day),
        cmocka_unit_test(test_other_type_and_expired),
        cmocka_unit_test(test_each_exception),
        cmocka_unit_test(test_latest_expiry_and_month_end),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
