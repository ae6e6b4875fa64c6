/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fake_conn: a fake io seam (struct conn_io) for the connection layer's unit tests
 * (test_conn, test_conn_sessions): a "socket" is a struct fake_sock that records what
 * the layer asked of lws (headers written, bytes and frames, WRITEABLE requests, rx
 * flow, the close frame, timeouts) and answers its questions (request headers, method,
 * query, peer) from fields the test sets. No struct lws anywhere.
 *
 * Sessions come from the link seams __wrap_auth_sessions_lookup and
 * __wrap_auth_sessions_alive (tests/unit/wraps.mk): the cookie token FAKE_TOKEN_A or
 * FAKE_TOKEN_B names session "sessionaaaaaaaaa" or "sessionbbbbbbbbb" (CSRF token
 * FAKE_CSRF), and a session is alive until the test clears fake_alive_a/b.
 *
 * Header-only (static inline); include after <cmocka.h>. Single thread. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_sessions.h"
#include "http/conn.h"

#define FAKE_TOKEN_A    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FAKE_TOKEN_B    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define FAKE_CSRF       "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define FAKE_HOST       "localhost:9443"
#define FAKE_ORIGIN     "https://localhost:9443"
#define FAKE_SESSION_A  "sessionaaaaaaaaa"
#define FAKE_SESSION_B  "sessionbbbbbbbbb"
#define FAKE_HEADER_MAX 4096
#define FAKE_OUT_MAX    (256u * 1024)

static bool fake_alive_a = true, fake_alive_b = true;

bool __wrap_auth_sessions_lookup(struct auth_sessions *sessions, const char *token,
                                 struct auth_session *out);
bool __wrap_auth_sessions_lookup(struct auth_sessions *sessions, const char *token,
                                 struct auth_session *out)
{
    bool a = !strcmp(token, FAKE_TOKEN_A), b = !strcmp(token, FAKE_TOKEN_B);

    (void)sessions;
    if ((!a || !fake_alive_a) && (!b || !fake_alive_b))
        return false;
    memset(out, 0, sizeof(*out));
    snprintf(out->username, sizeof(out->username), "%s", a ? "alice" : "bob");
    out->role = AUTH_ROLE_ADMIN;
    snprintf(out->csrf_token, sizeof(out->csrf_token), "%s", FAKE_CSRF);
    snprintf(out->id, sizeof(out->id), "%s", a ? FAKE_SESSION_A : FAKE_SESSION_B);
    return true;
}

bool __wrap_auth_sessions_alive(struct auth_sessions *sessions, const char *id);
bool __wrap_auth_sessions_alive(struct auth_sessions *sessions, const char *id)
{
    (void)sessions;
    if (!strcmp(id, FAKE_SESSION_A))
        return fake_alive_a;
    if (!strcmp(id, FAKE_SESSION_B))
        return fake_alive_b;
    return false;
}

/* One fake socket. */
struct fake_sock {
    char headers[CONN_HEADER_ACCEPT + 1][FAKE_HEADER_MAX]; /* request headers ("" absent); the
                                                            * last of enum conn_header */
    enum http_method method;
    char query[256];
    /* what the layer did */
    int heads;  /* status lines written */
    int status; /* the last one */
    uint64_t head_length;
    bool head_close;
    char head_lines[2048];           /* the last one's extra header lines */
    unsigned char out[FAKE_OUT_MAX]; /* every byte written, in order */
    size_t out_len;
    int writes;
    enum conn_write last_kind;
    bool last_fin;
    int finals;      /* CONN_WRITE_HTTP_FINAL writes */
    int want_writes; /* WRITEABLE requests */
    bool rx_off;     /* rx paused */
    int close_code;  /* close frame */
    char close_reason[128];
    int timeout_s;
    bool killed;
    int transactions; /* transaction_done calls */
    int transaction_rc;
    bool tls_pending, choked;
    int adopted_fd;
    bool fail_writes; /* make every write fail */
};

static inline void fake_sock_init(struct fake_sock *s)
{
    memset(s, 0, sizeof(*s));
    s->method = HTTP_GET;
    s->adopted_fd = -1;
    snprintf(s->headers[CONN_HEADER_HOST], FAKE_HEADER_MAX, "%s", FAKE_HOST);
}

static inline void fake_header(struct fake_sock *s, enum conn_header h, const char *value)
{
    snprintf(s->headers[h], FAKE_HEADER_MAX, "%s", value);
}

/* A logged-in request of session A (cookie, CSRF, same Origin). */
static inline void fake_login_a(struct fake_sock *s)
{
    fake_header(s, CONN_HEADER_COOKIE, "virtdeck_session=" FAKE_TOKEN_A);
    fake_header(s, CONN_HEADER_CSRF, FAKE_CSRF);
    fake_header(s, CONN_HEADER_ORIGIN, FAKE_ORIGIN);
}

