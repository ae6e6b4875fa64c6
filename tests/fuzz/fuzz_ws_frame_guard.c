/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_ws_frame_guard: server/http/ws_frame_guard.c, the RFC 6455 client-frame tracker.
 * Input: 8 bytes of message limit (scaled down by the first byte, so small limits are
 * common), 1 byte seeding the split points, then the client's bytes after the upgrade.
 * Invariants: the verdict is 0, 1002 or 1009 and carries a reason exactly when set;
 * feeding the bytes whole, one at a time or in pseudo-random pieces gives the same
 * verdict, which equals a plain whole-buffer reading of RFC 6455's rules; before the
 * upgrade, blank line ends are counted the same however the request is split. Every
 * piece is a fresh heap copy, so ASan sees any read past it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/ws_frame_guard.h"

#define UPGRADE "GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n"

/* The rules read straight from a whole buffer, independently of the guard's state
 * machine: the first violation's close code, or 0. */
static int reference_verdict(const uint8_t *p, size_t n, uint64_t max)
{
    uint64_t message = 0;
    bool in_message = false;
    size_t i = 0;

    while (n - i >= 2) {
        unsigned b0 = p[i], b1 = p[i + 1], op = b0 & 0x0f, len7 = b1 & 0x7f;
        bool fin = b0 & 0x80, control = op & 0x08;
        size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        uint64_t len = len7;

        if (!(b1 & 0x80) || (b0 & 0x70))
            return 1002;
        if (op == 0 ? !in_message : (op == 1 || op == 2) ? in_message : (op < 8 || op > 10))
            return 1002;
        if (control && (!fin || len7 > 125))
            return 1002;
        if (n - i < 2 + ext + 4)
            return 0;
        if (ext == 2)
            len = (uint64_t)p[i + 2] << 8 | p[i + 3];
        if (ext == 8) {
            if (p[i + 2] & 0x80)
                return 1002;
            len = 0;
            for (size_t k = 0; k < 8; k++)
                len = len << 8 | p[i + 2 + k];
        }
        if (!control) {
            if (len > max - message)
                return 1009;
            message = fin ? 0 : message + len;
            in_message = !fin;
        }
        i += 2 + ext + 4;
        if (len > n - i)
            return 0;
        i += (size_t)len;
    }
    return 0;
}

/* Feeds [p, p+n) as a heap copy of exactly n bytes. */
static int feed_copy(struct ws_frame_guard *g, const uint8_t *p, size_t n)
{
    uint8_t *copy = xmalloc(n ? n : 1);
    int v;

    memcpy(copy, p, n);
    v = ws_frame_guard_feed(g, copy, n);
    free(copy);
    return v;
}

static void guard_start(struct ws_frame_guard *g, uint64_t max)
{
    ws_frame_guard_init(g);
    feed_copy(g, (const uint8_t *)UPGRADE, strlen(UPGRADE));
    FUZZ_ASSERT(ws_frame_guard_start(g, max) == 0);
}

/* Feeds in pieces whose sizes come from a small PRNG seeded with seed. */
static int feed_pieces(struct ws_frame_guard *g, const uint8_t *p, size_t n, uint32_t seed,
                       unsigned *heads)
{
    uint32_t x = seed * 2654435761u + 1;

    *heads = 0;
    for (size_t i = 0; i < n;) {
        size_t piece;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        piece = 1 + x % 97;
        if (piece > n - i)
            piece = n - i;
        feed_copy(g, p + i, piece);
        *heads += g->head_ends;
        i += piece;
    }
    return ws_frame_guard_verdict(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_frame_guard whole, bytes, pieces, head;
    uint64_t max = 0;
    uint32_t seed;
    unsigned heads, heads_whole;
    uint8_t *one;
    int v;

    if (size < 9)
        return 0;
    memcpy(&max, data, 8);
    max >>= data[0] & 63;
    seed = data[8];
    data += 9;
    size -= 9;

    guard_start(&whole, max);
    v = feed_copy(&whole, data, size);
    FUZZ_ASSERT(v == 0 || v == WS_FRAME_GUARD_PROTOCOL_ERROR || v == WS_FRAME_GUARD_TOO_BIG);
    FUZZ_ASSERT(v == ws_frame_guard_verdict(&whole));
    FUZZ_ASSERT((v != 0) == (ws_frame_guard_reason(&whole)[0] != '\0'));
    FUZZ_ASSERT(strlen(ws_frame_guard_reason(&whole)) < sizeof(whole.reason));
    FUZZ_ASSERT(v == reference_verdict(data, size, max));

    guard_start(&bytes, max);
    one = xmalloc(1);
    for (size_t i = 0; i < size; i++) {
        one[0] = data[i];
        ws_frame_guard_feed(&bytes, one, 1);
    }
    free(one);
    FUZZ_ASSERT(ws_frame_guard_verdict(&bytes) == v);

    guard_start(&pieces, max);
    FUZZ_ASSERT(feed_pieces(&pieces, data, size, seed, &heads) == v);

    /* the same bytes as an HTTP request (before start): the blank line ends found in
     * pieces add up to those found in one piece */
    ws_frame_guard_init(&head);
    feed_copy(&head, data, size);
    heads_whole = head.head_ends;
    ws_frame_guard_init(&head);
    feed_pieces(&head, data, size, seed, &heads);
    FUZZ_ASSERT(heads == heads_whole);
    FUZZ_ASSERT(ws_frame_guard_verdict(&head) == 0);
    return 0;
}
