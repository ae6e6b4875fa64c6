/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn: connection objects, the id registry and the websocket phases (see conn.h).
 *
 * Service thread only. Invariants: a conn is in the registry (srv->buckets) under
 * conn->id from conn_register until conn_free; an endpoint's `closed` runs exactly once
 * per slot (conn_release_endpoint clears the slot first); every lws call goes through
 * srv->io. */
#include "http/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth_host.h"
#include "http/conn_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CONN_BUCKETS_MIN 256

/* ---- the server ------------------------------------------------ */

struct conn_server *conn_server_new(const struct conn_server_options *options)
{
    struct conn_server *srv = xcalloc(1, sizeof(*srv));

    srv->io = options->io;
    srv->sessions = options->sessions;
    srv->tokens = options->tokens;
    srv->owners = options->owners;
    srv->allowed_origins = options->allowed_origins;
    srv->metrics_token = options->metrics_token;
    srv->metrics = metrics_http_new(ROUTE_ROW_COUNT + 1);
    for (size_t i = 0; i < ROUTE_ROW_COUNT; i++) {
        char label[ROUTE_PARAM_MAX];
        const char *method;
        route_row_label(route_row_get((enum route_row_id)i), label, sizeof(label), &method);
        metrics_http_label(srv->metrics, i, label, method);
    }
    metrics_http_label(srv->metrics, ROUTE_ROW_COUNT, "unknown", "ANY"); /* 404 and 405 */
    srv->host_names = auth_host_names_new();
    if (options->listen_host)
        auth_host_names_add_machine(srv->host_names, options->listen_host);
    if (options->server_names)
        auth_host_names_add_list(srv->host_names, options->server_names);
    srv->api.endpoint = options->api;
    srv->api.ctx = options->api_ctx;
    srv->nbuckets = CONN_BUCKETS_MIN;
    srv->buckets = xcalloc(srv->nbuckets, sizeof(*srv->buckets));
    conn_sessions_init(srv);
    return srv;
}

void conn_server_free(struct conn_server *srv)
{
    if (!srv)
        return;
    if (srv->count)
        log_warn("conn: %u connection(s) still registered at exit", srv->count);
    conn_sessions_free(srv);
    free(srv->buckets);
    auth_host_names_free(srv->host_names);
    metrics_http_free(srv->metrics);
    free(srv);
}

void conn_server_set_settings(struct conn_server *srv, const char *allowed_origins,
                              const char *metrics_token, const char *listen_host,
                              const char *server_names)
{
    struct auth_host_names *names = auth_host_names_new();

    if (listen_host)
        auth_host_names_add_machine(names, listen_host);
    if (server_names)
        auth_host_names_add_list(names, server_names);
    auth_host_names_free(srv->host_names);
    srv->host_names = names;
    srv->allowed_origins = allowed_origins;
    srv->metrics_token = metrics_token;
}

struct metrics_http *conn_server_metrics(struct conn_server *srv)
{
    return srv->metrics;
}

void conn_server_route(struct conn_server *srv, enum route_id id,
                       const struct conn_endpoint *endpoint, void *ctx)
{
    if ((unsigned)id >= CONN_ROUTES_MAX) {
        log_error("conn: route %d is beyond the endpoint table", (int)id);
        abort(); /* a programming error, found at start-up */
    }
    srv->routes[id].endpoint = endpoint;
    srv->routes[id].ctx = ctx;
}

/* ---- the id registry ------------------------------------------------
 *
 * Ids count up from 1 and are never reused, so the low bits spread them evenly over
 * the buckets; the table doubles when it holds more conns than buckets. */

static struct conn **conn_bucket(struct conn_server *srv, uint64_t id)
{
    return &srv->buckets[id & (srv->nbuckets - 1)];
}

static void conn_registry_grow(struct conn_server *srv)
{
    unsigned old_n = srv->nbuckets;
    struct conn **old = srv->buckets;

    srv->nbuckets = old_n * 2;
    srv->buckets = xcalloc(srv->nbuckets, sizeof(*srv->buckets));
    for (unsigned b = 0; b < old_n; b++) {
        while (old[b]) {
            struct conn *c = old[b];
            struct conn **to = conn_bucket(srv, c->id);
            old[b] = c->hash_next;
            c->hash_next = *to;
            *to = c;
        }
    }
    free(old);
}

static void conn_unregister(struct conn *conn)
{
    struct conn_server *srv = conn->srv;

    if (!conn->id)
        return;
    for (struct conn **pp = conn_bucket(srv, conn->id); *pp; pp = &(*pp)->hash_next) {
        if (*pp == conn) {
            *pp = conn->hash_next;
            conn->hash_next = NULL;
            srv->count--;
            break;
        }
    }
    conn->id = 0;
}

void conn_register(struct conn *conn)
{
    struct conn_server *srv = conn->srv;
    struct conn **b;

    conn_unregister(conn);
    if (srv->count >= srv->nbuckets)
        conn_registry_grow(srv);
    conn->id = ++srv->next_id;
    b = conn_bucket(srv, conn->id);
    conn->hash_next = *b;
    *b = conn;
    srv->count++;
}

struct conn *conn_find(struct conn_server *srv, uint64_t id)
{
    if (!srv || !id)
        return NULL;
    for (struct conn *c = *conn_bucket(srv, id); c; c = c->hash_next)
        if (c->id == id)
            return c;
    return NULL;
}

/* ---- objects ------------------------------------------------ */

struct conn *conn_new(struct conn_server *srv, void *handle)
{
    struct conn *conn = xcalloc(1, sizeof(*conn));

