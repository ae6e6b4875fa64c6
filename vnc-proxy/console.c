/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console: the websocket <-> VNC socket bridge (see console.h for the design and the
 * data path).
 *
 * Service thread only, but for console_resolve_run (a worker: libvirt + connect).
 * Invariants: a console is its websocket connection's state (conn_state) from the
 * endpoint's open to its closed (which frees it), and `conn` is valid all that time; the
 * VNC socket's user data points at the console until the console goes;
 * `raw` is non-NULL only between the VNC socket's adoption and its RAW_CLOSE; each ring
 * holds at most its capacity; lws reads the VNC socket (RAW_RX) only while `down` has
 * room for one full lws read, and otherwise, or while a burst lasts (`pulling`), the
 * websocket writer reads it itself, never more than the ring's free span; `pulling`
 * implies a WRITEABLE is pending on the websocket; the websocket's rx is paused only
 * while OpenSSL holds no decrypted bytes (conn_tls_pending). */
#include "console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth_sessions.h"
#include "console_ring.h"
#include "console_target.h"
#include "console_audit.h"
#include "http/conn.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "work/work_pool.h"

/* VNC → browser. lws reads at most pt_serv_buf_size (32 KiB, serve.c) per RAW_RX; while a
 * burst lasts the writer reads the VNC socket itself, straight into the ring, as much as
 * the ring's free span takes. The ring and its LWS_PRE headroom are one 64 KiB mapping. */
#define CONSOLE_DOWN_CAP  (64u * 1024 - LWS_PRE)
#define CONSOLE_DOWN_READ (32u * 1024)
/* browser → VNC: websocket fragments are at most the protocol's rx_buffer_size (4 KiB),
 * but rx may only be paused while OpenSSL holds no decrypted bytes (lws 4.1.6 spins
 * otherwise), so the ring keeps room for one more TLS record (16 KiB) beyond that. */
#define CONSOLE_UP_CAP  (32u * 1024)
#define CONSOLE_UP_READ (4u * 1024)
#define CONSOLE_UP_ROOM (20u * 1024)
/* One websocket frame fills one TLS record (CONN_TX_MAX with its header). */
#define CONSOLE_FRAME_MAX CONN_WS_PAYLOAD_MAX
/* The most one WRITEABLE sends before the other connections get their turn: with 64
 * consoles streaming, a loop turn stays within a few milliseconds (256 KiB measured no
 * faster). */
#define CONSOLE_TURN_MAX (256u * 1024)
/* a drained ring keeps this much of its mapping (small exchanges stay cheap) */
#define CONSOLE_RING_KEEP (8u * 1024)

struct console {
    struct console_hub *hub; /* borrowed */
    struct conn *conn;       /* borrowed: the browser's websocket */
    char uuid[40];
    char name[128];
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    struct lws *raw;          /* borrowed: the VNC socket while it is open */
    bool connecting;          /* the resolve job is running */
    bool opened;              /* the VNC socket was attached (audit: a close follows) */
    struct console_ring down; /* VNC → browser */
    struct console_ring up;   /* browser → VNC */
    bool pulling;   /* lws rx of the VNC socket is paused: the websocket writer reads it */
    bool raw_dry;   /* the writer's last read of the VNC socket found it empty (or ended) */
    bool ws_paused; /* rx flow control of the websocket in force */
    int64_t opened_ms;
    uint64_t bytes_down, bytes_up;
};

struct console_hub {
    struct console_deps deps; /* borrowed parts */
    unsigned open;            /* service thread: consoles with state (GET /metrics) */
};

/* ---- the hub ------------------------------------------------ */

struct console_hub *console_hub_new(const struct console_deps *deps)
{
    struct console_hub *hub = xcalloc(1, sizeof(*hub));

    hub->deps = *deps;
    return hub;
}

static void console_free(struct console *c)
{
    if (!c)
        return;
    console_ring_free(&c->down);
    console_ring_free(&c->up);
    free(c);
}

unsigned console_hub_open(const struct console_hub *hub)
{
    return hub ? hub->open : 0;
}

