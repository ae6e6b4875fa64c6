/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loadgen: the console benchmark's client, one process, one thread.
 *
 * Speaks to a target as plain TCP ("tcp"), TLS ("tls") or a TLS websocket ("ws": RFC
 * 6455 handshake with Cookie/Origin/Host, masked client frames, binary server frames
 * whose payload is only counted). TLS is the same for every target: TLS 1.3 only, one
 * cipher suite (TLS_AES_128_GCM_SHA256), ECDHE on P-256 (the only group socat offers),
 * no session resumption, ALPN http/1.1.
 * The backend (backend.c, bulk with --greeting) greets with 12 bytes and starts its bulk
 * on the client's first byte; in echo mode it returns every byte.
 *
 * Modes (results are JSON lines on stdout; errors on stderr, exit status 1):
 *   bulk   one connection: greeting, then one trigger byte, then --bytes N counted;
 *          reports the transfer time from the trigger to the last byte.
 * Every result names the negotiated protocol, cipher suite and key exchange group ("tls"),
 * so the caller can check that each target ran under the same TLS settings.
 *   echo   one connection: --warmup then --count sequential --size byte round trips.
 *   multi  --conns N connections opened at once (connect, TLS, upgrade, first backend
 *          byte); prints {"event":"open"} and waits for a line on stdin; then triggers
 *          all and counts --bytes per connection; prints {"event":"done"} and waits for a
 *          line on stdin before closing everything (the caller measures memory meanwhile).
 * Usage: console-loadgen MODE --proto tcp|tls|ws --port P [--path /p] [--cookie C]
 *        [--bytes N] [--count N] [--size N] [--warmup N] [--conns N] [--timeout S] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#define LOADGEN_READ_BUF  (256 * 1024)
#define LOADGEN_GREETING  12u /* "RFB 003.008\n" from backend --greeting */
#define LOADGEN_MAX_CONNS 1024
#define LOADGEN_MAX_SIZE  125 /* echo payloads fit a 7-bit websocket length */
#define LOADGEN_WS_GUID   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum loadgen_mode { LOADGEN_BULK, LOADGEN_ECHO, LOADGEN_MULTI };
enum loadgen_proto { LOADGEN_TCP, LOADGEN_TLS, LOADGEN_WS };

enum loadgen_state {
    LOADGEN_CONNECTING,
    LOADGEN_HANDSHAKE, /* TLS */
    LOADGEN_UPGRADE,   /* waiting for the 101 */
    LOADGEN_GREET,     /* waiting for the backend's greeting */
    LOADGEN_OPEN,
};

struct loadgen_config {
    enum loadgen_mode mode;
    enum loadgen_proto proto;
    int port;
    const char *path;   /* borrowed (argv) */
    const char *cookie; /* borrowed (argv) */
    uint64_t bytes;
    unsigned count, size, warmup, conns, timeout_s;
};

struct loadgen_conn {
    int fd;
    SSL *ssl; /* owned, NULL for tcp */
    enum loadgen_state state;
    char key[32];    /* Sec-WebSocket-Key */
    char resp[4096]; /* the upgrade response so far */
    size_t resp_len;
    /* websocket frame parser */
    unsigned char hdr[14];
    size_t hdr_have;
    uint64_t payload_left;
    unsigned opcode;
    unsigned char ctrl[125]; /* control frame payload (close code, ping data) */
    size_t ctrl_len;
    bool closed; /* the peer closed (EOF or close frame) */
    int close_code;
    /* data bytes (websocket payload of data frames, or the raw stream) */
    uint64_t data;
    unsigned char *copy; /* borrowed: where echo bytes go, or NULL */
    size_t copy_cap, copy_len;
    uint64_t t_first_ns; /* first data byte */
};

static const struct loadgen_config *loadgen_cfg;
static SSL_CTX *loadgen_ssl_ctx;
static uint64_t loadgen_deadline_ns;
static uint64_t loadgen_rng;
static uint64_t loadgen_greeting; /* bytes the backend sends first: 0 in echo mode */
static unsigned char loadgen_buf[LOADGEN_READ_BUF];

static uint64_t loadgen_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool loadgen_timed_out(void)
{
    return loadgen_now_ns() > loadgen_deadline_ns;
}

