/* serial: the websocket <-> libvirt console stream bridge (design in serial.h).
 *
 * Threads: the endpoint's functions (serial_ws_*), serial_dispatch and the open job's
 * `done` run on the service thread; serial_open_run on a worker; serial_on_stream,
 * serial_on_timer and serial_on_conn_close on libvirt's event thread ("virt-events");
 * serial_tx_main on the bridge's own "serial-tx" thread; serial_hub_free on the main
 * thread at shutdown.
 * Invariants: a bridge is its websocket connection's state (conn_state) and in hub->open
 * from the endpoint's open to its closed (`ws` is valid all that time), and
 * in hub->all until its last reference goes; `stream` and `conn` are set from the open
 * job's attach until the sender thread closes them; the stream callback and the kick
 * timer are removed (detach) on the event thread only, before the stream is closed; each
 * ring holds at most its capacity. No lock is held across a libvirt or lws call. */
#include "serial.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth_sessions.h"
#include "http/conn.h"
#include "util/byte_ring.h"
#include "serial_target.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "work/work_pool.h"

/* VM → browser. */
#define SERIAL_DOWN_CAP (64u * 1024)
/* browser → VM. The websocket is paused when less than SERIAL_UP_ROOM is left, but only
 * between TLS records (lws 4.1.6 spins if rx is paused while OpenSSL still holds
 * decrypted bytes), so the room covers one more record (16 KiB) and one fragment (4 KiB,
 * the protocol's rx_buffer_size). Resumed once the sender drained it to SERIAL_UP_RESUME. */
#define SERIAL_UP_CAP    (32u * 1024)
#define SERIAL_UP_ROOM   (20u * 1024)
#define SERIAL_UP_RESUME (4u * 1024)
/* bytes per virStreamRecv / virStreamSend / websocket frame */
#define SERIAL_IO_MAX      (16u * 1024)
#define SERIAL_RECV_MAX    4 /* reads per stream callback, then let the loop run */
#define SERIAL_EVENTS_BASE (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)
/* the private connection's keepalive (libvirtd's own drops a stalled one after ~30 s) */
#define SERIAL_KEEPALIVE_INTERVAL_S 5
#define SERIAL_KEEPALIVE_COUNT      3
/* bridges alive at once, counting those still closing (one sender thread each) */
#define SERIAL_MAX_BRIDGES 64
/* serial_hub_free: how long sender threads get to close their streams, and the
 * iterations of libvirt's loop run to release the last references */
#define SERIAL_SHUTDOWN_WAIT_S 5
#define SERIAL_DRAIN_ROUNDS    16

struct serial {
    /* immutable after serial_ws_open */
    char uuid[40];
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    struct serial_hub *hub; /* borrowed */

    /* service thread only */
    struct conn *ws; /* borrowed: the browser's websocket; NULL once it closed */
    char name[128];
    int64_t opened_ms;
    lws_dll2_t node; /* in hub->open */

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* the sender waits on it: bytes in `up`, or detached */
    unsigned refs;
    struct byte_ring down; /* VM → browser */
    struct byte_ring up;   /* browser → VM */
    virConnectPtr conn;    /* owned: the bridge's private connection */
    virStreamPtr stream;   /* owned; NULL before the attach and after the sender closed it */
    int timer;             /* the kick timer's id, -1 if none */
    bool attaching;        /* the worker is registering the timer, callback and sender */
    bool cb_added;         /* the stream callback is registered */
    bool detached;         /* callback and timer removed: the sender may close the stream */
    int events;            /* stream events armed (changed on the event thread) */
    bool ws_gone;          /* the websocket closed: end the stream */
    bool tx_failed;        /* the sender hit an error: end the stream */
    bool conn_lost;        /* the private connection closed (libvirtd gone, keepalive) */
    bool ended;            /* the stream ended; end_reason says why */
    char end_reason[112];
    bool down_blocked; /* READABLE dropped because `down` is full */
    bool ws_paused;    /* websocket rx paused because `up` is nearly full */
    bool notified;     /* serial_dispatch has news of this bridge to act on */
    uint64_t bytes_down, bytes_up;

