/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_byte_range: server/http/byte_range.c — the Range header: the three forms,
 * clamping to the resource size, unsatisfiable ranges (416), and every header that is
 * ignored (other units, several ranges, junk, reversed, overflow). Pure; one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/byte_range.h"

static void expect_range(const char *header, uint64_t size, uint64_t start, uint64_t length)
{
    struct byte_range r = {0, 0};

    assert_int_equal(byte_range_parse(header, size, &r), 1);
    assert_int_equal(r.start, start);
    assert_int_equal(r.length, length);
}

static void test_forms(void **state)
{
    expect_range("bytes=0-99", 1000, 0, 100);
    expect_range("bytes=100-", 1000, 100, 900);
    expect_range("bytes=-100", 1000, 900, 100);
    expect_range("bytes=999-999", 1000, 999, 1);
    expect_range("bytes= 5-9 ", 1000, 5, 5);
}

static void test_clamping(void **state)
{
    expect_range("bytes=900-5000", 1000, 900, 100);
    expect_range("bytes=-5000", 1000, 0, 1000);
    expect_range("bytes=0-18446744073709551615", 10, 0, 10);
}

static void test_unsatisfiable(void **state)
{
    struct byte_range r;

    assert_int_equal(byte_range_parse("bytes=1000-", 1000, &r), -1);
    assert_int_equal(byte_range_parse("bytes=2000-3000", 1000, &r), -1);
    assert_int_equal(byte_range_parse("bytes=-0", 1000, &r), -1);
    assert_int_equal(byte_range_parse("bytes=0-", 0, &r), -1);
    assert_int_equal(byte_range_parse("bytes=-5", 0, &r), -1);
}

static void test_ignored(void **state)
{
    struct byte_range r;
    static const char *const ignored[] = {
        NULL,
        "",
        "bytes=",
        "bytes=-",
        "items=0-9",
        "bytes=0-9,20-29",
        "bytes=a-b",
        "bytes=9-0",
        "bytes=0-9x",
        "Bytes=0-9",
        "bytes=18446744073709551616-",
        "bytes=--1",
    };

    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        assert_int_equal(byte_range_parse(ignored[i], 1000, &r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_unsatisfiable),
        cmocka_unit_test(test_ignored),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