static uint32_t loadgen_random32(void)
{
    loadgen_rng ^= loadgen_rng << 13;
    loadgen_rng ^= loadgen_rng >> 7;
    loadgen_rng ^= loadgen_rng << 17;
    return (uint32_t)(loadgen_rng >> 16);
}

static void loadgen_ssl_errors(const char *what)
{
    unsigned long e;
    char msg[256];

    fprintf(stderr, "console-loadgen: %s", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, msg, sizeof(msg));
        fprintf(stderr, ": %s", msg);
    }
    fprintf(stderr, "\n");
}

/* ---- arguments ---------------------------------------------------------- */

static int loadgen_parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (!s)
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s)
        return -1;
    *out = v;
    return 0;
}

static int loadgen_parse_args(int argc, char **argv, struct loadgen_config *cfg)
{
    uint64_t v = 0;

    memset(cfg, 0, sizeof(*cfg));
    cfg->port = -1;
    cfg->path = "/";
    cfg->size = 16;
    cfg->count = 20000;
    cfg->warmup = 500;
    cfg->conns = 64;
    cfg->timeout_s = 120;
    if (argc < 2)
        goto usage;
    if (!strcmp(argv[1], "bulk"))
        cfg->mode = LOADGEN_BULK;
    else if (!strcmp(argv[1], "echo"))
        cfg->mode = LOADGEN_ECHO;
    else if (!strcmp(argv[1], "multi"))
        cfg->mode = LOADGEN_MULTI;
    else
        goto usage;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool num = loadgen_parse_u64(next, &v) == 0;
        if (!next)
            goto usage;
        i++;
        if (!strcmp(a, "--proto") && !strcmp(next, "tcp"))
            cfg->proto = LOADGEN_TCP;
        else if (!strcmp(a, "--proto") && !strcmp(next, "tls"))
            cfg->proto = LOADGEN_TLS;
        else if (!strcmp(a, "--proto") && !strcmp(next, "ws"))
            cfg->proto = LOADGEN_WS;
        else if (!strcmp(a, "--port") && num && v > 0 && v < 65536)
            cfg->port = (int)v;
        else if (!strcmp(a, "--path") && next[0] == '/')
            cfg->path = next;
        else if (!strcmp(a, "--cookie"))
            cfg->cookie = next;
        else if (!strcmp(a, "--bytes") && num)
            cfg->bytes = v;
        else if (!strcmp(a, "--count") && num && v > 0 && v < 100000000)
            cfg->count = (unsigned)v;
        else if (!strcmp(a, "--size") && num && v > 0 && v <= LOADGEN_MAX_SIZE)
            cfg->size = (unsigned)v;
        else if (!strcmp(a, "--warmup") && num && v < 100000000)
            cfg->warmup = (unsigned)v;
        else if (!strcmp(a, "--conns") && num && v > 0 && v <= LOADGEN_MAX_CONNS)
            cfg->conns = (unsigned)v;
        else if (!strcmp(a, "--timeout") && num && v > 0 && v < 3600)
            cfg->timeout_s = (unsigned)v;
        else
            goto usage;
    }
    if (cfg->port < 0)
        goto usage;
    return 0;

usage:
    fprintf(stderr, "usage: console-loadgen bulk|echo|multi --proto tcp|tls|ws --port P "
                    "[--path /p] [--cookie C] [--bytes N] [--count N] [--size N] [--warmup N] "
                    "[--conns N] [--timeout S]\n");
    return -1;
}

/* ---- TLS ---------------------------------------------------------------- */

static int loadgen_tls_init(void)
{
    static const unsigned char alpn[] = "\x08http/1.1";
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1 ||
        SSL_CTX_set1_groups_list(ctx, "P-256") != 1 ||
        SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0) {
        loadgen_ssl_errors("TLS context");
        SSL_CTX_free(ctx);
        return -1;
    }
    /* loopback against a throwaway self-signed certificate: nothing to verify */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    /* fewer read() calls: take whatever the socket holds, up to 64 KiB, per read */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
    loadgen_ssl_ctx = ctx;
    return 0;
}

/* ---- raw I/O ------------------------------------------------------------ */

