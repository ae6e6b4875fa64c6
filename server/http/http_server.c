/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* http_server: the lws protocol callback and the io seam of the connection layer.
 *
 * Service thread only. Each lws connection's per-session data holds its struct conn
 * (http/conn.h), created at its first request (HTTP) or at the websocket gate
 * (FILTER_PROTOCOL_CONNECTION) and freed when lws drops the protocol or closes the
 * socket (conn_free is called once: the pointer is cleared with it). The callback's
 * switch only forwards; which endpoint serves a connection is the connection layer's
 * business (its route table), never decided here. */
#include "http/http_server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "http/conn_limits.h"
#include "http/tls_read_guard.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* a websocket whose client broke the rules is gone this many seconds later at most */
#define HTTP_WS_FAIL_TIMEOUT_S 5
#define HTTP_HEAD_MAX          4096
#define HTTP_PROTOCOLS         6 /* http, events, binary, the listener, the extra one, the end */
/* the passed listening socket (socket activation): its lws protocol, and how many waiting
 * connections one readiness accepts (the rest wait for the next turn of the loop) */
#define HTTP_LISTENER_PROTOCOL "virtdeck-listener"
#define HTTP_ACCEPT_BURST      64
/* Every websocket is pinged this often, so a reverse proxy's read timeout (nginx's and
 * Apache's default 60 s) never sees an idle console or event stream... */
#define HTTP_WS_PING_S 25
/* ...and one whose client has answered none of this many pings in a row (a peer gone
 * without a FIN, or one that stopped reading) is closed at the next tick: 50 s after
 * its first unanswered ping. */
#define HTTP_WS_PINGS_UNANSWERED 2
#define HTTP_WS_PING_PAYLOAD     8 /* bytes: an int64_t */

/* lws's per-session data. */
struct http_pss {
    struct conn *conn;   /* owned */
    bool ping_due;       /* websocket: a ping waits for the next SERVER_WRITEABLE */
    unsigned unanswered; /* websocket: pings sent (or due) since the last pong */
};

struct http_server {
    struct conn_server *conns;           /* borrowed */
    struct conn_limits *limits;          /* owned */
    struct lws_context *ctx;             /* borrowed; set at the first accept */
    lws_sorted_usec_list_t deadline_sul; /* the next first-request deadline */
    void (*on_wake)(void *ctx);
    void *wake_ctx;             /* borrowed */
    struct ssl_ctx_st *ssl_ctx; /* borrowed from lws: the vhost's */
    int64_t accept_warned_ms;   /* the passed socket's last accept failure logged */
    struct lws_protocols protocols[HTTP_PROTOCOLS]; /* what the vhost serves */
};

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len);
static int http_listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                                  void *in, size_t len);

struct http_server *http_server_new(const struct http_server_options *options)
{
    struct http_server *srv = xcalloc(1, sizeof(*srv));
    /* rx: a websocket fragment or body piece reaches us in at most 4 KiB; tx: one write
     * (a 16 KiB HTTP chunk, or a websocket frame: CONN_WS_PAYLOAD_MAX + its 4-byte header)
     * fills one TLS record and is never split and buffered by lws */
    const struct lws_protocols http = {"http", http_callback, sizeof(struct http_pss), 4096, 0,
                                       srv,    CONN_TX_MAX};
    unsigned n = 0;

    srv->conns = options->conns;
    srv->limits = conn_limits_new(options->max_connections, options->max_handshakes,
                                  options->first_request_ms);
    srv->on_wake = options->on_wake;
    srv->wake_ctx = options->wake_ctx;
    srv->protocols[n++] = http;
    srv->protocols[n] = http;
    srv->protocols[n++].name = "virtdeck-events.v1";
    /* noVNC asks for "binary"; the endpoint is still chosen by path */
    srv->protocols[n] = http;
    srv->protocols[n++].name = "binary";
    srv->protocols[n++] =
        (struct lws_protocols){HTTP_LISTENER_PROTOCOL, http_listener_callback, 0, 0, 0, srv, 0};
    if (options->extra)
        srv->protocols[n++] = *options->extra;
    return srv;
}

void http_server_free(struct http_server *srv)
{
    if (!srv)
        return;
    conn_limits_free(srv->limits);
    free(srv);
}

const struct lws_protocols *http_server_protocols(struct http_server *srv)
{
    return srv->protocols;
}

struct ssl_ctx_st *http_server_ssl_ctx(const struct http_server *srv)
{
    return srv->ssl_ctx;
}

static struct http_server *http_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

/* ---- the io seam ------------------------------------------------ */

