/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_console_ring: vnc-proxy/console_ring.c — the console bridge's ring:
 * the bound (cap - pre), spans for reads and writes without copies, FIFO order across
 * the wrap point, the rule that the pre bytes in front of the readable span never hold
 * unsent data (a frame header written there must not clobber anything, whatever the
 * ring's state), restarting at the beginning when drained, and giving pages back.
 * Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console_ring.h"

#define PRE 16

static void test_empty(void **state)
{
    struct console_ring r;
    unsigned char *p;

    console_ring_init(&r, 64, PRE);
    assert_int_equal(console_ring_len(&r), 0);
    assert_int_equal(console_ring_space(&r), 64 - PRE);
    assert_int_equal(console_ring_readable(&r, &p, 100), 0);
    /* an empty ring offers all it can hold as one span, from its beginning */
    assert_int_equal(console_ring_writable(&r, &p), 64 - PRE);
    assert_ptr_equal(p, r.data);
    console_ring_drop(&r, 5);
    assert_int_equal(console_ring_len(&r), 0);
    console_ring_free(&r);
    console_ring_free(&r); /* twice: harmless */
}

static void test_bound(void **state)
{
    struct console_ring r;
    unsigned char in[64], *p;

    memset(in, 'a', sizeof(in));
    console_ring_init(&r, 64, PRE);
    assert_int_equal(console_ring_put(&r, in, 40), 40);
    /* only 8 of 20 fit: pre bytes always stay free */
    assert_int_equal(console_ring_put(&r, in, 20), 8);
    assert_int_equal(console_ring_len(&r), 64 - PRE);
    assert_int_equal(console_ring_space(&r), 0);
    assert_int_equal(console_ring_writable(&r, &p), 0);
    assert_int_equal(console_ring_put(&r, in, 1), 0);
    console_ring_free(&r);
}

static void test_write_span_and_commit(void **state)
{
    struct console_ring r;
    unsigned char *w, *p;
    size_t n;

    console_ring_init(&r, 64, PRE);
    n = console_ring_writable(&r, &w);
    memcpy(w, "hello world", 11);
    console_ring_commit(&r, 11);
    assert_int_equal(console_ring_len(&r), 11);
    n = console_ring_readable(&r, &p, 5);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "hello", 5);
    console_ring_drop(&r, 6);
    n = console_ring_readable(&r, &p, 100);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "world", 5);
    console_ring_free(&r);
}

/* Fills and drains a ring through every wrap position, checking FIFO order, that each
 * readable span is contiguous and ends at the wrap point, and that the pre bytes in
 * front of it can be overwritten without touching any byte still to be read. */
static void test_wrap_and_headroom(void **state)
{
    const size_t cap = 96;
    struct console_ring r;
    unsigned char next_in = 0, next_out = 0;

    console_ring_init(&r, cap, PRE);
    for (unsigned round = 0; round < 500; round++) {
        size_t want = (round * 7) % 40 + 1;
        unsigned char *w, *p;
        size_t n;
        /* fill through the span API, in up to two pieces (the wrap point) */
        for (int piece = 0; piece < 2 && want; piece++) {
            n = console_ring_writable(&r, &w);
            if (n > want)
                n = want;
            for (size_t i = 0; i < n; i++)
                w[i] = next_in++;
            console_ring_commit(&r, n);
            want -= n;
        }
        assert_true(console_ring_len(&r) <= cap - PRE);
        /* read one span; scribble a "frame header" into the pre bytes before it */
        n = console_ring_readable(&r, &p, (round * 5) % 30 + 1);
        if (!n)
            continue;
        assert_true(p >= r.data && p + n <= r.data + cap);
        memset(p - PRE, 0xEE, PRE);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], (unsigned char)(next_out + i));
        console_ring_drop(&r, n);
        next_out = (unsigned char)(next_out + n);
        /* everything still held is intact after the scribble */
        {
            size_t left = console_ring_len(&r), seen = 0;
            size_t head = r.head;
            while (seen < left) {
                assert_int_equal(r.data[(head + seen) % cap], (unsigned char)(next_out + seen));
                seen++;
            }
        }
    }
    console_ring_free(&r);
}

static void test_drained_ring_restarts(void **state)
{
    struct console_ring r;
    unsigned char in[40] = {0}, *p;

    console_ring_init(&r, 64, PRE);
    assert_int_equal(console_ring_put(&r, in, 40), 40);
    console_ring_drop(&r, 30);
    assert_int_equal(console_ring_writable(&r, &p), 64 - 40); /* up to the end of storage */
    console_ring_drop(&r, 10);
    /* empty again: the whole capacity is one span from the beginning */
    assert_int_equal(console_ring_writable(&r, &p), 64 - PRE);
    assert_ptr_equal(p, r.data);
    console_ring_free(&r);
}

static void test_trim(void **state)
{
    struct console_ring r;
    unsigned char in[40];

    memset(in, 'x', sizeof(in));
    console_ring_init(&r, 4096 * 4, PRE);
    assert_int_equal(console_ring_put(&r, in, 40), 40);
    assert_false(console_ring_trim(&r, 8)); /* not empty */
    console_ring_drop(&r, 40);
    assert_false(console_ring_trim(&r, 64)); /* touched no more than keep */
    assert_true(console_ring_trim(&r, 8));
    assert_false(console_ring_trim(&r, 8)); /* nothing touched since */
    /* given-back pages read as zero and the ring still works */
    assert_int_equal(r.data[0], 0);
    assert_int_equal(console_ring_put(&r, "ok", 2), 2);
    console_ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_write_span_and_commit),
        cmocka_unit_test(test_wrap_and_headroom),
        cmocka_unit_test(test_drained_ring_restarts),
        cmocka_unit_test(test_trim),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
