/* serial: the websocket <-> libvirt console stream bridge, a virt_pump adapter (design in
 * serial.h).
 *
 * Threads: the serial_ws_* functions, serial_on_news and the session checks run on the
 * service thread; serial_open on the console's pump thread; serial_open_free on whichever
 * thread drops the pump last.
 * Invariants: a bridge is in hub->list from its websocket's ESTABLISHED to its CLOSED and
 * holds its pump (if it started one) until then; hub->alive counts the pumps not yet
 * freed, which bounds the threads and connections consoles hold. */
#include "serial.h"

#include <libvirt/libvirt.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth_sessions.h"
#include "http/http_server.h"
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
    struct serial *list; /* service thread */
    atomic_uint alive;   /* pumps not yet freed (serial_open_free) */
};

/* The pump thread's side: the console to open (the pump's ctx). */
struct serial_open {
    struct serial_hub *hub; /* borrowed: counts this pump in `alive` */
    char uuid[40];
    char name[128]; /* the domain's name, set by serial_open (published with the pump's
                     * `opened` or `stopped`) */
};

/* The service thread's side: one websocket. */
struct serial {
    struct app *app; /* borrowed */
    uint64_t id;     /* the websocket's connection id */
    char uuid[40];
    char username[AUTH_USERNAME_MAX + 1];
    char session_id[17];
    char peer[64];
    struct virt_pump *pump;   /* owned: the service side's reference; NULL if none started */
    struct serial_open *open; /* borrowed: the pump's ctx */
    struct inbox_item news;   /* the pump's news (serial_on_news) */
    bool opened;              /* the open was logged */
    bool closing;             /* close the websocket once `down` is written */
    int close_code;
    char close_reason[112];
    bool ws_paused; /* websocket rx paused because `up` is nearly full */
    int64_t opened_ms;
    struct serial *next; /* hub->list */
};

/* ---- the pump thread ------------------------------------------------ */

static int serial_open(void *ctx, virConnectPtr conn, virStreamPtr *st, struct app_error *err)
{
    struct serial_open *o = ctx;

    *st = serial_target_open(conn, o->uuid, o->name, sizeof(o->name), err);
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

static struct serial *serial_find(struct serial_hub *hub, uint64_t id)
{
    for (struct serial *b = hub->list; b; b = b->next)
        if (b->id == id)
            return b;
    return NULL;
}

/* Asks for the websocket to be closed with code and reason once `down` is written. */
static void serial_close(struct serial *b, int code, const char *reason)
{
    struct lws *ws = http_server_find(b->app->http, b->id);

    if (!b->closing) {
        b->closing = true;
        b->close_code = code;
        snprintf(b->close_reason, sizeof(b->close_reason), "%s", reason);
    }
    if (ws)
        lws_callback_on_writable(ws);
}

/* The pump stopped: say why to the browser. */
static void serial_stopped(struct serial *b, const struct virt_pump_status *st)
{
    const char *name = b->open->name[0] ? b->open->name : "-";

    if (!st->opened) {
        log_info("serial: %s could not open %s (%s) from %s: %s", b->username, b->uuid, name,
                 b->peer, st->err.message);
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
    struct lws *ws = http_server_find(b->app->http, b->id);
    struct virt_pump_status st;

    virt_pump_status(b->pump, &st);
    if (st.opened && !b->opened) {
        b->opened = true;
        log_info("serial: %s opened %s (%s) from %s", b->username, b->open->name, b->uuid, b->peer);
    }
    if (b->ws_paused && st.tx_len <= SERIAL_UP_RESUME) {
        b->ws_paused = false;
        if (ws)
            lws_rx_flow_control(ws, 1);
    }
    if (st.stopped && !b->closing)
        serial_stopped(b, &st);
    else if (st.rx_len && ws)
        lws_callback_on_writable(ws);
}

/* Starts the console's pump. Returns 0, or -1 with the reason in err. */
static int serial_start(struct app *app, struct serial *b, struct app_error *err)
{
    struct serial_hub *hub = app->serials;
    struct virt_pump_config cfg = {
        .thread_name = "pump-serial",
        .uri = virt_conn_uri(app->virt),
        .inbox = app->inbox,
        .news = &b->news,
        .tx_cap = SERIAL_UP_CAP,
        .rx_cap = SERIAL_DOWN_CAP,
        .io_max = SERIAL_IO_MAX,
        .tx_min = 1,
        .tx_low = SERIAL_UP_RESUME,
        .rx_min = SERIAL_IO_MAX,
        .poll_rx = true,
        .send_what = "writing to the console failed",
        .recv_what = "reading the console failed",
    };
    struct serial_open *o;

    if (atomic_load(&hub->alive) >= SERIAL_MAX_BRIDGES) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "too many serial consoles open, try again");
        return -1;
    }
    if (!virt_conn_is_connected(app->virt)) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt");
        return -1;
    }
    o = xcalloc(1, sizeof(*o));
    o->hub = hub;
    snprintf(o->uuid, sizeof(o->uuid), "%s", b->uuid);
    atomic_fetch_add(&hub->alive, 1); /* released by serial_open_free, also on failure */
    b->open = o;
    if (!(b->pump = virt_pump_start(&cfg, &serial_pump_ops, o))) {
        b->open = NULL;
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "cannot start the serial console");
        return -1;
    }
    return 0;
}

