/* serial: the serial console bridge, GET /api/domains/{uuid}/serial as a websocket.
 *
 * Bridges the browser's websocket to the domain's first serial console, opened with
 * virDomainOpenConsole on a non-blocking libvirt stream. Same rules as console.h:
 * rights checked before the upgrade (AUTH_ACTION_DOMAIN_CONSOLE), bounded buffers in
 * both directions, clear close reasons (4000 + HTTP status for failures after the
 * upgrade, 4401 when the session ends, 1000 when the VM's console closes).
 *
 * Threads: the websocket side runs on the service thread; the libvirt stream is only
 * touched on libvirt's event thread (stream callbacks) and workers, never on the
 * service thread. */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "auth_sessions.h"

struct app;
struct serial_hub;

struct serial_hub *serial_hub_new(void);
/* Frees every bridge (after the lws context is gone and libvirt is stopped). NULL-safe. */
void serial_hub_free(struct serial_hub *hub);

/* Websocket side, called by http_server for ROUTE_SERIAL sockets (uuid validated).
 * Return 0, or -1 to close the socket. */
int serial_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer, const char *uuid);
int serial_ws_receive(struct app *app, struct lws *wsi, uint64_t conn_id, const void *in,
                      size_t len);
int serial_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id);
void serial_ws_closed(struct app *app, uint64_t conn_id);

/* Service thread, after lws_cancel_service woke it: moves what the stream callbacks
 * queued to the websockets. */
void serial_dispatch(struct app *app);

/* Closes every serial console of this session (logout) or whose session expired. */
void serial_session_ended(struct app *app, const char *session_id);
