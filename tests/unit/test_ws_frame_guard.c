/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_ws_frame_guard: server/http/ws_frame_guard.c — where the frames begin (the
 * upgrade request's end, and nothing after it in the same read), every RFC 6455 rule
 * it fails a connection for, message limits across fragments, and verdicts that do not
 * depend on how the bytes are split. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/ws_frame_guard.h"

#define LIMIT   4096u
#define UPGRADE "GET /api/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n"

enum { CONT = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xa };

struct frame {
    unsigned char bytes[64 + 70000];
    size_t len;
};

/* Builds one frame: opcode, fin, masked or not, payload_len bytes of 'a' (only the
 * first `sent` of them when sent < payload_len, as a client that stops early). */
static void frame_build(struct frame *f, unsigned opcode, bool fin, bool masked,
                        uint64_t payload_len, size_t sent)
{
    unsigned char *p = f->bytes;

    *p++ = (unsigned char)((fin ? 0x80 : 0) | opcode);
    if (payload_len < 126) {
        *p++ = (unsigned char)((masked ? 0x80 : 0) | payload_len);
    } else if (payload_len < 65536) {
        *p++ = (unsigned char)((masked ? 0x80 : 0) | 126);
        *p++ = (unsigned char)(payload_len >> 8);
        *p++ = (unsigned char)payload_len;
    } else {
        *p++ = (unsigned char)((masked ? 0x80 : 0) | 127);
        for (int i = 7; i >= 0; i--)
            *p++ = (unsigned char)(payload_len >> (8 * i));
    }
    if (masked) {
        memcpy(p, "\x11\x22\x33\x44", 4);
        p += 4;
    }
    if (sent > payload_len)
        sent = (size_t)payload_len;
    memset(p, 'a', sent);
    p += sent;
    f->len = (size_t)(p - f->bytes);
}

/* A guard that has read UPGRADE in one piece and started with limit LIMIT. */
static void guard_started(struct ws_frame_guard *g)
{
    ws_frame_guard_init(g);
    assert_int_equal(ws_frame_guard_feed(g, UPGRADE, strlen(UPGRADE)), 0);
    assert_int_equal(ws_frame_guard_start(g, LIMIT), 0);
}

/* Feeds one frame (whole) to a started guard; returns the verdict. */
static int feed_frame(struct ws_frame_guard *g, unsigned opcode, bool fin, bool masked,
                      uint64_t payload_len)
{
    static struct frame f;

    frame_build(&f, opcode, fin, masked, payload_len, (size_t)payload_len);
    return ws_frame_guard_feed(g, f.bytes, f.len);
}

static void test_start_after_request(void **state)
{
    static const char *const ok[] = {
        UPGRADE, "GET / HTTP/1.1\nHost: x\n\n", /* bare LF, as lws accepts */
        "GET / HTTP/1.1\r\nHost: x\n\r\n",      /* mixed */
    };
    struct ws_frame_guard g;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ws_frame_guard_init(&g);
        ws_frame_guard_feed(&g, ok[i], strlen(ok[i]));
        assert_int_equal(ws_frame_guard_start(&g, LIMIT), 0);
        assert_int_equal(ws_frame_guard_verdict(&g), 0);
        assert_string_equal(ws_frame_guard_reason(&g), "");
    }
}

static void test_start_split_request(void **state)
{
    const char *req = UPGRADE;
    size_t n = strlen(req);
    struct ws_frame_guard g;

    (void)state;
    /* the blank line's end straddles pieces at every position of "\r\n\r\n" */
    for (size_t cut = n - 4; cut < n; cut++) {
        ws_frame_guard_init(&g);
        ws_frame_guard_feed(&g, req, cut);
        ws_frame_guard_feed(&g, req + cut, n - cut);
        assert_int_equal(ws_frame_guard_start(&g, LIMIT), 0);
    }
    /* one byte at a time: only the last piece matters */
    ws_frame_guard_init(&g);
    for (size_t i = 0; i < n; i++)
        ws_frame_guard_feed(&g, req + i, 1);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), 0);
    /* an earlier request on the same connection, read in its own piece */
    ws_frame_guard_init(&g);
    ws_frame_guard_feed(&g, "GET /a HTTP/1.1\r\n\r\n", 19);
    ws_frame_guard_feed(&g, req, n);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), 0);
}