void console_hub_free(struct console_hub *hub)
{
    free(hub); /* its consoles went with their connections (console_ws_closed) */
}

/* Asks for the websocket to be closed with code and reason once `down` is written
 * (the connection layer closes after the first turn that writes nothing). */
static void console_close(struct console *c, int code, const char *reason)
{
    conn_close(c->conn, code, reason);
}

/* Records an open or close in the audit log (on a worker: console_audit.h). */
static void console_record(const struct console *c, const char *action, const char *outcome,
                           const char *message)
{
    console_audit_post(c->hub->deps.pool, c->hub->deps.db, c->username, c->peer, action, c->uuid,
                       outcome, message);
}

/* ---- resolving and connecting (worker) ------------------------------------------------ */

struct console_job {
    struct console_hub *hub; /* borrowed */
    char uuid[40];
    bool hidden;    /* the user may not see the domain: resolved as one that does not exist */
    char name[128]; /* filled by run */
    int fd;         /* filled by run: connected socket, or -1 */
    struct app_error err;
};

static void console_job_free(void *opaque)
{
    struct console_job *arg = opaque;

    if (arg && arg->fd >= 0)
        close(arg->fd); /* never adopted: the console went away first */
    free(arg);
}

static void console_resolve_run(struct work_job *job)
{
    struct console_job *arg = job->arg;
    virConnectPtr conn = virt_conn_get(arg->hub->deps.virt);

    app_error_clear(&arg->err);
    if (!conn) {
        app_error_set(&arg->err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt");
        return;
    }
    arg->fd =
        console_target_open(conn, arg->uuid, arg->hidden, arg->name, sizeof(arg->name), &arg->err);
    virConnectClose(conn);
}

static void console_resolve_done(struct work_job *job)
{
    struct console_job *arg = job->arg;
    struct conn *conn = conn_find(arg->hub->deps.conns, job->conn_id);
    struct console *c = conn ? conn_state(conn) : NULL;
    int fd;

    if (!c)
        return; /* the browser left; console_job_free closes the socket */
    c->connecting = false;
    snprintf(c->name, sizeof(c->name), "%s", arg->name);
    if (arg->fd < 0) {
        log_event(
            LOG_INFO,
            &(struct log_subject){.user = c->username, .vm = c->uuid, .action = "console_open"},
            "console: %s could not open %s (%s) from %s: %s", c->username, c->uuid, c->name,
            c->peer, arg->err.message);
        console_close(c, 4000 + (arg->err.status ? arg->err.status : 502), arg->err.message);
        console_record(c, "console_open", arg->err.code ? arg->err.code : "error",
                       arg->err.message);
        return;
    }
    fd = arg->fd;
    arg->fd = -1; /* lws owns it now, even on failure */
    if (conn_adopt_socket(c->conn, fd, CONSOLE_RAW_PROTOCOL, c) < 0) {
        console_close(c, 4502, "cannot attach the VNC connection");
        return;
    }
    c->opened = true;
    log_event(LOG_INFO,
              &(struct log_subject){.user = c->username, .vm = c->uuid, .action = "console_open"},
              "console: %s opened %s (%s) from %s", c->username, c->name, c->uuid, c->peer);
    console_record(c, "console_open", "ok", NULL);
}

/* ---- raw side (VNC server) ------------------------------------------------ */

/* The console of a VNC socket: its user data, cleared when the console goes. */
static struct console *console_of_raw(struct lws *wsi)
{
    return lws_get_opaque_user_data(wsi);
}

static int console_raw_rx(struct console *c, struct lws *wsi, const void *in, size_t len)
{
    if (console_ring_put(&c->down, in, len) != len) {
        /* cannot happen while flow control works; refuse rather than drop bytes */
        log_error("console: %s: VNC data overran its buffer", c->uuid);
        console_close(c, 1011, "console buffer overrun");
        return -1;
    }
    c->bytes_down += len;
    /* A full read means more is waiting: the websocket writer reads the rest itself
     * (console_down_pull) until the VNC socket runs dry. The same pause keeps the next
     * RAW_RX from overrunning the ring. */
    if (!c->pulling &&
        (len >= CONSOLE_DOWN_READ || console_ring_space(&c->down) < CONSOLE_DOWN_READ)) {
        c->pulling = true;
        c->raw_dry = false;
        lws_rx_flow_control(wsi, 0);
    }
    conn_want_write(c->conn);
    return 0;
}

/* Reads the VNC socket straight into the free span of `down` (the writer, while
 * pulling). A short read, nothing to read, the end or an error sets raw_dry; lws
 * reports the end or the error once its rx is resumed. */
static void console_down_pull(struct console *c)
{
    unsigned char *dst;
    size_t room = console_ring_writable(&c->down, &dst);
    ssize_t n;

    if (!room || !c->raw)
        return;
    n = recv(lws_get_socket_fd(c->raw), dst, room, MSG_DONTWAIT);
    if (n > 0) {
        console_ring_commit(&c->down, (size_t)n);
        c->bytes_down += (uint64_t)n;
    }
    if (n < 0 || (size_t)n < room)
        c->raw_dry = true;
}

/* Sends what `up` holds straight to the VNC socket; what the socket does not take waits
 * for RAW_WRITEABLE. Returns -1 if the socket failed. */
static int console_up_flush(struct console *c)
{
    int fd = lws_get_socket_fd(c->raw);
    unsigned char *p;
    size_t n;

    while ((n = console_ring_readable(&c->up, &p, CONSOLE_UP_CAP)) > 0) {
        ssize_t sent = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (sent < 0)
            return -1;
        console_ring_drop(&c->up, (size_t)sent);
        c->bytes_up += (uint64_t)sent;
    }
    if (c->ws_paused && console_ring_len(&c->up) <= CONSOLE_UP_READ) {
        c->ws_paused = false;
        conn_rx_pause(c->conn, false);
    }
    if (console_ring_len(&c->up))
        lws_callback_on_writable(c->raw);
    else
        console_ring_trim(&c->up, CONSOLE_RING_KEEP);
    return 0;
}

int console_raw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    struct console *c = console_of_raw(wsi);

    (void)user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    case LWS_CALLBACK_ESTABLISHED:
        return -1; /* a websocket asking for this protocol by name: never */
    case LWS_CALLBACK_RAW_ADOPT:
        if (!c)
            return -1;
        c->raw = wsi;
        if (console_ring_len(&c->up))
            lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_RAW_RX:
        return c ? console_raw_rx(c, wsi, in, len) : -1;
    case LWS_CALLBACK_RAW_WRITEABLE:
        return c && c->raw == wsi ? console_up_flush(c) : -1;
    case LWS_CALLBACK_RAW_CLOSE:
        if (c && c->raw == wsi) {
            c->raw = NULL;
            c->pulling = false;
            console_close(c, 1000, "the VM's display closed (the VM stopped)");
        }
        return 0;
    default:
        return 0;
    }
}