static int http_io_header(void *handle, enum conn_header which, char *out, size_t outlen)
{
    static const enum lws_token_indexes tokens[] = {
        [CONN_HEADER_HOST] = WSI_TOKEN_HOST,
        [CONN_HEADER_ORIGIN] = WSI_TOKEN_ORIGIN,
        [CONN_HEADER_COOKIE] = WSI_TOKEN_HTTP_COOKIE,
        [CONN_HEADER_CONTENT_LENGTH] = WSI_TOKEN_HTTP_CONTENT_LENGTH,
        [CONN_HEADER_TRANSFER_ENCODING] = WSI_TOKEN_HTTP_TRANSFER_ENCODING,
        [CONN_HEADER_ACCEPT_ENCODING] = WSI_TOKEN_HTTP_ACCEPT_ENCODING,
        [CONN_HEADER_EXPECT] = WSI_TOKEN_HTTP_EXPECT,
        [CONN_HEADER_RANGE] = WSI_TOKEN_HTTP_RANGE,
        [CONN_HEADER_IF_NONE_MATCH] = WSI_TOKEN_HTTP_IF_NONE_MATCH,
        [CONN_HEADER_GET_URI] = WSI_TOKEN_GET_URI,
        [CONN_HEADER_AUTHORIZATION] = WSI_TOKEN_HTTP_AUTHORIZATION,
        [CONN_HEADER_ACCEPT] = WSI_TOKEN_HTTP_ACCEPT,
        [CONN_HEADER_USER_AGENT] = WSI_TOKEN_HTTP_USER_AGENT,
    };
    struct lws *wsi = handle;

    out[0] = '\0';
    if (which == CONN_HEADER_CSRF || which == CONN_HEADER_PREFER) {
        const char *name = which == CONN_HEADER_CSRF ? "x-csrf-token:" : "prefer:";

        /* absent and too long alike leave out empty: the token is then wrong */
        if (lws_hdr_custom_copy(wsi, out, (int)outlen, name, (int)strlen(name)) <= 0)
            out[0] = '\0';
        return 0;
    }
    if (lws_hdr_total_length(wsi, tokens[which]) <= 0)
        return 0;
    if (lws_hdr_copy(wsi, out, (int)outlen, tokens[which]) < 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

static enum http_method http_io_method(void *handle)
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
        if (lws_hdr_total_length(handle, tokens[i].token) > 0)
            return tokens[i].method;
    return HTTP_OTHER;
}

static int http_io_query(void *handle, char *out, size_t outlen)
{
    size_t used = 0;
    char frag[1024];

    out[0] = '\0';
    for (int i = 0;
         lws_hdr_copy_fragment(handle, frag, (int)sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i) > 0;
         i++) {
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "&" : "", frag);
        if (n < 0 || (size_t)n >= outlen - used) {
            out[0] = '\0';
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

static void http_io_peer(void *handle, char *out, size_t outlen)
{
    lws_get_peer_simple(handle, out, outlen);
}

static int http_io_write_head(void *handle, const struct http_response *resp,
                              uint64_t content_length, bool close)
{
    static unsigned char out[LWS_PRE + HTTP_HEAD_MAX];
    unsigned char *start = out + LWS_PRE, *p = start, *end = out + sizeof(out) - 1;
    struct lws *wsi = handle;
    char len_text[32];

    if (lws_add_http_header_status(wsi, (unsigned)resp->status, &p, end))
        goto overflow;
    if (resp->content_type &&
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                     (const unsigned char *)resp->content_type,
                                     (int)strlen(resp->content_type), &p, end))
        goto overflow;
    snprintf(len_text, sizeof(len_text), "%llu", (unsigned long long)content_length);
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                     (const unsigned char *)len_text, (int)strlen(len_text), &p,
                                     end))
        goto overflow;
    if (close && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                              (const unsigned char *)"close", 5, &p, end))
        goto overflow;
    if ((size_t)(end - p) < resp->headers.len)
        goto overflow;
    if (resp->headers.len) {
        memcpy(p, resp->headers.data, resp->headers.len);
        p += resp->headers.len;
    }
    return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;

overflow:
    log_error("http: response headers do not fit");
    return -1;
}

