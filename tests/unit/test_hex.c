/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_hex: server/util/hex.c — every digit of both cases, and the characters just
 * outside each digit range. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/hex.h"

static void test_digits(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++)
        assert_int_equal(hex_digit_value((char)('0' + i)), i);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(hex_digit_value((char)('a' + i)), 10 + i);
        assert_int_equal(hex_digit_value((char)('A' + i)), 10 + i);
    }
}

static void test_not_digits(void **state)
{
    static const char bad[] = {'/', ':', '`', 'g', '@', 'G', ' ', '\0', 'x', '-', (char)0xff};

    (void)state;
    for (size_t i = 0; i < sizeof(bad); i++)
        assert_int_equal(hex_digit_value(bad[i]), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_not_digits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