/* ---- websocket side (browser): the endpoint ------------------------------------------ */

static int console_ws_open(struct conn *conn, const struct http_request *req)
{
    struct console_hub *hub = conn_ctx(conn);
    struct console *c = xcalloc(1, sizeof(*c));
    struct console_job *arg = xcalloc(1, sizeof(*arg));
    struct work_job *job;

    c->hub = hub;
    hub->open++;
    c->conn = conn;
    snprintf(c->uuid, sizeof(c->uuid), "%.39s", req->route.uuid); /* validated: 36 */
    snprintf(c->username, sizeof(c->username), "%s", req->session.username);
    snprintf(c->peer, sizeof(c->peer), "%s", req->peer);
    console_ring_init(&c->down, CONSOLE_DOWN_CAP, CONN_PRE);
    console_ring_init(&c->up, CONSOLE_UP_CAP, 0);
    c->opened_ms = clock_mono_ms();
    c->connecting = true;
    conn_set_state(conn, c);

    arg->hub = hub;
    arg->fd = -1;
    snprintf(arg->uuid, sizeof(arg->uuid), "%.39s", req->route.uuid);
    arg->hidden = req->route.hidden;
    job = work_job_new(conn_id(conn), console_resolve_run, console_resolve_done, arg,
                       console_job_free);
    if (work_pool_submit(hub->deps.pool, job) < 0)
        console_close(c, 4503, "server busy, try again");
    return 0;
}