static int http_io_write(void *handle, unsigned char *p, size_t len, enum conn_write kind, bool fin)
{
    static const enum lws_write_protocol protocols[] = {
        [CONN_WRITE_HTTP] = LWS_WRITE_HTTP,
        [CONN_WRITE_HTTP_FINAL] = LWS_WRITE_HTTP_FINAL,
        [CONN_WRITE_HTTP_HEADERS] = LWS_WRITE_HTTP_HEADERS,
        [CONN_WRITE_WS_TEXT] = LWS_WRITE_TEXT,
        [CONN_WRITE_WS_BINARY] = LWS_WRITE_BINARY,
        [CONN_WRITE_WS_CONTINUATION] = LWS_WRITE_CONTINUATION,
    };
    int flags = (int)protocols[kind];

    if (!fin)
        flags |= LWS_WRITE_NO_FIN;
    return lws_write(handle, p, len, (enum lws_write_protocol)flags) < (int)len ? -1 : 0;
}

static int http_io_transaction_done(void *handle)
{
    return lws_http_transaction_completed(handle) ? -1 : 0;
}

static void http_io_want_write(void *handle)
{
    lws_callback_on_writable(handle);
}

static void http_io_rx_flow(void *handle, bool enable)
{
    lws_rx_flow_control(handle, enable ? 1 : 0);
}

static bool http_io_tls_pending(void *handle)
{
    SSL *ssl = lws_get_ssl(handle);

    return ssl && SSL_pending(ssl) > 0;
}

static bool http_io_choked(void *handle)
{
    return lws_send_pipe_choked(handle) != 0;
}

static void http_io_close_reason(void *handle, int code, const char *reason)
{
    lws_close_reason(handle, (enum lws_close_status)code, (unsigned char *)reason, strlen(reason));
}

static void http_io_set_timeout(void *handle, int seconds)
{
    lws_set_timeout(handle, PENDING_TIMEOUT_HTTP_CONTENT, seconds);
}

static void http_io_kill(void *handle)
{
    lws_set_timeout(handle, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
}

static int http_io_adopt(void *handle, int fd, const char *protocol, void *opaque)
{
    lws_adopt_desc_t info;

    memset(&info, 0, sizeof(info));
    info.vh = lws_get_vhost(handle);
    info.type = LWS_ADOPT_SOCKET;
    info.fd.sockfd = fd;
    info.vh_prot_name = protocol;
    info.opaque = opaque;
    return lws_adopt_descriptor_vhost_via_info(&info) ? 0 : -1;
}

const struct conn_io *http_server_io(void)
{
    static const struct conn_io io = {
        .header = http_io_header,
        .method = http_io_method,
        .query = http_io_query,
        .peer = http_io_peer,
        .write_head = http_io_write_head,
        .write = http_io_write,
        .transaction_done = http_io_transaction_done,
        .want_write = http_io_want_write,
        .rx_flow = http_io_rx_flow,
        .tls_pending = http_io_tls_pending,
        .choked = http_io_choked,
        .close_reason = http_io_close_reason,
        .set_timeout = http_io_set_timeout,
        .kill = http_io_kill,
        .adopt = http_io_adopt,
    };

    return &io;
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

/* A new TCP connection on fd, before TLS: whether conn_limits admits it. */
static bool http_admit(struct http_server *srv, struct lws *listener, int fd,
                       const struct sockaddr *addr, socklen_t addrlen)
{
    bool warn;
    unsigned long refused;
    enum conn_limits_verdict verdict;

    verdict = conn_limits_admit(srv->limits, fd, addr, addrlen, clock_mono_ms(), &warn, &refused);
    if (verdict == CONN_LIMITS_ADMITTED) {
        srv->ctx = lws_get_context(listener);
        return true;
    }
    if (warn) {
        char who[INET6_ADDRSTRLEN + 4];
        conn_limits_format_addr(addr, addrlen, who, sizeof(who));
        log_warn("http: refused %lu connection(s) from %s: %s", refused, who,
                 verdict == CONN_LIMITS_TOO_MANY
                     ? "max_connections_per_address reached"
                     : "max_handshakes_per_address reached (connections not yet past "
                       "their first request)");
    }
    return false;
}

/* FILTER_NETWORK_CONNECTION: lws's own listener accepted a connection. Returns non-zero
 * to have lws close it at once. */
static int http_on_accept(struct http_server *srv, struct lws *listener,
                          const struct lws_filter_network_conn_args *args)
{
    return http_admit(srv, listener, (int)args->accept_fd, (const struct sockaddr *)&args->cli_addr,
                      args->clilen)
               ? 0
               : 1;
}

/* RAW_RX_FILE on the passed listening socket: connections wait. Each is accepted, admitted
 * as lws's own listener would (http_admit) and handed to lws as an accepted HTTPS
 * connection, which then takes the same path (NEW_CLIENT_INSTANTIATED, TLS, requests). */
static void http_on_listener_ready(struct http_server *srv, struct lws *listener)
{
    int lfd = (int)lws_get_socket_fd(listener);

    for (int i = 0; i < HTTP_ACCEPT_BURST; i++) {
        struct sockaddr_storage addr;
        socklen_t addrlen = sizeof(addr);
        lws_sock_file_fd_type desc;
        int fd = accept4(lfd, (struct sockaddr *)&addr, &addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            /* out of descriptors (EMFILE) the socket stays readable: one line per period */
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED && clock_mono_ms() - srv->accept_warned_ms >= 10000) {
                srv->accept_warned_ms = clock_mono_ms();
                log_warn("http: accept on the passed socket: %s", strerror(errno));
            }
            return;
        }
        if (!http_admit(srv, listener, fd, (const struct sockaddr *)&addr, addrlen)) {
            close(fd);
            continue;
        }
        desc.sockfd = fd;
        /* on failure lws has closed fd; conn_limits releases the unbound admit */
        if (!lws_adopt_descriptor_vhost(lws_get_vhost(listener),
                                        LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP | LWS_ADOPT_ALLOW_SSL,
                                        desc, NULL, NULL))
            log_warn("http: lws did not take an accepted connection");
    }
}

static int http_listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                                  void *in, size_t len)
{
    if (reason == LWS_CALLBACK_RAW_RX_FILE)
        http_on_listener_ready(http_of(wsi), wsi);
    return 0;
}

