/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* backend: the synthetic "VM display" behind every target of the console benchmark.
 *
 * One process, one thread, one epoll loop on 127.0.0.1; every accepted connection is
 * served by the same mode:
 *   bulk  write --bytes N in 64 KiB writes, then close (or keep the connection open
 *         with --keep-open, discarding whatever the client sends). With --greeting the
 *         server speaks first like an RFB server ("RFB 003.008\n", 12 bytes) and starts
 *         the bulk only once the client has sent at least one byte, so the client can
 *         time the transfer alone, apart from connecting.
 *   echo  write back every byte it reads (TCP_NODELAY, no batching).
 * Prints "listening PORT" on stdout once it accepts. Runs until SIGTERM/SIGINT.
 * Usage: console-backend --port P --mode bulk|echo [--bytes N] [--greeting] [--keep-open] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKEND_CHUNK     (64 * 1024)
#define BACKEND_MAX_CONNS 4096
#define BACKEND_GREETING  "RFB 003.008\n"

enum backend_mode { BACKEND_BULK, BACKEND_ECHO };

enum backend_state {
    BACKEND_GREET,   /* bulk: greeting (partly) unsent */
    BACKEND_TRIGGER, /* bulk: greeting sent, waiting for the client's first byte */
    BACKEND_SENDING, /* bulk: bytes left to write */
    BACKEND_IDLE,    /* bulk done, kept open: discard input */
    BACKEND_ECHOING, /* echo */
};

struct backend_config {
    int port;
    enum backend_mode mode;
    uint64_t bytes;
    bool greeting;
    bool keep_open;
};

struct backend_conn {
    int fd;
    enum backend_state state;
    uint64_t left;       /* bulk: bytes still to write */
    size_t greet_sent;   /* bulk: greeting bytes written */
    unsigned char *echo; /* owned: echo bytes read but not yet written back */
    size_t echo_off, echo_len;
};

static volatile sig_atomic_t backend_stop;
static unsigned char backend_chunk[BACKEND_CHUNK];

static void backend_on_signal(int sig)
{
    (void)sig;
    backend_stop = 1;
}

static int backend_parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s)
        return -1;
    *out = v;
    return 0;
}

static int backend_parse_args(int argc, char **argv, struct backend_config *cfg)
{
    uint64_t v;

    memset(cfg, 0, sizeof(*cfg));
    cfg->port = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--greeting")) {
            cfg->greeting = true;
        } else if (!strcmp(a, "--keep-open")) {
            cfg->keep_open = true;
        } else if (!strcmp(a, "--port") && next && !backend_parse_u64(next, &v) && v < 65536) {
            cfg->port = (int)v;
            i++;
        } else if (!strcmp(a, "--bytes") && next && !backend_parse_u64(next, &v)) {
            cfg->bytes = v;
            i++;
        } else if (!strcmp(a, "--mode") && next && !strcmp(next, "bulk")) {
            cfg->mode = BACKEND_BULK;
            i++;
        } else if (!strcmp(a, "--mode") && next && !strcmp(next, "echo")) {
            cfg->mode = BACKEND_ECHO;
            i++;
        } else {
            fprintf(stderr, "console-backend: bad argument %s\n", a);
            return -1;
        }
    }
    if (cfg->port < 0) {
        fprintf(stderr, "usage: console-backend --port P --mode bulk|echo [--bytes N] "
                        "[--greeting] [--keep-open]\n");
        return -1;
    }
    return 0;
}

/* A nonblocking listening socket on 127.0.0.1:port; writes the bound port back. */
static int backend_listen(int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        goto fail;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)*port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 512) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
        goto fail;
    *port = ntohs(sin.sin_port);
    return fd;

fail:
    fprintf(stderr, "console-backend: listen on 127.0.0.1:%d: %s\n", *port, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

static void backend_conn_close(int ep, struct backend_conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->echo);
    free(c);
}

static int backend_want(int ep, struct backend_conn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};

    return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Drains and discards input. Returns 1 on EOF, -1 on error, 0 when drained. */
