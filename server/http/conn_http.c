/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn_http: the HTTP phases of a connection and the websocket gate (see conn.h).
 *
 * Service thread only. The request rules live here, in this order: the URI and query
 * fit, Content-Length is a number within the endpoint's bound and there is no chunked
 * body, the Host names this server, the route exists and allows the method, a session
 * (a cookie, or an API token as Authorization: Bearer) where the route needs one, no plain request
 * to a websocket route, and for a method that changes state a same-origin Origin (if sent) and the
 * session's CSRF token (not for a token: a browser never sends one by itself, so there is no
 * forgery to stop). Invariants: a connection has at most one request; only WRITEABLE writes a
 * queued response, in pieces of at most CONN_TX_MAX; a response queued while the body still arrives
 * is followed by draining (or closing), never by keep-alive. */
#include "http/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "auth_host.h"
#include "auth_origin.h"
#include "auth_owners.h"
#include "auth_sessions.h"
#include "auth_tokens.h"
#include "http/conn_internal.h"
#include "http/cookie.h"
#include "util/clock.h"
#include "util/log.h"

/* after answering an upload early, at most this much of its body is read and dropped */
#define CONN_DRAIN_MAX (64u * 1024 * 1024)

/* ---- reading the request ------------------------------------------------ */

int conn_header(struct conn *conn, enum conn_header which, char *out, size_t outlen)
{
    return conn->srv->io->header(conn->handle, which, out, outlen);
}

long long conn_content_length(const struct conn *conn)
{
    return conn->content_length;
}

/* The client's address as people write it: IPv4 clients of a dual-stack socket show
 * as "::ffff:a.b.c.d", which we shorten to "a.b.c.d" (logs, audit, login throttling). */
static void conn_read_peer(struct conn *conn)
{
    static const char mapped[] = "::ffff:";
    char *out = conn->peer;

    conn->srv->io->peer(conn->handle, out, sizeof(conn->peer));
    if (!strncmp(out, mapped, sizeof(mapped) - 1) && strchr(out, '.'))
        memmove(out, out + sizeof(mapped) - 1, strlen(out) - (sizeof(mapped) - 1) + 1);
}

/* True if bearer is the scrape token (config metrics_token) on a row it opens
 * (GET /metrics): compared in constant time. */
static bool conn_scrape_token(const struct conn *conn, const char *bearer)
{
    const char *want = conn->srv->metrics_token;
    size_t n = want ? strlen(want) : 0;

    return conn->route.scrape && n && strlen(bearer) == n && !CRYPTO_memcmp(bearer, want, n);
}

/* An Authorization: Bearer header: the API token decides, the cookie is not read.
 * Returns false when there is no such header. */
static bool conn_find_token(struct conn *conn)
{
    char value[256];
    const char *bearer;
    enum auth_token_fault fault = AUTH_TOKEN_UNKNOWN;

    if (conn_header(conn, CONN_HEADER_AUTHORIZATION, value, sizeof(value)) < 0) {
        fault = AUTH_TOKEN_MALFORMED; /* too long for any token */
    } else if (!(bearer = auth_tokens_bearer(value))) {
        return false;
    } else if (conn_scrape_token(conn, bearer)) {
        OPENSSL_cleanse(value, sizeof(value));
        conn->scrape = true;
        conn->has_session = false;
        conn->auth_refusal = NULL;
        return true;
    } else if (conn->srv->tokens) {
        conn_read_peer(conn);
        fault = auth_tokens_lookup(conn->srv->tokens, bearer, conn->peer, &conn->session);
    }
    OPENSSL_cleanse(value, sizeof(value));
    conn->has_session = fault == AUTH_TOKEN_OK;
    conn->auth_refusal = fault == AUTH_TOKEN_OK ? NULL : auth_tokens_fault_message(fault);
    return true;
}

/* Looks the API token or the session cookie up. Fills conn->session (and token, for a
 * cookie) on success; conn->auth_refusal says why a presented token failed. */