int http_server_adopt_listener(struct lws_context *ctx, int fd)
{
    struct lws_vhost *vhost = lws_get_vhost_by_name(ctx, "default");
    lws_sock_file_fd_type desc;

    desc.filefd = fd;
    if (!vhost || !lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, desc,
                                              HTTP_LISTENER_PROTOCOL, NULL))
        return -1;
    return 0;
}

/* SERVER_NEW_CLIENT_INSTANTIATED: the accepted socket became a wsi. */
static void http_on_new_client(struct http_server *srv, struct lws *wsi)
{
    conn_limits_bind(srv->limits, (int)lws_get_socket_fd(wsi), wsi);
    http_deadlines_schedule(srv);
}

/* ---- requests ------------------------------------------------ */

static int http_on_request(struct http_server *srv, struct lws *wsi, struct http_pss *pss,
                           const char *uri, size_t uri_len)
{
    conn_limits_request_seen(srv->limits, wsi);
    if (!pss)
        return -1;
    if (!pss->conn)
        pss->conn = conn_new(srv->conns, wsi);
    return conn_on_request(pss->conn, uri, uri_len);
}

static void http_pss_release(struct http_pss *pss)
{
    if (!pss)
        return;
    conn_free(pss->conn);
    pss->conn = NULL;
}

/* ---- websockets ------------------------------------------------ */

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
static bool http_ws_failed(struct lws *wsi, const struct conn *conn)
{
    const char *reason;
    int code = tls_read_guard_verdict(lws_get_ssl(wsi), &reason);

    if (!code)
        return false;
    log_info("http: websocket %s from %s closed with %d: %s", conn_path(conn), conn_peer(conn),
             code, reason);
    lws_close_reason(wsi, (enum lws_close_status)code, (unsigned char *)reason, strlen(reason));
    return true;
}

/* FILTER_PROTOCOL_CONNECTION: the gate, for real this time. */
static int http_on_ws_filter(struct http_server *srv, struct lws *wsi, struct http_pss *pss)
{
    http_pss_release(pss); /* an HTTP request's connection, if lws kept its data */
    pss->conn = conn_ws_accept(srv->conns, wsi);
    return pss->conn ? 0 : -1;
}

/* ESTABLISHED: the client's frames are checked from now on, with messages of at most
 * the endpoint's limit; then the endpoint opens. */
static int http_on_ws_established(struct lws *wsi, struct http_pss *pss)
{
    struct conn *conn = pss ? pss->conn : NULL;

    if (!conn)
        return -1;
    if (tls_read_guard_attach(lws_get_ssl(wsi), conn_ws_message_max(conn), http_ws_tripped, wsi) <
        0) {
        if (!http_ws_failed(wsi, conn))
            log_error("http: websocket %s from %s: no frame checks", conn_path(conn),
                      conn_peer(conn));
        return -1;
    }
    lws_set_timer_usecs(wsi, (lws_usec_t)HTTP_WS_PING_S * LWS_US_PER_SEC);
    return conn_ws_established(conn);
}

/* TIMER (every HTTP_WS_PING_S on an open websocket): a ping is due, or the client that
 * left the last HTTP_WS_PINGS_UNANSWERED unanswered is closed. The ping goes out at the
 * next WRITEABLE, ahead of the endpoint's own frames. lws pings on its own only after
 * 300 s (its context's default retry policy), past every proxy's read timeout. */
