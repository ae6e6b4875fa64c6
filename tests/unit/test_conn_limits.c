/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_conn_limits: server/http/conn_limits.c — per-address caps on open and pending
 * connections, IPv6 /64 and IPv4-mapped keys, the first-request deadline in accept
 * order, staged admits that never became connections, and release on close.
 * Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "http/conn_limits.h"

static struct sockaddr_storage addr4(const char *text)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;

    memset(&ss, 0, sizeof(ss));
    in->sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, text, &in->sin_addr), 1);
    return ss;
}

static struct sockaddr_storage addr6(const char *text)
{
    struct sockaddr_storage ss;
    struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;

    memset(&ss, 0, sizeof(ss));
    in->sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, text, &in->sin6_addr), 1);
    return ss;
}

/* Admits and binds one connection named conn; returns the verdict. */
static enum conn_limits_verdict open_conn(struct conn_limits *l, const struct sockaddr_storage *ss,
                                          int fd, const void *conn, int64_t now)
{
    bool warn;
    unsigned long refused;
    enum conn_limits_verdict v =
        conn_limits_admit(l, fd, (const struct sockaddr *)ss, sizeof(*ss), now, &warn, &refused);

    if (v == CONN_LIMITS_ADMITTED)
        conn_limits_bind(l, fd, conn);
    return v;
}

static void counts(struct conn_limits *l, const struct sockaddr_storage *ss, int open, int pending)
{
    int o, p;

    conn_limits_count(l, (const struct sockaddr *)ss, sizeof(*ss), &o, &p);
    assert_int_equal(o, open);
    assert_int_equal(p, pending);
}

static char conns[64];

static void test_pending_cap_then_open_cap(void **state)
{
    struct conn_limits *l = conn_limits_new(4, 2, 5000);
    struct sockaddr_storage a = addr4("192.0.2.7"), b = addr4("192.0.2.8");

    (void)state;
    assert_int_equal(open_conn(l, &a, 10, &conns[0], 0), CONN_LIMITS_ADMITTED);
    assert_int_equal(open_conn(l, &a, 11, &conns[1], 0), CONN_LIMITS_ADMITTED);
    /* two pending: a third is refused, another address is not */
    assert_int_equal(open_conn(l, &a, 12, &conns[2], 0), CONN_LIMITS_TOO_MANY_PENDING);
    assert_int_equal(open_conn(l, &b, 12, &conns[2], 0), CONN_LIMITS_ADMITTED);
    counts(l, &a, 2, 2);
    /* requests arrive: no longer pending, so more may connect, up to four open */
    conn_limits_request_seen(l, &conns[0]);
    conn_limits_request_seen(l, &conns[1]);
    conn_limits_request_seen(l, &conns[1]); /* twice: counted once */
    counts(l, &a, 2, 0);
    assert_int_equal(open_conn(l, &a, 13, &conns[3], 0), CONN_LIMITS_ADMITTED);
    assert_int_equal(open_conn(l, &a, 14, &conns[4], 0), CONN_LIMITS_ADMITTED);
    assert_int_equal(open_conn(l, &a, 15, &conns[5], 0), CONN_LIMITS_TOO_MANY);
    counts(l, &a, 4, 2);
    /* a close frees a place */
    conn_limits_closed(l, &conns[3]);
    conn_limits_closed(l, &conns[3]); /* unknown now: nothing happens */
    counts(l, &a, 3, 1);
    assert_int_equal(open_conn(l, &a, 15, &conns[5], 0), CONN_LIMITS_ADMITTED);
    conn_limits_free(l);
}