static void test_start_refuses_early_data(void **state)
{
    struct ws_frame_guard g;
    char buf[256];
    int len;

    (void)state;
    /* a frame in the same read as the request */
    ws_frame_guard_init(&g);
    len = snprintf(buf, sizeof(buf), "%s\x81\x85", UPGRADE);
    ws_frame_guard_feed(&g, buf, (size_t)len);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), -1);
    assert_int_equal(ws_frame_guard_verdict(&g), WS_FRAME_GUARD_PROTOCOL_ERROR);
    assert_string_equal(ws_frame_guard_reason(&g), "data sent before the handshake was answered");
    /* early bytes that end like a request's head, after the real end */
    ws_frame_guard_init(&g);
    len = snprintf(buf, sizeof(buf), "%sxx\r\n\r\n", UPGRADE);
    ws_frame_guard_feed(&g, buf, (size_t)len);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), -1);
    /* two requests in one read (pipelined into the upgrade) */
    ws_frame_guard_init(&g);
    len = snprintf(buf, sizeof(buf), "GET /a HTTP/1.1\r\n\r\n%s", UPGRADE);
    ws_frame_guard_feed(&g, buf, (size_t)len);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), -1);
    /* nothing read at all, and a second start */
    ws_frame_guard_init(&g);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), -1);
    guard_started(&g);
    assert_int_equal(ws_frame_guard_start(&g, LIMIT), -1);
}

static void test_masked_frames_pass(void **state)
{
    struct ws_frame_guard g;

    (void)state;
    guard_started(&g);
    assert_int_equal(feed_frame(&g, TEXT, true, true, 5), 0);
    assert_int_equal(feed_frame(&g, BINARY, true, true, 0), 0);
    assert_int_equal(feed_frame(&g, BINARY, true, true, 300), 0);
    assert_int_equal(feed_frame(&g, PING, true, true, 125), 0);
    assert_int_equal(feed_frame(&g, PONG, true, true, 0), 0);
    assert_int_equal(feed_frame(&g, TEXT, true, true, LIMIT), 0);
    assert_int_equal(feed_frame(&g, CLOSE, true, true, 2), 0);
    /* LF bytes in frames mean nothing once started */
    assert_int_equal(ws_frame_guard_feed(&g, "\x81\x82\0\0\0\0\n\n", 8), 0);
    assert_int_equal(ws_frame_guard_verdict(&g), 0);
}

static void test_unmasked_frames_fail_at_once(void **state)
{
    static const unsigned opcodes[] = {TEXT, BINARY, PING, PONG, CLOSE};
    struct ws_frame_guard g;

    (void)state;
    for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
        unsigned char head[2] = {(unsigned char)(0x80 | opcodes[i]), 5};
        guard_started(&g);
        assert_int_equal(ws_frame_guard_feed(&g, head, 1), 0);
        assert_int_equal(ws_frame_guard_feed(&g, head + 1, 1), WS_FRAME_GUARD_PROTOCOL_ERROR);
        assert_string_equal(ws_frame_guard_reason(&g), "unmasked frame");
    }
}

static void test_protocol_errors(void **state)
{
    static const struct {
        unsigned char head[2];
        const char *reason;
    } bad[] = {
        {{0xc1, 0x85}, "reserved bits set"},
        {{0x91, 0x85}, "reserved bits set"},
        {{0x83, 0x85}, "unknown opcode"},
        {{0x8b, 0x85}, "unknown opcode"},
        {{0x80, 0x85}, "continuation frame outside a message"},
        {{0x09, 0x85}, "fragmented control frame"},
        {{0x89, 0xfe}, "control frame over 125 bytes"},
        {{0x88, 0xff}, "control frame over 125 bytes"},
    };
    struct ws_frame_guard g;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        guard_started(&g);
        assert_int_equal(ws_frame_guard_feed(&g, bad[i].head, 2), WS_FRAME_GUARD_PROTOCOL_ERROR);
        assert_string_equal(ws_frame_guard_reason(&g), bad[i].reason);
    }
    /* a new message inside a fragmented one */
    guard_started(&g);
    assert_int_equal(feed_frame(&g, TEXT, false, true, 3), 0);
    assert_int_equal(feed_frame(&g, BINARY, true, true, 3), WS_FRAME_GUARD_PROTOCOL_ERROR);
    assert_string_equal(ws_frame_guard_reason(&g), "new message inside a fragmented one");
    /* a 64-bit length with its top bit set */
    guard_started(&g);
    assert_int_equal(ws_frame_guard_feed(&g, "\x82\xff\x80\0\0\0\0\0\0\0\1\2\3\4", 14),
                     WS_FRAME_GUARD_PROTOCOL_ERROR);
    assert_string_equal(ws_frame_guard_reason(&g), "frame length over 2^63");
}

