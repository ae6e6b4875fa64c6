/* serial: the serial console bridge, GET /api/domains/{uuid}/serial as a websocket.
 *
 * Bridges the browser's websocket to the domain's first serial console, opened with
 * virDomainOpenConsole on a non-blocking libvirt stream. Same rules as console.h:
 * rights checked before the upgrade (AUTH_ACTION_DOMAIN_CONSOLE), bounded buffers in
 * both directions, clear close reasons (4000 + HTTP status for failures after the
 * upgrade, 4401 when the session ends, 1000 when the VM's console closes).
 *
 * Threads: the websocket side runs on the service thread; the libvirt stream is only
 * touched on libvirt's event thread (stream callbacks), a worker (opening) and the
 * bridge's own sender thread, never on the service thread.
 *
 * DESIGN. A bridge ("struct serial") is shared by four threads and guarded by its own
 * mutex; no lock is held across a libvirt or lws call.
 *  - service thread: the websocket. It appends browser bytes (text and binary frames
 *    alike) to the "up" ring (32 KiB) and writes the "down" ring (64 KiB) to the browser
 *    in binary frames of at most 16 KiB (console bytes are not guaranteed UTF-8). When
 *    less than 20 KiB of "up" is left it pauses the websocket (lws_rx_flow_control), but
 *    only between TLS records: lws 4.1.6 spins forever if rx is paused while OpenSSL
 *    still holds decrypted bytes, so the 20 KiB cover one more record and one fragment.
 *    It resumes once "up" drains to 4 KiB.
 *  - a worker: the open job. It opens a private libvirt connection for this console
 *    (keepalive 5 s x 3), then serial_target_open (404 unknown domain, 409 not running,
 *    no serial console or "serial console in use", 503 libvirt down → close code 4000 +
 *    status), then registers the bridge's kick timer (virEventAddTimeout, disabled) and
 *    the stream callback, and starts the sender thread.
 *  - libvirt's event thread ("virt-events"): the stream callback reads into "down"
 *    while it has room (full → READABLE interest dropped until the browser drained half
 *    of it; virStreamEventUpdateCallback is only called here). The service thread asks
 *    for another look (browser gone, "down" drained) only by firing the kick timer with
 *    virEventUpdateTimeout(timer, 0), a pure event-loop call. On end of stream, error,
 *    or when the browser has gone, it detaches: removes the callback, then the timer.
 *  - the bridge's "serial-tx" thread: sends "up" with virStreamSend, then, once
 *    detached, aborts and frees the stream and closes the private connection.
 *    virStreamSend on libvirt's remote driver is not really non-blocking: it blocks
 *    while libvirtd does not read, and libvirtd stops reading a whole connection once
 *    a few stream packets wait for a guest that does not read its serial input (its
 *    max_client_requests throttle). Hence the private connection and thread: such a
 *    stall blocks this console only, never the daemon's own connection, the event
 *    thread or the workers. It ends when the guest reads, when the VM stops, or when
 *    libvirtd's keepalive drops the stalled connection (about 30 s); the websocket then
 *    closes with 1000. Bytes held by libvirt meanwhile (about 140 KiB) are libvirt's.
 *  News for the service thread (bytes, end of stream, "up" drained) sets a flag and
 *  wakes it through the wake function given to serial_hub_new; serial_dispatch acts.
 * Ownership: the bridge is reference counted: one reference for the websocket (until
 * serial_ws_closed), one for the open job (until the job is freed), one for the sender
 * thread and one for the kick timer (released by libvirt's free callback in a later
 * loop iteration, so it also covers a stream callback in progress: libvirt 9.0's remote
 * driver never calls a stream callback's own free callback). The stream and the
 * connection are owned by the worker until attached, then by the bridge; the sender
 * closes them after the event thread detached. At shutdown libvirt's event thread stops
 * before serial_hub_free, which detaches what is left itself, gives the senders 5 s,
 * and runs libvirt's loop until the timers' references are released. At most 64
 * bridges exist at once (4503 beyond).
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

struct app;
struct serial_hub;

/* The largest message a browser may send on the serial console (1009 beyond, see
 * http/tls_read_guard.h): keystrokes are a few bytes; the UI (web/js/serial.js) sends a
 * paste in pieces of at most 16 KiB. The bytes stream through the bounded "up" ring
 * whatever the message size. */
#define SERIAL_WS_MESSAGE_MAX (64u * 1024)

/* wake(wake_ctx) is called from libvirt's event thread when serial_dispatch has work
 * (it must wake the service thread, e.g. with lws_cancel_service). */
struct serial_hub *serial_hub_new(void (*wake)(void *ctx), void *wake_ctx);
/* Frees every bridge (after the lws context is gone and libvirt is stopped). NULL-safe. */
void serial_hub_free(struct serial_hub *hub);

/* The websocket endpoint (serve.c routes ROUTE_SERIAL to it, with the struct app as
 * ctx); the gate has checked AUTH_ACTION_DOMAIN_CONSOLE on the route's domain UUID. */
extern const struct conn_endpoint serial_endpoint;

/* Service thread, after lws_cancel_service woke it: moves what the stream callbacks
 * queued to the websockets. */
void serial_dispatch(struct app *app);
