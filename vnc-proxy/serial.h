/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serial: the serial console bridge, GET /api/domains/{uuid}/serial as a websocket.
 *
 * Bridges the browser's websocket to the domain's first serial console, opened with
 * virDomainOpenConsole on a non-blocking libvirt stream. Same rules as console.h:
 * rights checked before the upgrade (AUTH_ACTION_DOMAIN_CONSOLE), bounded buffers in
 * both directions, clear close reasons (4000 + HTTP status for failures after the
 * upgrade, 4401 when the session ends, 1000 when the VM's console closes).
 *
 * DESIGN: an adapter of virt_pump (server/virt/virt_pump.h). Each console is one pump
 * ("pump-serial") with its own libvirt connection, so a stall stays local: libvirt 9.0's
 * remote virStreamSend blocks while libvirtd does not read, and libvirtd stops reading a
 * whole connection once a few stream packets wait for a guest that ignores its serial
 * input. Such a guest stalls only its own console (until it reads, the VM stops, or
 * libvirtd's keepalive drops the connection after about 30 s), never the daemon's
 * connection, libvirt's event thread or the workers. The pump's thread opens the console
 * (serial_target_open: 404 unknown domain, 409 not running, no serial console or "serial
 * console in use"; a failure closes with 4000 + status) and receives from its non-blocking
 * stream when libvirt's stream callback says bytes came (the callback only signals the
 * pump; the pump's thread receives, and removes the callback before it frees the stream:
 * libvirt 9.0's remote driver never calls a stream callback's free function and may still
 * be in the callback when the removal returns, so the callback finds its pump by id; see
 * virt_pump.h). An idle console costs no wake-up; output after a quiet spell reaches the
 * browser at once (it waited up to 100 ms while the stream was polled).
 * The service thread (this file) puts browser bytes (text and binary frames alike) into
 * the "up" ring (32 KiB) and writes the "down" ring (64 KiB) to the browser in binary
 * frames of at most 16 KiB (console bytes are not guaranteed UTF-8). When less than
 * 20 KiB of "up" is left it pauses the websocket (lws_rx_flow_control), but only between
 * TLS records: lws 4.1.6 spins forever if rx is paused while OpenSSL still holds
 * decrypted bytes, so the 20 KiB cover one more record and one fragment. It resumes once
 * the pump's news says "up" drained to 4 KiB. When the stream ends (the VM stopped) the
 * websocket closes with 1000 once "down" is written. At most 64 consoles exist at once,
 * counting those whose pump is still closing (4503 beyond).
 *
 * Exclusivity: the console is opened without VIR_DOMAIN_CONSOLE_FORCE. A second
 * browser (or `virsh console`) never steals it from the first: it gets 4409 "serial
 * console in use". Whether the session still lives is checked on every tick of serve.c's
 * housekeeping timer (250 ms, the connection layer's session registry; 4401, like
 * logout). */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/conn.h"

#include <sqlite3.h>

struct inbox;
struct serial_hub;
struct virt_conn;
struct work_pool;

/* What the serial consoles use, borrowed for the hub's lifetime. */
struct serial_deps {
    struct virt_conn *virt; /* the libvirt URI the pumps open their connections to */
    struct inbox *inbox;    /* the pumps' news */
    struct work_pool *pool; /* the audit writes (console_audit.h) */
    sqlite3 *db;            /* the audit log */
};

/* The largest message a browser may send on the serial console (1009 beyond, see
 * http/tls_read_guard.h): keystrokes are a few bytes; the UI (web/js/serial.js) sends a
 * paste in pieces of at most 16 KiB. The bytes stream through the bounded "up" ring
 * whatever the message size. */
#define SERIAL_WS_MESSAGE_MAX (64u * 1024)

/* The consoles' hub; it is the endpoint's ctx (serve.c's route table). */
struct serial_hub *serial_hub_new(const struct serial_deps *deps);
/* Frees the hub (main thread at shutdown, after the lws context is gone, which released
 * every console's pump, and after virt_pump_wait_all). A pump still stuck in libvirt keeps
 * the hub (reported, not freed). NULL-safe. */
/* Serial consoles alive now, counting those still closing (GET /metrics). Any thread. */
unsigned serial_hub_open(struct serial_hub *hub);
void serial_hub_free(struct serial_hub *hub);

/* The websocket endpoint (serve.c routes ROUTE_SERIAL to it, with the hub as ctx); the gate has
 * checked the route's right on its domain UUID. */
extern const struct conn_endpoint serial_endpoint;