static int backend_discard(struct backend_conn *c, bool *got_any)
{
    for (;;) {
        ssize_t n = read(c->fd, backend_chunk, sizeof(backend_chunk));
        if (n > 0) {
            *got_any = true;
            continue;
        }
        if (n == 0)
            return 1;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

/* Bulk: writes until the socket is full or the bytes are out. Returns 1 when done,
 * 0 when it must wait for EPOLLOUT, -1 on error. */
static int backend_bulk_write(struct backend_conn *c)
{
    while (c->state == BACKEND_GREET) {
        const size_t glen = sizeof(BACKEND_GREETING) - 1;
        ssize_t n = write(c->fd, BACKEND_GREETING + c->greet_sent, glen - c->greet_sent);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->greet_sent += (size_t)n;
        if (c->greet_sent == glen)
            c->state = BACKEND_TRIGGER;
    }
    if (c->state != BACKEND_SENDING)
        return 0;
    while (c->left) {
        size_t want = c->left < BACKEND_CHUNK ? (size_t)c->left : BACKEND_CHUNK;
        ssize_t n = write(c->fd, backend_chunk, want);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->left -= (uint64_t)n;
    }
    c->state = BACKEND_IDLE;
    return 1;
}

/* Echo: writes back what is pending, then reads more while the socket takes it.
 * Returns 1 on EOF, -1 on error, 0 to wait (for input or for EPOLLOUT). */
static int backend_echo(int ep, struct backend_conn *c)
{
    for (;;) {
        ssize_t n;
        while (c->echo_off < c->echo_len) {
            n = write(c->fd, c->echo + c->echo_off, c->echo_len - c->echo_off);
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    return -1;
                return backend_want(ep, c, EPOLLOUT) < 0 ? -1 : 0;
            }
            c->echo_off += (size_t)n;
        }
        c->echo_off = c->echo_len = 0;
        n = read(c->fd, c->echo, BACKEND_CHUNK);
        if (n == 0)
            return 1;
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            return backend_want(ep, c, EPOLLIN) < 0 ? -1 : 0;
        }
        c->echo_len = (size_t)n;
    }
}

/* Runs one connection as far as it can go. Returns -1 when it must be closed. */
static int backend_service(int ep, const struct backend_config *cfg, struct backend_conn *c,
                           uint32_t events)
{
    bool got_any = false;
    int rc;

    if (c->state == BACKEND_ECHOING)
        return backend_echo(ep, c) == 0 ? 0 : -1;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        rc = backend_discard(c, &got_any);
        if (rc != 0)
            return -1; /* the client left (or failed) */
        if (got_any && c->state == BACKEND_TRIGGER)
            c->state = BACKEND_SENDING;
    }
    rc = backend_bulk_write(c);
    if (rc < 0)
        return -1;
    if (rc == 1 && !cfg->keep_open)
        return -1;
    if (rc == 1 || c->state == BACKEND_TRIGGER)
        return backend_want(ep, c, EPOLLIN);
    return backend_want(ep, c, EPOLLIN | EPOLLOUT);
}

static void backend_accept(int ep, int lfd, const struct backend_config *cfg)
{
    for (;;) {
        int one = 1;
        struct backend_conn *c;
        struct epoll_event ev;
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0)
            return;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        if (cfg->mode == BACKEND_ECHO) {
            c->state = BACKEND_ECHOING;
            c->echo = malloc(BACKEND_CHUNK);
            if (!c->echo) {
                close(fd);
                free(c);
                return;
            }
        } else {
            c->state = cfg->greeting ? BACKEND_GREET : BACKEND_SENDING;
            c->left = cfg->bytes;
        }
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.ptr = c;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            free(c->echo);
            free(c);
            return;
        }
        if (backend_service(ep, cfg, c, 0) < 0)
            backend_conn_close(ep, c);
    }
}

int main(int argc, char **argv)
{
    struct backend_config cfg;
    struct epoll_event evs[64];
    struct epoll_event lev;
    struct sigaction sa;
    int lfd = -1, ep = -1;
    int ret = 1;

    if (backend_parse_args(argc, argv, &cfg) < 0)
        return 2;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = backend_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    memset(backend_chunk, 'x', sizeof(backend_chunk));

    if ((lfd = backend_listen(&cfg.port)) < 0)
        goto cleanup;
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        goto cleanup;
    lev.events = EPOLLIN;
    lev.data.ptr = NULL;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0)
        goto cleanup;
    printf("listening %d\n", cfg.port);
    fflush(stdout);

    while (!backend_stop) {
        int n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), 1000);
        if (n < 0 && errno != EINTR)
            goto cleanup;
        for (int i = 0; i < n; i++) {
            struct backend_conn *c = evs[i].data.ptr;
            if (!c)
                backend_accept(ep, lfd, &cfg);
            else if (backend_service(ep, &cfg, c, evs[i].events) < 0)
                backend_conn_close(ep, c);
        }
    }
    ret = 0;

cleanup:
    if (ep >= 0)
        close(ep);
    if (lfd >= 0)
        close(lfd);
    return ret;
}
