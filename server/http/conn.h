/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn: the connection layer. Every connection the daemon serves (an HTTP request, a
 * websocket) is a struct conn with an id, one phase and an endpoint.
 *
 * DESIGN. The lws protocol (http_server.c) turns lws callbacks into conn_on_*() calls
 * and fills the io seam (struct conn_io) with the lws calls the layer makes; nothing
 * here calls lws itself, so tests/unit/test_conn.c drives every phase with a fake io.
 * The layer applies the request rules (Host, routing, session, Origin, CSRF, body
 * bounds, the websocket gate) and then hands the connection to its endpoint: the row
 * of the route table names one (conn_server_route), each a small vtable (struct
 * conn_endpoint) with a state pointer of its own. Endpoints answer only through the
 * conn_* calls below, never touch their connection's lws object, and never include
 * the protocol file.
 *
 *   HTTP:  IDLE --headers--> BODY --body done--> WAITING --conn_respond--> WRITING
 *           ^                  |                    |  \--conn_stream--> STREAMING
 *           |                  +--answered early--------> WRITING --> DRAINING --> close
 *           +------------- keep-alive <------------ WRITING / STREAMING (done)
 *   websocket: UPGRADING --established--> WS_OPEN --conn_close--> WS_CLOSING --> close
 *
 * An HTTP connection gets a new id with every request, so an answer that comes late
 * (a job finishing after its connection moved on) finds nothing and is dropped. A
 * worker or another thread names a connection only by id; conn_find() maps it back in
 * O(1). Websockets belong to their session in the session registry
 * (conn_sessions_end/check): one call closes every socket of a session, each the way
 * its endpoint says (session_ended).
 *
 * Threads: service thread only (the id is what other threads keep). */
#pragma once

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "http/response.h"
#include "http/route.h"

struct auth_sessions;
struct auth_tokens;
struct auth_owners;
struct conn;
struct conn_server;
struct metrics_http;

/* A request body (not streamed to its endpoint) is held to this. */
#define CONN_MAX_BODY (64u * 1024)
/* The most one write sends: a TLS record's payload. */
#define CONN_TX_MAX (16u * 1024)
/* The most payload one websocket frame should carry so that, with its 4-byte header,
 * it is a single write of at most CONN_TX_MAX. */
#define CONN_WS_PAYLOAD_MAX (CONN_TX_MAX - 4)
/* Buffers handed to conn_ws_write/conn_write_body keep this much room before the
 * payload (lws writes its framing there). */
#define CONN_PRE LWS_PRE
/* The close code a websocket gets when its session ends, unless its endpoint says
 * otherwise (session_ended). */
#define CONN_CLOSE_SESSION_ENDED 4401

enum conn_phase {
    CONN_IDLE,       /* HTTP: no request yet, or between keep-alive requests */
    CONN_BODY,       /* HTTP: reading the request body; nobody answered yet */
    CONN_WAITING,    /* HTTP: the endpoint prepares the answer (a job, a transfer) */
    CONN_STREAMING,  /* HTTP: the endpoint writes the response itself (a download) */
    CONN_WRITING,    /* HTTP: writing the queued response */
    CONN_DRAINING,   /* HTTP: answered before its body ended; dropping the rest, then close */
    CONN_UPGRADING,  /* websocket: passed the gate, handshake under way */
    CONN_WS_OPEN,    /* websocket: frames both ways */
    CONN_WS_CLOSING, /* websocket: closes with its code once the endpoint wrote what it held */
};

/* What an endpoint implements. Every function is optional (NULL: nothing to do) and
 * runs on the service thread; conn is valid during the call, and until `closed` for
 * an endpoint that keeps it. */
struct conn_endpoint {
    const char *name; /* for logs */

