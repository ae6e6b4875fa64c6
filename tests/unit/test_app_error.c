/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_app_error: server/util/app_error.c — the error value: every field set, NULL err
 * ignored, a message that does not fit is cut, and cut between whole UTF-8 characters
 * (a volume name in any script in a long message must not leave half a character,
 * which would make the JSON answer invalid UTF-8). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/app_error.h"
#include "util/utf8_name.h"

static void test_set_and_clear(void **state)
{
    struct app_error err;

    app_error_set(&err, 404, APP_ERR_NOT_FOUND, "no volume \"%s\"", "中文.iso");
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "not_found");
    assert_string_equal(err.message, "no volume \"中文.iso\"");
    app_error_set(NULL, 500, APP_ERR_INTERNAL, "ignored");
    app_error_clear(&err);
    assert_int_equal(err.status, 0);
    assert_null(err.code);
    assert_string_equal(err.message, "");
}

/* A refused request member: its key and range ride on the error until the next set. */
static void test_field_and_limits(void **state)
{
    struct app_error err;

    app_error_set(&err, 400, APP_ERR_BAD_REQUEST, "too big");
    assert_string_equal(err.field, "");
    assert_false(err.has_limits);
    app_error_at_field(&err, "", "name");
    assert_string_equal(err.field, "name");
    assert_false(err.has_limits);
    app_error_at_range(&err, "", "capacity_bytes", 1, 17592186044416LL);
    assert_string_equal(err.field, "capacity_bytes");
    assert_true(err.has_limits);
    assert_true(err.min == 1);
    assert_true(err.max == 17592186044416LL);
    /* a later error starts clean: no field or range from the one before */
    app_error_set(&err, 502, APP_ERR_LIBVIRT, "other");
    assert_string_equal(err.field, "");
    assert_false(err.has_limits);
    app_error_at_range(&err, "ipv4.", "prefix", 8, 30);
    assert_string_equal(err.field, "ipv4.prefix");
    app_error_clear(&err);
    assert_string_equal(err.field, "");
    assert_false(err.has_limits);
    app_error_at_field(NULL, "", "name"); /* err may be NULL */
    app_error_at_range(NULL, "", "name", 0, 1);
}

static void test_cut_between_characters(void **state)
{
    char name[256];
    struct app_error err;

    for (int i = 0; i < 85; i++)
        memcpy(name + 3 * i, "盘", 3);
    name[255] = '\0';
    /* each offset of the name against the buffer's end: "x" .. "xxx" before it */
    for (int pad = 0; pad < 3; pad++) {
        size_t len;

        app_error_set(&err, 409, APP_ERR_CONFLICT, "%.*sa volume \"%s\" already exists", pad, "xx",
                      name);
        len = strlen(err.message);
        assert_true(len < sizeof(err.message));
        assert_true(len >= sizeof(err.message) - 4);
        assert_int_equal(utf8_name_clip(err.message, len, len), len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_clear),
        cmocka_unit_test(test_field_and_limits),
        cmocka_unit_test(test_cut_between_characters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