static void conn_find_session(struct conn *conn)
{
    char cookies[4096];

    conn->has_session = false;
    conn->auth_refusal = NULL;
    if (conn_find_token(conn))
        return;
    if (conn_header(conn, CONN_HEADER_COOKIE, cookies, sizeof(cookies)) < 0)
        return;
    if (cookie_find(cookies, AUTH_SESSION_COOKIE, conn->token, sizeof(conn->token)) !=
        AUTH_TOKEN_HEX_LEN)
        return;
    conn->has_session = auth_sessions_lookup(conn->srv->sessions, conn->token, &conn->session);
}

static bool conn_origin_ok(struct conn *conn, bool required)
{
    char origin[256], host[256];

    if (conn_header(conn, CONN_HEADER_ORIGIN, origin, sizeof(origin)) < 0)
        return false;
    if (!origin[0])
        return !required;
    if (conn_header(conn, CONN_HEADER_HOST, host, sizeof(host)) < 0)
        return false;
    return auth_origin_allowed(origin, host, conn->srv->allowed_origins);
}

static bool conn_csrf_ok(struct conn *conn)
{
    char presented[AUTH_TOKEN_HEX_LEN + 8];

    if (conn_header(conn, CONN_HEADER_CSRF, presented, sizeof(presented)) < 0 || !presented[0])
        return false;
    return auth_sessions_csrf_ok(&conn->session, presented);
}

/* The Host rule (auth_host.h): a request must name this server. Returns 0, or an HTTP
 * status with its error code and message. */
static int conn_host_check(struct conn *conn, const char **code, const char **why)
{
    char host[256];

    if (conn_header(conn, CONN_HEADER_HOST, host, sizeof(host)) < 0 || !host[0]) {
        *code = APP_ERR_BAD_REQUEST;
        *why = "a Host header is required";
        return 400;
    }
    if (!auth_host_allowed(conn->srv->host_names, host)) {
        *code = APP_ERR_MISDIRECTED;
        *why = "this server does not answer to that host name (see server_names)";
        return 421;
    }
    return 0;
}

/* The endpoint slot of the connection's route. */
static struct conn_slot conn_slot_of(const struct conn *conn)
{
    const struct conn_server *srv = conn->srv;
    unsigned id = (unsigned)conn->route.id;

    if (id < CONN_ROUTES_MAX && srv->routes[id].endpoint)
        return srv->routes[id];
    return srv->api;
}

/* ---- writing the response ------------------------------------------------ */

void conn_add_security_headers(struct http_response *resp)
{
    http_response_header(resp, "Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; "
                         "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
                         "object-src 'none'");
    http_response_header(resp, "X-Content-Type-Options", "nosniff");
    http_response_header(resp, "X-Frame-Options", "DENY");
    http_response_header(resp, "Referrer-Policy", "no-referrer");
    http_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    http_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    http_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    /* API answers, errors and volume contents are never stored by a browser or proxy;
     * only the UI's static files set a cache policy of their own */
    if (!http_response_has_header(resp, "Cache-Control"))
        http_response_header(resp, "Cache-Control", "no-store");
}

/* Forgets the request (the connection and its id stay until the next one). */
void conn_http_reset(struct conn *conn)
{
    buf_free(&conn->body);
    buf_init(&conn->body, CONN_MAX_BODY);
    http_response_free(&conn->resp);
    http_response_init(&conn->resp);
    memset(&conn->target, 0, sizeof(conn->target));
    conn->content_length = -1;
    conn->has_session = false;
    conn->scrape = false;
    conn->after = CONN_AFTER_KEEP;
    conn->cont = CONN_CONTINUE_NONE;
    conn->head_sent = false;
    conn->body_sent = 0;
    conn->drained = 0;
    OPENSSL_cleanse(conn->token, sizeof(conn->token));
}

/* The request counters (GET /metrics): its row (or "unknown"), its status, its time. */
static void conn_count(const struct conn *conn, int status)
{
    const struct route_row *row = route_row_for(&conn->route, conn->method);

    metrics_http_count(conn->srv->metrics, row ? (size_t)row->row : ROUTE_ROW_COUNT, status,
                       clock_mono_us() - conn->started_us);
}