    struct serial *all_next; /* hub->lock */
};

struct serial_hub {
    void (*wake)(void *ctx); /* any thread */
    void *wake_ctx;          /* borrowed */

    /* service thread */
    lws_dll2_owner_t open; /* the bridges whose websocket is open (not owned) */

    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled when a sender thread ends */
    struct serial *all;  /* lock: every bridge not yet freed (refcounted, not owned) */
    unsigned nall;       /* lock */
    unsigned senders;    /* lock: sender threads running */
};

/* ---- references ------------------------------------------------ */

/* Any thread. Frees the bridge with its last reference. */
static void serial_unref(struct serial *b)
{
    struct serial_hub *hub = b->hub;
    unsigned left;

    pthread_mutex_lock(&b->lock);
    left = --b->refs;
    pthread_mutex_unlock(&b->lock);
    if (left)
        return;
    pthread_mutex_lock(&hub->lock);
    for (struct serial **pp = &hub->all; *pp; pp = &(*pp)->all_next) {
        if (*pp == b) {
            *pp = b->all_next;
            hub->nall--;
            break;
        }
    }
    pthread_mutex_unlock(&hub->lock);
    byte_ring_free(&b->down);
    byte_ring_free(&b->up);
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* libvirt's free callback for the kick timer's reference. */
static void serial_unref_cb(void *opaque)
{
    serial_unref(opaque);
}

/* Any thread: asks the event thread to look at the bridge again. */
static void serial_kick(struct serial *b)
{
    int timer;

    pthread_mutex_lock(&b->lock);
    timer = b->timer;
    pthread_mutex_unlock(&b->lock);
    if (timer >= 0)
        virEventUpdateTimeout(timer, 0); /* ignored by libvirt once the timer is removed */
}

/* Marks news for serial_dispatch; true if the service thread must be woken. b->lock held. */
static bool serial_notify_locked(struct serial *b)
{
    if (b->notified)
        return false;
    b->notified = true;
    return true;
}

static void serial_wake(struct serial *b)
{
    if (b->hub->wake)
        b->hub->wake(b->hub->wake_ctx);
}

/* Records why the stream ended (the first reason wins). b->lock held. */
static void serial_set_end_locked(struct serial *b, const char *why)
{
    if (!b->ended) {
        b->ended = true;
        snprintf(b->end_reason, sizeof(b->end_reason), "%s", why);
    }
}

/* The private connection closed under the bridge (libvirtd restarted, or keepalive gave
 * up on it). Streams are not told by libvirt 9.0, so end the bridge here. libvirt calls
 * this on its event thread holding its own lock: only flags and event-loop calls. */
static void serial_on_conn_close(virConnectPtr conn, int reason, void *opaque)
{
    struct serial *b = opaque;
    bool wake;

    (void)conn;
    (void)reason;
    pthread_mutex_lock(&b->lock);
    b->conn_lost = true;
    serial_set_end_locked(b, "the connection to libvirt was lost");
    wake = serial_notify_locked(b);
    pthread_mutex_unlock(&b->lock);
    serial_kick(b);
    if (wake)
        serial_wake(b);
}

/* Aborts and frees a stream no callback watches any more, then the connection (its close
 * callback unregistered first: unregistering waits for a call in progress, so the bridge
 * is not used after this). Blocking: the sender thread, or the worker. */
static void serial_stream_close(virStreamPtr st, virConnectPtr conn)
{
    if (st) {
        if (virStreamAbort(st) < 0)
            virResetLastError(); /* already ended (EOF, VM gone, connection lost) */
        virStreamFree(st);
    }
    if (conn) {
        if (virConnectUnregisterCloseCallback(conn, serial_on_conn_close) < 0)
            virResetLastError();
        virConnectClose(conn);
    }
}

/* ---- the event thread ------------------------------------------------ */

/* Removes the stream callback and the kick timer, then lets the sender close the
 * stream. The event thread only (or serial_hub_free once it has stopped), so no stream
 * callback can be running elsewhere; one still on this thread's stack is covered by the
 * timer's reference, released by libvirt in a later loop iteration. */
static void serial_detach(struct serial *b)
{
    virStreamPtr st;
    int timer;
    bool cb;

    pthread_mutex_lock(&b->lock);
    if (b->detached || b->attaching || !b->stream) {
        pthread_mutex_unlock(&b->lock);
        return;
    }
    st = b->stream;
    cb = b->cb_added;
    b->cb_added = false;
    timer = b->timer;
    b->timer = -1;
    pthread_mutex_unlock(&b->lock);
    if (cb && virStreamEventRemoveCallback(st) < 0)
        virResetLastError();
    if (timer >= 0)
        virEventRemoveTimeout(timer);
    pthread_mutex_lock(&b->lock);
    b->detached = true;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* Reads what fits into `down` (never blocks: a non-blocking stream only hands over what
 * libvirt already received). Returns NULL, or why the stream ended. */
static const char *serial_pump_read(struct serial *b, virStreamPtr st, char *tmp, size_t tmp_len,
                                    bool *wake)
{
    for (int i = 0; i < SERIAL_RECV_MAX; i++) {
        size_t room;
        int n;

        pthread_mutex_lock(&b->lock);
        room = byte_ring_space(&b->down);
        pthread_mutex_unlock(&b->lock);
        if (!room)
            return NULL;
        n = virStreamRecv(st, tmp, room < tmp_len ? room : tmp_len);
        if (n == -2)
            return NULL; /* nothing more for now */
        if (n == 0)
            return "the VM's serial console closed (the VM stopped)";
        if (n < 0) {
            log_info("serial: %s: reading the console failed: %s", b->uuid,
                     virGetLastErrorMessage());
            virResetLastError();
            return "the serial console stream failed";
        }
        /* only this thread adds to `down`, so what had room still fits */
        pthread_mutex_lock(&b->lock);
        byte_ring_put(&b->down, tmp, (size_t)n);
        b->bytes_down += (uint64_t)n;
        *wake |= serial_notify_locked(b);
        pthread_mutex_unlock(&b->lock);
    }
    return NULL;
}

/* The event thread's look at a bridge: read for READABLE, end the stream when asked or
 * when it ended, and keep READABLE armed only while `down` has room. */
static void serial_pump(struct serial *b, virStreamPtr st, int events)
{
    char tmp[SERIAL_IO_MAX];
    const char *end = NULL;
    bool wake = false, change, stop;
    int want;

    pthread_mutex_lock(&b->lock);
    if (b->attaching || b->detached || b->stream != st) {
        pthread_mutex_unlock(&b->lock); /* the worker kicks once it is done */
        return;
    }
    stop = b->ws_gone || b->tx_failed || b->conn_lost;
    pthread_mutex_unlock(&b->lock);
    if (stop) {
        serial_detach(b);
        return;
    }

    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
        end = "the VM's serial console closed";
    if (!end && (events & VIR_STREAM_EVENT_READABLE))
        end = serial_pump_read(b, st, tmp, sizeof(tmp), &wake);
    if (end) {
        pthread_mutex_lock(&b->lock);
        serial_set_end_locked(b, end);
        wake |= serial_notify_locked(b);
        pthread_mutex_unlock(&b->lock);
        serial_detach(b);
        if (wake)
            serial_wake(b);
        return;
    }

    pthread_mutex_lock(&b->lock);
    want = SERIAL_EVENTS_BASE;
    if (byte_ring_space(&b->down))
        want |= VIR_STREAM_EVENT_READABLE;
    else
        b->down_blocked = true;
    change = want != b->events;
    b->events = want;
    pthread_mutex_unlock(&b->lock);
    if (change && virStreamEventUpdateCallback(st, want) < 0) {
        log_info("serial: %s: cannot watch the console: %s", b->uuid, virGetLastErrorMessage());
        virResetLastError();
        pthread_mutex_lock(&b->lock);
        serial_set_end_locked(b, "the serial console stream failed");
        wake |= serial_notify_locked(b);
        pthread_mutex_unlock(&b->lock);
        serial_detach(b);
    }
    if (wake)
        serial_wake(b);
}

static void serial_on_stream(virStreamPtr st, int events, void *opaque)
{
    serial_pump(opaque, st, events);
}

static void serial_on_timer(int timer, void *opaque)
{
    struct serial *b = opaque;
    virStreamPtr st;

    virEventUpdateTimeout(timer, -1);
    pthread_mutex_lock(&b->lock);
    st = b->stream;
    pthread_mutex_unlock(&b->lock);
    if (st)
        serial_pump(b, st, 0);
}

/* ---- the sender thread ------------------------------------------------ */

/* Sends `up` to the VM. virStreamSend on libvirt's remote driver blocks while libvirtd
 * does not read (a guest that ignores its serial input makes libvirtd stop reading the
 * connection), so it runs here, on the bridge's own thread and connection, never on the
 * event thread or a worker. Once the event thread has detached the stream, closes it. */
static void *serial_tx_main(void *opaque)
{
    struct serial *b = opaque;
    struct serial_hub *hub = b->hub;
    char tmp[SERIAL_IO_MAX];
    virStreamPtr st;
    virConnectPtr conn;
    bool wake = false, kick = false;

    pthread_mutex_lock(&b->lock);
    for (;;) {
        size_t n;
        int sent;

        while (!b->detached && !b->tx_failed && !byte_ring_len(&b->up))
            pthread_cond_wait(&b->cond, &b->lock);
        if (b->detached || b->tx_failed)
            break;
        n = byte_ring_peek(&b->up, tmp, sizeof(tmp));
        st = b->stream;
        pthread_mutex_unlock(&b->lock);
        sent = virStreamSend(st, tmp, n);
        if (sent < 0 && sent != -2) {
            log_info("serial: %s: writing to the console failed: %s", b->uuid,
                     virGetLastErrorMessage());
            virResetLastError();
        }
        pthread_mutex_lock(&b->lock);
        if (sent == -2) {
            /* not what the remote driver does, but allowed by the API: retry shortly */
            struct timespec until;

            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 50 * 1000 * 1000;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&b->cond, &b->lock, &until);
            continue;
        }
        if (sent < 0) {
            b->tx_failed = true;
            serial_set_end_locked(b, "the serial console stream failed");
            wake |= serial_notify_locked(b);
            kick = true;
            break;
        }
        byte_ring_drop(&b->up, (size_t)sent);
        b->bytes_up += (uint64_t)sent;
        if (b->ws_paused && byte_ring_len(&b->up) <= SERIAL_UP_RESUME && serial_notify_locked(b)) {
            pthread_mutex_unlock(&b->lock);
            serial_wake(b);
            pthread_mutex_lock(&b->lock);
        }
    }
    pthread_mutex_unlock(&b->lock);
    if (wake)
        serial_wake(b);
    if (kick)
        serial_kick(b); /* the event thread detaches, then signals */

    pthread_mutex_lock(&b->lock);
    while (!b->detached)
        pthread_cond_wait(&b->cond, &b->lock);
    st = b->stream;
    conn = b->conn;
    b->stream = NULL;
    b->conn = NULL;
    pthread_mutex_unlock(&b->lock);
    serial_stream_close(st, conn);

    serial_unref(b); /* the sender's */
    pthread_mutex_lock(&hub->lock);
    hub->senders--;
    pthread_cond_broadcast(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
    return NULL;
}

/* ---- opening (worker) ------------------------------------------------ */

struct serial_job {
    struct app *app;  /* borrowed */
    struct serial *b; /* a reference, released with the job */
    char uuid[40];
    char name[128]; /* filled by run */
    bool opened;    /* filled by run */
    struct app_error err;
};

static void serial_job_free(void *opaque)
{
    struct serial_job *arg = opaque;

    if (!arg)
        return;
    serial_unref(arg->b);
    free(arg);
}

/* Starts the bridge's sender thread (detached; it holds a reference). */
static int serial_start_sender(struct serial *b)
{
    struct serial_hub *hub = b->hub;
    pthread_attr_t attr;
    pthread_t th;
    int ret = -1;

    pthread_mutex_lock(&b->lock);
    b->refs++;
    pthread_mutex_unlock(&b->lock);
    pthread_mutex_lock(&hub->lock);
    hub->senders++;
    pthread_mutex_unlock(&hub->lock);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, serial_tx_main, b) == 0) {
        pthread_setname_np(th, "serial-tx");
        ret = 0;
    }
    pthread_attr_destroy(&attr);
    if (ret < 0) {
        pthread_mutex_lock(&hub->lock);
        hub->senders--;
        pthread_mutex_unlock(&hub->lock);
        serial_unref(b);
    }
    return ret;
}

