/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_conn: the connection layer's phases (server/http/conn.c, conn_http.c) driven
 * through a fake io seam (fake_conn.h), no struct lws: a request with a body, a job and
 * its response, then keep-alive; an early answer and the drain that follows it; a
 * download that writes its own response; the request rules (Host, routing, session,
 * CSRF, bounds); websockets opened, written, closed after their last frame, refused at
 * the gate; a connection that closes while its job runs (the answer is dropped); and
 * the id registry; the scrape token on GET /metrics only, and the request counters.
 * Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_conn.h"
#include "metrics/metrics_http.h"

/* ---- test endpoints ------------------------------------------------ */

/* How the test API endpoint answers. */
enum api_mode { API_NOW, API_LATER };

struct api_log {
    enum api_mode mode;
    int opens, closes;
    uint64_t last_id;
    char last_path[256];
    char last_body[256];
    bool last_has_session;
    bool last_scrape;
};

static int api_open(struct conn *conn, const struct http_request *req)
{
    struct api_log *log = conn_ctx(conn);
    struct http_response resp;

    log->opens++;
    log->last_id = req->conn_id;
    log->last_has_session = req->has_session;
    log->last_scrape = req->scrape;
    snprintf(log->last_path, sizeof(log->last_path), "%s", req->path);
    snprintf(log->last_body, sizeof(log->last_body), "%.*s", (int)req->body_len, req->body);
    if (log->mode == API_LATER)
        return 0; /* a job will answer by id */
    http_response_init(&resp);
    http_response_errorf(&resp, 200, "ok", "now");
    conn_respond(conn, &resp);
    http_response_free(&resp);
    return 0;
}

static void api_closed(struct conn *conn)
{
    struct api_log *log = conn_ctx(conn);

    log->closes++;
}

static const struct conn_endpoint test_api = {
    .name = "api",
    .open = api_open,
    .closed = api_closed,
};

/* A streamed endpoint (volume contents): refuses at once, streams a download, or takes
 * an upload. */
enum stream_mode { STREAM_REFUSE, STREAM_DOWNLOAD, STREAM_UPLOAD };

struct stream_log {
    enum stream_mode mode;
    int opens, closes, body_dones, writeables;
    size_t body_bytes;
    bool expected_continue;
};

static struct stream_log stream_log;

static int stream_open(struct conn *conn, const struct http_request *req)
{
    struct http_response resp;

    (void)req;
    stream_log.opens++;
    stream_log.expected_continue = conn_expects_continue(conn);
    conn_set_state(conn, &stream_log);
    if (stream_log.mode == STREAM_REFUSE) {
        http_response_init(&resp);
        http_response_errorf(&resp, 403, "forbidden", "no");
        conn_respond(conn, &resp);
        http_response_free(&resp);
    } else if (stream_log.mode == STREAM_DOWNLOAD) {
        conn_stream(conn);
    }
    return 0;
}

static int stream_body(struct conn *conn, const void *in, size_t len)
{
    (void)conn;
    (void)in;
    stream_log.body_bytes += len;
    return 0;
}

static void stream_body_done(struct conn *conn)
{
    (void)conn;
    stream_log.body_dones++;
}

/* The download: headers, then two pieces; returns 1 after the last. */
static int stream_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + 8];
    struct http_response resp;
    int turn = stream_log.writeables++;

    if (turn == 0) {
        http_response_init(&resp);
        resp.status = 200;
        resp.content_type = "application/octet-stream";
        assert_int_equal(conn_write_head(conn, &resp, 8), 0);
        http_response_free(&resp);
        conn_want_write(conn);
        return 0;
    }
    memcpy(out + CONN_PRE, turn == 1 ? "abcd" : "efgh", 4);
    assert_int_equal(conn_write_body(conn, out + CONN_PRE, 4, turn == 2), 0);
    if (turn == 2)
        return 1;
    conn_want_write(conn);
    return 0;
}

static void stream_closed(struct conn *conn)
{
    assert_ptr_equal(conn_state(conn), &stream_log);
    stream_log.closes++;
}

static const struct conn_endpoint test_stream = {
    .name = "stream",
    .open = stream_open,
    .stream_body = true,
    .body = stream_body,
    .body_done = stream_body_done,
    .writeable = stream_writeable,
    .closed = stream_closed,
};

/* A websocket endpoint: echoes what it receives, one frame per WRITEABLE. */
struct ws_state {
    int opens, closes, receives;
    char session_id[17];
    char pending[4][32];
    int npending;
};

