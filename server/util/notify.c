/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify: sd_notify's datagram protocol, our own (see notify.h). Any thread after
 * notify_init.
 *
 * Why not libsystemd: the protocol is one AF_UNIX datagram of "KEY=value" lines to the
 * path in $NOTIFY_SOCKET ('@' for the abstract namespace); a few lines of our own avoid a
 * link dependency for every build and test binary, and keep the daemon runnable where
 * libsystemd is not installed. Invariant: notify_socket/notify_addr are written only by
 * notify_init, before any other thread exists. */
#include "util/notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define NOTIFY_MESSAGE_MAX 1024

static struct sockaddr_un notify_addr;
static socklen_t notify_addr_len; /* 0: no socket */
static int64_t notify_watchdog;

void notify_init(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    size_t n;

    notify_addr_len = 0;
    notify_watchdog = 0;
    if (path && (path[0] == '/' || path[0] == '@') &&
        (n = strlen(path)) < sizeof(notify_addr.sun_path)) {
        memset(&notify_addr, 0, sizeof(notify_addr));
        notify_addr.sun_family = AF_UNIX;
        memcpy(notify_addr.sun_path, path, n);
        if (path[0] == '@')
            notify_addr.sun_path[0] = '\0';
        notify_addr_len =
            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/' ? 1 : 0));
    }
    /* the watchdog is ours only if WATCHDOG_PID is unset or names us */
    if (usec && (!pid || strtol(pid, NULL, 10) == (long)getpid())) {
        long long v = strtoll(usec, NULL, 10);

        notify_watchdog = v > 0 ? (int64_t)v : 0;
    }
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int notify_send(const char *fmt, ...)
{
    char msg[NOTIFY_MESSAGE_MAX];
    va_list ap;
    int fd = -1;
    int n;
    int ret = -1;

    if (!notify_addr_len)
        return 0;
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(msg)) {
        log_warn("notify: message too long");
        goto cleanup;
    }
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (const struct sockaddr *)&notify_addr,
                         notify_addr_len) != n) {
        log_warn("notify: cannot send to the service manager: %s", strerror(errno));
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    return ret;
}

int notify_reloading(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return notify_send("RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
                       (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

int64_t notify_watchdog_usec(void)
{
    return notify_watchdog;
}