    /* HTTP: the request passed every check. With stream_body it comes right after the
     * headers and the body (if any) follows through body/body_done; otherwise the
     * body (at most CONN_MAX_BODY) is complete. Answer with conn_respond (now, or
     * later through conn_complete by id) or conn_stream. Websocket: the socket is
     * established and belongs to req->session. Returns 0, or -1 to close. */
    int (*open)(struct conn *conn, const struct http_request *req);
    /* HTTP: the body streams to `body` unbounded (volume contents). */
    bool stream_body;
    /* HTTP: no session, Origin or CSRF checks (the UI's own files). */
    bool sessionless;
    /* HTTP, stream_body: the next body piece. Returns 0, or -1 to close. */
    int (*body)(struct conn *conn, const void *in, size_t len);
    /* HTTP, stream_body: the body is complete. */
    void (*body_done)(struct conn *conn);
    /* HTTP in STREAMING: the socket takes more; write with conn_write_head/body.
     * Returns 0 (more later: ask with conn_want_write), 1 (the response is complete),
     * or -1 (close: the client learns of a failure after the headers only so).
     * Websocket: write frames with conn_ws_write; returns 0, or -1 to close. */
    int (*writeable)(struct conn *conn);
    /* Websocket: a piece of a client message. Returns 0, or -1 to close. */
    int (*receive)(struct conn *conn, const void *in, size_t len);
    /* Websocket: its session ended (logout, expiry, the CLI): close the way this
     * endpoint closes. NULL: conn_close(CONN_CLOSE_SESSION_ENDED, "session ended"). */
    void (*session_ended)(struct conn *conn);
    /* The endpoint's part is over: the connection closed, or (HTTP) its response went
     * out. Release the state; the conn must not be used afterwards. */
    void (*closed)(struct conn *conn);

    /* Websocket endpoints: the largest client message (1009 beyond). The right the
     * gate checks is the route's row's (route_authorize). */
    uint64_t ws_message_max;
};

/* ---- the io seam: the lws calls the layer makes (http_server.c fills it) ---- */

enum conn_header {
    CONN_HEADER_HOST,
    CONN_HEADER_ORIGIN,
    CONN_HEADER_COOKIE,
    CONN_HEADER_CSRF, /* X-CSRF-Token */
    CONN_HEADER_CONTENT_LENGTH,
    CONN_HEADER_TRANSFER_ENCODING,
    CONN_HEADER_ACCEPT_ENCODING,
    CONN_HEADER_EXPECT,
    CONN_HEADER_RANGE,
    CONN_HEADER_IF_NONE_MATCH,
    CONN_HEADER_GET_URI,       /* the path of a GET (websocket upgrades) */
    CONN_HEADER_PREFER,        /* Prefer (RFC 7240) */
    CONN_HEADER_AUTHORIZATION, /* Authorization: Bearer <API token> */
    CONN_HEADER_ACCEPT,        /* Accept (GET /api/audit's JSON-lines export) */
    CONN_HEADER_USER_AGENT,    /* User-Agent (a login remembers it for "my sessions") */
};

enum conn_write {
    CONN_WRITE_HTTP,         /* a piece of a response body */
    CONN_WRITE_HTTP_FINAL,   /* its last piece */
    CONN_WRITE_HTTP_HEADERS, /* raw header bytes (an interim 100 Continue) */
    CONN_WRITE_WS_TEXT,
    CONN_WRITE_WS_BINARY,
    CONN_WRITE_WS_CONTINUATION,
};

/* handle is what the protocol gave conn_new (its struct lws *). */
struct conn_io {
    /* Copies a request header into out, NUL-terminated ("" when absent). Returns 0, or
     * -1 when it does not fit (out is then ""). */
    int (*header)(void *handle, enum conn_header which, char *out, size_t outlen);
    enum http_method (*method)(void *handle);
    /* The decoded query arguments joined by '&' ("" if none); -1 if they do not fit. */
    int (*query)(void *handle, char *out, size_t outlen);
    /* The client's address, numeric. */
    void (*peer)(void *handle, char *out, size_t outlen);
    /* Status line and headers (resp's, then Content-Length: content_length, and
     * "Connection: close" when close). Returns 0 or -1. */
    int (*write_head)(void *handle, const struct http_response *resp, uint64_t content_length,
                      bool close);
    /* Writes len bytes at p (CONN_PRE bytes of room before p); fin: the last fragment
     * of a websocket message. Returns 0, or -1 if not everything went out. */
    int (*write)(void *handle, unsigned char *p, size_t len, enum conn_write kind, bool fin);
    /* The HTTP transaction is over and the connection stays: 0, or -1 to close. */
    int (*transaction_done)(void *handle);
    void (*want_write)(void *handle);
    void (*rx_flow)(void *handle, bool enable);
    bool (*tls_pending)(void *handle);
    bool (*choked)(void *handle);
    /* The close frame's code and reason for the -1 that follows. */
    void (*close_reason)(void *handle, int code, const char *reason);
    /* Cut the connection if seconds pass without another call (HTTP content). */
    void (*set_timeout)(void *handle, int seconds);
    /* Close the connection soon, from the loop (not from inside this call). */
    void (*kill)(void *handle);
    /* Adopts fd (taken, even on failure) as a raw socket of protocol on handle's vhost,
     * with opaque as its user data. Returns 0 or -1. */
    int (*adopt)(void *handle, int fd, const char *protocol, void *opaque);
};