/* Hands the open stream and its connection to the bridge, libvirt's event thread and the
 * sender thread. Worker. On failure both are closed here. */
static int serial_attach(struct serial *b, virConnectPtr conn, virStreamPtr st,
                         struct app_error *err)
{
    int timer = -1;
    bool gone, cb = false;
    int ret = -1;

    pthread_mutex_lock(&b->lock);
    gone = b->ws_gone;
    if (!gone) {
        b->conn = conn; /* the bridge owns both from here */
        b->stream = st;
        b->attaching = true;
        b->events = SERIAL_EVENTS_BASE | VIR_STREAM_EVENT_READABLE;
        b->refs++; /* the timer's, which also covers the stream callback (serial_detach) */
    }
    pthread_mutex_unlock(&b->lock);
    if (gone) {
        app_error_set(err, 410, APP_ERR_CONFLICT, "the browser left");
        serial_stream_close(st, conn);
        goto cleanup;
    }
    timer = virEventAddTimeout(-1, serial_on_timer, b, serial_unref_cb);
    if (timer < 0) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "cannot watch the serial console");
        virResetLastError();
        serial_unref(b); /* the timer's, never given to libvirt; the job's remains */
        goto cleanup;
    }
    pthread_mutex_lock(&b->lock);
    b->timer = timer;
    pthread_mutex_unlock(&b->lock);
    /* no free callback: libvirt 9.0's remote driver never calls it (fixed upstream in
     * 2025), so the callback's use of the bridge is covered by the timer's reference */
    if (virStreamEventAddCallback(st, SERIAL_EVENTS_BASE | VIR_STREAM_EVENT_READABLE,
                                  serial_on_stream, b, NULL) < 0) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "cannot watch the serial console: %s",
                      virGetLastErrorMessage());
        virResetLastError();
        goto cleanup;
    }
    cb = true;
    if (serial_start_sender(b) < 0) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "cannot start the serial console");
        goto cleanup;
    }
    pthread_mutex_lock(&b->lock);
    b->cb_added = true;
    pthread_mutex_unlock(&b->lock);
    ret = 0;