static struct ws_state ws_state;

static int ws_open(struct conn *conn, const struct http_request *req)
{
    ws_state.opens++;
    snprintf(ws_state.session_id, sizeof(ws_state.session_id), "%s", req->session.id);
    conn_set_state(conn, &ws_state);
    return 0;
}

static int ws_receive(struct conn *conn, const void *in, size_t len)
{
    ws_state.receives++;
    if (conn_closing(conn))
        return 0;
    snprintf(ws_state.pending[ws_state.npending++], sizeof(ws_state.pending[0]), "%.*s", (int)len,
             (const char *)in);
    conn_want_write(conn);
    return 0;
}

static int ws_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + 32];
    size_t n;

    if (!ws_state.npending)
        return 0;
    n = strlen(ws_state.pending[0]);
    memcpy(out + CONN_PRE, ws_state.pending[0], n);
    memmove(ws_state.pending[0], ws_state.pending[1], sizeof(ws_state.pending[0]) * 3);
    ws_state.npending--;
    if (conn_ws_write(conn, out + CONN_PRE, n, CONN_WRITE_WS_TEXT, true) < 0)
        return -1;
    if (ws_state.npending)
        conn_want_write(conn);
    return 0;
}

static void ws_closed(struct conn *conn)
{
    assert_ptr_equal(conn_state(conn), &ws_state);
    ws_state.closes++;
}

static const struct conn_endpoint test_ws = {
    .name = "ws",
    .open = ws_open,
    .receive = ws_receive,
    .writeable = ws_writeable,
    .closed = ws_closed,
    .ws_message_max = 1024,
};

static const struct conn_endpoint test_console = {
    .name = "console",
    .open = ws_open,
    .closed = ws_closed,
    .ws_message_max = 1024,
};

#define UUID    "11111111-2222-3333-4444-555555555555"
#define CONTENT "/api/pools/p/volumes/v/content"
#define uri(s)  s, strlen(s)

struct fixture {
    struct api_log api;
    struct conn_server *srv;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    f->srv = fake_server(&test_api, &f->api);
    conn_server_route(f->srv, ROUTE_VOLUME_CONTENT, &test_stream, NULL);
    conn_server_route(f->srv, ROUTE_EVENTS, &test_ws, NULL);
    conn_server_route(f->srv, ROUTE_CONSOLE, &test_console, NULL);
    memset(&stream_log, 0, sizeof(stream_log));
    memset(&ws_state, 0, sizeof(ws_state));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    conn_server_free(f->srv);
    free(f);
    return 0;
}

/* ---- HTTP ------------------------------------------------ */

/* request → body → job → response → keep-alive; the next request has a new id, and a
 * late answer for the first finds nothing. */
static void test_request_body_job_response_keepalive(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    struct http_response resp;
    uint64_t first;

    fake_sock_init(&s);
    s.method = HTTP_POST;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "5");
    f->api.mode = API_LATER;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_phase(conn), CONN_IDLE);

    assert_int_equal(conn_on_request(conn, uri("/api/login")), 0);
    assert_int_equal(conn_phase(conn), CONN_BODY);
    assert_int_equal(f->api.opens, 0); /* a buffered endpoint waits for the body */
    assert_int_equal(conn_on_body(conn, "hel", 3), 0);
    assert_int_equal(conn_on_body(conn, "lo", 2), 0);
    assert_int_equal(conn_on_body_done(conn), 0);
    assert_int_equal(f->api.opens, 1);
    assert_string_equal(f->api.last_body, "hello");
    assert_string_equal(f->api.last_path, "/api/login");
    assert_int_equal(conn_phase(conn), CONN_WAITING);
    first = conn_id(conn);
    assert_int_equal(f->api.last_id, first);
    assert_ptr_equal(conn_find(f->srv, first), conn);
    assert_int_equal(s.want_writes, 0);
    assert_int_equal(conn_on_writeable(conn), 0); /* nothing to write while waiting */
    assert_int_equal(s.heads, 0);

    /* the job's answer */
    http_response_init(&resp);
    http_response_errorf(&resp, 201, "created", "made");
    conn_complete(f->srv, first, &resp);
    http_response_free(&resp);
    assert_int_equal(conn_phase(conn), CONN_WRITING);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(s.heads, 1);
    assert_int_equal(s.status, 201);
    assert_false(s.head_close);
    assert_non_null(strstr(s.head_lines, "X-Frame-Options: DENY"));
    assert_non_null(strstr(s.head_lines, "Cache-Control: no-store"));
    assert_int_equal(s.finals, 1);
    assert_int_equal(s.head_length, s.out_len);
    assert_non_null(strstr((const char *)s.out, "\"made\""));
    assert_int_equal(s.transactions, 1); /* keep-alive */
    assert_int_equal(conn_phase(conn), CONN_IDLE);
    assert_int_equal(f->api.closes, 1);

    /* the next request on the same connection */
    fake_sock_init(&s);
    s.method = HTTP_POST;
    f->api.mode = API_NOW;
    assert_int_equal(conn_on_request(conn, uri("/api/login")), 0);
    assert_true(conn_id(conn) > first);
    assert_null(conn_find(f->srv, first));
    assert_int_equal(conn_phase(conn), CONN_WRITING);
    http_response_init(&resp);
    http_response_errorf(&resp, 500, "late", "for the first request");
    conn_complete(f->srv, first, &resp); /* dropped: that request is over */
    http_response_free(&resp);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(s.status, 200);
    assert_int_equal(s.transactions, 1);
    conn_free(conn);
}