static int fake_io_header(void *handle, enum conn_header which, char *out, size_t outlen)
{
    struct fake_sock *s = handle;

    if (strlen(s->headers[which]) >= outlen) {
        out[0] = '\0';
        return -1;
    }
    snprintf(out, outlen, "%s", s->headers[which]);
    return 0;
}

static enum http_method fake_io_method(void *handle)
{
    return ((struct fake_sock *)handle)->method;
}

static int fake_io_query(void *handle, char *out, size_t outlen)
{
    struct fake_sock *s = handle;

    if (strlen(s->query) >= outlen)
        return -1;
    snprintf(out, outlen, "%s", s->query);
    return 0;
}

static void fake_io_peer(void *handle, char *out, size_t outlen)
{
    (void)handle;
    snprintf(out, outlen, "::ffff:192.0.2.7");
}

static int fake_io_write_head(void *handle, const struct http_response *resp,
                              uint64_t content_length, bool close)
{
    struct fake_sock *s = handle;

    if (s->fail_writes)
        return -1;
    s->heads++;
    s->status = resp->status;
    s->head_length = content_length;
    s->head_close = close;
    snprintf(s->head_lines, sizeof(s->head_lines), "%.*s", (int)resp->headers.len,
             resp->headers.len ? (const char *)resp->headers.data : "");
    return 0;
}

static int fake_io_write(void *handle, unsigned char *p, size_t len, enum conn_write kind, bool fin)
{
    struct fake_sock *s = handle;

    if (s->fail_writes || s->out_len + len > sizeof(s->out))
        return -1;
    memcpy(s->out + s->out_len, p, len);
    s->out_len += len;
    s->writes++;
    s->last_kind = kind;
    s->last_fin = fin;
    if (kind == CONN_WRITE_HTTP_FINAL)
        s->finals++;
    return 0;
}

static int fake_io_transaction_done(void *handle)
{
    struct fake_sock *s = handle;

    s->transactions++;
    return s->transaction_rc;
}

static void fake_io_want_write(void *handle)
{
    ((struct fake_sock *)handle)->want_writes++;
}

static void fake_io_rx_flow(void *handle, bool enable)
{
    ((struct fake_sock *)handle)->rx_off = !enable;
}

static bool fake_io_tls_pending(void *handle)
{
    return ((struct fake_sock *)handle)->tls_pending;
}

static bool fake_io_choked(void *handle)
{
    return ((struct fake_sock *)handle)->choked;
}

static void fake_io_close_reason(void *handle, int code, const char *reason)
{
    struct fake_sock *s = handle;

    s->close_code = code;
    snprintf(s->close_reason, sizeof(s->close_reason), "%s", reason);
}

static void fake_io_set_timeout(void *handle, int seconds)
{
    ((struct fake_sock *)handle)->timeout_s = seconds;
}

static void fake_io_kill(void *handle)
{
    ((struct fake_sock *)handle)->killed = true;
}

static int fake_io_adopt(void *handle, int fd, const char *protocol, void *opaque)
{
    (void)protocol;
    (void)opaque;
    ((struct fake_sock *)handle)->adopted_fd = fd;
    return 0;
}

static const struct conn_io fake_io = {
    .header = fake_io_header,
    .method = fake_io_method,
    .query = fake_io_query,
    .peer = fake_io_peer,
    .write_head = fake_io_write_head,
    .write = fake_io_write,
    .transaction_done = fake_io_transaction_done,
    .want_write = fake_io_want_write,
    .rx_flow = fake_io_rx_flow,
    .tls_pending = fake_io_tls_pending,
    .choked = fake_io_choked,
    .close_reason = fake_io_close_reason,
    .set_timeout = fake_io_set_timeout,
    .kill = fake_io_kill,
    .adopt = fake_io_adopt,
};

/* A connection layer over fake_io whose API endpoint is api (ctx api_ctx). */
/* config metrics_token of fake_server: opens GET /metrics (ROUTE_ACCESS_SCRAPE) only */
#define FAKE_SCRAPE_TOKEN "scrape-token-0123456789"

static inline struct conn_server *fake_server(const struct conn_endpoint *api, void *api_ctx)
{
    struct conn_server_options options = {
        .io = &fake_io,
        .sessions = NULL, /* the wraps above answer */
        .allowed_origins = "",
        .listen_host = "127.0.0.1",
        .server_names = "",
        .metrics_token = FAKE_SCRAPE_TOKEN,
        .api = api,
        .api_ctx = api_ctx,
    };

    fake_alive_a = fake_alive_b = true;
    return conn_server_new(&options);
}

/* Drives WRITEABLE until the socket stops asking for it (at most max turns). Returns the
 * last callback result. */
static inline int fake_drive(struct conn *conn, struct fake_sock *s, int max)
{
    int rc = 0;

    for (int i = 0; i < max && s->want_writes > 0; i++) {
        s->want_writes = 0;
        rc = conn_on_writeable(conn);
        if (rc < 0)
            break;
    }
    return rc;
}
