/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serial: the websocket <-> libvirt console stream bridge, a virt_pump adapter (design in
 * serial.h).
 *
 * Threads: the endpoint's functions (serial_ws_*) and serial_on_news run on the service
 * thread; serial_open on the console's pump thread; serial_open_free on whichever thread
 * drops the pump last.
 * Invariants: a bridge is its websocket connection's state (conn_state) from the
 * endpoint's open to its closed (`ws` is valid all that time) and holds its pump (if it
 * started one) until then; hub->alive counts the pumps not yet freed, which bounds the
 * threads and connections consoles hold. */
#include "serial.h"

#include <libvirt/libvirt.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_sessions.h"
#include "http/conn.h"
#include "console_audit.h"
#include "serial_target.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_pump.h"
#include "work/inbox.h"

/* VM → browser. */
#define SERIAL_DOWN_CAP (64u * 1024)
/* browser → VM. The websocket is paused when less than SERIAL_UP_ROOM is left, but only
 * between TLS records (lws 4.1.6 spins if rx is paused while OpenSSL still holds
 * decrypted bytes), so the room covers one more record (16 KiB) and one fragment (4 KiB,
 * the protocol's rx_buffer_size). Resumed once the pump drained it to SERIAL_UP_RESUME. */
#define SERIAL_UP_CAP    (32u * 1024)
#define SERIAL_UP_ROOM   (20u * 1024)
#define SERIAL_UP_RESUME (4u * 1024)
/* bytes per virStreamRecv / virStreamSend */
#define SERIAL_IO_MAX (16u * 1024)
/* consoles alive at once, counting those whose pump is still closing */
#define SERIAL_MAX_BRIDGES 64

struct serial_hub {
    struct serial_deps deps; /* borrowed parts */
    atomic_uint alive;       /* pumps not yet freed (serial_open_free) */
};

/* The pump thread's side: the console to open (the pump's ctx). */
struct serial_open {
    struct serial_hub *hub; /* borrowed: counts this pump in `alive` */
    char uuid[40];
    bool hidden;    /* the user may not see the domain: opened as one that does not exist */
    char name[128]; /* the domain's name, set by serial_open (published with the pump's
                     * `opened` or `stopped`) */
};

/* The service thread's side: one websocket. */
struct serial {
    struct conn *ws;        /* borrowed: the browser's websocket (valid until serial_ws_closed) */
    struct serial_hub *hub; /* borrowed: outlives every websocket */
    char uuid[40];
    bool hidden; /* from the gate (route_match.hidden) */
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    struct virt_pump *pump;   /* owned: the service side's reference; NULL if none started */
    struct serial_open *open; /* borrowed: the pump's ctx */
    struct inbox_item news;   /* the pump's news (serial_on_news) */
    bool opened;              /* the open was logged */
    bool ws_paused;           /* websocket rx paused because `up` is nearly full */
    int64_t opened_ms;
};

/* ---- the pump thread ------------------------------------------------ */

static int serial_open(void *ctx, virConnectPtr conn, virStreamPtr *st, struct app_error *err)
{
    struct serial_open *o = ctx;

    *st = serial_target_open(conn, o->uuid, o->hidden, o->name, sizeof(o->name), err);
    return *st ? 1 : -1;
}

static void serial_open_free(void *ctx)
{
    struct serial_open *o = ctx;

    atomic_fetch_sub(&o->hub->alive, 1);
    free(o);
}

/* A console has no end to confirm: the pump aborts the stream when it ends. */
static const struct virt_pump_ops serial_pump_ops = {
    .open = serial_open,
    .free = serial_open_free,
};

/* ---- websocket side (service thread) ------------------------------------------------ */

/* Asks for the websocket to be closed with code and reason once `down` is written (the
 * connection layer closes after the first turn that writes nothing). */
static void serial_close(struct serial *b, int code, const char *reason)
{
    conn_close(b->ws, code, reason);
}

/* Records an open or close in the audit log (on a worker: console_audit.h). */
static void serial_record(const struct serial *b, const char *action, const char *outcome,
                          const char *message)
{
    console_audit_post(b->hub->deps.pool, b->hub->deps.db, b->username, b->peer, action, b->uuid,
                       outcome, message);
}