/* ---- the server (serve.c) ---- */

struct conn_server_options {
    const struct conn_io *io;        /* borrowed; static */
    struct auth_sessions *sessions;  /* borrowed: cookie lookups and the session registry */
    struct auth_tokens *tokens;      /* borrowed: Authorization: Bearer lookups; may be NULL */
    struct auth_owners *owners;      /* borrowed: the websockets' view of VMs; may be NULL */
    const char *allowed_origins;     /* borrowed: config allowed_origins */
    const char *metrics_token;       /* borrowed: config metrics_token (GET /metrics); may be
                                      * NULL or "" (none) */
    const char *listen_host;         /* borrowed: the Host rule (auth_host.h) */
    const char *server_names;        /* borrowed */
    const struct conn_endpoint *api; /* every route without an endpoint of its own */
    void *api_ctx;                   /* borrowed */
};

struct conn_server *conn_server_new(const struct conn_server_options *options);
/* After every connection has closed. NULL-safe. */
void conn_server_free(struct conn_server *srv);

/* Replaces the settings a SIGHUP may change: the extra websocket origins, the scrape token
 * (both borrowed: they must outlive the next call or conn_server_free) and the extra host
 * names (copied; listen_host's own names are kept). Service thread. */
void conn_server_set_settings(struct conn_server *srv, const char *allowed_origins,
                              const char *metrics_token, const char *listen_host,
                              const char *server_names);
/* The request counters (GET /metrics): one route per row of the table, counted when
 * an answer is queued, and the bytes written. Owned by srv; read from any thread. */
struct metrics_http *conn_server_metrics(struct conn_server *srv);
/* Route id's endpoint (instead of the api one), with ctx for conn_ctx(). */
void conn_server_route(struct conn_server *srv, enum route_id id,
                       const struct conn_endpoint *endpoint, void *ctx);

/* ---- the protocol's side (http_server.c) ---- */

/* A new connection on handle, in phase IDLE, not yet registered. */
struct conn *conn_new(struct conn_server *srv, void *handle);
/* The connection is gone: the endpoint's `closed` runs, then conn is freed. NULL-safe. */
void conn_free(struct conn *conn);

/* The headers of a request for uri (not NUL-terminated, uri_len bytes) are complete.
 * Returns 0, or -1 to close. */
int conn_on_request(struct conn *conn, const char *uri, size_t uri_len);
int conn_on_body(struct conn *conn, const void *in, size_t len);
int conn_on_body_done(struct conn *conn);
/* The socket takes more (HTTP or websocket). Returns 0, or -1 to close. */
int conn_on_writeable(struct conn *conn);
/* Websocket: a piece of a client message. Returns 0, or -1 to close. */
int conn_on_receive(struct conn *conn, const void *in, size_t len);

/* HTTP_CONFIRM_UPGRADE: the websocket gate, before any connection exists. Returns 0
 * (go on), or 1 after writing the refusal (400/401/403/404/421 + JSON). */
int conn_ws_confirm(struct conn_server *srv, void *handle, const char *upgrade);
/* FILTER_PROTOCOL_CONNECTION: the gate again, for real: a new registered connection in
 * UPGRADING, or NULL (refused). */
struct conn *conn_ws_accept(struct conn_server *srv, void *handle);
/* The client's message limit for an UPGRADING connection's endpoint. */
uint64_t conn_ws_message_max(const struct conn *conn);
/* ESTABLISHED: joins the session registry and opens the endpoint. Returns 0 or -1. */
int conn_ws_established(struct conn *conn);
/* For logs: the connection's path and client address. */
const char *conn_path(const struct conn *conn);
const char *conn_peer(const struct conn *conn);

/* ---- for endpoints ---- */

/* The live connection with this id, or NULL. O(1). */
struct conn *conn_find(struct conn_server *srv, uint64_t id);
uint64_t conn_id(const struct conn *conn);
enum conn_phase conn_phase(const struct conn *conn); /* for tests */
/* The ctx given with the connection's endpoint (conn_server_route). */
void *conn_ctx(const struct conn *conn);
/* The endpoint's own state (NULL until set). */
void *conn_state(const struct conn *conn);
void conn_set_state(struct conn *conn, void *state);
/* A request header (see struct conn_io's header). */
int conn_header(struct conn *conn, enum conn_header which, char *out, size_t outlen);
/* The request's Content-Length, or -1 without one. */
long long conn_content_length(const struct conn *conn);

