/* console: the websocket <-> VNC socket bridge (see console.h for the design and the
 * data path).
 *
 * Service thread only, but for console_resolve_run (a worker: libvirt + connect).
 * Invariants: a console is in the hub from its websocket's ESTABLISHED to its CLOSED;
 * `raw` is non-NULL only between the VNC socket's adoption and its RAW_CLOSE; each ring
 * holds at most its capacity; lws reads the VNC socket (RAW_RX) only while `down` has
 * room for one full lws read, and otherwise, or while a burst lasts (`pulling`), the
 * websocket writer reads it itself, never more than the ring's free span; `pulling`
 * implies a WRITEABLE is pending on the websocket; the websocket's rx is paused only
 * while OpenSSL holds no decrypted bytes (http_server_tls_pending). */
#include "console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "auth_sessions.h"
#include "console_ring.h"
#include "console_target.h"
#include "http/http_server.h"
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
/* One websocket frame fills one TLS record (HTTP_TX_MAX with its header). */
#define CONSOLE_FRAME_MAX HTTP_WS_PAYLOAD_MAX
/* The most one WRITEABLE sends before the other connections get their turn: with 64
 * consoles streaming, a loop turn stays within a few milliseconds (256 KiB measured no
 * faster). */
#define CONSOLE_TURN_MAX (256u * 1024)
/* a drained ring keeps this much of its mapping (small exchanges stay cheap) */
#define CONSOLE_RING_KEEP (8u * 1024)

struct console {
    uint64_t id; /* the websocket's connection id */
    char uuid[40];
    char name[128];
    char username[AUTH_USERNAME_MAX + 1];
    char session_id[17];
    char peer[64];
    struct lws *raw;          /* borrowed: the VNC socket while it is open */
    bool connecting;          /* the resolve job is running */
    bool opened;              /* the VNC socket was attached (audit: a close follows) */
    struct console_ring down; /* VNC → browser */
    struct console_ring up;   /* browser → VNC */
    bool pulling;   /* lws rx of the VNC socket is paused: the websocket writer reads it */
    bool raw_dry;   /* the writer's last read of the VNC socket found it empty (or ended) */
    bool ws_paused; /* rx flow control of the websocket in force */
    bool closing;   /* close the websocket once `down` is written */
    int close_code;
    char close_reason[112];
    int64_t opened_ms;
    uint64_t bytes_down, bytes_up;
    struct console *next; /* hub list */
};

struct console_hub {
    struct console *list; /* owned */
};

/* ---- the hub ------------------------------------------------ */

struct console_hub *console_hub_new(void)
{
    return xcalloc(1, sizeof(struct console_hub));
}

static void console_free(struct console *c)
{
    if (!c)
        return;
    console_ring_free(&c->down);
    console_ring_free(&c->up);
    free(c);
}

void console_hub_free(struct console_hub *hub)
{
    if (!hub)
        return;
    while (hub->list) {
        struct console *c = hub->list;
        hub->list = c->next;
        console_free(c);
    }
    free(hub);
}

static struct console *console_find(struct console_hub *hub, uint64_t id)
{
    for (struct console *c = hub->list; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static struct lws *console_ws(struct app *app, const struct console *c)
{
    return http_server_find(app->http, c->id);
}

/* Asks for the websocket to be closed with code and reason once `down` is written. */
static void console_close(struct app *app, struct console *c, int code, const char *reason)
{
    struct lws *ws = console_ws(app, c);

    if (!c->closing) {
        c->closing = true;
        c->close_code = code;
        snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason);
    }
    if (ws)
        lws_callback_on_writable(ws);
}

/* ---- audit ------------------------------------------------ */

struct console_audit_job {
    struct app *app; /* borrowed */
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    char action[24];
    char object[48];
    char outcome[32];
};

static void console_audit_run(struct work_job *job)
{
    struct console_audit_job *arg = job->arg;

    store_audit(arg->app->db, arg->username, arg->peer, arg->action, arg->object, arg->outcome);
}

/* Records an open or close in the audit log (SQLite write: on a worker). */
static void console_audit(struct app *app, const struct console *c, const char *action,
                          const char *outcome)
{
    struct console_audit_job *arg = xcalloc(1, sizeof(*arg));

    arg->app = app;
    snprintf(arg->username, sizeof(arg->username), "%s", c->username);
    snprintf(arg->peer, sizeof(arg->peer), "%s", c->peer);
    snprintf(arg->action, sizeof(arg->action), "%s", action);
    snprintf(arg->object, sizeof(arg->object), "domain:%s", c->uuid);
    snprintf(arg->outcome, sizeof(arg->outcome), "%s", outcome);
    if (work_pool_submit(app->pool, work_job_new(0, console_audit_run, NULL, arg, free)) < 0)
        log_warn("console: audit record for %s dropped (worker queue full)", c->uuid);
}

/* ---- resolving and connecting (worker) ------------------------------------------------ */

struct console_job {
    struct app *app; /* borrowed */
    char uuid[40];
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
    virConnectPtr conn = virt_conn_get(arg->app->virt);

