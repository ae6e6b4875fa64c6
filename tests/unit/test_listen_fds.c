/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_listen_fds: server/util/listen_fds.c with real descriptors at fd 3: a listening
 * IPv4 and IPv6 TCP socket is taken (address, port, non-blocking, close-on-exec); a TCP
 * socket that does not listen, a Unix socket, a pipe and two passed descriptors are
 * refused with a reason; LISTEN_PID naming another process or no LISTEN_FDS is "none";
 * the variables are gone from the environment afterwards in every case. Single thread;
 * whatever fd 3 was is put back after each test. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/listen_fds.h"

static int saved_fd3 = -1;

static int setup(void **state)
{
    saved_fd3 = fcntl(3, F_GETFD) >= 0 ? fcntl(3, F_DUPFD_CLOEXEC, 10) : -1;
    return 0;
}

static int teardown(void **state)
{
    close(3);
    if (saved_fd3 >= 0) {
        dup2(saved_fd3, 3);
        close(saved_fd3);
    }
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    return 0;
}

/* Moves fd to descriptor 3 and sets the variables as systemd would for count fds. */
static void pass_as_fd3(int fd, int count, long pid)
{
    char text[32];

    assert_int_equal(dup2(fd, 3), 3);
    if (fd != 3)
        close(fd);
    snprintf(text, sizeof(text), "%ld", pid);
    setenv("LISTEN_PID", text, 1);
    snprintf(text, sizeof(text), "%d", count);
    setenv("LISTEN_FDS", text, 1);
    setenv("LISTEN_FDNAMES", "virtdeck.socket", 1);
}

static void assert_environment_clean(void)
{
    assert_null(getenv("LISTEN_PID"));
    assert_null(getenv("LISTEN_FDS"));
    assert_null(getenv("LISTEN_FDNAMES"));
}

/* A TCP socket of family on loopback, port chosen by the kernel, listening if asked. */
static int tcp_socket(int family, int listening, int *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        len = sizeof(*in6);
    }
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
    if (listening)
        assert_int_equal(listen(fd, 4), 0);
    len = sizeof(ss);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

static void test_takes_a_listening_socket(void **state)
{
    struct listen_fd got;
    char err[256] = "";
    int port;

    pass_as_fd3(tcp_socket(AF_INET, 1, &port), 1, (long)getpid());
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), 1);
    assert_int_equal(got.fd, 3);
    assert_string_equal(got.host, "127.0.0.1");
    assert_int_equal(got.port, port);
    assert_true(fcntl(3, F_GETFL) & O_NONBLOCK);
    assert_true(fcntl(3, F_GETFD) & FD_CLOEXEC);
    assert_environment_clean();
}

static void test_takes_ipv6(void **state)
{
    struct listen_fd got;
    char err[256] = "";
    int port;
    int probe = socket(AF_INET6, SOCK_STREAM, 0);

    if (probe < 0) {
        skip(); /* no IPv6 in this machine's kernel */
    }
    close(probe);
    pass_as_fd3(tcp_socket(AF_INET6, 1, &port), 1, (long)getpid());
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), 1);
    assert_string_equal(got.host, "::1");
    assert_int_equal(got.port, port);
}

static void test_none_for_another_process(void **state)
{
    struct listen_fd got;
    char err[256] = "";
    int port;

    pass_as_fd3(tcp_socket(AF_INET, 1, &port), 1, (long)getpid() + 1);
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), 0);
    assert_int_equal(got.fd, -1);
    assert_environment_clean();
    assert_false(fcntl(3, F_GETFL) & O_NONBLOCK); /* not touched */

    setenv("LISTEN_PID", "not-a-number", 1);
    setenv("LISTEN_FDS", "1", 1);
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), 0);
    assert_environment_clean();
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), 0); /* nothing set at all */
}

static void test_refuses_what_cannot_be_served(void **state)
{
    struct listen_fd got;
    char err[256];
    int pipe_fds[2];
    int port;

    err[0] = '\0';
    pass_as_fd3(tcp_socket(AF_INET, 0, &port), 1, (long)getpid());
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), -1);
    assert_string_equal(err, "descriptor 3 is not a listening socket");
    assert_environment_clean();

    {
        sa_family_t family = AF_UNIX; /* bind with the family alone: an autobound name */
        int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);

        assert_int_equal(bind(unix_fd, (struct sockaddr *)&family, sizeof(family)), 0);
        assert_int_equal(listen(unix_fd, 1), 0);
        pass_as_fd3(unix_fd, 1, (long)getpid());
        assert_int_equal(listen_fds_take(&got, err, sizeof(err)), -1);
        assert_string_equal(err, "descriptor 3 is not a TCP socket (IPv4 or IPv6)");
    }

    assert_int_equal(pipe(pipe_fds), 0);
    close(pipe_fds[1]);
    pass_as_fd3(pipe_fds[0], 1, (long)getpid());
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), -1);
    assert_string_equal(err, "descriptor 3 is not a stream socket");

    pass_as_fd3(tcp_socket(AF_INET, 1, &port), 2, (long)getpid());
    assert_int_equal(listen_fds_take(&got, err, sizeof(err)), -1);
    assert_string_equal(err, "systemd passed 2 sockets; virtdeck serves one (one ListenStream=)");
    assert_int_equal(got.fd, -1);
    assert_environment_clean();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_takes_a_listening_socket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_takes_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_none_for_another_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_what_cannot_be_served, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