cleanup:
    if (ret < 0 && !gone) {
        /* still `attaching`: the event thread leaves the stream alone meanwhile */
        if (cb && virStreamEventRemoveCallback(st) < 0)
            virResetLastError();
        if (timer >= 0)
            virEventRemoveTimeout(timer);
        serial_stream_close(st, conn);
        pthread_mutex_lock(&b->lock);
        b->stream = NULL;
        b->conn = NULL;
        b->timer = -1;
        pthread_mutex_unlock(&b->lock);
    }
    pthread_mutex_lock(&b->lock);
    b->attaching = false;
    pthread_mutex_unlock(&b->lock);
    if (ret == 0)
        virEventUpdateTimeout(timer, 0); /* first look: the browser may have left already */
    return ret;
}

/* Worker: a private connection (so a stalled console stalls nothing else), the console
 * on a stream, then the attach. */
static void serial_open_run(struct work_job *job)
{
    struct serial_job *arg = job->arg;
    virConnectPtr conn = NULL;
    virStreamPtr st;

    app_error_clear(&arg->err);
    if (!virt_conn_is_connected(arg->app->virt)) {
        app_error_set(&arg->err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt");
        return;
    }
    if (!(conn = virConnectOpen(virt_conn_uri(arg->app->virt)))) {
        app_error_set(&arg->err, 503, APP_ERR_UNAVAILABLE, "cannot connect to libvirt: %s",
                      virGetLastErrorMessage());
        virResetLastError();
        return;
    }
    if (virConnectSetKeepAlive(conn, SERIAL_KEEPALIVE_INTERVAL_S, SERIAL_KEEPALIVE_COUNT) < 0)
        virResetLastError(); /* drivers without keepalive (in-process ones) */
    /* opaque without a reference: whoever closes the connection unregisters first while
     * holding one (this job's, or the sender's once attached) */
    if (virConnectRegisterCloseCallback(conn, serial_on_conn_close, arg->b, NULL) < 0)
        virResetLastError(); /* no close events: the stream's own errors still end it */
    st = serial_target_open(conn, arg->uuid, arg->name, sizeof(arg->name), &arg->err);
    if (!st) {
        serial_stream_close(NULL, conn);
        return;
    }
    if (serial_attach(arg->b, conn, st, &arg->err) == 0)
        arg->opened = true;
}

/* ---- websocket side (service thread) ------------------------------------------------ */

/* Asks for the websocket to be closed with code and reason once `down` is written
 * (the connection layer closes after the first turn that writes nothing). */
static void serial_close(struct serial *b, int code, const char *reason)
{
    if (b->ws)
        conn_close(b->ws, code, reason);
}

static void serial_open_done(struct work_job *job)
{
    struct serial_job *arg = job->arg;
    struct conn *conn = conn_find(arg->app->conns, job->conn_id);
    struct serial *b = conn ? conn_state(conn) : NULL;

    if (b != arg->b)
        return; /* the browser left; the stream was (or will be) closed */
    snprintf(b->name, sizeof(b->name), "%s", arg->name);
    if (!arg->opened) {
        log_info("serial: %s could not open %s (%s) from %s: %s", b->username, b->uuid,
                 b->name[0] ? b->name : "-", b->peer, arg->err.message);
        serial_close(b, 4000 + (arg->err.status ? arg->err.status : 502), arg->err.message);
        return;
    }
    log_info("serial: %s opened %s (%s) from %s", b->username, b->name, b->uuid, b->peer);
}

static int serial_ws_open(struct conn *conn, const struct http_request *req)
{
    struct app *app = conn_ctx(conn);
    struct serial_hub *hub = app->serials;
    struct serial *b = xcalloc(1, sizeof(*b));
    struct serial_job *arg = xcalloc(1, sizeof(*arg));
    struct work_job *job;
    bool full;

    b->ws = conn;
    snprintf(b->uuid, sizeof(b->uuid), "%.39s", req->route.uuid); /* validated: 36 */
    snprintf(b->username, sizeof(b->username), "%s", req->session.username);
    snprintf(b->peer, sizeof(b->peer), "%s", req->peer);
    b->hub = hub;
    b->opened_ms = clock_mono_ms();
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    b->refs = 2; /* the websocket's and the open job's */
    b->timer = -1;
    byte_ring_init(&b->down, SERIAL_DOWN_CAP);
    byte_ring_init(&b->up, SERIAL_UP_CAP);
    lws_dll2_add_head(&b->node, &hub->open);
    conn_set_state(conn, b);
    pthread_mutex_lock(&hub->lock);
    full = hub->nall >= SERIAL_MAX_BRIDGES;
    b->all_next = hub->all;
    hub->all = b;
    hub->nall++;
    pthread_mutex_unlock(&hub->lock);

    arg->app = app;
    arg->b = b;
    snprintf(arg->uuid, sizeof(arg->uuid), "%.39s", req->route.uuid);
    if (full) {
        serial_job_free(arg); /* the job's reference */
        serial_close(b, 4503, "too many serial consoles open, try again");
    } else {
        job = work_job_new(conn_id(conn), serial_open_run, serial_open_done, arg, serial_job_free);
        if (work_pool_submit(app->pool, job) < 0)
            serial_close(b, 4503, "server busy, try again"); /* the job's reference went */
    }
    return 0;
}

static int serial_ws_receive(struct conn *conn, const void *in, size_t len)
{
    static const char overrun[] = "serial input overran its buffer";
    struct serial *b = conn_state(conn);
    size_t taken = 0;
    bool pause = false, ended, tls_pending;

    if (!b)
        return -1;
    if (conn_closing(conn) || !len)
        return 0;
    tls_pending = conn_tls_pending(conn);
    pthread_mutex_lock(&b->lock);
    ended = b->ended;
    if (!ended) {
        taken = byte_ring_put(&b->up, in, len);
        if (byte_ring_space(&b->up) < SERIAL_UP_ROOM && !b->ws_paused && !tls_pending)
            pause = b->ws_paused = true;
        pthread_cond_signal(&b->cond); /* the sender */
    }
    pthread_mutex_unlock(&b->lock);
    if (ended)
        return 0; /* the console is gone; the socket closes once `down` is written */
    if (taken != len) {
        /* cannot happen while flow control works; refuse rather than drop keystrokes */
        log_error("serial: %s: browser data overran its buffer", b->uuid);
        return conn_close_now(conn, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, overrun);
    }
    if (pause)
        conn_rx_pause(conn, true);
    return 0;
}

static int serial_ws_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + CONN_WS_PAYLOAD_MAX];
    struct serial *b = conn_state(conn);
    bool more, kick = false;
    size_t n;

    if (!b)
        return -1;
    pthread_mutex_lock(&b->lock);
    n = byte_ring_peek(&b->down, out + CONN_PRE, CONN_WS_PAYLOAD_MAX);
    pthread_mutex_unlock(&b->lock);
    if (!n)
        return 0; /* a closing console closes now (conn.h) */
    if (conn_ws_write(conn, out + CONN_PRE, n, CONN_WRITE_WS_BINARY, true) < 0)
        return -1;
    pthread_mutex_lock(&b->lock);
    byte_ring_drop(&b->down, n);
    more = byte_ring_len(&b->down) > 0;
    if (b->down_blocked && byte_ring_space(&b->down) >= SERIAL_DOWN_CAP / 2) {
        b->down_blocked = false;
        kick = true;
    }
    pthread_mutex_unlock(&b->lock);
    if (kick)
        serial_kick(b); /* the event thread arms READABLE again */
    if (more)
        conn_want_write(conn);
    return 0;
}

