/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_buf: server/util/buf.c — the bounded growable buffer: the hard bound (exactly at
 * and one past max, unchanged on failure), NUL termination, appendf, take, reset and
 * free. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

static void test_init_empty(void **state)
{
    struct buf b;

    buf_init(&b, 10);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 10);
    buf_free(&b);
}

static void test_append_and_nul(void **state)
{
    struct buf b;

    buf_init(&b, 100);
    assert_int_equal(buf_append(&b, "abc", 3), 0);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_int_equal(buf_append_str(&b, "def"), 0);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "abcdef");
    assert_true(b.cap > b.len);
    /* Binary data with a NUL inside is kept byte for byte. */
    assert_int_equal(buf_append(&b, "x\0y", 3), 0);
    assert_int_equal(b.len, 9);
    assert_memory_equal(b.data, "abcdefx\0y", 9);
    assert_int_equal(b.data[9], '\0');
    buf_free(&b);
}

static void test_zero_length_append(void **state)
{
    struct buf b;

    buf_init(&b, 0);
    /* max 0: an empty append fits, gives "" and stays within the bound. */
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_append(&b, "a", 1), -1);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_bound_exact_and_past(void **state)
{
    struct buf b;

    buf_init(&b, 8);
    assert_int_equal(buf_append(&b, "12345", 5), 0);
    /* 5 + 4 > 8: refused, buffer unchanged. */
    assert_int_equal(buf_append(&b, "6789", 4), -1);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "12345");
    /* 5 + 3 == 8: accepted. */
    assert_int_equal(buf_append(&b, "678", 3), 0);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(buf_append(&b, "9", 1), -1);
    assert_int_equal(buf_append_str(&b, "9"), -1);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    /* An empty append at the bound still succeeds. */
    assert_int_equal(buf_append(&b, "", 0), 0);
    buf_free(&b);
}

static void test_bound_huge_len_no_overflow(void **state)
{
    struct buf b;

    buf_init(&b, 16);
    assert_int_equal(buf_append(&b, "abc", 3), 0);
    /* A length that would wrap len + extra must be refused, not wrap around. */
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), -1);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX - 1), -1);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    buf_free(&b);
}

static void test_grows_large(void **state)
{
    struct buf b;
    char chunk[1000];

    memset(chunk, 'z', sizeof(chunk));
    buf_init(&b, 100000);
    for (int i = 0; i < 100; i++)
        assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.len, 100000);
    assert_true(b.cap >= b.len + 1);
    assert_int_equal(b.data[0], 'z');
    assert_int_equal(b.data[99999], 'z');
    assert_int_equal(b.data[100000], '\0');
    assert_int_equal(buf_append(&b, "z", 1), -1);
    buf_free(&b);
}

static void test_appendf(void **state)
{
    struct buf b;

    buf_init(&b, 32);
    assert_int_equal(buf_appendf(&b, "%s=%d", "n", 42), 0);
    assert_string_equal(b.data, "n=42");
    assert_int_equal(b.len, 4);
    assert_int_equal(buf_appendf(&b, ";%05u", 7u), 0);
    assert_string_equal(b.data, "n=42;00007");
    assert_int_equal(b.len, 10);
    /* Too long for the rest of the bound: refused, unchanged. */
    assert_int_equal(buf_appendf(&b, "%s", "0123456789012345678901234"), -1);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "n=42;00007");
    /* Exactly filling the bound works. */
    assert_int_equal(buf_appendf(&b, "%s", "0123456789012345678901"), 0);
    assert_int_equal(b.len, 32);
    assert_int_equal(strlen(b.data), 32);
    assert_int_equal(buf_appendf(&b, "%s", ""), 0);
    assert_int_equal(buf_appendf(&b, "x"), -1);
    buf_free(&b);
}

static void test_appendf_first_and_empty(void **state)
{
    struct buf b;

    buf_init(&b, 4);
    /* appendf on a never-used buffer with an empty result gives "" (not NULL). */
    assert_int_equal(buf_appendf(&b, "%s", ""), 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
    struct buf b;
    char *data;
    size_t cap;

    buf_init(&b, 64);
    buf_reset(&b); /* on an unused buffer: no crash */
    assert_null(b.data);
    assert_int_equal(buf_append_str(&b, "hello world"), 0);
    data = b.data;
    cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_append_str(&b, "x"), 0);
    assert_string_equal(b.data, "x");
    /* The bound still counts from zero after a reset. */
    buf_reset(&b);
    char big[64];
    memset(big, 'a', sizeof(big));
    assert_int_equal(buf_append(&b, big, sizeof(big)), 0);
    assert_int_equal(b.len, 64);
    buf_free(&b);
}

static void test_take(void **state)
{
    struct buf b;
    char *s;

    buf_init(&b, 64);
    assert_int_equal(buf_append_str(&b, "taken"), 0);
    s = buf_take(&b);
    assert_string_equal(s, "taken");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 64);
    free(s);

    /* Take from an empty buffer: a fresh "" the caller frees. */
    s = buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    /* The buffer is reusable after take. */
    assert_int_equal(buf_append_str(&b, "again"), 0);
    assert_string_equal(b.data, "again");
    s = buf_take(&b);
    assert_string_equal(s, "again");
    free(s);
    buf_free(&b);
}

static void test_free_null_safe_and_reuse(void **state)
{
    struct buf b;

    buf_free(NULL);
    buf_init(&b, 16);
    buf_free(&b); /* never used */
    assert_int_equal(buf_append_str(&b, "abc"), 0);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_free(&b); /* twice: no double free */
    buf_init(&b, 16);
    assert_int_equal(buf_append_str(&b, "def"), 0);
    assert_string_equal(b.data, "def");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_append_and_nul),
        cmocka_unit_test(test_zero_length_append),
        cmocka_unit_test(test_bound_exact_and_past),
        cmocka_unit_test(test_bound_huge_len_no_overflow),
        cmocka_unit_test(test_grows_large),
        cmocka_unit_test(test_appendf),
        cmocka_unit_test(test_appendf_first_and_empty),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_free_null_safe_and_reuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
