/* http_server: the lws protocol callback for HTTP requests and websocket upgrades.
 *
 * Service thread only. Each connection's state is a struct http_conn (lws's
 * per-session data). A connection has an id; a registry maps ids to live wsis so that
 * worker results (which carry only the id) reach the right connection or are dropped.
 * Invariants: only WRITEABLE writes a queued response; a connection has at most one
 * request in flight; every owned field is released in http_conn_release(), which both
 * HTTP_DROP_PROTOCOL and CLOSED paths call (it is idempotent). */
#include "http/http_server.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "api/api.h"
#include "app.h"
#include "auth_origin.h"
#include "auth_policy.h"
#include "auth_sessions.h"
#include "config.h"
#include "console.h"
#include "serial.h"
#include "events/events_ws.h"
#include "auth_host.h"
#include "http/conn_limits.h"
#include "http/cookie.h"
#include "http/request.h"
#include "http/route.h"
#include "http/static_files.h"
#include "tls/tls_read_guard.h"
#include "transfer/transfer.h"
#include "work/inbox.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "work/work_pool.h"

#define HTTP_PATH_MAX         1024
#define HTTP_CHUNK            (32u * 1024)
#define HTTP_REGISTRY_BUCKETS 1024
#define HTTP_SESSION_COOKIE   "virtdeck_session"
/* after answering an upload early, at most this much of its body is read and dropped */
#define HTTP_DRAIN_MAX (64u * 1024 * 1024)
/* a websocket whose client broke the rules is gone this many seconds later at most */
#define HTTP_WS_FAIL_TIMEOUT_S 5

struct http_conn {
    uint64_t id;    /* 0 until registered */
    bool websocket; /* upgraded: the fields below "request" are unused */
    /* request */
    enum http_method method;
    char path[HTTP_PATH_MAX];
    char query[HTTP_PATH_MAX];
    struct route_match route;
    struct buf body; /* owned */
    bool expecting_body;
    bool accept_gzip;
    bool has_session;
    struct auth_session session;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    char peer[64];
    /* response */
    struct http_response resp; /* owned */
    bool pending;              /* a worker is computing resp */
    bool ready;                /* resp complete, waiting for WRITEABLE */
    bool headers_sent;
    bool close_after;     /* unread body: close instead of keep-alive */
    bool transfer;        /* a volume transfer (transfer.h) drives this request */
    bool expect_continue; /* "Expect: 100-continue": no body until we say so */
    bool continue_sent;
    bool draining; /* answered early: reading (and dropping) the rest of the body */
    size_t drained;
    size_t body_sent;
};

struct http_registry_entry {
    uint64_t id;
    struct lws *wsi;                  /* borrowed */
    struct http_registry_entry *next; /* owned chain */
};

struct http_server {
    struct app *app; /* borrowed */
    uint64_t next_id;
    struct http_registry_entry *buckets[HTTP_REGISTRY_BUCKETS];
    struct conn_limits *limits;          /* owned */
    struct auth_host_names *host_names;  /* owned; read-only once serving */
    struct lws_context *ctx;             /* borrowed; set at the first accept */
    lws_sorted_usec_list_t deadline_sul; /* the next first-request deadline */
};

/* ---- connection registry ------------------------------------------------ */

static unsigned http_registry_bucket(uint64_t id)
{
    return (unsigned)(id % HTTP_REGISTRY_BUCKETS);
}

static uint64_t http_registry_add(struct http_server *srv, struct lws *wsi)
{
    struct http_registry_entry *e = xcalloc(1, sizeof(*e));
    unsigned b;

    e->id = ++srv->next_id;
    e->wsi = wsi;
    b = http_registry_bucket(e->id);
    e->next = srv->buckets[b];
    srv->buckets[b] = e;
    return e->id;
}

static void http_registry_remove(struct http_server *srv, uint64_t id)
{
    struct http_registry_entry **pp = &srv->buckets[http_registry_bucket(id)];

    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct http_registry_entry *dead = *pp;
            *pp = dead->next;
            free(dead);
            return;
        }
    }
}

struct lws *http_server_find(struct http_server *srv, uint64_t conn_id)
{
    for (struct http_registry_entry *e = srv->buckets[http_registry_bucket(conn_id)]; e;
         e = e->next)
        if (e->id == conn_id)
            return e->wsi;
    return NULL;
}

struct http_server *http_server_new(struct app *app)
{
    struct http_server *srv = xcalloc(1, sizeof(*srv));
    const struct config *config = app->config;

    srv->app = app;
    srv->limits =
        conn_limits_new(config->max_connections_per_address, config->max_handshakes_per_address,
                        (int64_t)config->first_request_timeout_s * 1000);
    srv->host_names = auth_host_names_new();
    auth_host_names_add_machine(srv->host_names, config->listen_host);
    auth_host_names_add_list(srv->host_names, config->server_names);
    return srv;
}

void http_server_free(struct http_server *srv)
{
    if (!srv)
        return;
    for (unsigned b = 0; b < HTTP_REGISTRY_BUCKETS; b++) {
        while (srv->buckets[b]) {
            struct http_registry_entry *e = srv->buckets[b];
            srv->buckets[b] = e->next;
            free(e);
        }
    }
    conn_limits_free(srv->limits);
    auth_host_names_free(srv->host_names);
    free(srv);
}

