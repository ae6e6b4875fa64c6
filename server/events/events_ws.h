/* events_ws: the /api/events websocket endpoint.
 *
 * Service thread only. Opening a socket registers a subscriber and asks a worker for
 * its snapshot; a 2 s timer asks a worker for one stats sample for everybody (only
 * while someone is subscribed, one sample in flight at a time) and checks that each
 * subscriber's session is still alive. */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "auth_sessions.h"

struct app;

/* The largest message a client may send on /api/events (1009 beyond, see
 * tls/tls_read_guard.h): the client has nothing to say here, its messages are ignored;
 * this leaves room for any close or ping payload and a little more. */
#define EVENTS_WS_MESSAGE_MAX (4u * 1024)

/* Starts the periodic timer on ctx. */
void events_ws_start(struct app *app, struct lws_context *ctx);
/* Cancels the timer. */
void events_ws_stop(struct app *app);

/* A websocket to /api/events was established. Returns 0, or -1 to close it. */
int events_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer);
/* SERVER_WRITEABLE for that socket. Returns 0, or -1 to close it. */
int events_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id);
/* The socket closed. */
void events_ws_closed(struct app *app, uint64_t conn_id);
/* Moves posted messages to subscribers (after lws_cancel_service woke us). */
void events_ws_dispatch(struct app *app);
/* Tells and then disconnects every subscriber of this session (logout). */
void events_ws_session_ended(struct app *app, const char *session_id);