/* Reads what is there. Returns n > 0, 0 when it would block, -1 on EOF or error. */
static ssize_t loadgen_recv(struct loadgen_conn *c, void *buf, size_t cap)
{
    if (!c->ssl) {
        ssize_t n = read(c->fd, buf, cap);
        if (n > 0)
            return n;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        if (n < 0)
            fprintf(stderr, "console-loadgen: read: %s\n", strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got = 0;
        int err;
        if (SSL_read_ex(c->ssl, buf, cap, &got) == 1)
            return (ssize_t)got;
        err = SSL_get_error(c->ssl, 0);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
            return 0;
        if (err == SSL_ERROR_ZERO_RETURN)
            return -1;
        if (err == SSL_ERROR_SYSCALL && errno == EINTR)
            continue;
        loadgen_ssl_errors("TLS read");
        return -1;
    }
}

/* Waits until fd is ready for events (POLLIN/POLLOUT) or the deadline passes. */
static int loadgen_wait(int fd, short events)
{
    struct pollfd pfd = {.fd = fd, .events = events};

    while (!loadgen_timed_out()) {
        int n = poll(&pfd, 1, 1000);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
    fprintf(stderr, "console-loadgen: timed out\n");
    return -1;
}

/* Writes all of buf, waiting when the socket (or TLS) asks for it. */
static int loadgen_send_all(struct loadgen_conn *c, const void *buf, size_t len)
{
    const unsigned char *p = buf;

    while (len) {
        short wait_for = POLLOUT;
        if (!c->ssl) {
            ssize_t n = write(c->fd, p, len);
            if (n > 0) {
                p += n;
                len -= (size_t)n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                fprintf(stderr, "console-loadgen: write: %s\n", strerror(errno));
                return -1;
            }
        } else {
            size_t done = 0;
            int err;
            if (SSL_write_ex(c->ssl, p, len, &done) == 1) {
                p += done;
                len -= done;
                continue;
            }
            err = SSL_get_error(c->ssl, 0);
            if (err == SSL_ERROR_WANT_READ)
                wait_for = POLLIN;
            else if (err != SSL_ERROR_WANT_WRITE) {
                loadgen_ssl_errors("TLS write");
                return -1;
            }
        }
        if (loadgen_wait(c->fd, wait_for) < 0)
            return -1;
    }
    return 0;
}

/* Sends payload as one masked binary frame (ws) or as is. len <= LOADGEN_MAX_SIZE. */
static int loadgen_send_data(struct loadgen_conn *c, const unsigned char *payload, size_t len)
{
    unsigned char frame[6 + LOADGEN_MAX_SIZE];
    uint32_t mask = loadgen_random32();

    if (loadgen_cfg->proto != LOADGEN_WS)
        return loadgen_send_all(c, payload, len);
    frame[0] = 0x82; /* FIN, binary */
    frame[1] = (unsigned char)(0x80 | len);
    memcpy(frame + 2, &mask, 4);
    for (size_t i = 0; i < len; i++)
        frame[6 + i] = payload[i] ^ frame[2 + (i & 3)];
    return loadgen_send_all(c, frame, 6 + len);
}

/* ---- websocket framing ------------------------------------------------- */

static void loadgen_data(struct loadgen_conn *c, const unsigned char *p, size_t n)
{
    if (!c->data && n)
        c->t_first_ns = loadgen_now_ns();
    c->data += n;
    if (c->copy && c->copy_len < c->copy_cap) {
        size_t k = c->copy_cap - c->copy_len < n ? c->copy_cap - c->copy_len : n;
        memcpy(c->copy + c->copy_len, p, k);
        c->copy_len += k;
    }
}

/* Header length once the first two bytes are known. */
static size_t loadgen_ws_hdr_need(const unsigned char *h)
{
    size_t need = 2;
    unsigned len7 = h[1] & 0x7f;

    if (len7 == 126)
        need += 2;
    else if (len7 == 127)
        need += 8;
    if (h[1] & 0x80)
        need += 4; /* a masked server frame: refused below */
    return need;
}

static int loadgen_ws_header_done(struct loadgen_conn *c)
{
    unsigned len7 = c->hdr[1] & 0x7f;

    if (c->hdr[1] & 0x80) {
        fprintf(stderr, "console-loadgen: masked frame from the server\n");
        return -1;
    }
    c->opcode = c->hdr[0] & 0x0f;
    if (len7 < 126) {
        c->payload_left = len7;
    } else if (len7 == 126) {
        c->payload_left = ((uint64_t)c->hdr[2] << 8) | c->hdr[3];
    } else {
        c->payload_left = 0;
        for (int i = 0; i < 8; i++)
            c->payload_left = (c->payload_left << 8) | c->hdr[2 + i];
    }
    if (c->opcode == 0x1) {
        fprintf(stderr, "console-loadgen: text frame on a binary console\n");
        return -1;
    }
    if (c->opcode >= 0x8 && c->payload_left > sizeof(c->ctrl)) {
        fprintf(stderr, "console-loadgen: oversized control frame\n");
        return -1;
    }
    c->ctrl_len = 0;
    c->hdr_have = 0;
    return 0;
}

static int loadgen_ws_control_done(struct loadgen_conn *c)
{
    unsigned char pong[6 + sizeof(c->ctrl)];
    uint32_t mask;

    if (c->opcode == 0x8) {
        c->closed = true;
        c->close_code = c->ctrl_len >= 2 ? (c->ctrl[0] << 8) | c->ctrl[1] : 1005;
        fprintf(stderr, "console-loadgen: server closed the websocket: %d %.*s\n", c->close_code,
                c->ctrl_len > 2 ? (int)c->ctrl_len - 2 : 0, (const char *)c->ctrl + 2);
        return -1;
    }
    if (c->opcode != 0x9)
        return 0; /* pong: nothing to do */
    mask = loadgen_random32();
    pong[0] = 0x8a;
    pong[1] = (unsigned char)(0x80 | c->ctrl_len);
    memcpy(pong + 2, &mask, 4);
    for (size_t i = 0; i < c->ctrl_len; i++)
        pong[6 + i] = c->ctrl[i] ^ pong[2 + (i & 3)];
    return loadgen_send_all(c, pong, 6 + c->ctrl_len);
}

/* Feeds received bytes through the frame parser (ws) or counts them. */
static int loadgen_consume(struct loadgen_conn *c, const unsigned char *p, size_t n)
{
    if (loadgen_cfg->proto != LOADGEN_WS) {
        loadgen_data(c, p, n);
        return 0;
    }
    while (n) {
        if (c->payload_left) {
            size_t k = c->payload_left < n ? (size_t)c->payload_left : n;
            if (c->opcode < 0x8) {
                loadgen_data(c, p, k);
            } else {
                memcpy(c->ctrl + c->ctrl_len, p, k);
                c->ctrl_len += k;
            }
            c->payload_left -= k;
            p += k;
            n -= k;
            if (!c->payload_left && c->opcode >= 0x8 && loadgen_ws_control_done(c) < 0)
                return -1;
            continue;
        }
        c->hdr[c->hdr_have++] = *p++;
        n--;
        if (c->hdr_have < 2 || c->hdr_have < loadgen_ws_hdr_need(c->hdr))
            continue;
        if (loadgen_ws_header_done(c) < 0)
            return -1;
        if (!c->payload_left && c->opcode >= 0x8 && loadgen_ws_control_done(c) < 0)
            return -1;
    }
    return 0;
}

/* Reads and consumes until the socket would block. Returns -1 on EOF or error. */
static int loadgen_pump(struct loadgen_conn *c)
{
    for (;;) {
        ssize_t n = loadgen_recv(c, loadgen_buf, sizeof(loadgen_buf));
        if (n == 0)
            return 0;
        if (n < 0) {
            c->closed = true;
            return -1;
        }
        if (loadgen_consume(c, loadgen_buf, (size_t)n) < 0)
            return -1;
    }
}

/* ---- connection setup (nonblocking state machine) ---------------------- */

static int loadgen_conn_start(struct loadgen_conn *c)
{
    struct sockaddr_in sin;
    int one = 1;

    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fprintf(stderr, "console-loadgen: socket: %s\n", strerror(errno));
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)loadgen_cfg->port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS) {
        fprintf(stderr, "console-loadgen: connect to port %d: %s\n", loadgen_cfg->port,
                strerror(errno));
        return -1;
    }
    c->state = LOADGEN_CONNECTING;
    return 0;
}