/* HEAD and empty bodies end with the headers. */
static void test_head_ends_with_headers(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    fake_sock_init(&s);
    s.method = HTTP_HEAD;
    fake_login_a(&s);
    f->api.mode = API_NOW;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri("/api/domains")), 0);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(s.heads, 1);
    assert_true(s.head_length > 0);
    assert_int_equal(s.writes, 0);
    assert_int_equal(s.transactions, 1);
    conn_free(conn);
}

/* An upload refused at once: the answer goes out with "Connection: close", the rest of
 * the body is read and dropped, and its end closes the connection. */
static void test_early_answer_drains(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    char piece[4096] = {0};

    fake_sock_init(&s);
    fake_login_a(&s);
    s.method = HTTP_PUT;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "1000000");
    stream_log.mode = STREAM_REFUSE;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri(CONTENT)), 0);
    assert_int_equal(stream_log.opens, 1); /* a streamed endpoint opens at the headers */
    assert_false(stream_log.expected_continue);
    assert_int_equal(conn_phase(conn), CONN_WRITING);
    assert_int_equal(conn_on_body(conn, piece, sizeof(piece)), 0); /* meanwhile: counted */
    assert_int_equal(stream_log.body_bytes, 0);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(s.status, 403);
    assert_true(s.head_close);
    assert_int_equal(conn_phase(conn), CONN_DRAINING);
    assert_int_equal(stream_log.closes, 1); /* the endpoint's part is over */
    assert_int_equal(s.transactions, 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(conn_on_body(conn, piece, sizeof(piece)), 0);
    assert_int_equal(conn_on_body_done(conn), -1); /* now the close is clean */
    conn_free(conn);
    assert_int_equal(stream_log.closes, 1);
}

/* Draining is bounded: past 64 MiB the connection closes. */
static void test_drain_is_bounded(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    static char piece[1024 * 1024];
    int rc = 0, i;

    fake_sock_init(&s);
    fake_login_a(&s);
    s.method = HTTP_PUT;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "999999999");
    stream_log.mode = STREAM_REFUSE;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri(CONTENT)), 0);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(conn_phase(conn), CONN_DRAINING);
    for (i = 0; i < 100 && rc == 0; i++)
        rc = conn_on_body(conn, piece, sizeof(piece));
    assert_int_equal(rc, -1);
    assert_int_equal(i, 65);
    conn_free(conn);
}

/* A client that waits for "100 Continue" sends nothing: a refusal closes at once. */
static void test_refusal_before_continue_closes(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    fake_sock_init(&s);
    fake_login_a(&s);
    s.method = HTTP_PUT;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "1000");
    fake_header(&s, CONN_HEADER_EXPECT, "100-continue");
    stream_log.mode = STREAM_REFUSE;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri(CONTENT)), 0);
    assert_true(stream_log.expected_continue);
    assert_int_equal(fake_drive(conn, &s, 10), -1);
    assert_int_equal(s.status, 403);
    assert_true(s.head_close);
    conn_free(conn);
}