static void serial_ws_closed(struct conn *conn)
{
    struct serial *b = conn_state(conn);
    uint64_t down, up;

    if (!b)
        return;
    lws_dll2_remove(&b->node);
    b->ws = NULL;
    pthread_mutex_lock(&b->lock);
    b->ws_gone = true;
    down = b->bytes_down;
    up = b->bytes_up;
    pthread_mutex_unlock(&b->lock);
    serial_kick(b); /* the event thread detaches, the sender closes the stream */
    log_info("serial: %s closed %s (%s) from %s after %lld s (%llu bytes to the browser, "
             "%llu to the VM)",
             b->username, b->name[0] ? b->name : "-", b->uuid, b->peer,
             (long long)((clock_mono_ms() - b->opened_ms) / 1000), (unsigned long long)down,
             (unsigned long long)up);
    serial_unref(b);
}

/* A session's end closes the console with 4401 "session ended", the connection layer's
 * default (no session_ended of its own). */
const struct conn_endpoint serial_endpoint = {
    .name = "serial",
    .open = serial_ws_open,
    .writeable = serial_ws_writeable,
    .receive = serial_ws_receive,
    .closed = serial_ws_closed,
    .ws_message_max = SERIAL_WS_MESSAGE_MAX,
};

void serial_dispatch(struct app *app)
{
    for (lws_dll2_t *d = lws_dll2_get_head(&app->serials->open); d; d = d->next) {
        struct serial *b = lws_container_of(d, struct serial, node);
        bool has_data, ended, resume = false;
        char reason[sizeof(b->end_reason)];

        pthread_mutex_lock(&b->lock);
        if (!b->notified) {
            pthread_mutex_unlock(&b->lock);
            continue;
        }
        b->notified = false;
        has_data = byte_ring_len(&b->down) > 0;
        ended = b->ended;
        memcpy(reason, b->end_reason, sizeof(reason));
        if (b->ws_paused && byte_ring_len(&b->up) <= SERIAL_UP_RESUME) {
            b->ws_paused = false;
            resume = true;
        }
        pthread_mutex_unlock(&b->lock);
        if (resume)
            conn_rx_pause(b->ws, false);
        if (ended)
            serial_close(b, 1000, reason);
        else if (has_data)
            conn_want_write(b->ws);
    }
}

