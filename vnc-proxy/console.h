/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console: the VNC console bridge, GET /api/domains/{uuid}/console as a websocket.
 *
 * DESIGN: a console pairs the browser's websocket with a raw socket to the VM's VNC
 * server; both live in the lws loop on the service thread. When the websocket is
 * established, a worker finds and connects the VNC server (console_target); its
 * socket is then adopted into lws as a raw connection of the "virtdeck-vnc-raw"
 * protocol. Bytes pass through unchanged (RFB, VNC authentication included) through
 * two bounded rings; a ring that fills stops reading from its source with
 * lws_rx_flow_control until the other side drains it, so a client that stops reading
 * (or floods) costs a fixed amount of memory. Several viewers may watch one VM: each
 * has its own VNC connection.
 *
 * Data path (VNC → browser, the heavy direction): lws reads the VNC socket (RAW_RX, at
 * most 32 KiB) into `down` only to start a burst; a full read means more is waiting, so
 * lws's rx is paused and the websocket's WRITEABLE takes over: it reads the VNC socket
 * itself (recv straight into the ring's free span, up to 64 KiB) whenever less than a
 * frame is left, and writes frames of one TLS record (16 KiB) straight from the ring,
 * lws putting each frame header into the LWS_PRE bytes the ring keeps free in front of
 * its data (console_ring.h): no copy between the socket and OpenSSL. It writes frame
 * after frame while lws_send_pipe_choked says the socket takes more, up to 256 KiB
 * (CONSOLE_TURN_MAX, refilling the ring as it goes) per turn so other connections get
 * theirs. When the VNC socket runs dry and the ring has
 * room for a full lws read, lws's rx is resumed and the console waits for the next
 * RAW_RX. A browser that does not read stops the writer, so the ring fills and the VNC
 * socket is not read: backpressure reaches QEMU. Browser → VNC: each message is sent to
 * the VNC socket at once (send, no poll turn); what the socket does not take waits in
 * `up` for RAW_WRITEABLE, and the websocket's rx is paused (only between TLS records,
 * conn_tls_pending) while `up` is nearly full.
 *
 * Closing: browser gone → the VNC socket is closed at once; VNC server gone (the VM
 * stopped) → the websocket closes with a reason; logout, session expiry or the CLI's
 * `user passwd/del` → 4401 (the connection layer's session registry, every
 * housekeeping tick).
 * Failures after the upgrade close the websocket with 4000 + the HTTP status
 * (4404 unknown VM, 4409 not running / no VNC display, 4502 unreachable, 4503 libvirt
 * down) and a readable reason.
 *
 * Threads: service thread only, except the resolve job's run function (worker). */
#pragma once

#include <libwebsockets.h>
#include <sqlite3.h>
#include <stdint.h>

#include "http/conn.h"

struct console_hub;
struct virt_conn;
struct work_pool;

/* What the consoles use, all borrowed for the hub's lifetime. */
struct console_deps {
    struct work_pool *pool;    /* the resolve jobs and the audit writes */
    sqlite3 *db;               /* the audit log */
    struct virt_conn *virt;    /* the daemon's libvirt connection: finding the display */
    struct conn_server *conns; /* a finished job finds its websocket by id */
};

/* The largest message a browser may send on the console (1009 beyond, see
 * http/tls_read_guard.h). Bytes pass to the VNC server as a stream through the bounded
 * ring whatever the message size, so this bounds no memory; it refuses absurd frames.
 * noVNC 1.7 sends at most 10 KiB per message (its send queue); other RFB clients may
 * put a whole ClientCutText (the clipboard) in one message, hence the room. */
#define CONSOLE_WS_MESSAGE_MAX (256u * 1024)

/* The consoles' hub; it is the endpoint's ctx (serve.c's route table). */
struct console_hub *console_hub_new(const struct console_deps *deps);
/* Frees the hub (after the lws context is gone, which closed and freed every console).
 * NULL-safe. */
/* Graphical consoles open now (GET /metrics). Service thread. */
unsigned console_hub_open(const struct console_hub *hub);
void console_hub_free(struct console_hub *hub);

/* The raw-socket protocol callback for adopted VNC sockets (protocol "virtdeck-vnc-raw"). */
int console_raw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len);
#define CONSOLE_RAW_PROTOCOL "virtdeck-vnc-raw"

/* The websocket endpoint (serve.c routes ROUTE_CONSOLE to it, with the hub as ctx); the gate has
 * checked AUTH_ACTION_DOMAIN_CONSOLE on the route's domain UUID. */
extern const struct conn_endpoint console_endpoint;
