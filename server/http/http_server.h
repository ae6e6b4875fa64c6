/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* http_server: the libwebsockets protocol that serves every connection.
 *
 * DESIGN: one protocol callback turns lws's callbacks into the connection layer's
 * (http/conn.h) and fills its io seam with the lws calls it makes; it knows no route
 * and no endpoint. Besides that it keeps what only lws can see: per-address
 * connection limits and the first-request deadline (conn_limits.h) from accept to the
 * first request, the websocket frame checks that run before lws parses the client's
 * bytes (http/tls_read_guard.h: a violation closes with 1002 or 1009), CONNECT
 * refusal, the vhost's SSL_CTX for certificate reloads, a listening socket passed by
 * the service manager (accepted here, then handed to lws as lws's own listener would), the wake-up
 * (EVENT_WAIT_CANCELLED), handed to serve.c, and the websocket keepalive: every
 * websocket is pinged every 25 s (an lws timer per socket), so an idle one outlives a
 * reverse proxy's 60 s read timeout, and one whose client answers two pings in a row
 * with no pong is closed (docs/reverse-proxy.md). HTTP/1.1 only (serve.c sets ALPN).
 *
 * The lws context's user pointer is the struct http_server.
 *
 * Threads: service thread only, except http_server_new/free (main thread). */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/conn.h"

struct http_server;
struct ssl_ctx_st;

struct http_server_options {
    struct conn_server *conns; /* borrowed: the connection layer it feeds */
    int max_connections;       /* per client address */
    int max_handshakes;        /* per client address, before their first request */
    int64_t first_request_ms;
    /* Service thread, on every lws_cancel_service(): the other threads' news. */
    void (*on_wake)(void *ctx);
    void *wake_ctx; /* borrowed */
    /* One more protocol for the vhost (the console's raw VNC sockets), copied; or NULL. */
    const struct lws_protocols *extra;
};

/* The io seam the connection layer uses (static). */
const struct conn_io *http_server_io(void);

struct http_server *http_server_new(const struct http_server_options *options);
/* After the lws context is gone. NULL-safe. */
void http_server_free(struct http_server *srv);

/* The protocol table for the vhost (NULL-terminated; lives as long as srv). Give srv
 * as the context's user pointer. */
const struct lws_protocols *http_server_protocols(struct http_server *srv);

/* Socket activation: serve the listening socket fd (passed by the service manager) on
 * the default vhost of ctx (whose user pointer is the http_server), created with
 * CONTEXT_PORT_NO_LISTEN_SERVER. Its connections get the same limits, TLS and endpoints
 * as lws's own listener's. 0: lws serves fd from now on; -1: not adopted, fd is still the
 * caller's. */
int http_server_adopt_listener(struct lws_context *ctx, int fd);

/* The vhost's SSL_CTX once lws has created it (certificate reloads), or NULL. */
struct ssl_ctx_st *http_server_ssl_ctx(const struct http_server *srv);