/* ---- the hub ------------------------------------------------ */

struct serial_hub *serial_hub_new(void (*wake)(void *ctx), void *wake_ctx)
{
    struct serial_hub *hub = xcalloc(1, sizeof(*hub));

    hub->wake = wake;
    hub->wake_ctx = wake_ctx;
    pthread_mutex_init(&hub->lock, NULL);
    pthread_cond_init(&hub->cond, NULL);
    return hub;
}

static void serial_on_drain_timer(int timer, void *opaque)
{
    (void)opaque;
    virEventUpdateTimeout(timer, -1);
}

/* Detaches every bridge not yet detached; one at a time, as the lock is not held across
 * libvirt calls. */
static void serial_hub_detach_all(struct serial_hub *hub)
{
    for (;;) {
        struct serial *b = NULL;

        pthread_mutex_lock(&hub->lock);
        for (struct serial *it = hub->all; it && !b; it = it->all_next) {
            pthread_mutex_lock(&it->lock);
            it->ws_gone = true;
            if (it->stream && !it->detached)
                b = it;
            pthread_mutex_unlock(&it->lock);
        }
        pthread_mutex_unlock(&hub->lock);
        if (!b)
            return;
        serial_detach(b); /* the timer's reference keeps b alive meanwhile */
    }
}