/* Queues conn->resp (complete) with what follows it, and asks for WRITEABLE. */
static void conn_queue(struct conn *conn, enum conn_after after)
{
    struct http_response *resp = &conn->resp;

    if (!resp->status)
        http_response_errorf(resp, 500, APP_ERR_INTERNAL, "no response was produced");
    conn_add_security_headers(resp);
    if (!resp->content_type)
        resp->content_type = "application/json";
    http_response_gzip_json(resp, conn->accept_gzip);
    conn_count(conn, resp->status);
    conn->after = after;
    conn->phase = CONN_WRITING;
    conn_want_write(conn);
}

/* What follows an answer given now: while the body still arrives, drain it (or close if
 * the client waits for 100 Continue and so sends nothing). */
static enum conn_after conn_after_answer(const struct conn *conn)
{
    if (conn->phase != CONN_BODY)
        return CONN_AFTER_KEEP;
    return conn->cont == CONN_CONTINUE_AWAITED ? CONN_AFTER_CLOSE : CONN_AFTER_DRAIN;
}

/* Answers with an error now; after says what follows. */
static void conn_fail(struct conn *conn, enum conn_after after, int status, const char *code,
                      const char *message)
{
    http_response_free(&conn->resp);
    http_response_init(&conn->resp);
    http_response_errorf(&conn->resp, status, code, "%s", message);
    conn_queue(conn, after);
}

void conn_respond(struct conn *conn, struct http_response *resp)
{
    switch (conn->phase) {
    case CONN_BODY:
    case CONN_WAITING:
    case CONN_STREAMING:
        break;
    default:
        log_error("conn: %s: an answer in phase %d dropped", conn->path, (int)conn->phase);
        return;
    }
    http_response_move(&conn->resp, resp);
    conn_queue(conn, conn_after_answer(conn));
}

void conn_complete(struct conn_server *srv, uint64_t id, struct http_response *resp)
{
    struct conn *conn = conn_find(srv, id);

    if (!conn)
        return;
    if (conn->phase != CONN_BODY && conn->phase != CONN_WAITING && conn->phase != CONN_STREAMING)
        return;
    conn_respond(conn, resp);
}

/* The response is out: keep-alive, drain or close. Returns the callback's result. */
static int conn_finish(struct conn *conn)
{
    enum conn_after after = conn->after;

    conn_release_endpoint(conn); /* the endpoint's part is over */
    if (after == CONN_AFTER_DRAIN) {
        /* Answered before its body ended (an upload's refusal). Closing now, with the
         * client still sending, makes the kernel reset the connection, and the client
         * may lose the answer; so read and drop what follows, up to CONN_DRAIN_MAX,
         * then close. */
        conn->phase = CONN_DRAINING;
        return 0;
    }
    conn_http_reset(conn);
    conn->phase = CONN_IDLE;
    if (after == CONN_AFTER_CLOSE)
        return -1;
    return conn->srv->io->transaction_done(conn->handle);
}

/* WRITING: the status line and headers, then the body in pieces of CONN_TX_MAX. */
static int conn_write_queued(struct conn *conn)
{
    static unsigned char out[CONN_PRE + CONN_TX_MAX];
    struct http_response *resp = &conn->resp;
    size_t left, n;
    bool last;

    if (!conn->head_sent) {
        if (conn->srv->io->write_head(conn->handle, resp, resp->body.len,
                                      conn->after != CONN_AFTER_KEEP) < 0)
            return -1;
        conn->head_sent = true;
        if (conn->method == HTTP_HEAD || resp->body.len == 0)
            return conn_finish(conn);
        conn_want_write(conn);
        return 0;
    }
    left = resp->body.len - conn->body_sent;
    n = left > CONN_TX_MAX ? CONN_TX_MAX : left;
    last = n == left;
    memcpy(out + CONN_PRE, resp->body.data + conn->body_sent, n);
    if (conn->srv->io->write(conn->handle, out + CONN_PRE, n,
                             last ? CONN_WRITE_HTTP_FINAL : CONN_WRITE_HTTP, true) < 0)
        return -1;
    conn->body_sent += n;
    metrics_http_sent(conn->srv->metrics, n);
    if (last)
        return conn_finish(conn);
    conn_want_write(conn);
    return 0;
}