/* An upload: 100 Continue once, the body streams to the endpoint, then its answer. */
static void test_upload_streams(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    struct http_response resp;
    char piece[3000] = {0};

    fake_sock_init(&s);
    fake_login_a(&s);
    s.method = HTTP_PUT;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "6000");
    fake_header(&s, CONN_HEADER_EXPECT, "100-Continue");
    stream_log.mode = STREAM_UPLOAD;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri(CONTENT)), 0);
    assert_int_equal(conn_phase(conn), CONN_BODY);
    assert_true(conn_expects_continue(conn));
    assert_int_equal(conn_send_continue(conn), 0);
    assert_int_equal(conn_send_continue(conn), 0); /* once */
    assert_int_equal(s.writes, 1);
    assert_int_equal(s.last_kind, CONN_WRITE_HTTP_HEADERS);
    assert_memory_equal(s.out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    assert_false(conn_expects_continue(conn));
    assert_int_equal(conn_on_body(conn, piece, sizeof(piece)), 0);
    assert_int_equal(conn_on_body(conn, piece, sizeof(piece)), 0);
    assert_int_equal(stream_log.body_bytes, 6000);
    conn_rx_pause(conn, true);
    assert_true(s.rx_off);
    conn_rx_pause(conn, false);
    assert_false(s.rx_off);
    assert_int_equal(conn_on_body_done(conn), 0);
    assert_int_equal(stream_log.body_dones, 1);
    assert_int_equal(conn_phase(conn), CONN_WAITING);
    http_response_init(&resp);
    http_response_errorf(&resp, 201, "ok", "stored");
    conn_complete(f->srv, conn_id(conn), &resp);
    http_response_free(&resp);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(s.status, 201);
    assert_false(s.head_close);
    assert_int_equal(s.transactions, 1);
    assert_int_equal(stream_log.closes, 1);
    conn_free(conn);
}

/* A download writes its own response; its end is a keep-alive. */
static void test_download_streams(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    fake_sock_init(&s);
    fake_login_a(&s);
    stream_log.mode = STREAM_DOWNLOAD;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri(CONTENT)), 0);
    assert_int_equal(conn_phase(conn), CONN_STREAMING);
    assert_int_equal(fake_drive(conn, &s, 10), 0);
    assert_int_equal(stream_log.writeables, 3);
    assert_int_equal(s.status, 200);
    assert_int_equal(s.head_length, 8);
    assert_non_null(strstr(s.head_lines, "Content-Security-Policy"));
    assert_memory_equal(s.out, "abcdefgh", 8);
    assert_int_equal(s.finals, 1);
    assert_int_equal(s.transactions, 1);
    assert_int_equal(conn_phase(conn), CONN_IDLE);
    assert_int_equal(stream_log.closes, 1);
    conn_free(conn);
    assert_int_equal(stream_log.closes, 1);
}

/* The connection closes while its job runs: the endpoint is told once, and the job's
 * answer, delivered by id, is dropped. */
static void test_close_while_job_pending(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    struct http_response resp;
    uint64_t id;

    fake_sock_init(&s);
    fake_login_a(&s);
    f->api.mode = API_LATER;
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri("/api/domains")), 0);
    assert_true(f->api.last_has_session);
    id = conn_id(conn);
    assert_int_equal(conn_phase(conn), CONN_WAITING);
    conn_free(conn);
    assert_int_equal(f->api.closes, 1);
    assert_null(conn_find(f->srv, id));
    http_response_init(&resp);
    http_response_errorf(&resp, 200, "ok", "too late");
    conn_complete(f->srv, id, &resp);
    assert_int_equal(resp.status, 200); /* not taken: its owner frees it */
    http_response_free(&resp);
}

