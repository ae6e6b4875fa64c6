/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_conn_sessions: the session registry (server/http/conn_sessions.c) through a fake
 * io seam (fake_conn.h): every websocket joins its session when established and leaves
 * when it closes; ending a session tells each of its sockets once, through its
 * endpoint's session_ended or the default close (4401 "session ended"), and leaves
 * other sessions alone; the housekeeping check ends exactly the sessions that are no
 * longer alive, once; HTTP requests never join. Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_conn.h"

/* An endpoint like /api/events: says goodbye with a message, then closes 1000. */
struct sub {
    int ended;
    int closed;
    bool goodbye_queued;
};

static struct sub subs[8];
static int nsubs;

static int sub_open(struct conn *conn, const struct http_request *req)
{
    (void)req;
    conn_set_state(conn, &subs[nsubs++]);
    return 0;
}

static void sub_session_ended(struct conn *conn)
{
    struct sub *s = conn_state(conn);

    s->ended++;
    s->goodbye_queued = true;
    conn_close(conn, 1000, "session ended");
}

/* Writes the goodbye once. */
static int sub_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + 64];
    struct sub *s = conn_state(conn);

    if (!s->goodbye_queued)
        return 0;
    s->goodbye_queued = false;
    memcpy(out + CONN_PRE, "expired", 7);
    return conn_ws_write(conn, out + CONN_PRE, 7, CONN_WRITE_WS_TEXT, true);
}

static void sub_closed(struct conn *conn)
{
    struct sub *s = conn_state(conn);

    s->closed++;
}

static const struct conn_endpoint events_like = {
    .name = "events",
    .open = sub_open,
    .writeable = sub_writeable,
    .session_ended = sub_session_ended,
    .closed = sub_closed,
    .ws_message_max = 4096,
};

/* An endpoint like the consoles: no session_ended, so the layer's default applies. */
static const struct conn_endpoint console_like = {
    .name = "console",
    .open = sub_open,
    .writeable = sub_writeable,
    .closed = sub_closed,
    .ws_message_max = 4096,
};

static int api_open(struct conn *conn, const struct http_request *req)
{
    (void)conn;
    (void)req;
    return 0; /* answers later */
}

static const struct conn_endpoint api = {.name = "api", .open = api_open};

struct sock {
    struct fake_sock s;
    struct conn *conn;
};

static struct conn_server *srv;

static int setup(void **state)
{
    (void)state;
    srv = fake_server(&api, NULL);
    conn_server_route(srv, ROUTE_EVENTS, &events_like, NULL);
    conn_server_route(srv, ROUTE_SERIAL, &console_like, NULL);
    memset(subs, 0, sizeof(subs));
    nsubs = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    conn_server_free(srv);
    return 0;
}

/* A websocket of the session with this cookie token on path, established. */
static void ws_open(struct sock *k, const char *token, const char *path)
{
    char cookie[128];

    fake_sock_init(&k->s);
    snprintf(cookie, sizeof(cookie), "virtdeck_session=%s", token);
    fake_header(&k->s, CONN_HEADER_COOKIE, cookie);
    fake_header(&k->s, CONN_HEADER_ORIGIN, FAKE_ORIGIN);
    fake_header(&k->s, CONN_HEADER_GET_URI, path);
    k->conn = conn_ws_accept(srv, &k->s);
    assert_non_null(k->conn);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_A) +
                         conn_sessions_sockets(srv, FAKE_SESSION_B),
                     (unsigned)nsubs); /* not yet: joins when established */
    assert_int_equal(conn_ws_established(k->conn), 0);
}

#define SERIAL "/api/domains/11111111-2222-3333-4444-555555555555/serial"

/* One call ends a session: each socket is told once, the other session is untouched,
 * and every socket closes the way its endpoint does. */
static void test_end_one_session(void **state)
{
    struct sock a1, a2, b1;

    (void)state;
    ws_open(&a1, FAKE_TOKEN_A, "/api/events");
    ws_open(&a2, FAKE_TOKEN_A, SERIAL);
    ws_open(&b1, FAKE_TOKEN_B, "/api/events");
    assert_int_equal(conn_sessions_count(srv), 2);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_A), 2);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_B), 1);

    conn_sessions_end(srv, FAKE_SESSION_A);
    assert_int_equal(conn_sessions_count(srv), 1);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_A), 0);
    assert_int_equal(subs[0].ended, 1); /* events-like: its own goodbye */
    assert_true(conn_closing(a1.conn));
    assert_true(conn_closing(a2.conn)); /* console-like: the default */
    assert_false(conn_closing(b1.conn));
    conn_sessions_end(srv, FAKE_SESSION_A); /* nothing left to tell */
    assert_int_equal(subs[0].ended, 1);

    /* the events-like socket writes its goodbye, then closes 1000 */
    assert_int_equal(fake_drive(a1.conn, &a1.s, 10), -1);
    assert_memory_equal(a1.s.out, "expired", 7);
    assert_int_equal(a1.s.close_code, 1000);
    assert_string_equal(a1.s.close_reason, "session ended");
    /* the console-like one closes 4401 at once (nothing to write) */
    assert_int_equal(fake_drive(a2.conn, &a2.s, 10), -1);
    assert_int_equal(a2.s.writes, 0);
    assert_int_equal(a2.s.close_code, CONN_CLOSE_SESSION_ENDED);
    assert_string_equal(a2.s.close_reason, "session ended");

    conn_free(a1.conn);
    conn_free(a2.conn);
    assert_int_equal(subs[0].closed, 1);
    assert_int_equal(subs[1].closed, 1);
    assert_int_equal(b1.s.close_code, 0);
    conn_free(b1.conn);
    assert_int_equal(conn_sessions_count(srv), 0);
}

