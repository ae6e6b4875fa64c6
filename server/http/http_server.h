/* http_server: the libwebsockets protocol that serves every connection.
 *
 * DESIGN: one protocol callback handles HTTP requests and websocket upgrades; both are
 * routed by path (a websocket without a subprotocol lands on the default protocol).
 * Requests are read (bounded headers and body), authenticated (session cookie, CSRF,
 * Origin), then answered from the static cache or by an API handler. Handlers that
 * need libvirt or password hashing submit a work_job; its `done` calls
 * http_server_complete() with the connection's id. Websockets are checked in
 * HTTP_CONFIRM_UPGRADE (to refuse with a proper status) and again in
 * FILTER_PROTOCOL_CONNECTION, then handed to their endpoint (events_ws, console,
 * serial) with that endpoint's message limit; the client's frames are checked before
 * lws parses them (tls/tls_read_guard.h) and a violation closes with 1002 or 1009.
 *
 * Threads: service thread only, except where a function says otherwise. */
#pragma once

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/response.h"

struct app;
struct http_server;

#define HTTP_MAX_BODY (64u * 1024)
/* The most one lws write sends: a TLS record's payload. */
#define HTTP_TX_MAX (16u * 1024)
/* The most payload one websocket frame should carry so that, with its 4-byte header,
 * it is a single write of at most HTTP_TX_MAX. */
#define HTTP_WS_PAYLOAD_MAX (HTTP_TX_MAX - 4)

/* The protocol table for the vhost (NULL-terminated, static). */
const struct lws_protocols *http_server_protocols(void);

struct http_server *http_server_new(struct app *app);
void http_server_free(struct http_server *srv);

/* Delivers a finished response to connection conn_id; dropped if it has closed.
 * Takes resp's contents (resp is left empty). */
void http_server_complete(struct http_server *srv, uint64_t conn_id, struct http_response *resp);

/* The websocket connection with this id, or NULL if it has closed. */
struct lws *http_server_find(struct http_server *srv, uint64_t conn_id);

/* True while OpenSSL holds decrypted bytes of this connection that lws has not read
 * yet. lws 4.1.6 spins if a websocket's rx is paused (lws_rx_flow_control) in that
 * state, so a bridge pauses only when this is false. */
bool http_server_tls_pending(struct lws *wsi);

/* Writes resp's status line and headers (not its body) announcing a body of
 * content_length bytes, which the caller then writes with lws_write. For responses
 * streamed by someone else (volume downloads). Returns 0 or -1. */
int http_server_write_headers(struct lws *wsi, const struct http_response *resp,
                              uint64_t content_length);

/* True if the request asked for "Expect: 100-continue". */
bool http_server_expects_continue(struct lws *wsi);
/* Writes the interim "100 Continue" response: the client may send the body now.
 * Returns 0 or -1. */
int http_server_write_continue(struct lws *wsi);

/* Adds the security headers every response carries, and "Cache-Control: no-store"
 * unless resp already has a Cache-Control of its own (the UI's static files). */
void http_server_add_security_headers(struct http_response *resp);