int serial_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer, const char *uuid)
{
    struct serial_hub *hub = app->serials;
    struct serial *b = xcalloc(1, sizeof(*b));
    struct app_error err;

    b->app = app;
    b->id = conn_id;
    snprintf(b->uuid, sizeof(b->uuid), "%s", uuid);
    snprintf(b->username, sizeof(b->username), "%s", session->username);
    snprintf(b->session_id, sizeof(b->session_id), "%s", session->id);
    snprintf(b->peer, sizeof(b->peer), "%s", peer);
    b->opened_ms = clock_mono_ms();
    inbox_item_init(&b->news, serial_on_news);
    b->next = hub->list;
    hub->list = b;
    if (serial_start(app, b, &err) < 0)
        serial_close(b, 4000 + err.status, err.message);
    return 0;
}

int serial_ws_receive(struct app *app, struct lws *wsi, uint64_t conn_id, const void *in,
                      size_t len)
{
    static const char overrun[] = "serial input overran its buffer";
    struct serial *b = serial_find(app->serials, conn_id);
    struct virt_pump_status st;
    size_t taken, space;

    if (!b)
        return -1;
    if (b->closing || !len || !b->pump)
        return 0;
    virt_pump_status(b->pump, &st);
    if (st.stopped)
        return 0; /* the console is gone; the socket closes once `down` is written */
    taken = virt_pump_put(b->pump, in, len, &space);
    if (taken != len) {
        /* cannot happen while flow control works; refuse rather than drop keystrokes */
        log_error("serial: %s: browser data overran its buffer", b->uuid);
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)overrun,
                         strlen(overrun));
        return -1;
    }
    /* The pump posts news when `up` drains to SERIAL_UP_RESUME, which runs after this
     * callback, so a drain right now cannot be missed. */
    if (space < SERIAL_UP_ROOM && !b->ws_paused && !http_server_tls_pending(wsi)) {
        b->ws_paused = true;
        lws_rx_flow_control(wsi, 0);
    }
    return 0;
}

int serial_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id)
{
    static unsigned char out[LWS_PRE + HTTP_WS_PAYLOAD_MAX];
    struct serial *b = serial_find(app->serials, conn_id);
    size_t n = 0;

    if (!b)
        return -1;
    if (b->pump)
        n = virt_pump_peek(b->pump, out + LWS_PRE, HTTP_WS_PAYLOAD_MAX);
    if (!n) {
        if (b->closing) {
            lws_close_reason(wsi, (enum lws_close_status)b->close_code,
                             (unsigned char *)b->close_reason, strlen(b->close_reason));
            return -1;
        }
        return 0;
    }
    if (lws_write(wsi, out + LWS_PRE, n, LWS_WRITE_BINARY) < (int)n)
        return -1;
    if (virt_pump_drop(b->pump, n) || b->closing)
        lws_callback_on_writable(wsi);
    return 0;
}

void serial_ws_closed(struct app *app, uint64_t conn_id)
{
    struct serial_hub *hub = app->serials;
    struct virt_pump_status st = {0};
    struct serial *b = NULL;
    const char *name;

    for (struct serial **pp = &hub->list; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == conn_id) {
            b = *pp;
            *pp = b->next;
            break;
        }
    }
    if (!b)
        return;
    if (b->pump)
        virt_pump_status(b->pump, &st);
    /* the name is the pump thread's until it opened or stopped */
    name = b->open && (st.opened || st.stopped) && b->open->name[0] ? b->open->name : "-";
    log_info("serial: %s closed %s (%s) from %s after %lld s (%llu bytes to the browser, "
             "%llu to the VM)",
             b->username, name, b->uuid, b->peer,
             (long long)((clock_mono_ms() - b->opened_ms) / 1000), (unsigned long long)st.rx_bytes,
             (unsigned long long)st.tx_bytes);
    virt_pump_release(b->pump); /* its thread closes the stream and the connection */
    free(b);
}

void serial_sessions_check(struct app *app)
{
    for (struct serial *b = app->serials->list; b; b = b->next)
        if (!auth_sessions_alive(app->sessions, b->session_id))
            serial_close(b, 4401, "session ended");
}

/* ---- the hub ------------------------------------------------ */

struct serial_hub *serial_hub_new(void)
{
    struct serial_hub *hub = xcalloc(1, sizeof(*hub));

    atomic_init(&hub->alive, 0);
    return hub;
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