static int console_ws_receive(struct conn *conn, const void *in, size_t len)
{
    struct console *c = conn_state(conn);

    if (!c)
        return -1;
    if (conn_closing(conn))
        return 0;
    if (console_ring_put(&c->up, in, len) != len) {
        log_error("console: %s: browser data overran its buffer", c->uuid);
        return -1;
    }
    if (c->raw && console_up_flush(c) < 0) /* the VNC socket failed: RAW_CLOSE follows */
        lws_set_timeout(c->raw, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    if (console_ring_space(&c->up) < CONSOLE_UP_ROOM && !c->ws_paused && !conn_tls_pending(conn)) {
        c->ws_paused = true;
        conn_rx_pause(conn, true);
    }
    return 0;
}

/* A closing console closes once this writes nothing (conn.h). */
static int console_ws_writeable(struct conn *conn)
{
    struct console *c = conn_state(conn);
    size_t sent = 0;

    if (!c)
        return -1;
    /* Frames straight from the ring (lws puts each header in the LWS_PRE bytes before
     * it), as many as the socket takes without blocking, up to CONSOLE_TURN_MAX; while
     * pulling, the ring is refilled from the VNC socket whenever less than a frame is left. */
    for (;;) {
        unsigned char *p;
        size_t n;
        if (c->pulling && !c->raw_dry && !conn_closing(conn) &&
            console_ring_len(&c->down) < CONSOLE_FRAME_MAX)
            console_down_pull(c);
        n = console_ring_readable(&c->down, &p, CONSOLE_FRAME_MAX);
        if (!n)
            break;
        if (conn_ws_write(conn, p, n, CONN_WRITE_WS_BINARY, true) < 0)
            return -1;
        console_ring_drop(&c->down, n);
        sent += n;
        if (sent >= CONSOLE_TURN_MAX || conn_choked(conn))
            break;
    }
    /* the burst is over: lws reads the VNC socket again and wakes us with RAW_RX */
    if (c->pulling && c->raw_dry && console_ring_space(&c->down) >= CONSOLE_DOWN_READ) {
        c->pulling = false;
        if (c->raw)
            lws_rx_flow_control(c->raw, 1);
    }
    if (console_ring_len(&c->down) || c->pulling)
        conn_want_write(conn);
    else
        console_ring_trim(&c->down, CONSOLE_RING_KEEP);
    return 0;
}

static void console_ws_closed(struct conn *conn)
{
    struct console *c = conn_state(conn);

    if (!c)
        return;
    c->hub->open--;
    if (c->raw) {
        lws_set_opaque_user_data(c->raw, NULL);
        lws_set_timeout(c->raw, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    log_event(LOG_INFO,
              &(struct log_subject){.user = c->username, .vm = c->uuid, .action = "console_close"},
              "console: %s closed %s (%s) from %s after %lld s (%llu bytes to the browser, "
              "%llu to the VM)",
              c->username, c->name[0] ? c->name : "-", c->uuid, c->peer,
              (long long)((clock_mono_ms() - c->opened_ms) / 1000),
              (unsigned long long)c->bytes_down, (unsigned long long)c->bytes_up);
    if (c->opened)
        console_record(c, "console_close", "ok", NULL);
    console_free(c);
}

/* A session's end closes the console with 4401 "session ended", the connection layer's
 * default (no session_ended of its own); the gate checked the row's right. */
const struct conn_endpoint console_endpoint = {
    .name = "console",
    .open = console_ws_open,
    .writeable = console_ws_writeable,
    .receive = console_ws_receive,
    .closed = console_ws_closed,
    .ws_message_max = CONSOLE_WS_MESSAGE_MAX,
};