/* Main thread, after the lws context, the workers and libvirt's event thread are gone:
 * detaches what the event thread did not reach, lets the sender threads close their
 * streams (bounded wait), then runs libvirt's loop on this thread until it has released
 * the timers' references. A sender still stuck in libvirt after the wait keeps its
 * bridge and the hub alive (reported, not freed). */
void serial_hub_free(struct serial_hub *hub)
{
    struct timespec until;
    unsigned stuck;
    bool empty;

    if (!hub)
        return;
    serial_hub_detach_all(hub);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SERIAL_SHUTDOWN_WAIT_S;
    pthread_mutex_lock(&hub->lock);
    while (hub->senders && pthread_cond_timedwait(&hub->cond, &hub->lock, &until) == 0)
        ;
    stuck = hub->senders;
    empty = !hub->all;
    pthread_mutex_unlock(&hub->lock);

    for (int round = 0; round < SERIAL_DRAIN_ROUNDS && !empty; round++) {
        /* a due timer makes each iteration return even if nothing else is pending */
        int guard = virEventAddTimeout(0, serial_on_drain_timer, NULL, NULL);

        if (guard < 0) {
            virResetLastError();
            break;
        }
        virEventRunDefaultImpl();
        virEventRemoveTimeout(guard);
        virEventRunDefaultImpl(); /* the guard's own removal is pending: never blocks */
        pthread_mutex_lock(&hub->lock);
        empty = !hub->all;
        pthread_mutex_unlock(&hub->lock);
    }
    if (stuck) {
        log_warn("serial: %u console stream(s) still blocked in libvirt at shutdown", stuck);
        return;
    }
    if (!empty)
        log_warn("serial: bridges still referenced at shutdown");
    pthread_cond_destroy(&hub->cond);
    pthread_mutex_destroy(&hub->lock);
    free(hub);
}
