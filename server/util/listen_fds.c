/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* listen_fds: the socket-activation protocol, our own (see listen_fds.h). Main thread,
 * before any other thread.
 *
 * Why not libsystemd: as for util/notify.c, the protocol is two environment variables
 * and descriptor 3; a few lines keep every binary free of the link dependency. */
#include "util/listen_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_FDS_START 3 /* SD_LISTEN_FDS_START */

/* A decimal number in [min, max] in the whole of text, or -1. */
static long listen_fds_number(const char *text, long min, long max)
{
    char *end;
    long v;

    if (!text || !*text)
        return -1;
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    return v;
}

/* fd is a listening TCP (IPv4 or IPv6) stream socket: its address into out. */
static int listen_fds_check(int fd, struct listen_fd *out, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof(addr);
    int type = 0, listening = 0, rc;
    socklen_t optlen = sizeof(type);
    char port[NI_MAXSERV];

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) < 0 || type != SOCK_STREAM) {
        snprintf(err, errlen, "descriptor %d is not a stream socket", fd);
        return -1;
    }
    optlen = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) < 0 || !listening) {
        snprintf(err, errlen, "descriptor %d is not a listening socket", fd);
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 ||
        (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) {
        snprintf(err, errlen, "descriptor %d is not a TCP socket (IPv4 or IPv6)", fd);
        return -1;
    }
    rc = getnameinfo((struct sockaddr *)&addr, len, out->host, sizeof(out->host), port,
                     sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
    if (rc != 0) {
        snprintf(err, errlen, "descriptor %d: %s", fd, gai_strerror(rc));
        return -1;
    }
    out->port = (int)listen_fds_number(port, 0, 65535);
    return 0;
}

int listen_fds_take(struct listen_fd *out, char *err, size_t errlen)
{
    long pid = listen_fds_number(getenv("LISTEN_PID"), 1, 0x7fffffff);
    long count = listen_fds_number(getenv("LISTEN_FDS"), 0, 0x7fff);
    int flags;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (pid != (long)getpid() || count <= 0)
        goto cleanup; /* not for us: listen as configured */
    ret = -1;
    if (count != 1) {
        snprintf(err, errlen, "systemd passed %ld sockets; virtdeck serves one (one ListenStream=)",
                 count);
        goto cleanup;
    }
    if (listen_fds_check(LISTEN_FDS_START, out, err, errlen) < 0)
        goto cleanup;
    if ((flags = fcntl(LISTEN_FDS_START, F_GETFL)) < 0 ||
        fcntl(LISTEN_FDS_START, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) < 0) {
        snprintf(err, errlen, "descriptor %d: %s", LISTEN_FDS_START, strerror(errno));
        goto cleanup;
    }
    out->fd = LISTEN_FDS_START;
    ret = 1;

cleanup:
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    return ret;
}
