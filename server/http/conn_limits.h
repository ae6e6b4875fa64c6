/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn_limits: how many connections each client address may hold, and how long a new
 * connection may take to send its first request.
 *
 * Pure accounting, no lws: the HTTP protocol (http_server.c) feeds it the listener's
 * events and acts on its answers. Service thread only (no lock).
 *
 * A connection is "pending" from accept until its first request's headers are
 * complete: that covers a TLS handshake left half done and a connection that says
 * nothing, the two ways one host could hold the server's connection slots and header
 * buffers without ever being answered. Per address (an IPv4 address, or one IPv6 /64,
 * which one host commonly holds whole) at most max_connections are open and at most
 * max_pending of them pending; a pending connection older than first_request_ms is
 * handed back by conn_limits_next_expired() to be closed. Memory is one small record
 * per open connection and one per address that has any. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn_limits;

enum conn_limits_verdict {
    CONN_LIMITS_ADMITTED,
    CONN_LIMITS_TOO_MANY,         /* max_connections open from this address */
    CONN_LIMITS_TOO_MANY_PENDING, /* max_pending not yet past their first request */
};

struct conn_limits *conn_limits_new(int max_connections, int max_pending, int64_t first_request_ms);
void conn_limits_free(struct conn_limits *limits);

/* A connection was accepted on descriptor fd from addr. Admitted: it counts from now
 * on, and must be named by conn_limits_bind(fd, conn) before the next admit (an admit
 * that was never bound, because the server dropped the socket, is released then).
 * Refused: nothing is counted and the caller closes fd. *warn is set on the first
 * refusal for an address in 10 s, with *refused the refusals since the last warning,
 * so a flood costs one log line per address and period. */
enum conn_limits_verdict conn_limits_admit(struct conn_limits *limits, int fd,
                                           const struct sockaddr *addr, socklen_t addrlen,
                                           int64_t now_ms, bool *warn, unsigned long *refused);

/* Names the connection last admitted on fd by conn (non-NULL, unique while open, e.g.
 * its wsi). A fd that does not match the last admit is ignored. */
void conn_limits_bind(struct conn_limits *limits, int fd, const void *conn);

/* The connection's first request (headers complete, or a websocket upgrade) arrived:
 * it is no longer pending. Unknown or already seen: nothing happens. */
void conn_limits_request_seen(struct conn_limits *limits, const void *conn);

/* The connection is gone: release what it counted. Unknown conn: nothing happens. */
void conn_limits_closed(struct conn_limits *limits, const void *conn);

/* A pending connection whose first-request deadline has passed at now_ms, taken off the
 * pending list (it still counts until conn_limits_closed), or NULL. Call until NULL. */
const void *conn_limits_next_expired(struct conn_limits *limits, int64_t now_ms);

/* When the earliest pending deadline falls (absolute ms), or -1 when none is pending. */
int64_t conn_limits_next_deadline(const struct conn_limits *limits);

/* What one address holds now (for tests and logs): open and pending connections. */
void conn_limits_count(const struct conn_limits *limits, const struct sockaddr *addr,
                       socklen_t addrlen, int *open, int *pending);

/* The address key as text ("192.0.2.7", "2001:db8:1:2::/64") for log lines. */
void conn_limits_format_addr(const struct sockaddr *addr, socklen_t addrlen, char *out,
                             size_t outlen);