static struct app *http_app(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

/* ---- accepting connections ------------------------------------------------ */

static void http_deadlines_schedule(struct http_server *srv);

/* The first-request deadline passed for some connections: close them (lws closes a
 * wsi whose timeout is LWS_TO_KILL_ASYNC on its next pass; conn_limits forgets it in
 * WSI_DESTROY). */
static void http_deadlines_fire(lws_sorted_usec_list_t *sul)
{
    struct http_server *srv = lws_container_of(sul, struct http_server, deadline_sul);
    const void *conn;

    while ((conn = conn_limits_next_expired(srv->limits, clock_mono_ms())))
        lws_set_timeout((struct lws *)conn, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    http_deadlines_schedule(srv);
}

static void http_deadlines_schedule(struct http_server *srv)
{
    int64_t deadline = conn_limits_next_deadline(srv->limits);
    int64_t wait_ms;

    if (deadline < 0 || !srv->ctx || !lws_dll2_is_detached(&srv->deadline_sul.list))
        return; /* none pending, or already set: a later arrival never comes due sooner */
    wait_ms = deadline - clock_mono_ms();
    lws_sul_schedule(srv->ctx, 0, &srv->deadline_sul, http_deadlines_fire,
                     (lws_usec_t)(wait_ms > 0 ? wait_ms : 0) * LWS_US_PER_MS + 1);
}

/* FILTER_NETWORK_CONNECTION: a new TCP connection, before TLS. Returns non-zero to
 * have lws close it at once. */
static int http_on_accept(struct http_server *srv, struct lws *listener,
                          const struct lws_filter_network_conn_args *args)
{
    bool warn;
    unsigned long refused;
    enum conn_limits_verdict verdict;

    verdict = conn_limits_admit(srv->limits, (int)args->accept_fd,
                                (const struct sockaddr *)&args->cli_addr, args->clilen,
                                clock_mono_ms(), &warn, &refused);
    if (verdict == CONN_LIMITS_ADMITTED) {
        srv->ctx = lws_get_context(listener);
        return 0;
    }
    if (warn) {
        char who[INET6_ADDRSTRLEN + 4];
        conn_limits_format_addr((const struct sockaddr *)&args->cli_addr, args->clilen, who,
                                sizeof(who));
        log_warn("http: refused %lu connection(s) from %s: %s", refused, who,
                 verdict == CONN_LIMITS_TOO_MANY
                     ? "max_connections_per_address reached"
                     : "max_handshakes_per_address reached (connections not yet past "
                       "their first request)");
    }
    return 1;
}

/* SERVER_NEW_CLIENT_INSTANTIATED: the accepted socket became a wsi. */
static void http_on_new_client(struct http_server *srv, struct lws *wsi)
{
    conn_limits_bind(srv->limits, (int)lws_get_socket_fd(wsi), wsi);
    http_deadlines_schedule(srv);
}

/* ---- connection state ------------------------------------------------ */

static void http_conn_release(struct http_server *srv, struct http_conn *conn)
{
    if (conn->id) {
        if (conn->websocket && conn->route.id == ROUTE_CONSOLE)
            console_ws_closed(srv->app, conn->id);
        else if (conn->websocket && conn->route.id == ROUTE_SERIAL)
            serial_ws_closed(srv->app, conn->id);
        else if (conn->websocket)
            events_ws_closed(srv->app, conn->id);
        else
            transfer_closed(srv->app, conn->id);
        http_registry_remove(srv, conn->id);
        conn->id = 0;
    }
    buf_free(&conn->body);
    http_response_free(&conn->resp);
    OPENSSL_cleanse(conn->token, sizeof(conn->token));
}

/* Forgets the previous request on a keep-alive connection (the id stays). */
static void http_conn_reset_request(struct http_conn *conn)
{
    buf_free(&conn->body);
    http_response_free(&conn->resp);
    http_response_init(&conn->resp);
    buf_init(&conn->body, HTTP_MAX_BODY);
    conn->expecting_body = false;
    conn->pending = false;
    conn->ready = false;
    conn->headers_sent = false;
    conn->close_after = false;
    conn->transfer = false;
    conn->draining = false;
    conn->drained = 0;
    conn->expect_continue = false;
    conn->continue_sent = false;
    conn->body_sent = 0;
    conn->has_session = false;
    OPENSSL_cleanse(conn->token, sizeof(conn->token));
}

/* ---- reading the request ------------------------------------------------ */

static int http_header(struct lws *wsi, enum lws_token_indexes token, char *out, size_t outlen)
{
    out[0] = '\0';
    if (lws_hdr_total_length(wsi, token) <= 0)
        return 0;
    if (lws_hdr_copy(wsi, out, (int)outlen, token) < 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Joins the request's decoded query arguments with '&' into out. -1 if they do not fit. */
static int http_query_copy(struct lws *wsi, char *out, size_t outlen)
{
    size_t used = 0;
    char frag[HTTP_PATH_MAX];

    out[0] = '\0';
    for (int i = 0;
         lws_hdr_copy_fragment(wsi, frag, (int)sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++) {
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "&" : "", frag);
        if (n < 0 || (size_t)n >= outlen - used) {
            out[0] = '\0';
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

static enum http_method http_method_of(struct lws *wsi)
{
    static const struct {
        enum lws_token_indexes token;
        enum http_method method;
    } tokens[] = {
        {WSI_TOKEN_GET_URI, HTTP_GET},       {WSI_TOKEN_POST_URI, HTTP_POST},
        {WSI_TOKEN_PUT_URI, HTTP_PUT},       {WSI_TOKEN_PATCH_URI, HTTP_PATCH},
        {WSI_TOKEN_DELETE_URI, HTTP_DELETE}, {WSI_TOKEN_OPTIONS_URI, HTTP_OPTIONS},
        {WSI_TOKEN_HEAD_URI, HTTP_HEAD},
    };

    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        if (lws_hdr_total_length(wsi, tokens[i].token) > 0)
            return tokens[i].method;
    return HTTP_OTHER;
}

/* The client's address as people write it: IPv4 clients of a dual-stack socket show
 * as "::ffff:a.b.c.d", which we shorten to "a.b.c.d" (logs, audit, login throttling). */
static void http_peer_address(struct lws *wsi, char *out, size_t outlen)
{
    static const char mapped[] = "::ffff:";

    lws_get_peer_simple(wsi, out, outlen);
    if (!strncmp(out, mapped, sizeof(mapped) - 1) && strchr(out, '.'))
        memmove(out, out + sizeof(mapped) - 1, strlen(out) - (sizeof(mapped) - 1) + 1);
}

/* Looks the session cookie up. Fills conn->session/token on success. */
static void http_conn_find_session(struct lws *wsi, struct app *app, struct http_conn *conn)
{
    char cookies[4096];

    conn->has_session = false;
    if (http_header(wsi, WSI_TOKEN_HTTP_COOKIE, cookies, sizeof(cookies)) < 0)
        return;
    if (cookie_find(cookies, HTTP_SESSION_COOKIE, conn->token, sizeof(conn->token)) !=
        AUTH_TOKEN_HEX_LEN)
        return;
    conn->has_session = auth_sessions_lookup(app->sessions, conn->token, &conn->session);
}

static bool http_origin_ok(struct lws *wsi, struct app *app, bool required)
{
    char origin[256], host[256];

    if (http_header(wsi, WSI_TOKEN_ORIGIN, origin, sizeof(origin)) < 0)
        return false;
    if (!origin[0])
        return !required;
    if (http_header(wsi, WSI_TOKEN_HOST, host, sizeof(host)) < 0)
        return false;
    return auth_origin_allowed(origin, host, app->config->allowed_origins);
}

static bool http_csrf_ok(struct lws *wsi, const struct http_conn *conn)
{
    char presented[AUTH_TOKEN_HEX_LEN + 8];
    int n = lws_hdr_custom_copy(wsi, presented, (int)sizeof(presented),
                                "x-csrf-token:", (int)strlen("x-csrf-token:"));

    if (n <= 0)
        return false;
    return auth_sessions_csrf_ok(&conn->session, presented);
}

/* The Host rule (auth_host.h): a request must name this server. Returns 0, or an HTTP
 * status with its error code and message. */
static int http_host_check(struct lws *wsi, struct app *app, const char **code, const char **why)
{
    char host[256];

    if (http_header(wsi, WSI_TOKEN_HOST, host, sizeof(host)) < 0 || !host[0]) {
        *code = APP_ERR_BAD_REQUEST;
        *why = "a Host header is required";
        return 400;
    }
    if (!auth_host_allowed(app->http->host_names, host)) {
        *code = APP_ERR_MISDIRECTED;
        *why = "this server does not answer to that host name (see server_names)";
        return 421;
    }
    return 0;
}

/* ---- writing the response ------------------------------------------------ */

bool http_server_tls_pending(struct lws *wsi)
{
    SSL *ssl = lws_get_ssl(wsi);

    return ssl && SSL_pending(ssl) > 0;
}

void http_server_add_security_headers(struct http_response *resp)
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

/* Writes status line and headers into [*p, end). Returns 0 or -1 (no room). */
static int http_build_headers(struct lws *wsi, const struct http_response *resp,
                              uint64_t content_length, bool close_after, unsigned char **p,
                              unsigned char *end)
{
    char len_text[32];

    if (lws_add_http_header_status(wsi, (unsigned)resp->status, p, end))
        return -1;
    if (resp->content_type &&
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                     (const unsigned char *)resp->content_type,
                                     (int)strlen(resp->content_type), p, end))
        return -1;
    snprintf(len_text, sizeof(len_text), "%llu", (unsigned long long)content_length);
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                     (const unsigned char *)len_text, (int)strlen(len_text), p,
                                     end))
        return -1;
    if (close_after && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                                    (const unsigned char *)"close", 5, p, end))
        return -1;
    if ((size_t)(end - *p) < resp->headers.len)
        return -1;
    if (resp->headers.len) {
        memcpy(*p, resp->headers.data, resp->headers.len);
        *p += resp->headers.len;
    }
    return 0;
}

int http_server_write_headers(struct lws *wsi, const struct http_response *resp,
                              uint64_t content_length)
{
    unsigned char out[LWS_PRE + 4096];
    unsigned char *start = out + LWS_PRE, *p = start, *end = out + sizeof(out) - 1;

    if (http_build_headers(wsi, resp, content_length, false, &p, end) < 0) {
        log_error("http: response headers do not fit");
        return -1;
    }
    return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

/* Marks the response complete and asks for WRITEABLE. */
static void http_conn_respond(struct lws *wsi, struct http_conn *conn)
{
    if (!conn->resp.status)
        http_response_errorf(&conn->resp, 500, APP_ERR_INTERNAL, "no response was produced");
    http_server_add_security_headers(&conn->resp);
    if (!conn->resp.content_type)
        conn->resp.content_type = "application/json";
    http_response_gzip_json(&conn->resp, conn->accept_gzip);
    conn->pending = false;
    conn->ready = true;
    lws_callback_on_writable(wsi);
}

static void http_conn_fail(struct lws *wsi, struct http_conn *conn, int status, const char *code,
                           const char *message)
{
    http_response_errorf(&conn->resp, status, code, "%s", message);
    http_conn_respond(wsi, conn);
}

/* Finishes a response: keep-alive or close. Returns the callback's result. */
static int http_conn_finish(struct lws *wsi, struct http_conn *conn)
{
    bool close_now = conn->close_after;

    if (close_now && conn->expecting_body && (!conn->expect_continue || conn->continue_sent)) {
        /* Answered before its body ended (an upload's refusal). Closing now, with the
         * client still sending, makes the kernel reset the connection, and the client
         * may lose the answer; so read and drop what follows, up to HTTP_DRAIN_MAX,
         * then close. A client waiting for "100 Continue" sends nothing: close. */
        conn->draining = true;
        return 0;
    }
    http_conn_reset_request(conn);
    if (close_now)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int http_conn_write(struct lws *wsi, struct http_conn *conn)
{
    static unsigned char out[LWS_PRE + HTTP_CHUNK];
    unsigned char *start = out + LWS_PRE, *p = start, *end = out + sizeof(out) - 1;
    struct http_response *resp = &conn->resp;

    if (!conn->ready)
        return 0;
    if (!conn->headers_sent) {
        if (http_build_headers(wsi, resp, resp->body.len, conn->close_after, &p, end) < 0) {
            log_error("http: response headers do not fit");
            return -1;
        }
        if (lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        conn->headers_sent = true;
        if (conn->method == HTTP_HEAD || resp->body.len == 0)
            return http_conn_finish(wsi, conn);
        lws_callback_on_writable(wsi);
        return 0;
    }

    size_t left = resp->body.len - conn->body_sent;
    size_t n = left > HTTP_CHUNK ? HTTP_CHUNK : left;
    bool last = n == left;

    memcpy(start, resp->body.data + conn->body_sent, n);
    if (lws_write(wsi, start, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    conn->body_sent += n;
    if (last)
        return http_conn_finish(wsi, conn);
    lws_callback_on_writable(wsi);
    return 0;
}

static int http_transfer_writeable(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    switch (transfer_writeable(app, wsi, conn->id)) {
    case TRANSFER_WRITE_DONE:
        return http_conn_finish(wsi, conn);
    case TRANSFER_WRITE_CLOSE:
        return -1;
    default:
        return 0;
    }
}

void http_server_complete(struct http_server *srv, uint64_t conn_id, struct http_response *resp)
{
    struct lws *wsi = http_server_find(srv, conn_id);
    struct http_conn *conn;

    if (!wsi)
        return;
    conn = lws_wsi_user(wsi);
    if (!conn || conn->websocket || !conn->pending)
        return;
    if (conn->expecting_body)
        conn->close_after = true; /* answered before the body ended: drop the rest */
    http_response_move(&conn->resp, resp);
    http_conn_respond(wsi, conn);
}

/* ---- dispatch ------------------------------------------------ */

static void http_serve_static(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    struct static_file file;
    char etag[128];

    if (static_files_get(app->static_files, conn->path, conn->accept_gzip, &file) < 0) {
        http_conn_fail(wsi, conn, 404, APP_ERR_NOT_FOUND, "not found");
        return;
    }
    http_response_header(&conn->resp, "ETag", file.etag);
    http_response_header(&conn->resp, "Cache-Control", file.cache_control);
    http_response_header(&conn->resp, "Vary", "Accept-Encoding");
    conn->resp.content_type = file.content_type;
    if (http_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, etag, sizeof(etag)) == 0 && etag[0] &&
        strstr(etag, file.etag)) {
        conn->resp.status = 304;
        conn->resp.content_type = NULL;
        http_conn_respond(wsi, conn);
        return;
    }
    if (file.gzipped)
        http_response_header(&conn->resp, "Content-Encoding", "gzip");
    conn->resp.status = 200;
    if (buf_append(&conn->resp.body, file.data, file.len) < 0) {
        http_response_free(&conn->resp);
        http_response_init(&conn->resp);
        http_conn_fail(wsi, conn, 500, APP_ERR_INTERNAL, "file too large");
        return;
    }
    http_conn_respond(wsi, conn);
}

/* The handler's view of the connection's current request (borrows from conn). */
static void http_conn_request(const struct http_conn *conn, struct http_request *req)
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
}

static void http_dispatch(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    struct http_request req;

    if (conn->route.id == ROUTE_STATIC) {
        http_serve_static(app, wsi, conn);
        return;
    }
    http_conn_request(conn, &req);
    conn->pending = true;
    if (api_handle(app, &req, &conn->resp) == API_DONE)
        http_conn_respond(wsi, conn);
}

/* Checks everything that does not need the body; routed says whether conn->route
 * matched. Returns 0 to go on, -1 if a response (error) was queued. */
static int http_check_request(struct app *app, struct lws *wsi, struct http_conn *conn, bool routed)
{
    char allow[96];
    const char *code, *why;
    int status;

    if ((status = http_host_check(wsi, app, &code, &why))) {
        http_conn_fail(wsi, conn, status, code, why);
        return -1;
    }
    if (!routed) {
        http_conn_fail(wsi, conn, 404, APP_ERR_NOT_FOUND, "no such API endpoint");
        return -1;
    }
    if (!route_allows(&conn->route, conn->method)) {
        route_allow_header(conn->route.methods, allow, sizeof(allow));
        http_response_header(&conn->resp, "Allow", allow);
        http_conn_fail(wsi, conn, 405, APP_ERR_METHOD, "method not allowed here");
        return -1;
    }
    if (conn->route.id == ROUTE_STATIC)
        return 0;
    http_conn_find_session(wsi, app, conn);
    if (!conn->route.public_route && !conn->has_session) {
        http_conn_fail(wsi, conn, 401, APP_ERR_UNAUTHORIZED, "not logged in");
        return -1;
    }
    if (conn->route.websocket) {
        http_conn_fail(wsi, conn, 400, APP_ERR_BAD_REQUEST,
                       "this endpoint needs a websocket upgrade");
        return -1;
    }
    if (route_method_mutates(conn->method)) {
        if (!http_origin_ok(wsi, app, false)) {
            http_conn_fail(wsi, conn, 403, APP_ERR_ORIGIN, "request from a foreign origin");
            return -1;
        }
        if (conn->has_session && !http_csrf_ok(wsi, conn)) {
            http_conn_fail(wsi, conn, 403, APP_ERR_CSRF, "missing or wrong X-CSRF-Token");
            return -1;
        }
    }
    return 0;
}

/* Hands a volume content request to transfer.c. content_length is -1 without the
 * header. Returns the callback's result. */
static int http_start_transfer(struct app *app, struct lws *wsi, struct http_conn *conn,
                               long long content_length)
{
    struct http_request req;
    char range[128];

    if (http_header(wsi, WSI_TOKEN_HTTP_RANGE, range, sizeof(range)) < 0)
        range[0] = '\0'; /* too long to be one range: serve the whole volume */
    http_conn_request(conn, &req);
    conn->transfer = true;
    conn->expecting_body = content_length > 0 && conn->method == HTTP_PUT;
    conn->expect_continue = conn->expecting_body && http_server_expects_continue(wsi);
    if (transfer_begin(app, wsi, &req, content_length, range, &conn->resp) < 0) {
        /* refused (403, 400, 503…): a body on its way is drained before closing */
        conn->close_after = content_length > 0;
        http_conn_respond(wsi, conn);
        return 0;
    }
    conn->pending = true;
    return 0;
}

bool http_server_expects_continue(struct lws *wsi)
{
    char expect[32];

    return http_header(wsi, WSI_TOKEN_HTTP_EXPECT, expect, sizeof(expect)) == 0 &&
           !strcasecmp(expect, "100-continue");
}

int http_server_write_continue(struct lws *wsi)
{
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    unsigned char out[LWS_PRE + sizeof(interim)];
    struct http_conn *conn = lws_wsi_user(wsi);

    if (!conn || conn->continue_sent)
        return 0;
    memcpy(out + LWS_PRE, interim, sizeof(interim) - 1);
    if (lws_write(wsi, out + LWS_PRE, sizeof(interim) - 1, LWS_WRITE_HTTP_HEADERS) !=
        (int)sizeof(interim) - 1)
        return -1;
    conn->continue_sent = true;
    return 0;
}

static int http_on_request(struct app *app, struct lws *wsi, struct http_conn *conn,
                           const char *uri, size_t uri_len)
{
    char value[64];
    long long content_length = 0;
    bool has_length, routed, streamed;

    conn_limits_request_seen(app->http->limits, wsi);
    if (!conn->id)
        conn->id = http_registry_add(app->http, wsi);
    http_conn_reset_request(conn);
    http_peer_address(wsi, conn->peer, sizeof(conn->peer));
    conn->method = http_method_of(wsi);
    if (uri_len >= sizeof(conn->path)) {
        http_conn_fail(wsi, conn, 414, APP_ERR_BAD_REQUEST, "URI too long");
        return 0;
    }
    snprintf(conn->path, sizeof(conn->path), "%s", uri);
    if (http_query_copy(wsi, conn->query, sizeof(conn->query)) < 0) {
        http_conn_fail(wsi, conn, 414, APP_ERR_BAD_REQUEST, "query string too long");
        return 0;
    }
    conn->accept_gzip =
        http_header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING, value, sizeof(value)) == 0 &&
        strstr(value, "gzip") != NULL;
    if (http_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, value, sizeof(value)) < 0) {
        conn->close_after = true;
        http_conn_fail(wsi, conn, 413, APP_ERR_TOO_LARGE, "request body too large");
        return 0;
    }
    has_length = value[0] != '\0';
    if (has_length) {
        char *endp = NULL;
        content_length = strtoll(value, &endp, 10);
        if (*endp || content_length < 0) {
            conn->close_after = true;
            http_conn_fail(wsi, conn, 400, APP_ERR_BAD_REQUEST, "bad Content-Length");
            return 0;
        }
    }
    /* volume contents stream past the body limit; everything else is held to it */
    routed = route_match(conn->path, &conn->route) == 0;
    streamed = routed && conn->route.id == ROUTE_VOLUME_CONTENT;
    if (content_length > (long long)HTTP_MAX_BODY && !streamed) {
        conn->close_after = true;
        http_conn_fail(wsi, conn, 413, APP_ERR_TOO_LARGE, "request body over 64 KiB");
        return 0;
    }
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
        conn->close_after = true;
        http_conn_fail(wsi, conn, 411, APP_ERR_BAD_REQUEST,
                       "chunked request bodies are not accepted");
        return 0;
    }
    if (http_check_request(app, wsi, conn, routed) < 0) {
        if (content_length > 0)
            conn->close_after = true;
        return 0;
    }
    if (streamed)
        return http_start_transfer(app, wsi, conn, has_length ? content_length : -1);
    if (content_length > 0) {
        /* lws cuts a sender that pauses longer than timeout_secs (serve.c) */
        conn->expecting_body = true;
        return 0;
    }
    http_dispatch(app, wsi, conn);
    return 0;
}

static int http_on_body(struct app *app, struct lws *wsi, struct http_conn *conn, const void *in,
                        size_t len)
{
    if (conn->draining) {
        conn->drained += len;
        return conn->drained > HTTP_DRAIN_MAX ? -1 : 0;
    }
    if (!conn->expecting_body)
        return 0;
    if (conn->transfer)
        return transfer_body(app, wsi, conn->id, in, len);
    if (buf_append(&conn->body, in, len) < 0) {
        conn->expecting_body = false;
        conn->close_after = true;
        http_conn_fail(wsi, conn, 413, APP_ERR_TOO_LARGE, "request body over 64 KiB");
    }
    return 0;
}

static int http_on_body_complete(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    if (conn->draining)
        return -1; /* the early answer went out; now the connection can close cleanly */
    if (!conn->expecting_body)
        return 0;
    conn->expecting_body = false;
    if (conn->transfer) {
        transfer_body_done(app, conn->id);
        return 0;
    }
    http_dispatch(app, wsi, conn);
    return 0;
}

/* ---- websocket gate ------------------------------------------------ */

/* Decides whether this upgrade may proceed; fills conn (route, session, peer).
 * Returns 0, or an HTTP status with a message in *why. */
static int http_ws_gate(struct app *app, struct lws *wsi, struct http_conn *conn, const char **code,
                        const char **why)
{
    char uri[HTTP_PATH_MAX];
    struct auth_subject subject;
    int status;

    if ((status = http_host_check(wsi, app, code, why)))
        return status;
    if (http_header(wsi, WSI_TOKEN_GET_URI, uri, sizeof(uri)) < 0 || !uri[0]) {
        *code = APP_ERR_BAD_REQUEST;
        *why = "websocket upgrade needs a GET";
        return 400;
    }
    snprintf(conn->path, sizeof(conn->path), "%s", uri);
    if (route_match(conn->path, &conn->route) < 0 || !conn->route.websocket) {
        *code = APP_ERR_NOT_FOUND;
        *why = "no websocket endpoint here";
        return 404;
    }
    if (!http_origin_ok(wsi, app, true)) {
        *code = APP_ERR_ORIGIN;
        *why = "websocket from a foreign or missing Origin";
        return 403;
    }
    http_conn_find_session(wsi, app, conn);
    if (!conn->has_session) {
        *code = APP_ERR_UNAUTHORIZED;
        *why = "not logged in";
        return 401;
    }
    subject.username = conn->session.username;
    subject.role = conn->session.role;
    if (conn->route.id == ROUTE_CONSOLE || conn->route.id == ROUTE_SERIAL) {
        struct auth_object domain = {AUTH_OBJECT_DOMAIN, conn->route.uuid};
        if (!virt_domain_uuid_valid(conn->route.uuid)) {
            *code = APP_ERR_BAD_REQUEST;
            *why = "not a domain UUID";
            return 400;
        }
        if (!auth_policy_allows(&subject, AUTH_ACTION_DOMAIN_CONSOLE, &domain)) {
            *code = APP_ERR_FORBIDDEN;
            *why = "not allowed to use this domain's console";
            return 403;
        }
    } else if (!auth_policy_allows(&subject, AUTH_ACTION_DOMAIN_READ, NULL)) {
        *code = APP_ERR_FORBIDDEN;
        *why = "not allowed";
        return 403;
    }
    http_peer_address(wsi, conn->peer, sizeof(conn->peer));
    return 0;
}

/* Refuses an upgrade with a complete response written now (lws then completes the
 * transaction). Returns 1 as HTTP_CONFIRM_UPGRADE expects. */
static int http_ws_refuse(struct lws *wsi, int status, const char *code, const char *why)
{
    unsigned char out[LWS_PRE + 2048];
    unsigned char *start = out + LWS_PRE, *p = start, *end = out + sizeof(out) - 1;
    struct http_response resp;
    int ret = -1;

    http_response_init(&resp);
    http_response_errorf(&resp, status, code, "%s", why);
    http_server_add_security_headers(&resp);
    if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", resp.body.len, &p,
                                    end))
        goto cleanup;
    if ((size_t)(end - p) < resp.headers.len)
        goto cleanup;
    memcpy(p, resp.headers.data, resp.headers.len);
    p += resp.headers.len;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        goto cleanup;
    memcpy(start, resp.body.data, resp.body.len);
    if (lws_write(wsi, start, resp.body.len, LWS_WRITE_HTTP_FINAL) != (int)resp.body.len)
        goto cleanup;
    ret = 1;

cleanup:
    http_response_free(&resp);
    return ret;
}

/* lws has bound no per-session data yet at this point (user is NULL), so the gate
 * runs on a scratch connection; FILTER_PROTOCOL_CONNECTION repeats it for real. */
static int http_on_confirm_upgrade(struct app *app, struct lws *wsi, const char *upgrade)
{
    struct http_conn scratch;
    const char *code = NULL, *why = NULL;
    int status;

    conn_limits_request_seen(app->http->limits, wsi);
    if (strcasecmp(upgrade, "websocket") != 0)
        return http_ws_refuse(wsi, 400, APP_ERR_BAD_REQUEST, "only websocket upgrades are served");
    memset(&scratch, 0, sizeof(scratch));
    status = http_ws_gate(app, wsi, &scratch, &code, &why);
    OPENSSL_cleanse(scratch.token, sizeof(scratch.token));
    if (status) {
        char peer[64];
        http_peer_address(wsi, peer, sizeof(peer));
        log_info("http: refused websocket %s from %s: %s", scratch.path, peer, why);
        return http_ws_refuse(wsi, status, code, why);
    }
    return 0;
}

static int http_on_ws_filter(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    const char *code = NULL, *why = NULL;
    int status;

    memset(conn, 0, sizeof(*conn));
    buf_init(&conn->body, 0);
    http_response_init(&conn->resp);
    status = http_ws_gate(app, wsi, conn, &code, &why);
    OPENSSL_cleanse(conn->token, sizeof(conn->token)); /* the socket keeps only the session id */
    if (status)
        return -1;
    conn->websocket = true;
    conn->id = http_registry_add(app->http, wsi);
    return 0;
}

/* ---- websocket frame checks (tls/tls_read_guard.h) ------------------------ */

/* Called from inside lws's read on the service thread, before lws parses the bytes,
 * when the client broke RFC 6455 or the endpoint's limit. From then on RECEIVE drops
 * everything (returning -1 there would make lws drop the rest of its buffer and lose
 * its place in the frames) and the next WRITEABLE closes the socket with the code: a
 * frame without payload yet, or a control frame, reaches no RECEIVE at all. The timeout
 * ends a client that also stops reading, so WRITEABLE never comes. */
static void http_ws_tripped(void *wsi)
{
    lws_callback_on_writable(wsi);
    lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, HTTP_WS_FAIL_TIMEOUT_S);
}