/* The pump stopped: say why to the browser. */
static void serial_stopped(struct serial *b, const struct virt_pump_status *st)
{
    const char *name = b->open->name[0] ? b->open->name : "-";

    if (!st->opened) {
        log_event(
            LOG_INFO,
            &(struct log_subject){.user = b->username, .vm = b->uuid, .action = "serial_open"},
            "serial: %s could not open %s (%s) from %s: %s", b->username, b->uuid, name, b->peer,
            st->err.message);
        serial_record(b, "serial_open", st->err.code ? st->err.code : "error", st->err.message);
        serial_close(b, 4000 + (st->err.status ? st->err.status : 502), st->err.message);
    } else if (st->end == VIRT_PUMP_DONE) {
        serial_close(b, 1000, "the VM's serial console closed (the VM stopped)");
    } else if (st->lost) {
        serial_close(b, 1000, "the connection to libvirt was lost");
    } else {
        log_info("serial: %s: %s", b->uuid, st->err.message);
        serial_close(b, 1000, "the serial console stream failed");
    }
}

/* The pump's news (from the inbox). */
static void serial_on_news(struct inbox_item *item)
{
    struct serial *b = lws_container_of(item, struct serial, news);
    struct virt_pump_status st;

    virt_pump_status(b->pump, &st);
    if (st.opened && !b->opened) {
        b->opened = true;
        log_event(
            LOG_INFO,
            &(struct log_subject){.user = b->username, .vm = b->uuid, .action = "serial_open"},
            "serial: %s opened %s (%s) from %s", b->username, b->open->name, b->uuid, b->peer);
        serial_record(b, "serial_open", "ok", NULL);
    }
    if (b->ws_paused && st.tx_len <= SERIAL_UP_RESUME) {
        b->ws_paused = false;
        conn_rx_pause(b->ws, false);
    }
    if (st.stopped && !conn_closing(b->ws))
        serial_stopped(b, &st);
    else if (st.rx_len)
        conn_want_write(b->ws);
}

/* Starts the console's pump. Returns 0, or -1 with the reason in err. */
static int serial_start(struct serial_hub *hub, struct serial *b, struct app_error *err)
{
    struct virt_pump_config cfg = {
        .thread_name = "pump-serial",
        .uri = virt_conn_uri(hub->deps.virt),
        .inbox = hub->deps.inbox,
        .news = &b->news,
        .tx_cap = SERIAL_UP_CAP,
        .rx_cap = SERIAL_DOWN_CAP,
        .io_max = SERIAL_IO_MAX,
        .tx_min = 1,
        .tx_low = SERIAL_UP_RESUME,
        .rx_min = SERIAL_IO_MAX,
        .nonblock = true,
        .send_what = "writing to the console failed",
        .recv_what = "reading the console failed",
    };
    struct serial_open *o;

    if (atomic_load(&hub->alive) >= SERIAL_MAX_BRIDGES) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "too many serial consoles open, try again");
        return -1;
    }
    if (!virt_conn_is_connected(hub->deps.virt)) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt");
        return -1;
    }
    o = xcalloc(1, sizeof(*o));
    o->hub = hub;
    snprintf(o->uuid, sizeof(o->uuid), "%s", b->uuid);
    o->hidden = b->hidden;
    atomic_fetch_add(&hub->alive, 1); /* released by serial_open_free, also on failure */
    b->open = o;
    if (!(b->pump = virt_pump_start(&cfg, &serial_pump_ops, o))) {
        b->open = NULL;
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "cannot start the serial console");
        return -1;
    }
    return 0;
}

static int serial_ws_open(struct conn *conn, const struct http_request *req)
{
    struct serial_hub *hub = conn_ctx(conn);
    struct serial *b = xcalloc(1, sizeof(*b));
    struct app_error err;

    b->ws = conn;
    b->hub = hub;
    snprintf(b->uuid, sizeof(b->uuid), "%.39s", req->route.uuid); /* validated: 36 */
    b->hidden = req->route.hidden;
    snprintf(b->username, sizeof(b->username), "%s", req->session.username);
    snprintf(b->peer, sizeof(b->peer), "%s", req->peer);
    b->opened_ms = clock_mono_ms();
    inbox_item_init(&b->news, serial_on_news);
    conn_set_state(conn, b);
    if (serial_start(hub, b, &err) < 0)
        serial_close(b, 4000 + err.status, err.message);
    return 0;
}