int conn_http_writeable(struct conn *conn)
{
    const struct conn_endpoint *ep = conn->slot.endpoint;
    int rc;

    if (conn->phase == CONN_WRITING)
        return conn_write_queued(conn);
    /* STREAMING */
    rc = ep && ep->writeable ? ep->writeable(conn) : -1;
    if (rc < 0)
        return -1;
    if (rc == 1 && conn->phase == CONN_STREAMING) {
        conn->after = CONN_AFTER_KEEP;
        return conn_finish(conn);
    }
    return 0;
}

void conn_stream(struct conn *conn)
{
    if (conn->phase == CONN_BODY || conn->phase == CONN_WAITING)
        conn->phase = CONN_STREAMING;
    if (conn->phase == CONN_STREAMING)
        conn_want_write(conn);
}

int conn_write_head(struct conn *conn, struct http_response *resp, uint64_t content_length)
{
    conn_add_security_headers(resp);
    return conn->srv->io->write_head(conn->handle, resp, content_length, false);
}

int conn_write_body(struct conn *conn, unsigned char *p, size_t n, bool final)
{
    metrics_http_sent(conn->srv->metrics, n);
    return conn->srv->io->write(conn->handle, p, n, final ? CONN_WRITE_HTTP_FINAL : CONN_WRITE_HTTP,
                                true);
}

bool conn_expects_continue(const struct conn *conn)
{
    return conn->cont == CONN_CONTINUE_AWAITED;
}

int conn_send_continue(struct conn *conn)
{
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    unsigned char out[CONN_PRE + sizeof(interim)];

    if (conn->cont == CONN_CONTINUE_SENT)
        return 0;
    memcpy(out + CONN_PRE, interim, sizeof(interim) - 1);
    if (conn->srv->io->write(conn->handle, out + CONN_PRE, sizeof(interim) - 1,
                             CONN_WRITE_HTTP_HEADERS, true) < 0)
        return -1;
    conn->cont = CONN_CONTINUE_SENT;
    return 0;
}

/* ---- the request's way through ------------------------------------------------ */

/* The handler's view of the connection's current request (borrows from conn). */
static void conn_request_view(const struct conn *conn, struct http_request *req)
{
    memset(req, 0, sizeof(*req));
    req->conn_id = conn->id;
    req->method = conn->method;
    req->path = conn->path;
    req->query = conn->query;
    req->route = conn->route;
    req->body = conn->body.data ? conn->body.data : "";
    req->body_len = conn->body.len;
    req->has_session = conn->has_session;
    req->session = conn->session;
    req->session_token = conn->has_session ? conn->token : "";
    req->peer = conn->peer;
    req->accept_gzip = conn->accept_gzip;
    req->prefer_async = conn->prefer_async;
    req->accept_ndjson = conn->accept_ndjson;
    req->accept_openmetrics = conn->accept_openmetrics;
    req->scrape = conn->scrape;
    req->user_agent = conn->user_agent;
}

/* Hands the request to its endpoint. Returns the callback's result. */
static int conn_open_endpoint(struct conn *conn)
{
    const struct conn_endpoint *ep = conn->target.endpoint;
    struct http_request req;

    if (!ep || !ep->open) {
        conn_fail(conn, conn_after_answer(conn), 404, APP_ERR_NOT_FOUND, "not found");
        return 0;
    }
    conn->slot = conn->target;
    conn_request_view(conn, &req);
    return ep->open(conn, &req);
}

/* Checks everything that does not need the body; routed says whether conn->route
 * matched. Returns 0 to go on, or -1 when an error was queued. */
