/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_cookie: server/http/cookie.c — finding one cookie in a Cookie header: several
 * cookies, spacing, names that are prefixes/suffixes of others, empty and over-long
 * values, empty or missing headers. Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/cookie.h"

#define NAME "virtdeck_session"

static void expect_found(const char *header, const char *name, const char *want)
{
    char out[128];
    int n;

    memset(out, 'X', sizeof(out));
    n = cookie_find(header, name, out, sizeof(out));
    if (n < 0)
        fail_msg("[%s] %s: not found, want \"%s\"", header, name, want);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(out, want);
}

static void expect_absent(const char *header, const char *name)
{
    char out[128];
    int n = cookie_find(header, name, out, sizeof(out));

    if (n != -1)
        fail_msg("[%s] %s: found %d, want -1", header, name, n);
}

static void test_single(void **state)
{
    expect_found(NAME "=abc", NAME, "abc");
    expect_found(NAME "=0123456789abcdef", NAME, "0123456789abcdef");
}

static void test_several(void **state)
{
    const char *h = "a=1; " NAME "=tok; b=2";

    expect_found(h, "a", "1");
    expect_found(h, NAME, "tok");
    expect_found(h, "b", "2");
    expect_absent(h, "c");
    expect_found("a=1;b=2;" NAME "=last", NAME, "last");
    expect_found(NAME "=first; a=1", NAME, "first");
}

static void test_spacing(void **state)
{
    expect_found("   " NAME "=v", NAME, "v");
    expect_found("a=1;   " NAME "=v", NAME, "v");
    expect_found("a=1;\t" NAME "=v", NAME, "v");
    expect_found("a=1 ; " NAME "=v  ;b=2", NAME, "v");
    expect_found("a=1; " NAME "=v\t", NAME, "v");
    expect_found(";;; " NAME "=v;;", NAME, "v");
    expect_found("a=1 ;" NAME "=v", NAME, "v");
}

static void test_prefix_names(void **state)
{
    /* A longer name that ends with ours must not match... */
    expect_absent("x" NAME "=evil", NAME);
    expect_found("x" NAME "=evil; " NAME "=good", NAME, "good");
    /* ...nor one that starts with ours. */
    expect_absent(NAME "x=evil", NAME);
    expect_absent(NAME "_2=evil", NAME);
    expect_found(NAME "x=evil; " NAME "=good", NAME, "good");
    /* Our name looked for as a prefix of the cookie's name. */
    expect_absent(NAME "=v", "virtdeck");
    expect_absent(NAME "=v", "virtdeck_sessio");
    /* A name appearing inside another cookie's value is not a cookie. */
    expect_absent("a=" NAME "=evil", NAME);
    expect_found("a=" NAME "=evil; " NAME "=good", NAME, "good");
    /* A name without '=' is not a cookie of that name. */
    expect_absent(NAME, NAME);
    expect_absent(NAME "; a=1", NAME);
    expect_found(NAME "; " NAME "=ok", NAME, "ok");
}

static void test_first_of_duplicates(void **state)
{
    expect_found(NAME "=one; " NAME "=two", NAME, "one");
}

static void test_value_with_equals(void **state)
{
    expect_found(NAME "=a=b==", NAME, "a=b==");
}

static void test_empty_value(void **state)
{
    char out[8];

    memset(out, 'X', sizeof(out));
    assert_int_equal(cookie_find(NAME "=; a=1", NAME, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    memset(out, 'X', sizeof(out));
    assert_int_equal(cookie_find("a=1; " NAME "=", NAME, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

static void test_lengths(void **state)
{
    char out[65];
    char header[256];
    char value[70];

    /* outlen-1 characters fit exactly. */
    memset(value, 'f', 64);
    value[64] = '\0';
    snprintf(header, sizeof(header), "a=1; " NAME "=%s; b=2", value);
    memset(out, 'X', sizeof(out));
    assert_int_equal(cookie_find(header, NAME, out, sizeof(out)), 64);
    assert_string_equal(out, value);

    /* outlen characters do not (and nothing is written past out). */
    char small[65 + 4];
    memset(value, 'f', 65);
    value[65] = '\0';
    snprintf(header, sizeof(header), NAME "=%s", value);
    memset(small, 'X', sizeof(small));
    assert_int_equal(cookie_find(header, NAME, small, 65), -1);
    for (size_t i = 65; i < sizeof(small); i++)
        assert_int_equal(small[i], 'X');

    /* outlen 1: only the empty value fits; outlen 0: nothing does. */
    assert_int_equal(cookie_find(NAME "=", NAME, out, 1), 0);
    assert_int_equal(cookie_find(NAME "=a", NAME, out, 1), -1);
    assert_int_equal(cookie_find(NAME "=a", NAME, out, 0), -1);
}

/* Trailing spaces are trimmed before the length check. */
static void test_trim_before_length(void **state)
{
    char out[4];

    assert_int_equal(cookie_find(NAME "=abc     ; x=1", NAME, out, sizeof(out)), 3);
    assert_string_equal(out, "abc");
}

static void test_empty_header(void **state)
{
    expect_absent("", NAME);
    expect_absent(" ", NAME);
    expect_absent(";", NAME);
    expect_absent("; ; ;", NAME);
    expect_absent("=", NAME);
    expect_absent("=v", NAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_several),
        cmocka_unit_test(test_spacing),
        cmocka_unit_test(test_prefix_names),
        cmocka_unit_test(test_first_of_duplicates),
        cmocka_unit_test(test_value_with_equals),
        cmocka_unit_test(test_empty_value),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_trim_before_length),
        cmocka_unit_test(test_empty_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