/* True once wsi's client broke the rules (see http_ws_tripped). */
static bool http_ws_broken(struct lws *wsi)
{
    const char *reason;

    return tls_read_guard_verdict(lws_get_ssl(wsi), &reason) != 0;
}

/* True, with the close code and reason set on wsi, once its client sent something the
 * connection must be failed for. */
static bool http_ws_failed(struct lws *wsi, const struct http_conn *conn)
{
    const char *reason;
    int code = tls_read_guard_verdict(lws_get_ssl(wsi), &reason);

    if (!code)
        return false;
    log_info("http: websocket %s from %s closed with %d: %s", conn->path, conn->peer, code, reason);
    lws_close_reason(wsi, (enum lws_close_status)code, (unsigned char *)reason, strlen(reason));
    return true;
}

/* Checks the client's frames from now on, with messages of at most message_max bytes
 * (the endpoint's limit). Returns 0, or -1 (close reason set) to refuse the socket. */
static int http_ws_guard(struct lws *wsi, const struct http_conn *conn, uint64_t message_max)
{
    if (tls_read_guard_attach(lws_get_ssl(wsi), message_max, http_ws_tripped, wsi) == 0)
        return 0;
    if (!http_ws_failed(wsi, conn))
        log_error("http: websocket %s from %s: no frame checks", conn->path, conn->peer);
    return -1;
}