    app_error_clear(&arg->err);
    if (!conn) {
        app_error_set(&arg->err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt");
        return;
    }
    arg->fd = console_target_open(conn, arg->uuid, arg->name, sizeof(arg->name), &arg->err);
    virConnectClose(conn);
}

static void console_resolve_done(struct work_job *job)
{
    struct console_job *arg = job->arg;
    struct app *app = arg->app;
    struct console *c = console_find(app->consoles, job->conn_id);
    struct lws *ws = c ? console_ws(app, c) : NULL;
    lws_adopt_desc_t info;

    if (!c || !ws)
        return; /* the browser left; console_job_free closes the socket */
    c->connecting = false;
    snprintf(c->name, sizeof(c->name), "%s", arg->name);
    if (arg->fd < 0) {
        log_info("console: %s could not open %s (%s) from %s: %s", c->username, c->uuid, c->name,
                 c->peer, arg->err.message);
        console_close(app, c, 4000 + (arg->err.status ? arg->err.status : 502), arg->err.message);
        console_audit(app, c, "console_open", arg->err.code ? arg->err.code : "error");
        return;
    }
    memset(&info, 0, sizeof(info));
    info.vh = lws_get_vhost(ws);
    info.type = LWS_ADOPT_SOCKET;
    info.fd.sockfd = arg->fd;
    info.vh_prot_name = CONSOLE_RAW_PROTOCOL;
    info.opaque = (void *)(uintptr_t)c->id;
    arg->fd = -1; /* lws owns it now, even on failure */
    if (!lws_adopt_descriptor_vhost_via_info(&info)) {
        console_close(app, c, 4502, "cannot attach the VNC connection");
        return;
    }
    c->opened = true;
    log_info("console: %s opened %s (%s) from %s", c->username, c->name, c->uuid, c->peer);
    console_audit(app, c, "console_open", "ok");
}

/* ---- raw side (VNC server) ------------------------------------------------ */

static struct console *console_of_raw(struct lws *wsi, struct app **app_out)
{
    struct app *app = lws_context_user(lws_get_context(wsi));
    uint64_t id = (uint64_t)(uintptr_t)lws_get_opaque_user_data(wsi);

