/* events_ws: the /api/events websocket endpoint.
 *
 * Service thread only. Opening a socket registers a subscriber (the connection's state)
 * and asks a worker for its snapshot. When its session ends (the connection layer's
 * session registry, conn_sessions_check every housekeeping tick) the subscriber gets
 * {"type":"session","state":"expired"}, then close 1000 "session ended". serve.c's
 * housekeeping timer calls events_ws_tick every 2 s (one stats sample for everybody
 * while someone is subscribed, one in flight at a time). */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/conn.h"

struct app;

/* The largest message a client may send on /api/events (1009 beyond, see
 * http/tls_read_guard.h): the client has nothing to say here, its messages are ignored;
 * this leaves room for any close or ping payload and a little more. */
#define EVENTS_WS_MESSAGE_MAX (4u * 1024)

/* The endpoint (serve.c routes ROUTE_EVENTS to it, with the struct app as ctx). */
extern const struct conn_endpoint events_ws_endpoint;

/* Every 2 s (serve.c's housekeeping timer): submits the stats sample. */
void events_ws_tick(struct app *app);

/* The events hub's news (serve.c passes it on, from the inbox's drain): wakes the sockets
 * with something to write; after libvirt reconnected, refreshes their snapshots. */
void events_ws_dispatch(struct app *app);
