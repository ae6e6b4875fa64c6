/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* listen_fds: the listening socket a service manager passes to a socket-activated daemon
 * (sd_listen_fds(3)'s protocol: LISTEN_PID names the process, LISTEN_FDS counts the
 * descriptors from 3 on), read without libsystemd.
 *
 * systemd opens a privileged port such as 443 for the daemon (virtdeck.socket), so the
 * daemon itself needs no capability. Main thread, before any other thread starts: it
 * removes the variables from the environment (programs the daemon starts must not take
 * the socket for theirs). */
#pragma once

#include <netdb.h>
#include <stddef.h>

struct listen_fd {
    int fd;                /* owned by the caller: non-blocking, close-on-exec */
    char host[NI_MAXHOST]; /* its local address, numeric ("127.0.0.1", "::") */
    int port;
};

/* 1: exactly one listening TCP socket was passed to this process, *out filled. 0: none
 * was passed (no LISTEN_FDS, or it names another process). -1: what was passed cannot be
 * served (several descriptors, or not a listening TCP stream socket), err says why; the
 * descriptors are left alone. The variables are removed in every case. */
int listen_fds_take(struct listen_fd *out, char *err, size_t errlen);