static int http_on_ws_established(struct app *app, struct lws *wsi, struct http_conn *conn)
{
    if (!conn->websocket || !conn->id)
        return -1;
    switch (conn->route.id) {
    case ROUTE_EVENTS:
        if (http_ws_guard(wsi, conn, EVENTS_WS_MESSAGE_MAX) < 0)
            return -1;
        return events_ws_open(app, wsi, conn->id, &conn->session, conn->peer);
    case ROUTE_CONSOLE:
        if (http_ws_guard(wsi, conn, CONSOLE_WS_MESSAGE_MAX) < 0)
            return -1;
        return console_ws_open(app, wsi, conn->id, &conn->session, conn->peer, conn->route.uuid);
    case ROUTE_SERIAL:
        if (http_ws_guard(wsi, conn, SERIAL_WS_MESSAGE_MAX) < 0)
            return -1;
        return serial_ws_open(app, wsi, conn->id, &conn->session, conn->peer, conn->route.uuid);
    default:
        return -1;
    }
}

/* ---- the callback ------------------------------------------------ */

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    struct http_conn *conn = user;
    struct app *app;

    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        app = http_app(wsi);
        if (app && app->pool)
            work_pool_drain(app->pool);
        if (app && app->events)
            events_ws_dispatch(app);
        if (app && app->inbox)
            inbox_drain(app->inbox);
        return 0;
    case LWS_CALLBACK_HTTP:
        return http_on_request(http_app(wsi), wsi, conn, in, len);
    case LWS_CALLBACK_HTTP_BODY:
        return http_on_body(http_app(wsi), wsi, conn, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return http_on_body_complete(http_app(wsi), wsi, conn);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (conn && conn->transfer && !conn->ready)
            return http_transfer_writeable(http_app(wsi), wsi, conn);
        return conn ? http_conn_write(wsi, conn) : 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return http_on_confirm_upgrade(http_app(wsi), wsi, in);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (conn && !conn->websocket)
            http_conn_release(http_app(wsi)->http, conn);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return http_on_ws_filter(http_app(wsi), wsi, conn);
    case LWS_CALLBACK_ESTABLISHED:
        return http_on_ws_established(http_app(wsi), wsi, conn);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!conn || !conn->websocket)
            return 0;
        if (http_ws_failed(wsi, conn))
            return -1;
        if (conn->route.id == ROUTE_CONSOLE)
            return console_ws_writeable(http_app(wsi), wsi, conn->id);
        if (conn->route.id == ROUTE_SERIAL)
            return serial_ws_writeable(http_app(wsi), wsi, conn->id);
        return events_ws_writeable(http_app(wsi), wsi, conn->id);
    case LWS_CALLBACK_RECEIVE:
        /* fragments are bounded by rx_buffer_size, messages by the endpoint's limit;
         * /api/events clients have nothing to say */
        if (conn && conn->websocket && http_ws_broken(wsi))
            return 0; /* failed: nothing more reaches the endpoint; WRITEABLE closes */
        if (conn && conn->websocket && conn->route.id == ROUTE_CONSOLE)
            return console_ws_receive(http_app(wsi), wsi, conn->id, in, len);
        if (conn && conn->websocket && conn->route.id == ROUTE_SERIAL)
            return serial_ws_receive(http_app(wsi), wsi, conn->id, in, len);
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (conn && conn->websocket)
            http_conn_release(http_app(wsi)->http, conn);
        return 0;
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        app = http_app(wsi);
        if (app)
            app->ssl_ctx = user; /* the vhost's SSL_CTX, kept for certificate reloads */
        return 0;
    case LWS_CALLBACK_RAW_ADOPT:
        return -1; /* CONNECT requests fall back to raw sockets in lws: never proxy them */
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* here user is lws's struct lws_filter_network_conn_args, not a connection */
        return http_on_accept(http_app(wsi)->http, wsi, user);
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
        http_on_new_client(http_app(wsi)->http, wsi);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        app = http_app(wsi);
        if (app && app->http)
            conn_limits_closed(app->http->limits, wsi);
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols http_server_protocol_table[] = {
    /* rx: a websocket fragment or body piece reaches us in at most 4 KiB; tx: one write
     * (a 16 KiB HTTP chunk, or a websocket frame: HTTP_WS_PAYLOAD_MAX + its 4-byte header)
     * fills one TLS record and is never split and buffered by lws */
    {"http", http_callback, sizeof(struct http_conn), 4096, 0, NULL, HTTP_TX_MAX},
    {"virtdeck-events.v1", http_callback, sizeof(struct http_conn), 4096, 0, NULL, HTTP_TX_MAX},
    /* noVNC asks for "binary"; the endpoint is still chosen by path */
    {"binary", http_callback, sizeof(struct http_conn), 4096, 0, NULL, HTTP_TX_MAX},
    {CONSOLE_RAW_PROTOCOL, console_raw_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

const struct lws_protocols *http_server_protocols(void)
{
    return http_server_protocol_table;
}