static void loadgen_conn_close(struct loadgen_conn *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int loadgen_send_upgrade(struct loadgen_conn *c)
{
    unsigned char raw[16];
    char req[4096];
    int n;

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)c->key, raw, sizeof(raw));
    n = snprintf(req, sizeof(req),
                 "GET %s HTTP/1.1\r\n"
                 "Host: 127.0.0.1:%d\r\n"
                 "Upgrade: websocket\r\n"
                 "Connection: Upgrade\r\n"
                 "Sec-WebSocket-Key: %s\r\n"
                 "Sec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Protocol: binary\r\n"
                 "Origin: https://127.0.0.1:%d\r\n"
                 "%s%s%s"
                 "\r\n",
                 loadgen_cfg->path, loadgen_cfg->port, c->key, loadgen_cfg->port,
                 loadgen_cfg->cookie ? "Cookie: " : "",
                 loadgen_cfg->cookie ? loadgen_cfg->cookie : "", loadgen_cfg->cookie ? "\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(req))
        return -1;
    c->state = LOADGEN_UPGRADE;
    return loadgen_send_all(c, req, (size_t)n);
}

/* Finds header name (case-insensitive) in the response; copies its value. */
static int loadgen_header(const char *resp, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);

    for (const char *line = strstr(resp, "\r\n"); line && line[2];
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2, *v, *e;
        if (strncasecmp(h, name, nlen) || h[nlen] != ':')
            continue;
        v = h + nlen + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        e = strstr(v, "\r\n");
        if (!e || (size_t)(e - v) >= cap)
            return -1;
        memcpy(out, v, (size_t)(e - v));
        out[e - v] = '\0';
        return 0;
    }
    return -1;
}