    *app_out = app;
    return app && app->consoles ? console_find(app->consoles, id) : NULL;
}

static int console_raw_rx(struct app *app, struct console *c, struct lws *wsi, const void *in,
                          size_t len)
{
    struct lws *ws = console_ws(app, c);

    if (console_ring_put(&c->down, in, len) != len) {
        /* cannot happen while flow control works; refuse rather than drop bytes */
        log_error("console: %s: VNC data overran its buffer", c->uuid);
        console_close(app, c, 1011, "console buffer overrun");
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
    if (ws)
        lws_callback_on_writable(ws);
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
static int console_up_flush(struct app *app, struct console *c)
{
    int fd = lws_get_socket_fd(c->raw);
    unsigned char *p;
    size_t n;
    struct lws *ws;

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
    if (c->ws_paused && console_ring_len(&c->up) <= CONSOLE_UP_READ && (ws = console_ws(app, c))) {
        c->ws_paused = false;
        lws_rx_flow_control(ws, 1);
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
    struct app *app = NULL;
    struct console *c = console_of_raw(wsi, &app);

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
        return c ? console_raw_rx(app, c, wsi, in, len) : -1;
    case LWS_CALLBACK_RAW_WRITEABLE:
        return c && c->raw == wsi ? console_up_flush(app, c) : -1;
    case LWS_CALLBACK_RAW_CLOSE:
        if (c && c->raw == wsi) {
            c->raw = NULL;
            c->pulling = false;
            console_close(app, c, 1000, "the VM's display closed (the VM stopped)");
        }
        return 0;
    default:
        return 0;
    }
}

/* ---- websocket side (browser) ------------------------------------------------ */

int console_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                    const struct auth_session *session, const char *peer, const char *uuid)
{
    struct console *c = xcalloc(1, sizeof(*c));
    struct console_job *arg = xcalloc(1, sizeof(*arg));
    struct work_job *job;

    c->id = conn_id;
    snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
    snprintf(c->username, sizeof(c->username), "%s", session->username);
    snprintf(c->session_id, sizeof(c->session_id), "%s", session->id);
    snprintf(c->peer, sizeof(c->peer), "%s", peer);
    console_ring_init(&c->down, CONSOLE_DOWN_CAP, LWS_PRE);
    console_ring_init(&c->up, CONSOLE_UP_CAP, 0);
    c->opened_ms = clock_mono_ms();
    c->connecting = true;
    c->next = app->consoles->list;
    app->consoles->list = c;

    arg->app = app;
    arg->fd = -1;
    snprintf(arg->uuid, sizeof(arg->uuid), "%s", uuid);
    job = work_job_new(conn_id, console_resolve_run, console_resolve_done, arg, console_job_free);
    if (work_pool_submit(app->pool, job) < 0)
        console_close(app, c, 4503, "server busy, try again");
    (void)wsi;
    return 0;
}

int console_ws_receive(struct app *app, struct lws *wsi, uint64_t conn_id, const void *in,
                       size_t len)
{
    struct console *c = console_find(app->consoles, conn_id);

    if (!c)
        return -1;
    if (c->closing)
        return 0;
    if (console_ring_put(&c->up, in, len) != len) {
        log_error("console: %s: browser data overran its buffer", c->uuid);
        return -1;
    }
    if (c->raw && console_up_flush(app, c) < 0) /* the VNC socket failed: RAW_CLOSE follows */
        lws_set_timeout(c->raw, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    if (console_ring_space(&c->up) < CONSOLE_UP_ROOM && !c->ws_paused &&
        !http_server_tls_pending(wsi)) {
        c->ws_paused = true;
        lws_rx_flow_control(wsi, 0);
    }
    return 0;
}

int console_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id)
{
    struct console *c = console_find(app->consoles, conn_id);
    size_t sent = 0;

    if (!c)
        return -1;
    if (!console_ring_len(&c->down) && c->closing) {
        lws_close_reason(wsi, (enum lws_close_status)c->close_code,
                         (unsigned char *)c->close_reason, strlen(c->close_reason));
        return -1;
    }
    /* Frames straight from the ring (lws puts each header in the LWS_PRE bytes before
     * it), as many as the socket takes without blocking, up to CONSOLE_TURN_MAX; while
     * pulling, the ring is refilled from the VNC socket whenever less than a frame is left. */
    for (;;) {
        unsigned char *p;
        size_t n;
        if (c->pulling && !c->raw_dry && !c->closing &&
            console_ring_len(&c->down) < CONSOLE_FRAME_MAX)
            console_down_pull(c);
        n = console_ring_readable(&c->down, &p, CONSOLE_FRAME_MAX);
        if (!n)
            break;
        if (lws_write(wsi, p, n, LWS_WRITE_BINARY) < (int)n)
            return -1;
        console_ring_drop(&c->down, n);
        sent += n;
        if (sent >= CONSOLE_TURN_MAX || lws_send_pipe_choked(wsi))
            break;
    }
    /* the burst is over: lws reads the VNC socket again and wakes us with RAW_RX */
    if (c->pulling && c->raw_dry && console_ring_space(&c->down) >= CONSOLE_DOWN_READ) {
        c->pulling = false;
        if (c->raw)
            lws_rx_flow_control(c->raw, 1);
    }
    if (console_ring_len(&c->down) || c->pulling || c->closing)
        lws_callback_on_writable(wsi);
    else
        console_ring_trim(&c->down, CONSOLE_RING_KEEP);
    return 0;
}

void console_ws_closed(struct app *app, uint64_t conn_id)
{
    struct console_hub *hub = app->consoles;

    for (struct console **pp = &hub->list; *pp; pp = &(*pp)->next) {
        struct console *c = *pp;
        if (c->id != conn_id)
            continue;
        *pp = c->next;
        if (c->raw) {
            lws_set_opaque_user_data(c->raw, NULL);
            lws_set_timeout(c->raw, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        log_info("console: %s closed %s (%s) from %s after %lld s (%llu bytes to the browser, "
                 "%llu to the VM)",
                 c->username, c->name[0] ? c->name : "-", c->uuid, c->peer,
                 (long long)((clock_mono_ms() - c->opened_ms) / 1000),
                 (unsigned long long)c->bytes_down, (unsigned long long)c->bytes_up);
        if (c->opened)
            console_audit(app, c, "console_close", "ok");
        console_free(c);
        return;
    }
}

void console_sessions_check(struct app *app)
{
    for (struct console *c = app->consoles->list; c; c = c->next)
        if (!auth_sessions_alive(app->sessions, c->session_id))
            console_close(app, c, 4401, "session ended");
}