/* Every rule the layer applies before an endpoint sees the request. */
static void test_request_rules(void **state)
{
    static const struct {
        const char *path;
        enum http_method method;
        const char *header_name;
        enum conn_header header;
        const char *value;
        bool logged_in;
        int status;
        bool close;
    } cases[] = {
        {"/api/nope", HTTP_GET, "", CONN_HEADER_HOST, FAKE_HOST, true, 404, false},
        {"/api/domains", HTTP_DELETE, "", CONN_HEADER_HOST, FAKE_HOST, true, 405, false},
        {"/api/domains", HTTP_GET, "", CONN_HEADER_HOST, FAKE_HOST, false, 401, false},
        {"/api/domains", HTTP_GET, "Host", CONN_HEADER_HOST, "evil.example", true, 421, false},
        {"/api/domains", HTTP_GET, "Host", CONN_HEADER_HOST, "", true, 400, false},
        {"/api/events", HTTP_GET, "", CONN_HEADER_HOST, FAKE_HOST, true, 400, false},
        {"/api/logout", HTTP_POST, "X-CSRF-Token", CONN_HEADER_CSRF, "", true, 403, false},
        {"/api/logout", HTTP_POST, "Origin", CONN_HEADER_ORIGIN, "https://evil.example", true, 403,
         false},
        {"/api/login", HTTP_POST, "Content-Length", CONN_HEADER_CONTENT_LENGTH, "70000", false, 413,
         true},
        {"/api/login", HTTP_POST, "Content-Length", CONN_HEADER_CONTENT_LENGTH, "12x", false, 400,
         true},
        {"/api/login", HTTP_POST, "Transfer-Encoding", CONN_HEADER_TRANSFER_ENCODING, "chunked",
         false, 411, true},
        {"/api/domains", HTTP_GET, "Content-Length", CONN_HEADER_CONTENT_LENGTH, "10", false, 401,
         true},
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fake_sock s;
        struct conn *conn;

        fake_sock_init(&s);
        if (cases[i].logged_in)
            fake_login_a(&s);
        fake_header(&s, cases[i].header, cases[i].value);
        s.method = cases[i].method;
        f->api.opens = 0;
        conn = conn_new(f->srv, &s);
        assert_int_equal(conn_on_request(conn, cases[i].path, strlen(cases[i].path)), 0);
        fake_drive(conn, &s, 10);
        if (s.status != cases[i].status || s.head_close != cases[i].close)
            fail_msg("case %zu (%s %s): status %d close %d", i, cases[i].path, cases[i].header_name,
                     s.status, s.head_close);
        assert_int_equal(f->api.opens, 0);
        if (cases[i].status == 405)
            assert_non_null(strstr(s.head_lines, "Allow: GET, HEAD"));
        conn_free(conn);
    }
}

/* GET /metrics: the scrape token (config metrics_token, Authorization: Bearer) opens it
 * without a session, and nothing else; a wrong token or none is 401 before the
 * endpoint; a session opens it too. Every answer is counted under its row. */
static void test_scrape_token(void **state)
{
    static const struct {
        const char *path;
        const char *authorization;
        bool logged_in;
        int status; /* 200: reached the endpoint */
        bool scrape;
    } cases[] = {
        {"/metrics", "Bearer " FAKE_SCRAPE_TOKEN, false, 200, true},
        {"/metrics", "Bearer " FAKE_SCRAPE_TOKEN "x", false, 401, false},
        {"/metrics", "Bearer scrape-token-012345678", false, 401, false},
        {"/metrics", "", false, 401, false},
        {"/metrics", "", true, 200, false},
        {"/api/domains", "Bearer " FAKE_SCRAPE_TOKEN, false, 401, false},
    };
    struct fixture *f = *state;
    struct metrics_http *m = conn_server_metrics(f->srv);
    const struct metrics_http_route *row = &m->routes[ROUTE_ROW_METRICS];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fake_sock s;
        struct conn *conn;

        fake_sock_init(&s);
        if (cases[i].logged_in)
            fake_login_a(&s);
        fake_header(&s, CONN_HEADER_AUTHORIZATION, cases[i].authorization);
        s.method = HTTP_GET;
        f->api.opens = 0;
        f->api.last_scrape = false;
        conn = conn_new(f->srv, &s);
        assert_int_equal(conn_on_request(conn, cases[i].path, strlen(cases[i].path)), 0);
        fake_drive(conn, &s, 10);
        if (s.status != cases[i].status || f->api.opens != (cases[i].status == 200) ||
            f->api.last_scrape != cases[i].scrape)
            fail_msg("case %zu (%s): status %d opens %d scrape %d", i, cases[i].path, s.status,
                     f->api.opens, f->api.last_scrape);
        conn_free(conn);
    }
    assert_string_equal(row->route, "/metrics");
    assert_string_equal(row->method, "GET");
    assert_int_equal(atomic_load(&row->by_class[1]), 2); /* 2xx */
    assert_int_equal(atomic_load(&row->by_class[3]), 3); /* 4xx */
    assert_int_equal(atomic_load(&row->count), 5);
    assert_int_equal(atomic_load(&m->routes[ROUTE_ROW_DOMAINS_LIST].by_class[3]), 1);
    assert_true(atomic_load(&m->bytes_sent) > 0);
}