static void test_keys(void **state)
{
    struct conn_limits *l = conn_limits_new(2, 2, 5000);
    struct sockaddr_storage v6a = addr6("2001:db8:1:2::1"), v6b = addr6("2001:db8:1:2:ffff::9");
    struct sockaddr_storage v6c = addr6("2001:db8:1:3::1");
    struct sockaddr_storage mapped = addr6("::ffff:198.51.100.4"), v4 = addr4("198.51.100.4");
    char text[64];

    (void)state;
    /* one /64 is one address */
    assert_int_equal(open_conn(l, &v6a, 1, &conns[0], 0), CONN_LIMITS_ADMITTED);
    assert_int_equal(open_conn(l, &v6b, 2, &conns[1], 0), CONN_LIMITS_ADMITTED);
    assert_int_equal(open_conn(l, &v6b, 3, &conns[2], 0), CONN_LIMITS_TOO_MANY);
    assert_int_equal(open_conn(l, &v6c, 3, &conns[2], 0), CONN_LIMITS_ADMITTED);
    /* an IPv4-mapped address is its IPv4 address */
    assert_int_equal(open_conn(l, &mapped, 4, &conns[3], 0), CONN_LIMITS_ADMITTED);
    counts(l, &v4, 1, 1);
    conn_limits_format_addr((const struct sockaddr *)&v6b, sizeof(v6b), text, sizeof(text));
    assert_string_equal(text, "2001:db8:1:2::/64");
    conn_limits_format_addr((const struct sockaddr *)&mapped, sizeof(mapped), text, sizeof(text));
    assert_string_equal(text, "198.51.100.4");
    conn_limits_free(l);
}

static void test_deadlines_in_accept_order(void **state)
{
    struct conn_limits *l = conn_limits_new(100, 100, 5000);
    struct sockaddr_storage a = addr4("192.0.2.7");

    (void)state;
    assert_int_equal(conn_limits_next_deadline(l), -1);
    open_conn(l, &a, 1, &conns[0], 1000);
    open_conn(l, &a, 2, &conns[1], 2000);
    open_conn(l, &a, 3, &conns[2], 3000);
    assert_int_equal(conn_limits_next_deadline(l), 6000);
    assert_null(conn_limits_next_expired(l, 5999));
    /* the first one asked in time; the second expires; the third not yet */
    conn_limits_request_seen(l, &conns[0]);
    assert_int_equal(conn_limits_next_deadline(l), 7000);
    assert_ptr_equal(conn_limits_next_expired(l, 7500), &conns[1]);
    assert_null(conn_limits_next_expired(l, 7500));
    assert_int_equal(conn_limits_next_deadline(l), 8000);
    /* an expired connection still counts until it is closed */
    counts(l, &a, 3, 2);
    conn_limits_closed(l, &conns[1]);
    counts(l, &a, 2, 1);
    conn_limits_closed(l, &conns[2]);
    assert_int_equal(conn_limits_next_deadline(l), -1);
    conn_limits_free(l);
}

static void test_unbound_admit_is_released(void **state)
{
    struct conn_limits *l = conn_limits_new(1, 1, 5000);
    struct sockaddr_storage a = addr4("192.0.2.7");
    bool warn;
    unsigned long refused;

    (void)state;
    /* admitted, but the server dropped the socket before it became a connection */
    assert_int_equal(conn_limits_admit(l, 7, (struct sockaddr *)&a, sizeof(a), 0, &warn, &refused),
                     CONN_LIMITS_ADMITTED);
    conn_limits_bind(l, 8, &conns[0]); /* another fd: ignored */
    /* the next admit releases it first, so the address is not blocked by a ghost */
    assert_int_equal(open_conn(l, &a, 9, &conns[1], 0), CONN_LIMITS_ADMITTED);
    counts(l, &a, 1, 1);
    conn_limits_closed(l, &conns[0]); /* never bound: nothing */
    conn_limits_closed(l, &conns[1]);
    counts(l, &a, 0, 0);
    conn_limits_free(l);
}

static void test_refusals_warn_once_per_period(void **state)
{
    struct conn_limits *l = conn_limits_new(1, 1, 5000);
    struct sockaddr_storage a = addr4("192.0.2.7");
    bool warn;
    unsigned long refused;
    int warnings = 0;

    (void)state;
    open_conn(l, &a, 1, &conns[0], 0);
    for (int64_t t = 0; t < 25000; t += 100) {
        assert_int_equal(
            conn_limits_admit(l, 2, (struct sockaddr *)&a, sizeof(a), t, &warn, &refused),
            CONN_LIMITS_TOO_MANY);
        if (warn) {
            warnings++;
            assert_true(refused >= 1);
            if (t > 0)
                assert_int_equal(refused, 100); /* 10 s of refusals, 100 ms apart */
        }
    }
    assert_int_equal(warnings, 3); /* at 0, 10 s, 20 s */
    conn_limits_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_cap_then_open_cap),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_deadlines_in_accept_order),
        cmocka_unit_test(test_unbound_admit_is_released),
        cmocka_unit_test(test_refusals_warn_once_per_period),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