static int serial_ws_receive(struct conn *conn, const void *in, size_t len)
{
    static const char overrun[] = "serial input overran its buffer";
    struct serial *b = conn_state(conn);
    struct virt_pump_status st;
    size_t taken, space;

    if (!b)
        return -1;
    if (conn_closing(conn) || !len || !b->pump)
        return 0;
    virt_pump_status(b->pump, &st);
    if (st.stopped)
        return 0; /* the console is gone; the socket closes once `down` is written */
    taken = virt_pump_put(b->pump, in, len, &space);
    if (taken != len) {
        /* cannot happen while flow control works; refuse rather than drop keystrokes */
        log_error("serial: %s: browser data overran its buffer", b->uuid);
        return conn_close_now(conn, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, overrun);
    }
    /* The pump posts news when `up` drains to SERIAL_UP_RESUME, which runs after this
     * callback, so a drain right now cannot be missed. */
    if (space < SERIAL_UP_ROOM && !b->ws_paused && !conn_tls_pending(conn)) {
        b->ws_paused = true;
        conn_rx_pause(conn, true);
    }
    return 0;
}

static int serial_ws_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + CONN_WS_PAYLOAD_MAX];
    struct serial *b = conn_state(conn);
    size_t n = 0;

    if (!b)
        return -1;
    if (b->pump)
        n = virt_pump_peek(b->pump, out + CONN_PRE, CONN_WS_PAYLOAD_MAX);
    if (!n)
        return 0; /* a closing console closes now (conn.h) */
    if (conn_ws_write(conn, out + CONN_PRE, n, CONN_WRITE_WS_BINARY, true) < 0)
        return -1;
    if (virt_pump_drop(b->pump, n))
        conn_want_write(conn);
    return 0;
}

static void serial_ws_closed(struct conn *conn)
{
    struct serial *b = conn_state(conn);
    struct virt_pump_status st = {0};
    const char *name;

    if (!b)
        return;
    if (b->pump)
        virt_pump_status(b->pump, &st);
    /* the name is the pump thread's until it opened or stopped */
    name = b->open && (st.opened || st.stopped) && b->open->name[0] ? b->open->name : "-";
    log_event(LOG_INFO,
              &(struct log_subject){.user = b->username, .vm = b->uuid, .action = "serial_close"},
              "serial: %s closed %s (%s) from %s after %lld s (%llu bytes to the browser, "
              "%llu to the VM)",
              b->username, name, b->uuid, b->peer,
              (long long)((clock_mono_ms() - b->opened_ms) / 1000), (unsigned long long)st.rx_bytes,
              (unsigned long long)st.tx_bytes);
    if (b->opened)
        serial_record(b, "serial_close", "ok", NULL);
    virt_pump_release(b->pump); /* its thread closes the stream and the connection */
    free(b);
}

/* A session's end closes the console with 4401 "session ended", the connection layer's
 * default (no session_ended of its own); the gate checked the row's right. */
const struct conn_endpoint serial_endpoint = {
    .name = "serial",
    .open = serial_ws_open,
    .writeable = serial_ws_writeable,
    .receive = serial_ws_receive,
    .closed = serial_ws_closed,
    .ws_message_max = SERIAL_WS_MESSAGE_MAX,
};

/* ---- the hub ------------------------------------------------ */

struct serial_hub *serial_hub_new(const struct serial_deps *deps)
{
    struct serial_hub *hub = xcalloc(1, sizeof(*hub));

    hub->deps = *deps;
    atomic_init(&hub->alive, 0);
    return hub;
}

unsigned serial_hub_open(struct serial_hub *hub)
{
    return hub ? atomic_load(&hub->alive) : 0;
}

void serial_hub_free(struct serial_hub *hub)
{
    unsigned alive;

    if (!hub)
        return;
    if ((alive = atomic_load(&hub->alive))) {
        log_warn("serial: %u console stream(s) still blocked in libvirt at shutdown", alive);
        return;
    }
    free(hub);
}