/* A buffered body beyond 64 KiB without a Content-Length that says so: 413, close. */
static void test_body_overflow(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;
    static char piece[16 * 1024];
    int i;

    fake_sock_init(&s);
    s.method = HTTP_POST;
    fake_header(&s, CONN_HEADER_CONTENT_LENGTH, "60000");
    conn = conn_new(f->srv, &s);
    assert_int_equal(conn_on_request(conn, uri("/api/login")), 0);
    for (i = 0; i < 5 && conn_phase(conn) == CONN_BODY; i++)
        assert_int_equal(conn_on_body(conn, piece, sizeof(piece)), 0);
    assert_int_equal(i, 5);
    assert_int_equal(conn_phase(conn), CONN_WRITING);
    assert_int_equal(fake_drive(conn, &s, 10), -1);
    assert_int_equal(s.status, 413);
    assert_int_equal(f->api.opens, 0);
    conn_free(conn);
}

/* ---- websockets ------------------------------------------------ */

static void ws_upgrade_headers(struct fake_sock *s, const char *path)
{
    fake_sock_init(s);
    fake_login_a(s);
    fake_header(s, CONN_HEADER_GET_URI, path);
}

/* The gate before the upgrade: a refusal is a complete JSON answer. */
static void test_ws_gate_refusals(void **state)
{
    static const struct {
        const char *path;
        enum conn_header header;
        const char *value;
        int status;
        const char *message;
    } cases[] = {
        {"/api/events", CONN_HEADER_ORIGIN, "https://evil.example", 403, "foreign"},
        {"/api/events", CONN_HEADER_ORIGIN, "", 403, "foreign or missing"},
        {"/api/events", CONN_HEADER_COOKIE, "", 401, "not logged in"},
        {"/api/domains", CONN_HEADER_HOST, FAKE_HOST, 404, "no websocket endpoint"},
        {"/api/events", CONN_HEADER_HOST, "evil.example", 421, "server_names"},
        {"/api/domains/not-a-uuid/console", CONN_HEADER_HOST, FAKE_HOST, 400, "UUID"},
    };
    struct fixture *f = *state;
    struct fake_sock s;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ws_upgrade_headers(&s, cases[i].path);
        fake_header(&s, cases[i].header, cases[i].value);
        assert_int_equal(conn_ws_confirm(f->srv, &s, "websocket"), 1);
        assert_int_equal(s.status, cases[i].status);
        assert_int_equal(s.finals, 1);
        assert_non_null(strstr((const char *)s.out, cases[i].message));
        assert_null(conn_ws_accept(f->srv, &s));
    }
    ws_upgrade_headers(&s, "/api/events");
    assert_int_equal(conn_ws_confirm(f->srv, &s, "h2c"), 1);
    assert_int_equal(s.status, 400);
    ws_upgrade_headers(&s, "/api/domains/" UUID "/console");
    assert_int_equal(conn_ws_confirm(f->srv, &s, "websocket"), 0);
    assert_int_equal(s.heads, 0);
    assert_int_equal(ws_state.opens, 0);
}

/* Open, echo, close after the last frame, closed once. */
static void test_ws_open_write_close(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    ws_upgrade_headers(&s, "/api/events");
    assert_int_equal(conn_ws_confirm(f->srv, &s, "websocket"), 0);
    conn = conn_ws_accept(f->srv, &s);
    assert_non_null(conn);
    assert_int_equal(conn_phase(conn), CONN_UPGRADING);
    assert_int_equal(conn_ws_message_max(conn), 1024);
    assert_ptr_equal(conn_find(f->srv, conn_id(conn)), conn);
    assert_int_equal(conn_ws_established(conn), 0);
    assert_int_equal(conn_phase(conn), CONN_WS_OPEN);
    assert_int_equal(ws_state.opens, 1);
    assert_string_equal(ws_state.session_id, FAKE_SESSION_A);
    assert_string_equal(conn_peer(conn), "192.0.2.7"); /* ::ffff: dropped */
    assert_int_equal(conn_sessions_sockets(f->srv, FAKE_SESSION_A), 1);

    assert_int_equal(conn_on_receive(conn, "one", 3), 0);
    assert_int_equal(conn_on_receive(conn, "two", 3), 0);
    conn_close(conn, 4000, "bye");
    conn_close(conn, 4999, "second close loses");
    assert_true(conn_closing(conn));
    assert_int_equal(conn_on_receive(conn, "three", 5), 0); /* the endpoint ignores it */
    assert_int_equal(ws_state.npending, 2);
    /* two frames, then the close in the first turn that writes nothing */
    assert_int_equal(fake_drive(conn, &s, 10), -1);
    assert_memory_equal(s.out, "onetwo", 6);
    assert_int_equal(s.writes, 2);
    assert_int_equal(s.last_kind, CONN_WRITE_WS_TEXT);
    assert_int_equal(s.close_code, 4000);
    assert_string_equal(s.close_reason, "bye");
    conn_free(conn);
    assert_int_equal(ws_state.closes, 1);
    assert_int_equal(conn_sessions_count(f->srv), 0);
}