/* Checks the 101 (status, accept key, subprotocol); feeds any bytes after it. */
static int loadgen_check_upgrade(struct loadgen_conn *c, size_t head_len)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char want[64], got[128], concat[128], proto[64];
    int ret = -1;

    c->resp[head_len - 2] = '\0'; /* keep the last header's CRLF for loadgen_header */
    if (strncmp(c->resp, "HTTP/1.1 101", 12)) {
        fprintf(stderr, "console-loadgen: upgrade refused: %.200s\n", c->resp);
        goto cleanup;
    }
    snprintf(concat, sizeof(concat), "%s%s", c->key, LOADGEN_WS_GUID);
    if (EVP_Digest(concat, strlen(concat), digest, &dlen, EVP_sha1(), NULL) != 1)
        goto cleanup;
    EVP_EncodeBlock((unsigned char *)want, digest, (int)dlen);
    if (loadgen_header(c->resp, "Sec-WebSocket-Accept", got, sizeof(got)) < 0 ||
        strcmp(got, want)) {
        fprintf(stderr, "console-loadgen: bad Sec-WebSocket-Accept\n");
        goto cleanup;
    }
    if (loadgen_header(c->resp, "Sec-WebSocket-Protocol", proto, sizeof(proto)) == 0 &&
        strcmp(proto, "binary")) {
        fprintf(stderr, "console-loadgen: unexpected subprotocol %s\n", proto);
        goto cleanup;
    }
    c->state = LOADGEN_GREET;
    ret = loadgen_consume(c, (const unsigned char *)c->resp + head_len, c->resp_len - head_len);

cleanup:
    return ret;
}

static int loadgen_read_upgrade(struct loadgen_conn *c)
{
    for (;;) {
        ssize_t n;
        char *end;
        if (c->resp_len >= sizeof(c->resp) - 1) {
            fprintf(stderr, "console-loadgen: upgrade response too long\n");
            return -1;
        }
        n = loadgen_recv(c, c->resp + c->resp_len, sizeof(c->resp) - 1 - c->resp_len);
        if (n == 0)
            return 0;
        if (n < 0) {
            fprintf(stderr, "console-loadgen: connection closed during the upgrade\n");
            return -1;
        }
        c->resp_len += (size_t)n;
        c->resp[c->resp_len] = '\0';
        if ((end = strstr(c->resp, "\r\n\r\n")) != NULL)
            return loadgen_check_upgrade(c, (size_t)(end - c->resp) + 4);
    }
}

/* Advances one connection towards LOADGEN_OPEN. Returns -1 on failure; sets *events
 * to what it waits for next (0 once open). */