static int conn_check_request(struct conn *conn, bool routed, enum conn_after after)
{
    char allow[96];
    const char *code, *why;
    int status;

    if ((status = conn_host_check(conn, &code, &why))) {
        conn_fail(conn, after, status, code, why);
        return -1;
    }
    if (!routed) {
        conn_fail(conn, after, 404, APP_ERR_NOT_FOUND, "no such API endpoint");
        return -1;
    }
    if (!route_allows(&conn->route, conn->method)) {
        route_allow_header(conn->route.methods, allow, sizeof(allow));
        conn_fail(conn, after, 405, APP_ERR_METHOD, "method not allowed here");
        http_response_header(&conn->resp, "Allow", allow);
        return -1;
    }
    if (conn->target.endpoint && conn->target.endpoint->sessionless)
        return 0; /* the UI's files: no session, no CSRF */
    conn_find_session(conn);
    if (!conn->route.public_route && !conn->has_session && !conn->scrape) {
        conn_fail(conn, after, 401, APP_ERR_UNAUTHORIZED,
                  conn->auth_refusal ? conn->auth_refusal : "not logged in");
        return -1;
    }
    if (conn->route.websocket) {
        conn_fail(conn, after, 400, APP_ERR_BAD_REQUEST, "this endpoint needs a websocket upgrade");
        return -1;
    }
    if (route_method_mutates(conn->method)) {
        if (!conn_origin_ok(conn, false)) {
            conn_fail(conn, after, 403, APP_ERR_ORIGIN, "request from a foreign origin");
            return -1;
        }
        /* a token is sent by a script, never by a browser on its own: no CSRF */
        if (conn->has_session && !conn->session.token_id[0] && !conn_csrf_ok(conn)) {
            conn_fail(conn, after, 403, APP_ERR_CSRF, "missing or wrong X-CSRF-Token");
            return -1;
        }
    }
    return 0;
}

int conn_on_request(struct conn *conn, const char *uri, size_t uri_len)
{
    char header[512]; /* the longer headers read here: Accept, a login's User-Agent */
    char value[64];
    bool has_length, routed, streamed;
    enum conn_after refusal;

    conn_release_endpoint(conn); /* a request before the last one ended: forget it */
    conn_http_reset(conn);
    conn_register(conn); /* a fresh id: answers meant for an earlier request miss */
    conn->phase = CONN_WAITING;
    conn->started_us = clock_mono_us();
    conn_read_peer(conn);
    conn->method = conn->srv->io->method(conn->handle);
    conn->path[0] = conn->query[0] = '\0';
    memset(&conn->route, 0, sizeof(conn->route));
    if (uri_len >= sizeof(conn->path)) {
        conn_fail(conn, CONN_AFTER_KEEP, 414, APP_ERR_BAD_REQUEST, "URI too long");
        return 0;
    }
    memcpy(conn->path, uri, uri_len);
    conn->path[uri_len] = '\0';
    if (conn->srv->io->query(conn->handle, conn->query, sizeof(conn->query)) < 0) {
        conn->query[0] = '\0';
        conn_fail(conn, CONN_AFTER_KEEP, 414, APP_ERR_BAD_REQUEST, "query string too long");
        return 0;
    }
    conn->accept_gzip = conn_header(conn, CONN_HEADER_ACCEPT_ENCODING, value, sizeof(value)) == 0 &&
                        strstr(value, "gzip") != NULL;
    conn->prefer_async = conn_header(conn, CONN_HEADER_PREFER, value, sizeof(value)) == 0 &&
                         strstr(value, "respond-async") != NULL;
    /* Accept lists run longer than the other headers read here */
    conn->accept_ndjson = conn_header(conn, CONN_HEADER_ACCEPT, header, sizeof(header)) == 0 &&
                          strstr(header, "application/x-ndjson") != NULL;
    conn->accept_openmetrics = strstr(header, "application/openmetrics-text") != NULL;
    if (conn_header(conn, CONN_HEADER_CONTENT_LENGTH, value, sizeof(value)) < 0) {
        conn_fail(conn, CONN_AFTER_CLOSE, 413, APP_ERR_TOO_LARGE, "request body too large");
        return 0;
    }
    has_length = value[0] != '\0';
    if (has_length) {
        char *endp = NULL;
        long long n = strtoll(value, &endp, 10);
        if (*endp || n < 0) {
            conn_fail(conn, CONN_AFTER_CLOSE, 400, APP_ERR_BAD_REQUEST, "bad Content-Length");
            return 0;
        }
        conn->content_length = n;
    }
    routed = route_match(conn->path, &conn->route) == 0;
    conn->user_agent[0] = '\0';
    if (routed && conn->route.id == ROUTE_LOGIN &&
        conn_header(conn, CONN_HEADER_USER_AGENT, header, sizeof(header)) == 0)
        snprintf(conn->user_agent, sizeof(conn->user_agent), "%.*s",
                 (int)sizeof(conn->user_agent) - 1, header); /* cut to fit */
    if (routed)
        conn->target = conn_slot_of(conn);
    /* streamed endpoints (volume contents) take any size; everything else is bounded */
    if (conn->content_length > (long long)CONN_MAX_BODY &&
        !(conn->target.endpoint && conn->target.endpoint->stream_body)) {
        conn_fail(conn, CONN_AFTER_CLOSE, 413, APP_ERR_TOO_LARGE, "request body over 64 KiB");
        return 0;
    }
    if (conn_header(conn, CONN_HEADER_TRANSFER_ENCODING, value, sizeof(value)) != 0 || value[0]) {
        conn_fail(conn, CONN_AFTER_CLOSE, 411, APP_ERR_BAD_REQUEST,
                  "chunked request bodies are not accepted");
        return 0;
    }
    refusal = conn->content_length > 0 ? CONN_AFTER_CLOSE : CONN_AFTER_KEEP;
    if (conn_check_request(conn, routed, refusal) < 0)
        return 0;
    streamed = conn->target.endpoint && conn->target.endpoint->stream_body;
    if (conn->content_length > 0) {
        /* lws cuts a sender that pauses longer than timeout_secs (serve.c) */
        conn->phase = CONN_BODY;
        if (streamed && conn_header(conn, CONN_HEADER_EXPECT, value, sizeof(value)) == 0 &&
            !strcasecmp(value, "100-continue"))
            conn->cont = CONN_CONTINUE_AWAITED;
    }
    if (conn->phase == CONN_BODY && !streamed)
        return 0; /* the endpoint opens once the body is complete */
    return conn_open_endpoint(conn);
}

