/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ws_frame_guard: follows what a websocket client sends, frame by frame (RFC 6455
 * section 5), and names the first frame the connection must be failed for.
 *
 * DESIGN. lws 4.1.6 parses client frames itself but accepts unmasked ones and reads
 * frames of any announced length (server/README.md, "Websocket frames"); it has no hook
 * before its parser. tls_read_guard feeds this tracker every piece of plaintext a TLS
 * connection delivers, exactly as each read returned it, before lws parses it.
 *  - Before ws_frame_guard_start (the HTTP requests that precede the upgrade) it only
 *    notes, per piece, where blank lines end: lws ends a request's head at the LF of an
 *    empty line ("\n\n" or "\n\r\n"), so the upgrade request ended on such an LF.
 *  - ws_frame_guard_start (called when lws has just parsed the upgrade request) checks
 *    that the latest piece ended exactly there and held no other blank line end; only
 *    then do the next bytes begin a frame. Anything else means the client sent bytes
 *    after its handshake without waiting for the answer (RFC 6455 section 4.1), or
 *    pipelined requests into the upgrade, and the frames could not be followed:
 *    1002.
 *  - From then on it reads each frame header (FIN, RSV, opcode, mask bit, 7/16/64-bit
 *    length, masking key) and skips the payload. The first violation sets the verdict
 *    (sticky; later bytes are ignored): an unmasked frame, RSV bits (no extension is
 *    negotiated), an unknown opcode, a continuation outside a message or a new message
 *    inside a fragmented one, a fragmented control frame or one over 125 bytes, a
 *    64-bit length with its top bit set → 1002; a data message (the sum of its
 *    frames' lengths, as announced) over message_max → 1009. Lengths are judged when
 *    the header is complete, before any payload arrives.
 *
 * Pure byte logic, no allocation; any thread, one at a time per guard. Fuzzed
 * (tests/fuzz/fuzz_ws_frame_guard.c: the verdict does not depend on how the frames are
 * split into pieces) and unit-tested. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_FRAME_GUARD_PROTOCOL_ERROR 1002
#define WS_FRAME_GUARD_TOO_BIG        1009
/* The longest frame header: 2 bytes, a 64-bit length, a 4-byte masking key. */
#define WS_FRAME_GUARD_HEADER_MAX 14

struct ws_frame_guard {
    bool started;         /* frames follow (ws_frame_guard_start succeeded) */
    unsigned char prev2;  /* before start: the byte before prev1 */
    unsigned char prev1;  /* before start: the last byte fed */
    unsigned head_ends;   /* before start: blank line ends in the latest piece */
    bool piece_ends_head; /* before start: the latest piece's last byte ended one */
    uint64_t message_max;
    uint64_t message_len;  /* announced payload of the open data message so far */
    uint64_t payload_left; /* payload bytes of the current frame still to skip */
    bool in_message;       /* a data message is open (its last frame had no FIN) */
    unsigned char header[WS_FRAME_GUARD_HEADER_MAX];
    size_t header_len;
    int verdict;     /* 0, or the close code */
    char reason[64]; /* the close reason for the verdict ("" while none) */
};

/* Prepares g for a new connection (before its first byte). */
void ws_frame_guard_init(struct ws_frame_guard *g);

/* Feeds the next len bytes the client sent, as one read returned them (len may be 0).
 * Returns the verdict: 0 while everything is acceptable, else the close code (1002 or
 * 1009), which stays once set. */
int ws_frame_guard_feed(struct ws_frame_guard *g, const void *data, size_t len);

/* Switches g to frames: the client's next byte begins a frame, and a data message may
 * carry at most message_max bytes. Call once, right after the upgrade request was
 * parsed. Returns 0, or -1 with the verdict set to 1002 if the latest piece did not end
 * exactly at the request's end (see DESIGN). */
int ws_frame_guard_start(struct ws_frame_guard *g, uint64_t message_max)
    __attribute__((warn_unused_result));

/* The verdict so far (0 or the close code) and its reason ("" while 0; borrowed from
 * g, at most 63 bytes). */
int ws_frame_guard_verdict(const struct ws_frame_guard *g);
const char *ws_frame_guard_reason(const struct ws_frame_guard *g);