/* The housekeeping check ends the sessions that died (logout, expiry, the CLI), once. */
static void test_check_ends_dead_sessions(void **state)
{
    struct sock a1, b1, b2;

    (void)state;
    ws_open(&a1, FAKE_TOKEN_A, "/api/events");
    ws_open(&b1, FAKE_TOKEN_B, "/api/events");
    ws_open(&b2, FAKE_TOKEN_B, SERIAL);
    conn_sessions_check(srv);
    assert_false(conn_closing(a1.conn) || conn_closing(b1.conn) || conn_closing(b2.conn));

    fake_alive_b = false;
    conn_sessions_check(srv);
    assert_false(conn_closing(a1.conn));
    assert_true(conn_closing(b1.conn));
    assert_true(conn_closing(b2.conn));
    assert_int_equal(subs[1].ended, 1);
    conn_sessions_check(srv); /* told once */
    assert_int_equal(subs[1].ended, 1);
    assert_int_equal(conn_sessions_count(srv), 1);

    fake_alive_a = false;
    conn_sessions_check(srv);
    assert_true(conn_closing(a1.conn));
    assert_int_equal(conn_sessions_count(srv), 0);
    conn_free(b2.conn);
    conn_free(a1.conn);
    conn_free(b1.conn);
    for (int i = 0; i < 3; i++)
        assert_int_equal(subs[i].closed, 1);
}

/* A socket that closes leaves its session; the last one takes the session out. */
static void test_close_leaves(void **state)
{
    struct sock a1, a2;

    (void)state;
    ws_open(&a1, FAKE_TOKEN_A, "/api/events");
    ws_open(&a2, FAKE_TOKEN_A, "/api/events");
    conn_free(a1.conn);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_A), 1);
    conn_free(a2.conn);
    assert_int_equal(conn_sessions_count(srv), 0);
    fake_alive_a = false;
    conn_sessions_check(srv); /* nothing left to end */
    assert_int_equal(subs[0].ended + subs[1].ended, 0);
}

/* HTTP requests in flight are not in the registry: their answer still comes. */
static void test_http_not_registered(void **state)
{
    struct fake_sock s;
    struct conn *conn;

    (void)state;
    fake_sock_init(&s);
    fake_login_a(&s);
    conn = conn_new(srv, &s);
    assert_int_equal(conn_on_request(conn, "/api/domains", strlen("/api/domains")), 0);
    assert_int_equal(conn_sessions_count(srv), 0);
    fake_alive_a = false;
    conn_sessions_check(srv);
    assert_int_equal(conn_phase(conn), CONN_WAITING);
    conn_free(conn);
}

/* Hundreds of sockets in two sessions: ending one touches exactly its own. */
static void test_many_sockets(void **state)
{
    enum { N = 600 };
    static struct fake_sock socks[N];
    static struct conn *conns[N];
    char id[17];

    (void)state;
    for (int i = 0; i < N; i++) {
        fake_sock_init(&socks[i]);
        fake_header(&socks[i], CONN_HEADER_COOKIE,
                    i % 2 ? "virtdeck_session=" FAKE_TOKEN_A : "virtdeck_session=" FAKE_TOKEN_B);
        fake_header(&socks[i], CONN_HEADER_ORIGIN, FAKE_ORIGIN);
        fake_header(&socks[i], CONN_HEADER_GET_URI, SERIAL);
        conns[i] = conn_ws_accept(srv, &socks[i]);
        assert_int_equal(conn_ws_established(conns[i]), 0);
        nsubs = 0; /* the endpoint's state table is small; it is not what this counts */
    }
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_A), N / 2);
    assert_int_equal(conn_sessions_sockets(srv, FAKE_SESSION_B), N / 2);
    snprintf(id, sizeof(id), "%s", "sessionzzzzzzzzz");
    conn_sessions_end(srv, id); /* unknown: nothing */
    conn_sessions_end(srv, FAKE_SESSION_B);
    for (int i = 0; i < N; i++)
        assert_int_equal(conn_closing(conns[i]), i % 2 == 0);
    for (int i = 0; i < N; i++)
        conn_free(conns[i]);
    assert_int_equal(conn_sessions_count(srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_end_one_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_ends_dead_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_leaves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_not_registered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_sockets, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