int conn_on_body(struct conn *conn, const void *in, size_t len)
{
    const struct conn_endpoint *ep = conn->target.endpoint;

    switch (conn->phase) {
    case CONN_DRAINING:
        conn->drained += len;
        return conn->drained > CONN_DRAIN_MAX ? -1 : 0;
    case CONN_WRITING:
        /* the answer is on its way; the rest of the body only counts */
        if (conn->after == CONN_AFTER_DRAIN)
            conn->drained += len;
        return 0;
    case CONN_BODY:
        break;
    default:
        return 0; /* a body nobody reads (a download's) */
    }
    if (ep && ep->stream_body)
        return ep->body ? ep->body(conn, in, len) : 0;
    if (buf_append(&conn->body, in, len) < 0) {
        conn_fail(conn, CONN_AFTER_CLOSE, 413, APP_ERR_TOO_LARGE, "request body over 64 KiB");
    }
    return 0;
}

int conn_on_body_done(struct conn *conn)
{
    const struct conn_endpoint *ep = conn->target.endpoint;

    switch (conn->phase) {
    case CONN_DRAINING:
        return -1; /* the early answer went out; now the connection can close cleanly */
    case CONN_WRITING:
        if (conn->after == CONN_AFTER_DRAIN)
            conn->after = CONN_AFTER_CLOSE; /* nothing left to drain */
        return 0;
    case CONN_BODY:
        break;
    default:
        return 0;
    }
    conn->phase = CONN_WAITING;
    if (ep && ep->stream_body) {
        if (ep->body_done)
            ep->body_done(conn);
        return 0;
    }
    return conn_open_endpoint(conn);
}

/* ---- the websocket gate ------------------------------------------------ */

/* The gate's rights check: the route table's (route_authorize: the row's right on the
 * object its path names, today's messages). Returns 0, or an HTTP status with its error
 * code and message (the message lives until the next gate: service thread only). */