static int http_on_ws_timer(struct lws *wsi, struct http_pss *pss)
{
    if (!pss || !pss->conn)
        return 0;
    if (pss->unanswered >= HTTP_WS_PINGS_UNANSWERED) {
        log_info("http: websocket %s from %s closed: no pong to %u pings", conn_path(pss->conn),
                 conn_peer(pss->conn), pss->unanswered);
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return 0;
    }
    pss->unanswered++;
    pss->ping_due = true;
    lws_callback_on_writable(wsi);
    lws_set_timer_usecs(wsi, (lws_usec_t)HTTP_WS_PING_S * LWS_US_PER_SEC);
    return 0;
}

/* SERVER_WRITEABLE with a ping due: a ping, and another WRITEABLE for the endpoint,
 * which may have asked for this one (one write per WRITEABLE). The ping carries 8 bytes
 * (the time it was sent): lws 4.1.6 hands an empty pong to no callback, so the answer
 * to an empty ping would never reach RECEIVE_PONG. */
static int http_ws_send_ping(struct lws *wsi, struct http_pss *pss)
{
    unsigned char frame[LWS_PRE + HTTP_WS_PING_PAYLOAD] = {0};
    int64_t now_ms = clock_mono_ms();

    pss->ping_due = false;
    memcpy(frame + LWS_PRE, &now_ms, HTTP_WS_PING_PAYLOAD);
    if (lws_write(wsi, frame + LWS_PRE, HTTP_WS_PING_PAYLOAD, LWS_WRITE_PING) <
        HTTP_WS_PING_PAYLOAD)
        return -1;
    lws_callback_on_writable(wsi);
    return 0;
}

/* ---- the callback ------------------------------------------------ */

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    struct http_pss *pss = user;
    struct conn *conn = pss ? pss->conn : NULL;
    struct http_server *srv;

    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        /* lws tells every protocol of the vhost; the wake is acted on once, by the first */
        if (strcmp(lws_get_protocol(wsi)->name, "http"))
            return 0;
        srv = http_of(wsi);
        if (srv && srv->on_wake)
            srv->on_wake(srv->wake_ctx);
        return 0;
    case LWS_CALLBACK_HTTP:
        return http_on_request(http_of(wsi), wsi, pss, in, len);
    case LWS_CALLBACK_HTTP_BODY:
        return conn ? conn_on_body(conn, in, len) : 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return conn ? conn_on_body_done(conn) : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return conn ? conn_on_writeable(conn) : 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        /* lws has bound no per-session data yet (user is NULL): the gate runs on a
         * scratch connection; FILTER_PROTOCOL_CONNECTION repeats it for real */
        srv = http_of(wsi);
        conn_limits_request_seen(srv->limits, wsi);
        return conn_ws_confirm(srv->conns, wsi, in);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_CLOSED:
        http_pss_release(pss);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return pss ? http_on_ws_filter(http_of(wsi), wsi, pss) : -1;
    case LWS_CALLBACK_ESTABLISHED:
        return http_on_ws_established(wsi, pss);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!conn)
            return 0;
        if (http_ws_failed(wsi, conn))
            return -1;
        if (pss->ping_due)
            return http_ws_send_ping(wsi, pss);
        return conn_on_writeable(conn);
    case LWS_CALLBACK_TIMER:
        return http_on_ws_timer(wsi, pss);
    case LWS_CALLBACK_RECEIVE_PONG:
        if (pss)
            pss->unanswered = 0;
        return 0;
    case LWS_CALLBACK_RECEIVE:
        /* fragments are bounded by rx_buffer_size, messages by the endpoint's limit */
        if (!conn || http_ws_broken(wsi))
            return 0; /* failed: nothing more reaches the endpoint; WRITEABLE closes */
        return conn_on_receive(conn, in, len);
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        srv = http_of(wsi);
        if (srv)
            srv->ssl_ctx = user; /* the vhost's SSL_CTX, kept for certificate reloads */
        return 0;
    case LWS_CALLBACK_RAW_ADOPT:
        return -1; /* CONNECT requests fall back to raw sockets in lws: never proxy them */
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* here user is lws's struct lws_filter_network_conn_args, not a connection */
        return http_on_accept(http_of(wsi), wsi, user);
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
        http_on_new_client(http_of(wsi), wsi);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        srv = http_of(wsi);
        if (srv)
            conn_limits_closed(srv->limits, wsi);
        return 0;
    default:
        return 0;
    }
}