static int loadgen_step(struct loadgen_conn *c, short *events)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    *events = POLLIN;
    if (c->state == LOADGEN_CONNECTING) {
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr) {
            fprintf(stderr, "console-loadgen: connect to port %d: %s\n", loadgen_cfg->port,
                    strerror(soerr ? soerr : errno));
            return -1;
        }
        c->state = LOADGEN_GREET;
        if (loadgen_cfg->proto != LOADGEN_TCP) {
            c->ssl = SSL_new(loadgen_ssl_ctx);
            if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
                loadgen_ssl_errors("SSL_new");
                return -1;
            }
            c->state = LOADGEN_HANDSHAKE;
        }
    }
    if (c->state == LOADGEN_HANDSHAKE) {
        int rc = SSL_connect(c->ssl);
        if (rc != 1) {
            int err = SSL_get_error(c->ssl, rc);
            if (err == SSL_ERROR_WANT_READ)
                return 0;
            if (err == SSL_ERROR_WANT_WRITE) {
                *events = POLLOUT;
                return 0;
            }
            loadgen_ssl_errors("TLS handshake");
            return -1;
        }
        c->state = LOADGEN_GREET;
        if (loadgen_cfg->proto == LOADGEN_WS && loadgen_send_upgrade(c) < 0)
            return -1;
    }
    if (c->state == LOADGEN_UPGRADE) {
        if (loadgen_read_upgrade(c) < 0)
            return -1;
        if (c->state == LOADGEN_UPGRADE)
            return 0;
    }
    if (c->state == LOADGEN_GREET) {
        if (loadgen_pump(c) < 0)
            return -1;
        if (c->data > loadgen_greeting) {
            fprintf(stderr, "console-loadgen: backend sent data before the trigger\n");
            return -1;
        }
        if (c->data == loadgen_greeting)
            c->state = LOADGEN_OPEN;
    }
    if (c->state == LOADGEN_OPEN)
        *events = 0;
    return 0;
}

static uint32_t loadgen_epoll_events(short events)
{
    return (events & POLLOUT ? EPOLLOUT : 0) | (events & POLLIN ? EPOLLIN : 0);
}

/* Opens n connections at once; returns when all are open (greeting received). */
static int loadgen_open_all(struct loadgen_conn *conns, unsigned n)
{
    struct epoll_event evs[64];
    unsigned open = 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int ret = -1;

    if (ep < 0)
        goto cleanup;
    for (unsigned i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &conns[i]};
        if (loadgen_conn_start(&conns[i]) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0)
            goto cleanup;
    }
    while (open < n) {
        int k = epoll_wait(ep, evs, 64, 1000);
        if (k < 0 && errno != EINTR)
            goto cleanup;
        if (loadgen_timed_out()) {
            fprintf(stderr, "console-loadgen: timed out with %u of %u open\n", open, n);
            goto cleanup;
        }
        for (int i = 0; i < k; i++) {
            struct loadgen_conn *c = evs[i].data.ptr;
            struct epoll_event ev = {.data.ptr = c};
            short want = 0;
            if (loadgen_step(c, &want) < 0)
                goto cleanup;
            if (!want) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                open++;
                continue;
            }
            ev.events = loadgen_epoll_events(want);
            if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
                goto cleanup;
        }
    }
    ret = 0;

cleanup:
    if (ep >= 0)
        close(ep);
    return ret;
}

static const char *loadgen_tls_name(const struct loadgen_conn *c)
{
    static char name[96];

    const char *group;

    if (!c->ssl)
        return "none";
    group = SSL_group_to_name(c->ssl, (int)SSL_get_negotiated_group(c->ssl));
    snprintf(name, sizeof(name), "%s %s %s", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
             group ? group : "?");
    return name;
}

/* ---- modes -------------------------------------------------------------- */

/* Counts until every connection has `target` data bytes (greeting included). */
static int loadgen_drain_all(struct loadgen_conn *conns, unsigned n, uint64_t target)
{
    struct epoll_event evs[64];
    unsigned done = 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int ret = -1;

    if (ep < 0)
        goto cleanup;
    for (unsigned i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0)
            goto cleanup;
    }
    while (done < n) {
        int k = epoll_wait(ep, evs, 64, 1000);
        if (k < 0 && errno != EINTR)
            goto cleanup;
        if (loadgen_timed_out()) {
            fprintf(stderr, "console-loadgen: timed out with %u of %u done\n", done, n);
            goto cleanup;
        }
        for (int i = 0; i < k; i++) {
            struct loadgen_conn *c = evs[i].data.ptr;
            if (loadgen_pump(c) < 0) {
                fprintf(stderr, "console-loadgen: connection lost after %llu bytes\n",
                        (unsigned long long)c->data);
                goto cleanup;
            }
            if (c->data >= target) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                done++;
            }
        }
    }
    ret = 0;

