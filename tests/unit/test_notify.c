/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_notify: server/util/notify.c against a local datagram reader: nothing without
 * NOTIFY_SOCKET, messages to a path and to an abstract ('@') socket, RELOADING's
 * MONOTONIC_USEC, WATCHDOG_USEC honoured only for our WATCHDOG_PID, and the variables
 * removed from the environment. Single thread; a private temp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/notify.h"
#include "tmp_dir.h"

/* Binds a datagram socket at name (a path, or "@name": abstract). */
static int bind_reader(const char *name)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

    assert_true(fd >= 0);
    memcpy(addr.sun_path, name, strlen(name));
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
    if (name[0] == '@')
        addr.sun_path[0] = '\0';
    else
        len++;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, len), 0);
    return fd;
}

static void expect_message(int fd, const char *want)
{
    char buf[1024];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_no_socket(void **state)
{
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    notify_init();
    assert_int_equal(notify_send("READY=1"), 0);
    assert_int_equal(notify_watchdog_usec(), 0);
}

static void test_path_socket(void **state)
{
    char *dir = tmp_dir_make("notify");
    char *path = tmp_dir_path(dir, "notify.sock");
    char buf[256];
    char pid[32];
    int fd = bind_reader(path);
    struct timespec ts;
    unsigned long long usec, now;
    ssize_t n;

    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("NOTIFY_SOCKET", path, 1);
    setenv("WATCHDOG_USEC", "30000000", 1);
    setenv("WATCHDOG_PID", pid, 1);
    notify_init();
    assert_null(getenv("NOTIFY_SOCKET")); /* children do not inherit them */
    assert_null(getenv("WATCHDOG_USEC"));
    assert_null(getenv("WATCHDOG_PID"));
    assert_int_equal(notify_watchdog_usec(), 30000000);
    assert_int_equal(notify_send("READY=1\nSTATUS=serving %s", "https://x/"), 0);
    expect_message(fd, "READY=1\nSTATUS=serving https://x/");
    assert_int_equal(notify_reloading(), 0);
    n = recv(fd, buf, sizeof(buf) - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000ull;
    assert_true(now >= usec && now - usec < 5000000ull);

    /* the reader is gone: a failed send says so */
    close(fd);
    unlink(path);
    assert_int_equal(notify_send("WATCHDOG=1"), -1);
    free(path);
    tmp_dir_remove(dir);
}

static void test_abstract_and_foreign_watchdog(void **state)
{
    char name[64];
    int fd;

    snprintf(name, sizeof(name), "@virtdeck-test-notify-%ld", (long)getpid());
    fd = bind_reader(name);
    setenv("NOTIFY_SOCKET", name, 1);
    setenv("WATCHDOG_USEC", "1000000", 1);
    setenv("WATCHDOG_PID", "1", 1); /* another process's watchdog */
    notify_init();
    assert_int_equal(notify_watchdog_usec(), 0);
    assert_int_equal(notify_send("STOPPING=1"), 0);
    expect_message(fd, "STOPPING=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
    notify_init();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_socket),
        cmocka_unit_test(test_path_socket),
        cmocka_unit_test(test_abstract_and_foreign_watchdog),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
