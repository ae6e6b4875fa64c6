/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_byte_ring: server/util/byte_ring.c — the bounded byte ring:
 * the capacity bound (exactly full, one past, partial puts), FIFO order across the wrap
 * point for put/peek/drop, peek without removal, drop past the end, reuse after free.
 * Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/byte_ring.h"

static void test_empty(void **state)
{
    struct byte_ring r;
    unsigned char out[4];

    byte_ring_init(&r, 8);
    assert_int_equal(byte_ring_len(&r), 0);
    assert_int_equal(byte_ring_space(&r), 8);
    assert_int_equal(byte_ring_peek(&r, out, sizeof(out)), 0);
    byte_ring_drop(&r, 3); /* nothing to drop: stays empty */
    assert_int_equal(byte_ring_len(&r), 0);
    assert_int_equal(byte_ring_put(&r, "x", 0), 0);
    byte_ring_free(&r);
}

static void test_bound(void **state)
{
    struct byte_ring r;
    unsigned char out[16];

    byte_ring_init(&r, 8);
    assert_int_equal(byte_ring_put(&r, "abcde", 5), 5);
    /* only 3 of 6 fit; the ring is then exactly full and takes nothing more */
    assert_int_equal(byte_ring_put(&r, "fghijk", 6), 3);
    assert_int_equal(byte_ring_len(&r), 8);
    assert_int_equal(byte_ring_space(&r), 0);
    assert_int_equal(byte_ring_put(&r, "z", 1), 0);
    assert_int_equal(byte_ring_peek(&r, out, sizeof(out)), 8);
    assert_memory_equal(out, "abcdefgh", 8);
    byte_ring_free(&r);
}

static void test_peek_does_not_remove(void **state)
{
    struct byte_ring r;
    unsigned char out[8];

    byte_ring_init(&r, 8);
    assert_int_equal(byte_ring_put(&r, "hello", 5), 5);
    assert_int_equal(byte_ring_peek(&r, out, 3), 3);
    assert_memory_equal(out, "hel", 3);
    assert_int_equal(byte_ring_len(&r), 5);
    assert_int_equal(byte_ring_peek(&r, out, 8), 5);
    assert_memory_equal(out, "hello", 5);
    byte_ring_drop(&r, 2);
    assert_int_equal(byte_ring_peek(&r, out, 8), 3);
    assert_memory_equal(out, "llo", 3);
    byte_ring_free(&r);
}

static void test_wrap(void **state)
{
    struct byte_ring r;
    unsigned char out[8];

    byte_ring_init(&r, 8);
    assert_int_equal(byte_ring_put(&r, "012345", 6), 6);
    byte_ring_drop(&r, 5); /* head at 5, one byte ("5") left */
    /* 7 bytes fit: 2 at the end of the storage, 5 from its start */
    assert_int_equal(byte_ring_put(&r, "6789ABCD", 8), 7);
    assert_int_equal(byte_ring_len(&r), 8);
    assert_int_equal(byte_ring_peek(&r, out, 8), 8);
    assert_memory_equal(out, "56789ABC", 8);
    byte_ring_drop(&r, 4);
    assert_int_equal(byte_ring_peek(&r, out, 8), 4);
    assert_memory_equal(out, "9ABC", 4);
    assert_int_equal(byte_ring_space(&r), 4);
    byte_ring_free(&r);
}

static void test_drop_past_end_and_restart(void **state)
{
    struct byte_ring r;
    unsigned char out[8];

    byte_ring_init(&r, 8);
    assert_int_equal(byte_ring_put(&r, "abcdef", 6), 6);
    byte_ring_drop(&r, 4);
    byte_ring_drop(&r, 100); /* more than it holds: empties it */
    assert_int_equal(byte_ring_len(&r), 0);
    assert_int_equal(r.head, 0); /* an empty ring restarts at the beginning */
    assert_int_equal(byte_ring_put(&r, "12345678", 8), 8);
    assert_int_equal(byte_ring_peek(&r, out, 8), 8);
    assert_memory_equal(out, "12345678", 8);
    byte_ring_free(&r);
}

/* A long pseudo-random run against a plain model: order and content are kept. */
static void test_against_model(void **state)
{
    enum { CAP = 61, TOTAL = 200000 };
    struct byte_ring r;
    unsigned char in[100], out[100];
    unsigned char *model = malloc(TOTAL + 200);
    size_t written = 0, read = 0;
    uint32_t seed = 12345;

    byte_ring_init(&r, CAP);
    while (read < TOTAL) {
        size_t want, got, n;

        seed = seed * 1103515245u + 12345u;
        want = (seed >> 16) % sizeof(in);
        for (size_t i = 0; i < want; i++)
            in[i] = (unsigned char)(written + i);
        got = byte_ring_put(&r, in, want);
        assert_true(got <= want);
        assert_int_equal(got, want < CAP - (written - read) ? want : CAP - (written - read));
        memcpy(model + written, in, got);
        written += got;
        assert_true(byte_ring_len(&r) <= CAP);

        seed = seed * 1103515245u + 12345u;
        n = byte_ring_peek(&r, out, (seed >> 16) % sizeof(out));
        assert_memory_equal(out, model + read, n);
        byte_ring_drop(&r, n);
        read += n;
        assert_int_equal(byte_ring_len(&r), written - read);
    }
    byte_ring_free(&r);
    free(model);
}

static void test_free_is_null_safe_and_reusable(void **state)
{
    struct byte_ring r;

    byte_ring_free(NULL);
    byte_ring_init(&r, 4);
    byte_ring_free(&r);
    assert_null(r.data);
    byte_ring_free(&r); /* twice is fine */
    byte_ring_init(&r, 2);
    assert_int_equal(byte_ring_put(&r, "abc", 3), 2);
    byte_ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_peek_does_not_remove),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_drop_past_end_and_restart),
        cmocka_unit_test(test_against_model),
        cmocka_unit_test(test_free_is_null_safe_and_reusable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