cleanup:
    if (ep >= 0)
        close(ep);
    return ret;
}

static int loadgen_run_bulk(void)
{
    struct loadgen_conn c;
    const unsigned char trigger = 'g';
    uint64_t t0, t1;
    int ret = -1;

    c.fd = -1;
    c.ssl = NULL;
    if (loadgen_open_all(&c, 1) < 0)
        goto cleanup;
    t0 = loadgen_now_ns();
    if (loadgen_send_data(&c, &trigger, 1) < 0 ||
        loadgen_drain_all(&c, 1, LOADGEN_GREETING + loadgen_cfg->bytes) < 0)
        goto cleanup;
    t1 = loadgen_now_ns();
    printf("{\"event\":\"done\",\"bytes\":%llu,\"seconds\":%.6f,\"mbps\":%.1f,\"tls\":\"%s\"}\n",
           (unsigned long long)loadgen_cfg->bytes, (double)(t1 - t0) / 1e9,
           (double)loadgen_cfg->bytes / ((double)(t1 - t0) / 1e9) / 1e6, loadgen_tls_name(&c));
    ret = 0;

cleanup:
    loadgen_conn_close(&c);
    return ret;
}

static int loadgen_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of sorted v. */
static uint64_t loadgen_pct(const uint64_t *v, size_t n, double p)
{
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);

    if (rank < 1)
        rank = 1;
    return v[rank > n ? n - 1 : rank - 1];
}

/* One echo: send size bytes, wait until they are all back and equal. */
static int loadgen_echo_once(struct loadgen_conn *c, unsigned i, unsigned char *back)
{
    unsigned char msg[LOADGEN_MAX_SIZE];
    uint64_t want;

    for (unsigned k = 0; k < loadgen_cfg->size; k++)
        msg[k] = (unsigned char)(i * 31u + k);
    c->copy = back;
    c->copy_cap = loadgen_cfg->size;
    c->copy_len = 0;
    want = c->data + loadgen_cfg->size;
    if (loadgen_send_data(c, msg, loadgen_cfg->size) < 0)
        return -1;
    while (c->data < want) {
        if (loadgen_wait(c->fd, POLLIN) < 0 || loadgen_pump(c) < 0)
            return -1;
    }
    if (c->data != want || memcmp(back, msg, loadgen_cfg->size)) {
        fprintf(stderr, "console-loadgen: echo %u came back wrong\n", i);
        return -1;
    }
    return 0;
}

static int loadgen_run_echo(void)
{
    struct loadgen_conn c;
    unsigned char back[LOADGEN_MAX_SIZE];
    uint64_t *lat = calloc(loadgen_cfg->count, sizeof(uint64_t));
    uint64_t sum = 0;
    unsigned n = loadgen_cfg->count;
    int ret = -1;

    c.fd = -1;
    c.ssl = NULL;
    if (!lat)
        goto cleanup;
    if (loadgen_open_all(&c, 1) < 0)
        goto cleanup;
    for (unsigned i = 0; i < loadgen_cfg->warmup; i++)
        if (loadgen_echo_once(&c, i, back) < 0)
            goto cleanup;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = loadgen_now_ns();
        if (loadgen_echo_once(&c, i, back) < 0)
            goto cleanup;
        lat[i] = loadgen_now_ns() - t0;
        sum += lat[i];
    }
    qsort(lat, n, sizeof(uint64_t), loadgen_cmp_u64);
    printf("{\"event\":\"done\",\"count\":%u,\"size\":%u,\"p50_us\":%.2f,\"p90_us\":%.2f,"
           "\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f,\"mean_us\":%.2f,\"tls\":\"%s\"}\n",
           n, loadgen_cfg->size, (double)loadgen_pct(lat, n, 50) / 1e3,
           (double)loadgen_pct(lat, n, 90) / 1e3, (double)loadgen_pct(lat, n, 99) / 1e3,
           (double)loadgen_pct(lat, n, 99.9) / 1e3, (double)lat[n - 1] / 1e3, (double)sum / n / 1e3,
           loadgen_tls_name(&c));
    ret = 0;

