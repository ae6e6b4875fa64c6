/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify_listen: a service manager's side of sd_notify for the integration tests (node has
 * no AF_UNIX datagram sockets). Binds PATH, prints "listening" once bound, then each
 * datagram received as one line (its "\n"-separated assignments joined by a space),
 * flushed, until killed. Usage: notify_listen PATH. Single thread. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un addr;
    char buf[4096];
    int fd;

    if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "usage: notify_listen PATH\n");
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, argv[1], strlen(argv[1]));
    unlink(argv[1]);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("notify_listen");
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

        if (n < 0)
            continue;
        buf[n] = '\0';
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\n')
                buf[i] = ' ';
        printf("%s\n", buf);
        fflush(stdout);
    }
}