static void test_announced_length_fails_before_payload(void **state)
{
    struct ws_frame_guard g;
    struct frame f;

    (void)state;
    /* 16 MiB announced: the verdict comes with the header's last byte */
    guard_started(&g);
    frame_build(&f, BINARY, true, true, 16u * 1024 * 1024, 3000);
    assert_int_equal(ws_frame_guard_feed(&g, f.bytes, 13), 0);
    assert_int_equal(ws_frame_guard_feed(&g, f.bytes + 13, 1), WS_FRAME_GUARD_TOO_BIG);
    assert_string_equal(ws_frame_guard_reason(&g), "message over 4096 bytes");
    /* sticky: nothing after it changes the verdict */
    assert_int_equal(ws_frame_guard_feed(&g, f.bytes + 14, f.len - 14), WS_FRAME_GUARD_TOO_BIG);
    assert_int_equal(ws_frame_guard_feed(&g, "\x81\x05hello", 7), WS_FRAME_GUARD_TOO_BIG);
    /* one byte over, 16-bit length */
    guard_started(&g);
    assert_int_equal(feed_frame(&g, TEXT, true, true, LIMIT + 1), WS_FRAME_GUARD_TOO_BIG);
    /* the largest 64-bit length */
    guard_started(&g);
    assert_int_equal(
        ws_frame_guard_feed(&g, "\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\1\2\3\4", 14),
        WS_FRAME_GUARD_TOO_BIG);
}

static void test_message_limit_spans_fragments(void **state)
{
    struct ws_frame_guard g;

    (void)state;
    guard_started(&g);
    assert_int_equal(feed_frame(&g, TEXT, false, true, LIMIT / 2), 0);
    assert_int_equal(feed_frame(&g, PING, true, true, 10), 0); /* control frames interleave */
    assert_int_equal(feed_frame(&g, CONT, false, true, LIMIT / 4), 0);
    assert_int_equal(feed_frame(&g, CONT, true, true, LIMIT / 4), 0); /* exactly the limit */
    /* the next message starts from zero */
    assert_int_equal(feed_frame(&g, BINARY, false, true, LIMIT - 1), 0);
    assert_int_equal(feed_frame(&g, CONT, false, true, 1), 0);
    assert_int_equal(feed_frame(&g, CONT, true, true, 1), WS_FRAME_GUARD_TOO_BIG);
}

static void test_any_split_same_verdict(void **state)
{
    static const struct {
        unsigned opcode;
        bool fin, masked;
        uint64_t len;
        int verdict;
    } cases[] = {
        {TEXT, true, true, 200, 0},
        {BINARY, true, true, LIMIT + 1, WS_FRAME_GUARD_TOO_BIG},
        {TEXT, true, false, 3, WS_FRAME_GUARD_PROTOCOL_ERROR},
        {PING, false, true, 3, WS_FRAME_GUARD_PROTOCOL_ERROR},
    };
    static struct frame f;
    struct ws_frame_guard g;

    (void)state;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        frame_build(&f, cases[c].opcode, cases[c].fin, cases[c].masked, cases[c].len,
                    (size_t)cases[c].len);
        for (size_t step = 1; step <= 17; step += 4) {
            guard_started(&g);
            for (size_t i = 0; i < f.len; i += step)
                ws_frame_guard_feed(&g, f.bytes + i, f.len - i < step ? f.len - i : step);
            assert_int_equal(ws_frame_guard_verdict(&g), cases[c].verdict);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_after_request),
        cmocka_unit_test(test_start_split_request),
        cmocka_unit_test(test_start_refuses_early_data),
        cmocka_unit_test(test_masked_frames_pass),
        cmocka_unit_test(test_unmasked_frames_fail_at_once),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_announced_length_fails_before_payload),
        cmocka_unit_test(test_message_limit_spans_fragments),
        cmocka_unit_test(test_any_split_same_verdict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