/* Queues resp (its contents are taken; resp is left empty) as the answer and asks for
 * WRITEABLE. Adds the security headers, a JSON content type if none, gzip for a large
 * JSON body the client accepts. From BODY, WAITING or STREAMING (before any byte of it
 * went out); answered in BODY, the rest of the body is read and dropped (up to 64 MiB)
 * before closing, or the connection closes if the client still waits for 100 Continue. */
void conn_respond(struct conn *conn, struct http_response *resp);
/* conn_respond to the connection with this id, if it still waits for an answer;
 * otherwise resp is dropped (left as it is for its owner to free). */
void conn_complete(struct conn_server *srv, uint64_t id, struct http_response *resp);
/* Adds the security headers every response carries, and "Cache-Control: no-store"
 * unless resp has a Cache-Control of its own (the UI's static files). */
void conn_add_security_headers(struct http_response *resp);

/* HTTP: the endpoint writes the response itself from now on (STREAMING) and asks for
 * WRITEABLE. Idempotent. */
void conn_stream(struct conn *conn);
/* STREAMING: the status line and headers for a body of content_length bytes (the
 * security headers are added to resp). Returns 0 or -1. */
int conn_write_head(struct conn *conn, struct http_response *resp, uint64_t content_length);
/* STREAMING: n body bytes at p (CONN_PRE bytes of room before p); final: the last.
 * Returns 0 or -1. */
int conn_write_body(struct conn *conn, unsigned char *p, size_t n, bool final);
/* True if the client asked for "Expect: 100-continue" and has not had it (stream_body
 * endpoints only). */
bool conn_expects_continue(const struct conn *conn);
/* Writes "100 Continue" once: the client may send its body. Returns 0 or -1. */
int conn_send_continue(struct conn *conn);
/* Cut the connection when seconds pass without a byte moving (HTTP content). */
void conn_set_timeout(struct conn *conn, int seconds);
/* Close the connection soon, from the loop (an HTTP failure after the headers). */
void conn_kill(struct conn *conn);

/* Asks for WRITEABLE. */
void conn_want_write(struct conn *conn);
/* Pauses (true) or resumes reading from the client. */
void conn_rx_pause(struct conn *conn, bool pause);
/* True while TLS holds decrypted bytes lws has not read: lws 4.1.6 spins if rx is
 * paused then, so pause only when this is false. */
bool conn_tls_pending(const struct conn *conn);
/* True while the kernel does not take more (write less now). */
bool conn_choked(const struct conn *conn);

/* Websocket: writes one frame (or fragment: fin false) of len bytes at p (CONN_PRE
 * bytes of room before p); kind is TEXT/BINARY, or CONTINUATION after a fragment.
 * Returns 0, or -1 (close). */
int conn_ws_write(struct conn *conn, unsigned char *p, size_t len, enum conn_write kind, bool fin);
/* Websocket: closes with code and reason once the endpoint has written what it holds
 * (the next WRITEABLE in which its `writeable` writes nothing). The first close wins. */
void conn_close(struct conn *conn, int code, const char *reason);
/* Websocket, inside one of the endpoint's calls: close now with code and reason.
 * Returns -1, for the call to return. */
int conn_close_now(struct conn *conn, int code, const char *reason);
/* True once conn_close was called: the endpoint takes nothing more from the client. */
bool conn_closing(const struct conn *conn);
/* Adopts fd (taken) as a raw lws socket of protocol next to this connection, with opaque
 * as its user data (the VNC console). Returns 0 or -1. */
int conn_adopt_socket(struct conn *conn, int fd, const char *protocol, void *opaque);

/* ---- the session registry ---- */

/* Closes every websocket of session id, each the way its endpoint closes on a session
 * end (session_ended). Each socket is told once. The daemon ends sessions through
 * conn_sessions_check only (every way a session ends takes that one path). */
void conn_sessions_end(struct conn_server *srv, const char *session_id); /* for tests */
/* Ends (as conn_sessions_end) every session with sockets that is no longer
 * auth_sessions_alive: expired, logged out, or ended by another process. O(sessions
 * with sockets), memory only: serve.c's housekeeping timer calls it every tick. */
void conn_sessions_check(struct conn_server *srv);
/* How many sessions have sockets, and how many sockets belong to session id (tests). */
unsigned conn_sessions_count(const struct conn_server *srv); /* for tests */
unsigned conn_sessions_sockets(const struct conn_server *srv,
                               const char *session_id); /* for tests */