/* conn_close_now: the close frame is set at once, for the -1 that follows. */
static void test_ws_close_now(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    ws_upgrade_headers(&s, "/api/events");
    conn = conn_ws_accept(f->srv, &s);
    assert_int_equal(conn_ws_established(conn), 0);
    assert_int_equal(conn_close_now(conn, 1008, "too slow"), -1);
    assert_int_equal(s.close_code, 1008);
    assert_string_equal(s.close_reason, "too slow");
    conn_free(conn);
}

/* Gone before ESTABLISHED: the endpoint was never opened, so it is not closed either. */
static void test_ws_never_established(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    ws_upgrade_headers(&s, "/api/domains/" UUID "/console");
    conn = conn_ws_accept(f->srv, &s);
    assert_non_null(conn);
    conn_free(conn);
    assert_int_equal(ws_state.opens, 0);
    assert_int_equal(ws_state.closes, 0);
}

/* The endpoint's helpers reach the socket through the seam. */
static void test_ws_socket_calls(void **state)
{
    struct fixture *f = *state;
    struct fake_sock s;
    struct conn *conn;

    ws_upgrade_headers(&s, "/api/events");
    conn = conn_ws_accept(f->srv, &s);
    assert_int_equal(conn_ws_established(conn), 0);
    s.tls_pending = true;
    assert_true(conn_tls_pending(conn));
    s.choked = true;
    assert_true(conn_choked(conn));
    conn_set_timeout(conn, 60);
    assert_int_equal(s.timeout_s, 60);
    assert_int_equal(conn_adopt_socket(conn, 42, "raw", NULL), 0);
    assert_int_equal(s.adopted_fd, 42);
    conn_kill(conn);
    assert_true(s.killed);
    s.fail_writes = true;
    ws_state.npending = 1;
    snprintf(ws_state.pending[0], sizeof(ws_state.pending[0]), "x");
    s.want_writes = 1;
    assert_int_equal(fake_drive(conn, &s, 1), -1); /* a failed write closes */
    conn_free(conn);
}

/* ---- the id registry ------------------------------------------------ */

/* Ids are unique, found in O(1) through growth, and gone with their connection. */
static void test_registry(void **state)
{
    enum { N = 3000 };
    struct fixture *f = *state;
    struct fake_sock *socks = calloc(N, sizeof(*socks));
    struct conn **conns = calloc(N, sizeof(*conns));
    uint64_t *ids = calloc(N, sizeof(*ids));

    f->api.mode = API_LATER;
    for (int i = 0; i < N; i++) {
        fake_sock_init(&socks[i]);
        fake_login_a(&socks[i]);
        conns[i] = conn_new(f->srv, &socks[i]);
        assert_int_equal(conn_on_request(conns[i], uri("/api/domains")), 0);
        ids[i] = conn_id(conns[i]);
        assert_true(i == 0 || ids[i] > ids[i - 1]);
    }
    for (int i = 0; i < N; i++)
        assert_ptr_equal(conn_find(f->srv, ids[i]), conns[i]);
    for (int i = 0; i < N; i += 2)
        conn_free(conns[i]);
    for (int i = 0; i < N; i++)
        assert_ptr_equal(conn_find(f->srv, ids[i]), i % 2 ? conns[i] : NULL);
    assert_null(conn_find(f->srv, 0));
    assert_null(conn_find(f->srv, ids[N - 1] + 1));
    for (int i = 1; i < N; i += 2)
        conn_free(conns[i]);
    free(socks);
    free(conns);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_body_job_response_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_ends_with_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_early_answer_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusal_before_continue_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_while_job_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scrape_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ws_gate_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ws_open_write_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ws_close_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ws_never_established, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ws_socket_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
