/* events_ws: the /api/events websocket endpoint.
 *
 * Service thread only. Opening a socket registers a subscriber and asks a worker for
 * its snapshot. serve.c's housekeeping timer calls events_ws_sessions_check every tick
 * (a subscriber whose session ended gets {"type":"session","state":"expired"}, then
 * close 1000 "session ended") and events_ws_tick every 2 s (one stats sample for
 * everybody while someone is subscribed, one in flight at a time; the sessions'
 * expiry job every 60 s). */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "auth_sessions.h"

struct app;

/* The largest message a client may send on /api/events (1009 beyond, see
 * tls/tls_read_guard.h): the client has nothing to say here, its messages are ignored;
 * this leaves room for any close or ping payload and a little more. */
#define EVENTS_WS_MESSAGE_MAX (4u * 1024)

/* Every 2 s (serve.c's housekeeping timer): submits the stats sample, and the
 * auth_sessions_expire job every 30th call. */
void events_ws_tick(struct app *app);
/* Every housekeeping tick: ends the subscribers whose session is no longer
 * auth_sessions_alive (expired, logged out on another connection, or ended by
 * `virtdeck user passwd/del`). O(subscribers), memory only. */
void events_ws_sessions_check(struct app *app);

/* A websocket to /api/events was established. Returns 0, or -1 to close it. */
int events_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer);
/* SERVER_WRITEABLE for that socket. Returns 0, or -1 to close it. */
int events_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id);
/* The socket closed. */
void events_ws_closed(struct app *app, uint64_t conn_id);
/* The events hub's news (serve.c passes it on, from the inbox's drain): wakes the sockets
 * with something to write; after libvirt reconnected, refreshes their snapshots. */
void events_ws_dispatch(struct app *app);