    conn->srv = srv;
    conn->handle = handle;
    conn->phase = CONN_IDLE;
    conn->content_length = -1;
    buf_init(&conn->body, CONN_MAX_BODY);
    http_response_init(&conn->resp);
    return conn;
}

void conn_release_endpoint(struct conn *conn)
{
    const struct conn_endpoint *ep = conn->slot.endpoint;

    if (!ep)
        return;
    if (ep->closed)
        ep->closed(conn);
    conn->slot.endpoint = NULL;
    conn->slot.ctx = NULL;
    conn->state = NULL;
}

void conn_free(struct conn *conn)
{
    if (!conn)
        return;
    conn_release_endpoint(conn);
    conn_sessions_leave(conn);
    conn_unregister(conn);
    buf_free(&conn->body);
    http_response_free(&conn->resp);
    OPENSSL_cleanse(conn->token, sizeof(conn->token));
    free(conn);
}

uint64_t conn_id(const struct conn *conn)
{
    return conn->id;
}

enum conn_phase conn_phase(const struct conn *conn)
{
    return conn->phase;
}

void *conn_ctx(const struct conn *conn)
{
    return conn->slot.ctx;
}

void *conn_state(const struct conn *conn)
{
    return conn->state;
}

void conn_set_state(struct conn *conn, void *state)
{
    conn->state = state;
}

const char *conn_path(const struct conn *conn)
{
    return conn->path;
}

const char *conn_peer(const struct conn *conn)
{
    return conn->peer;
}

/* ---- what endpoints ask of the socket ------------------------------------------------ */

void conn_want_write(struct conn *conn)
{
    conn->srv->io->want_write(conn->handle);
}

void conn_rx_pause(struct conn *conn, bool pause)
{
    conn->srv->io->rx_flow(conn->handle, !pause);
}

bool conn_tls_pending(const struct conn *conn)
{
    return conn->srv->io->tls_pending(conn->handle);
}

bool conn_choked(const struct conn *conn)
{
    return conn->srv->io->choked(conn->handle);
}

void conn_set_timeout(struct conn *conn, int seconds)
{
    conn->srv->io->set_timeout(conn->handle, seconds);
}

void conn_kill(struct conn *conn)
{
    conn->srv->io->kill(conn->handle);
}

int conn_adopt_socket(struct conn *conn, int fd, const char *protocol, void *opaque)
{
    return conn->srv->io->adopt(conn->handle, fd, protocol, opaque);
}

/* ---- websockets ------------------------------------------------ */

uint64_t conn_ws_message_max(const struct conn *conn)
{
    return conn->target.endpoint ? conn->target.endpoint->ws_message_max : 0;
}

int conn_ws_established(struct conn *conn)
{
    struct http_request req;
    const struct conn_endpoint *ep = conn->target.endpoint;

    if (conn->phase != CONN_UPGRADING || !ep)
        return -1;
    conn->phase = CONN_WS_OPEN;
    conn->slot = conn->target;
    conn_sessions_join(conn);
    memset(&req, 0, sizeof(req));
    req.conn_id = conn->id;
    req.method = HTTP_GET;
    req.path = conn->path;
    req.query = "";
    req.route = conn->route;
    req.body = "";
    req.has_session = true;
    req.session = conn->session;
    req.session_token = ""; /* the socket keeps only the session id */
    req.peer = conn->peer;
    return ep->open ? ep->open(conn, &req) : 0;
}

int conn_ws_write(struct conn *conn, unsigned char *p, size_t len, enum conn_write kind, bool fin)
{
    conn->wrote = true;
    metrics_http_sent(conn->srv->metrics, len);
    return conn->srv->io->write(conn->handle, p, len, kind, fin);
}

void conn_close(struct conn *conn, int code, const char *reason)
{
    if (conn->phase == CONN_WS_CLOSING)
        return;
    conn->phase = CONN_WS_CLOSING;
    conn->close_code = code;
    snprintf(conn->close_reason, sizeof(conn->close_reason), "%s", reason);
    conn_want_write(conn);
}

int conn_close_now(struct conn *conn, int code, const char *reason)
{
    conn->phase = CONN_WS_CLOSING;
    conn->close_code = code;
    snprintf(conn->close_reason, sizeof(conn->close_reason), "%s", reason);
    conn->srv->io->close_reason(conn->handle, code, conn->close_reason);
    return -1;
}

bool conn_closing(const struct conn *conn)
{
    return conn->phase == CONN_WS_CLOSING;
}

/* WRITEABLE on a websocket: the endpoint writes; once closing, the close follows the
 * first turn in which it has nothing left to write. */
static int conn_ws_writeable(struct conn *conn)
{
    const struct conn_endpoint *ep = conn->slot.endpoint;

    conn->wrote = false;
    if (ep && ep->writeable && ep->writeable(conn) < 0)
        return -1;
    if (conn->phase != CONN_WS_CLOSING)
        return 0;
    if (conn->wrote) {
        conn_want_write(conn); /* the close goes after what was just written */
        return 0;
    }
    conn->srv->io->close_reason(conn->handle, conn->close_code, conn->close_reason);
    return -1;
}

int conn_on_receive(struct conn *conn, const void *in, size_t len)
{
    const struct conn_endpoint *ep = conn->slot.endpoint;

    if (conn->phase != CONN_WS_OPEN && conn->phase != CONN_WS_CLOSING)
        return 0;
    return ep && ep->receive ? ep->receive(conn, in, len) : 0;
}

int conn_on_writeable(struct conn *conn)
{
    switch (conn->phase) {
    case CONN_WS_OPEN:
    case CONN_WS_CLOSING:
        return conn_ws_writeable(conn);
    case CONN_WRITING:
    case CONN_STREAMING:
        return conn_http_writeable(conn);
    default:
        return 0;
    }
}