static int conn_gate_allows(struct conn *conn, const char **code, const char **why)
{
    static struct app_error err;
    struct auth_owners *owners = conn->srv->owners;
    struct auth_subject subject = auth_owners_subject(owners, &conn->session);
    enum auth_level level = auth_owners_level(owners, conn->route.uuid, subject.username);

    if (route_authorize(&conn->route, HTTP_GET, &subject, level, &conn->route.hidden, &err) == 0)
        return 0;
    *code = err.code;
    *why = err.message;
    return err.status;
}

/* Decides whether this upgrade may proceed; fills conn (path, route, endpoint, session,
 * peer). Returns 0, or an HTTP status with its error code and message. */
static int conn_gate(struct conn *conn, const char **code, const char **why)
{
    char uri[CONN_PATH_MAX];
    int status;

    if ((status = conn_host_check(conn, code, why)))
        return status;
    if (conn_header(conn, CONN_HEADER_GET_URI, uri, sizeof(uri)) < 0 || !uri[0]) {
        *code = APP_ERR_BAD_REQUEST;
        *why = "websocket upgrade needs a GET";
        return 400;
    }
    snprintf(conn->path, sizeof(conn->path), "%s", uri);
    if (route_match(conn->path, &conn->route) < 0 || !conn->route.websocket ||
        !(conn->target = conn_slot_of(conn)).endpoint || !conn->target.endpoint->ws_message_max) {
        *code = APP_ERR_NOT_FOUND;
        *why = "no websocket endpoint here";
        return 404;
    }
    if (!conn_origin_ok(conn, true)) {
        *code = APP_ERR_ORIGIN;
        *why = "websocket from a foreign or missing Origin";
        return 403;
    }
    conn_find_session(conn);
    OPENSSL_cleanse(conn->token, sizeof(conn->token)); /* the socket keeps only the session id */
    if (!conn->has_session) {
        *code = APP_ERR_UNAUTHORIZED;
        *why = conn->auth_refusal ? conn->auth_refusal : "not logged in";
        return 401;
    }
    if ((status = conn_gate_allows(conn, code, why)))
        return status;
    conn_read_peer(conn);
    return 0;
}

/* Writes a complete refusal. Returns 1 as HTTP_CONFIRM_UPGRADE expects, or -1. */
static int conn_ws_refuse(struct conn *conn, int status, const char *code, const char *why)
{
    static unsigned char out[CONN_PRE + 2048];
    struct http_response resp;
    int ret = -1;

    http_response_init(&resp);
    http_response_errorf(&resp, status, code, "%s", why);
    resp.content_type = "application/json";
    conn_add_security_headers(&resp);
    if (resp.body.len > sizeof(out) - CONN_PRE)
        goto cleanup;
    if (conn->srv->io->write_head(conn->handle, &resp, resp.body.len, false) < 0)
        goto cleanup;
    memcpy(out + CONN_PRE, resp.body.data, resp.body.len);
    if (conn->srv->io->write(conn->handle, out + CONN_PRE, resp.body.len, CONN_WRITE_HTTP_FINAL,
                             true) < 0)
        goto cleanup;
    ret = 1;

cleanup:
    http_response_free(&resp);
    return ret;
}

int conn_ws_confirm(struct conn_server *srv, void *handle, const char *upgrade)
{
    struct conn *scratch = conn_new(srv, handle);
    const char *code = NULL, *why = NULL;
    int status, ret = 0;

    if (strcasecmp(upgrade, "websocket") != 0) {
        ret =
            conn_ws_refuse(scratch, 400, APP_ERR_BAD_REQUEST, "only websocket upgrades are served");
        goto cleanup;
    }
    status = conn_gate(scratch, &code, &why);
    if (status) {
        conn_read_peer(scratch);
        log_info("http: refused websocket %s from %s: %s", scratch->path, scratch->peer, why);
        ret = conn_ws_refuse(scratch, status, code, why);
    }

cleanup:
    conn_free(scratch);
    return ret;
}

struct conn *conn_ws_accept(struct conn_server *srv, void *handle)
{
    struct conn *conn = conn_new(srv, handle);
    const char *code = NULL, *why = NULL;

    if (conn_gate(conn, &code, &why)) {
        conn_free(conn);
        return NULL;
    }
    conn->phase = CONN_UPGRADING;
    conn_register(conn);
    return conn;
}