cleanup:
    loadgen_conn_close(&c);
    free(lat);
    return ret;
}

/* Blocks until a line (or EOF) arrives on stdin. */
static void loadgen_wait_stdin(void)
{
    char line[64];

    if (!fgets(line, sizeof(line), stdin))
        return;
}

static int loadgen_run_multi(void)
{
    unsigned n = loadgen_cfg->conns;
    struct loadgen_conn *conns = calloc(n, sizeof(*conns));
    uint64_t *open_ns = calloc(n, sizeof(uint64_t));
    const unsigned char trigger = 'g';
    uint64_t t_start, t0, t1;
    int ret = -1;

    if (!conns || !open_ns)
        goto cleanup;
    for (unsigned i = 0; i < n; i++)
        conns[i].fd = -1;
    t_start = loadgen_now_ns();
    if (loadgen_open_all(conns, n) < 0)
        goto cleanup;
    for (unsigned i = 0; i < n; i++)
        open_ns[i] = conns[i].t_first_ns - t_start;
    qsort(open_ns, n, sizeof(uint64_t), loadgen_cmp_u64);
    printf("{\"event\":\"open\",\"conns\":%u,\"seconds\":%.6f,\"p50_ms\":%.3f,\"tls\":\"%s\"}\n", n,
           (double)open_ns[n - 1] / 1e9, (double)loadgen_pct(open_ns, n, 50) / 1e6,
           loadgen_tls_name(&conns[0]));
    fflush(stdout);
    loadgen_wait_stdin();

    /* the caller may have taken its time: restart the clock */
    loadgen_deadline_ns = loadgen_now_ns() + (uint64_t)loadgen_cfg->timeout_s * 1000000000ull;
    t0 = loadgen_now_ns();
    for (unsigned i = 0; i < n; i++)
        if (loadgen_send_data(&conns[i], &trigger, 1) < 0)
            goto cleanup;
    if (loadgen_drain_all(conns, n, LOADGEN_GREETING + loadgen_cfg->bytes) < 0)
        goto cleanup;
    t1 = loadgen_now_ns();
    printf("{\"event\":\"done\",\"conns\":%u,\"bytes\":%llu,\"seconds\":%.6f,\"mbps\":%.1f}\n", n,
           (unsigned long long)(loadgen_cfg->bytes * n), (double)(t1 - t0) / 1e9,
           (double)(loadgen_cfg->bytes * n) / ((double)(t1 - t0) / 1e9) / 1e6);
    fflush(stdout);
    loadgen_wait_stdin();
    ret = 0;

cleanup:
    for (unsigned i = 0; conns && i < n; i++)
        loadgen_conn_close(&conns[i]);
    free(conns);
    free(open_ns);
    return ret;
}

int main(int argc, char **argv)
{
    struct loadgen_config cfg;
    int rc = -1;

    if (loadgen_parse_args(argc, argv, &cfg) < 0)
        return 2;
    loadgen_cfg = &cfg;
    signal(SIGPIPE, SIG_IGN);
    if (RAND_bytes((unsigned char *)&loadgen_rng, sizeof(loadgen_rng)) != 1 || !loadgen_rng)
        loadgen_rng = 0x9e3779b97f4a7c15ull;
    loadgen_deadline_ns = loadgen_now_ns() + (uint64_t)cfg.timeout_s * 1000000000ull;
    loadgen_greeting = cfg.mode == LOADGEN_ECHO ? 0 : LOADGEN_GREETING;
    if (cfg.proto != LOADGEN_TCP && loadgen_tls_init() < 0)
        return 1;
    switch (cfg.mode) {
    case LOADGEN_BULK:
        rc = loadgen_run_bulk();
        break;
    case LOADGEN_ECHO:
        rc = loadgen_run_echo();
        break;
    case LOADGEN_MULTI:
        rc = loadgen_run_multi();
        break;
    }
    fflush(stdout);
    SSL_CTX_free(loadgen_ssl_ctx);
    return rc == 0 ? 0 : 1;
}
