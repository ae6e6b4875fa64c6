/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ws_frame_guard: the RFC 6455 client-frame tracker (see ws_frame_guard.h for the
 * design). Pure byte logic; whichever thread feeds a guard, one at a time. Invariant:
 * once the verdict is set nothing else changes. */
#include "http/ws_frame_guard.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WS_FIN         0x80u
#define WS_RSV         0x70u
#define WS_OPCODE      0x0fu
#define WS_MASKED      0x80u
#define WS_LEN7        0x7fu
#define WS_LEN16       126u
#define WS_LEN64       127u
#define WS_CONTROL     0x08u
#define WS_CONTROL_MAX 125u
#define WS_KEY_LEN     4u

enum ws_opcode {
    WS_OP_CONTINUATION = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xa,
};

void ws_frame_guard_init(struct ws_frame_guard *g)
{
    memset(g, 0, sizeof(*g));
}

static int ws_frame_guard_fail(struct ws_frame_guard *g, int code, const char *reason)
{
    g->verdict = code;
    snprintf(g->reason, sizeof(g->reason), "%s", reason);
    return code;
}

/* Before start: counts the blank line ends ("\n\n", "\n\r\n": the LF that ends an empty
 * line, where lws ends a request's head) in this piece, with the bytes before it. */
static void ws_frame_guard_scan_head(struct ws_frame_guard *g, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n, *lf = p;
    unsigned ends = 0;
    bool last = false;

    while (lf < end && (lf = memchr(lf, '\n', (size_t)(end - lf)))) {
        size_t i = (size_t)(lf - p);
        unsigned char b1 = i >= 1 ? p[i - 1] : g->prev1;
        unsigned char b2 = i >= 2 ? p[i - 2] : i == 1 ? g->prev1 : g->prev2;

        if (b1 == '\n' || (b1 == '\r' && b2 == '\n')) {
            ends++;
            last = i == n - 1;
        }
        lf++;
    }
    if (n >= 2) {
        g->prev2 = p[n - 2];
        g->prev1 = p[n - 1];
    } else if (n == 1) {
        g->prev2 = g->prev1;
        g->prev1 = p[0];
    }
    g->head_ends = ends;
    g->piece_ends_head = last;
}

int ws_frame_guard_start(struct ws_frame_guard *g, uint64_t message_max)
{
    if (g->started || g->verdict)
        return -1;
    if (g->head_ends != 1 || !g->piece_ends_head) {
        ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR,
                            "data sent before the handshake was answered");
        return -1;
    }
    g->started = true;
    g->message_max = message_max;
    return 0;
}

/* The header's size, known from its second byte (a frame without the mask bit never
 * gets this far). */
static size_t ws_frame_guard_header_size(const struct ws_frame_guard *g)
{
    unsigned len7 = g->header[1] & WS_LEN7;

    return 2 + (len7 == WS_LEN16 ? 2 : len7 == WS_LEN64 ? 8 : 0) + WS_KEY_LEN;
}

/* The first two bytes are in: everything but the length can be judged. */
static int ws_frame_guard_check_start(struct ws_frame_guard *g)
{
    unsigned b0 = g->header[0], b1 = g->header[1];
    unsigned opcode = b0 & WS_OPCODE;

    if (!(b1 & WS_MASKED))
        return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR, "unmasked frame");
    if (b0 & WS_RSV)
        return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR, "reserved bits set");
    switch (opcode) {
    case WS_OP_CONTINUATION:
        if (!g->in_message)
            return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR,
                                       "continuation frame outside a message");
        return 0;
    case WS_OP_TEXT:
    case WS_OP_BINARY:
        if (g->in_message)
            return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR,
                                       "new message inside a fragmented one");
        return 0;
    case WS_OP_CLOSE:
    case WS_OP_PING:
    case WS_OP_PONG:
        if (!(b0 & WS_FIN))
            return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR,
                                       "fragmented control frame");
        if ((b1 & WS_LEN7) > WS_CONTROL_MAX)
            return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR,
                                       "control frame over 125 bytes");
        return 0;
    default:
        return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR, "unknown opcode");
    }
}

/* The whole header is in: judge the length and begin skipping the payload. */
static int ws_frame_guard_check_header(struct ws_frame_guard *g)
{
    unsigned len7 = g->header[1] & WS_LEN7;
    uint64_t len = len7;
    bool fin = g->header[0] & WS_FIN;
    char why[sizeof(g->reason)];

    if (len7 == WS_LEN16) {
        len = (uint64_t)g->header[2] << 8 | g->header[3];
    } else if (len7 == WS_LEN64) {
        if (g->header[2] & 0x80u)
            return ws_frame_guard_fail(g, WS_FRAME_GUARD_PROTOCOL_ERROR, "frame length over 2^63");
        len = 0;
        for (int i = 2; i < 10; i++)
            len = len << 8 | g->header[i];
    }
    g->header_len = 0;
    g->payload_left = len;
    if (g->header[0] & WS_CONTROL)
        return 0;
    if (len > g->message_max - g->message_len) {
        snprintf(why, sizeof(why), "message over %" PRIu64 " bytes", g->message_max);
        return ws_frame_guard_fail(g, WS_FRAME_GUARD_TOO_BIG, why);
    }
    g->message_len = fin ? 0 : g->message_len + len;
    g->in_message = !fin;
    return 0;
}

static int ws_frame_guard_feed_frames(struct ws_frame_guard *g, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n && !g->verdict) {
        if (g->payload_left) {
            uint64_t skip = n - i < g->payload_left ? n - i : g->payload_left;
            g->payload_left -= skip;
            i += (size_t)skip;
            continue;
        }
        g->header[g->header_len++] = p[i++];
        if (g->header_len == 2 && ws_frame_guard_check_start(g))
            break;
        if (g->header_len >= 2 && g->header_len == ws_frame_guard_header_size(g))
            ws_frame_guard_check_header(g);
    }
    return g->verdict;
}

int ws_frame_guard_feed(struct ws_frame_guard *g, const void *data, size_t len)
{
    if (g->verdict || !len)
        return g->verdict;
    if (!g->started) {
        ws_frame_guard_scan_head(g, data, len);
        return 0;
    }
    return ws_frame_guard_feed_frames(g, data, len);
}

int ws_frame_guard_verdict(const struct ws_frame_guard *g)
{
    return g->verdict;
}

const char *ws_frame_guard_reason(const struct ws_frame_guard *g)
{
    return g->reason;
}
