/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_password_policy: the password policy of auth/auth_password_policy.c: the
 * minimum counted in characters, its bounds, the byte maximum, the user name, control
 * characters and the messages that name the field. Pure; single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth_password_policy.h"

static char *repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *s = malloc(n * len + 1);

    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, unit, len);
    s[n * len] = '\0';
    return s;
}

static int reset(void **state)
{
    auth_password_policy_set_min(AUTH_PASSWORD_MIN_DEFAULT);
    return 0;
}

/* Checks and, when refused, that the error is a 400 naming "password" with message. */
static void expect(const char *name, const char *password, const char *message)
{
    struct app_error err;

    app_error_clear(&err);
    if (!message) {
        assert_int_equal(auth_password_policy_check(name, password, &err), 0);
        return;
    }
    assert_int_equal(auth_password_policy_check(name, password, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, "password");
    assert_string_equal(err.message, message);
}

static void test_default_minimum(void **state)
{
    assert_int_equal(auth_password_policy_min(), 12);
    expect("alice", "elevenchars", "password must be at least 12 characters");
    expect("alice", "twelve chars", NULL);
    expect("alice", "", "password must be at least 12 characters");
    expect("alice", NULL, "field \"password\" is required");
}

static void test_counts_characters_not_bytes(void **state)
{
    /* 11 characters, 22 bytes: too short; 12 characters: enough */
    char *eleven = repeat("ä", 11);
    char *twelve = repeat("ä", 12);
    char *cjk = repeat("密", 12);

    expect("alice", eleven, "password must be at least 12 characters");
    expect("alice", twelve, NULL);
    expect("alice", cjk, NULL);
    free(eleven);
    free(twelve);
    free(cjk);
}

static void test_configured_minimum_and_bounds(void **state)
{
    auth_password_policy_set_min(20);
    assert_int_equal(auth_password_policy_min(), 20);
    expect("alice", "nineteen characters", "password must be at least 20 characters");
    expect("alice", "twenty  characters!!", NULL);
    auth_password_policy_set_min(3);
    assert_int_equal(auth_password_policy_min(), AUTH_PASSWORD_MIN_LOWEST);
    expect("alice", "seven77", "password must be at least 8 characters");
    expect("alice", "eight888", NULL);
    auth_password_policy_set_min(5000);
    assert_int_equal(auth_password_policy_min(), AUTH_PASSWORD_MAX_BYTES);
}

static void test_maximum_in_bytes(void **state)
{
    char *max = repeat("x", AUTH_PASSWORD_MAX_BYTES);
    char *over = repeat("x", AUTH_PASSWORD_MAX_BYTES + 1);
    char *wide = repeat("密", 400); /* 400 characters, 1200 bytes */

    expect("alice", max, NULL);
    expect("alice", over, "password must be at most 1024 bytes");
    expect("alice", wide, "password must be at most 1024 bytes");
    free(max);
    free(over);
    free(wide);
}

static void test_not_the_user_name(void **state)
{
    expect("administrator", "administrator", "password must not be the user name");
    expect("administrator", "administrator2", NULL);
    expect(NULL, "administrator", NULL);
}

static void test_control_characters_and_bad_utf8(void **state)
{
    static const char *const bad[] = {
        "two lines\nof text",      "trailing newline\n",      "carriage\rreturn here",
        "tab\tis control",         "bad utf-8 \xc3\x28 here", "overlong \xc0\xaf slash",
        "cut at the end \xe5\xaf",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect("alice", bad[i],
               "password must be UTF-8 text without line breaks or control characters");
    expect("alice", "pässwörd with spaces", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_default_minimum, reset),
        cmocka_unit_test_setup(test_counts_characters_not_bytes, reset),
        cmocka_unit_test_setup(test_configured_minimum_and_bounds, reset),
        cmocka_unit_test_setup(test_maximum_in_bytes, reset),
        cmocka_unit_test_setup(test_not_the_user_name, reset),
        cmocka_unit_test_setup(test_control_characters_and_bad_utf8, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
