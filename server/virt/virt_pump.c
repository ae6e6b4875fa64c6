/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pump: a libvirt stream pumped on its own thread (DESIGN in virt_pump.h).
 *
 * Threads: pump_main and everything it calls run on the pump's thread; pump_on_close and
 * pump_on_stream on virt-events (flags and a signal only, never a libvirt call); the
 * public functions on the service thread (virt_pump_wait_all on the main thread at
 * shutdown).
 * Invariants: each ring holds at most its capacity; only the service side adds to tx and
 * drops from rx, only the thread drops from tx and adds to rx, so the thread may send
 * from a span of tx without the lock; `stopped` is set before `closed`, and neither
 * changes back; the news item is posted under p->lock and never after `released`;
 * refs counts the service side and the thread; a pump is in pump_watches exactly while its
 * thread has a stream callback registered (or is about to), and libvirt's opaque for that
 * callback is the pump's watch id, never its address. Lock order: pump_watches.lock, then
 * a pump's lock. */
#include "virt/virt_pump.h"

#include <errno.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/byte_ring.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_error.h"

/* when the inbox is full, the news is posted again this often */
#define PUMP_REPOST_MS 50

/* A pump thread that has exited but is not joined yet. */
struct pump_thread {
    pthread_t id;
    struct pump_thread *next;
};

/* Every pump thread of the process (virt_pump_wait_all). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* signalled when a thread ends */
    unsigned running;          /* lock */
    struct pump_thread *ended; /* lock; owned: exited, not joined */
} pump_threads = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL};

/* The pumps whose stream has an event callback (pump_on_stream). libvirt's opaque is a
 * watch id looked up here, not the pump: libvirt 9.0 may still be inside the callback
 * when virStreamEventRemoveCallback returns (it drops its stream lock around the call)
 * and its remote driver never calls the callback's free function, so nothing tells the
 * pump when a dispatch in progress is over. A callback that comes late finds no pump. */
static struct {
    pthread_mutex_t lock;
    struct virt_pump *head; /* lock; borrowed: linked through watch_next */
    uint64_t last_id;       /* lock */
} pump_watches = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

struct virt_pump {
    /* immutable after virt_pump_start */
    struct virt_pump_config cfg; /* its uri is `uri` */
    char *uri;                   /* owned */
    const struct virt_pump_ops *ops;
    void *ctx;                  /* owned (ops->free); used by the thread only */
    struct pump_thread *thread; /* owned until the thread hands it to pump_threads */

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* CLOCK_MONOTONIC; the thread waits here */
    unsigned refs;
    struct byte_ring tx; /* service → libvirt */
    struct byte_ring rx; /* libvirt → service */
    bool tx_closed;      /* virt_pump_close_tx */
    bool cancelled;
    bool released;     /* the service side let go: never post again */
    bool lost;         /* the connection dropped (pump_on_close) */
    bool waiting;      /* the thread waits on cond */
    bool news_pending; /* a post found the inbox full: post again */
    bool opened, stopped, closed;
    enum virt_pump_end end;
    bool stop_lost; /* it stopped because the connection was lost */
    bool rx_ready;  /* a stream event came (or a receive moved bytes): receive again */
    struct app_error err;
    uint64_t tx_bytes, rx_bytes;

    uint64_t watch_id;            /* pump_watches.lock; 0: not watched */
    struct virt_pump *watch_next; /* pump_watches.lock; borrowed */
};

/* ---- shared helpers ------------------------------------------------------------------- */

static void pump_free(struct virt_pump *p)
{
    if (p->ops->free)
        p->ops->free(p->ctx);
    byte_ring_free(&p->tx);
    byte_ring_free(&p->rx);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p->thread);
    free(p->uri);
    free(p);
}

static void pump_unref(struct virt_pump *p)
{
    unsigned left;

    pthread_mutex_lock(&p->lock);
    left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (!left)
        pump_free(p);
}

/* Posts the service side's item unless it let go. p->lock held. */
static void pump_post_locked(struct virt_pump *p)
{
    if (p->released) {
        p->news_pending = false;
        return;
    }
    p->news_pending = inbox_post(p->cfg.inbox, p->cfg.news) < 0;
}

/* Wakes the thread if it waits. p->lock held. */
static void pump_signal_locked(struct virt_pump *p)
{
    if (p->waiting)
        pthread_cond_signal(&p->cond);
}

/* ms from now on CLOCK_MONOTONIC (the pumps' condition variables), or on CLOCK_REALTIME
 * with realtime (pump_threads.cond). */
static void pump_deadline(struct timespec *ts, int ms, bool realtime)
{
    clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static bool pump_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* ---- the thread ----------------------------------------------------------------------- */

/* The private connection closed under the pump (libvirtd restarted, keepalive gave up):
 * libvirt 9.0 does not tell its streams, so the pump stops here. virt-events, with
 * libvirt's lock held: flags only. The thread unregisters this before it closes the
 * connection (which waits for a call in progress), so p is alive. */
static void pump_on_close(virConnectPtr conn, int reason, void *opaque)
{
    struct virt_pump *p = opaque;

    pthread_mutex_lock(&p->lock);
    p->lost = true;
    pump_signal_locked(p);
    pthread_mutex_unlock(&p->lock);
}

/* The stream has bytes, its end or an error (libvirt's remote driver reports all three as
 * READABLE). virt-events, without libvirt's stream lock: finds the pump by its watch id
 * and wakes it; the thread does the receiving. No libvirt call, no allocation. */
static void pump_on_stream(virStreamPtr st, int events, void *opaque)
{
    uint64_t id = (uint64_t)(uintptr_t)opaque;

    pthread_mutex_lock(&pump_watches.lock);
    for (struct virt_pump *p = pump_watches.head; p; p = p->watch_next) {
        if (p->watch_id != id)
            continue;
        pthread_mutex_lock(&p->lock);
        p->rx_ready = true;
        pump_signal_locked(p);
        pthread_mutex_unlock(&p->lock);
        break;
    }
    pthread_mutex_unlock(&pump_watches.lock);
}

/* The events a non-blocking stream is watched for: READABLE only while rx has room for a
 * receive, since libvirt's remote driver reports READABLE on every turn of its loop while
 * it holds bytes (a full ring would keep virt-events spinning). */
#define PUMP_EVENTS_BASE (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)

/* Registers st's event callback (the pump's thread). Returns 0, or -1 with err. */
static int pump_watch_start(struct virt_pump *p, virStreamPtr st, int *armed, struct app_error *err)
{
    uint64_t id;

    pthread_mutex_lock(&pump_watches.lock);
    id = ++pump_watches.last_id;
    p->watch_id = id;
    p->watch_next = pump_watches.head;
    pump_watches.head = p;
    pthread_mutex_unlock(&pump_watches.lock);
    *armed = PUMP_EVENTS_BASE | VIR_STREAM_EVENT_READABLE;
    pthread_mutex_lock(&p->lock);
    p->rx_ready = true; /* bytes may have come before the callback: look once */
    pthread_mutex_unlock(&p->lock);
    /* no free callback: libvirt 9.0's remote driver never calls it; the id covers it */
    if (virStreamEventAddCallback(st, *armed, pump_on_stream, (void *)(uintptr_t)id, NULL) < 0) {
        virt_error_capture(err, p->cfg.recv_what);
        *armed = -1;
        return -1;
    }
    return 0;
}

/* Removes st's event callback, if any, before st is aborted or freed (the callback holds a
 * reference on st in libvirt), then forgets the watch id. The pump's thread. */
static void pump_watch_stop(struct virt_pump *p, virStreamPtr st, int *armed)
{
    if (*armed >= 0 && virStreamEventRemoveCallback(st) < 0)
        virResetLastError();
    *armed = -1;
    pthread_mutex_lock(&pump_watches.lock);
    for (struct virt_pump **pp = &pump_watches.head; *pp; pp = &(*pp)->watch_next) {
        if (*pp == p) {
            *pp = p->watch_next;
            break;
        }
    }
    p->watch_id = 0;
    p->watch_next = NULL;
    pthread_mutex_unlock(&pump_watches.lock);
}

/* What the thread does next, decided under the lock. */
struct pump_turn {
    const unsigned char *span; /* tx bytes to send (ours until we drop them) */
    size_t send;               /* how many; 0: none */
    size_t recv;               /* room to receive into; 0: do not receive */
    bool natural_end;          /* a send-only pump sent everything after close_tx */
    int watch;                 /* events to arm on a non-blocking stream; -1: as armed */
};

/* A non-blocking send that said "not now" (-2: libvirt's remote driver never does, a
 * local stream may) is tried again after a wait that doubles from VIRT_PUMP_RETRY_MIN_MS
 * to VIRT_PUMP_RETRY_MAX_MS while it keeps saying so. */
struct pump_retry {
    bool idle;          /* the last send said "not now" */
    int wait_ms;        /* the next wait */
    struct timespec at; /* when to try again */
};

static void pump_retry_reset(struct pump_retry *retry)
{
    retry->idle = false;
    retry->wait_ms = VIRT_PUMP_RETRY_MIN_MS;
}

static void pump_retry_later(struct pump_retry *retry)
{
    retry->idle = true;
    pump_deadline(&retry->at, retry->wait_ms, false);
    retry->wait_ms =
        retry->wait_ms * 2 > VIRT_PUMP_RETRY_MAX_MS ? VIRT_PUMP_RETRY_MAX_MS : retry->wait_ms * 2;
}

/* Waits until there is something to do: a whole piece to send, room and (on a
 * non-blocking stream) a stream event to receive, the events to watch changed, the natural
 * end. armed: the events the stream's callback is registered for. Returns 0 with turn
 * filled, or -1 when the pump must stop (cancelled, or the connection was lost). p->lock
 * held. */
static int pump_wait_locked(struct virt_pump *p, int armed, struct pump_retry *retry,
                            struct pump_turn *turn)
{
    for (;;) {
        size_t queued = byte_ring_len(&p->tx), room = byte_ring_space(&p->rx);
        bool timed = false, tx_go, rx_go;
        struct timespec until;

        if (p->cancelled || p->lost)
            return -1;
        memset(turn, 0, sizeof(*turn));
        turn->watch = -1;
        if (p->cfg.tx_cap && queued && (queued >= p->cfg.tx_min || p->tx_closed)) {
            turn->send = byte_ring_readable(&p->tx, &turn->span);
            if (turn->send > p->cfg.io_max)
                turn->send = p->cfg.io_max;
        }
        if (p->cfg.rx_cap && room >= p->cfg.rx_min)
            turn->recv = room < p->cfg.io_max ? room : p->cfg.io_max;
        if (p->cfg.nonblock) {
            int want = PUMP_EVENTS_BASE | (turn->recv ? VIR_STREAM_EVENT_READABLE : 0);

            if (want != armed)
                turn->watch = want;
        }
        turn->natural_end = !p->cfg.rx_cap && p->tx_closed && !queued;
        tx_go = turn->send && !retry->idle;
        rx_go = turn->recv && (!p->cfg.nonblock || p->rx_ready);
        if (turn->natural_end || tx_go || rx_go || turn->watch >= 0) {
            if (!tx_go)
                turn->send = 0;
            if (!rx_go)
                turn->recv = 0;
            else
                p->rx_ready = false; /* an event from now on means "look again" */
            return 0;
        }
        if (p->news_pending) {
            pump_post_locked(p);
            if (p->news_pending) {
                timed = true;
                pump_deadline(&until, PUMP_REPOST_MS, false);
            }
        }
        if (turn->send && retry->idle) {
            if (!timed || pump_before(&retry->at, &until))
                until = retry->at;
            timed = true;
        }
        p->waiting = true;
        if (!timed) {
            pthread_cond_wait(&p->cond, &p->lock);
        } else if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT) {
            struct timespec now;

            clock_gettime(CLOCK_MONOTONIC, &now);
            if (retry->idle && !pump_before(&now, &retry->at))
                retry->idle = false; /* time to try again */
        }
        p->waiting = false;
    }
}

/* Sends turn's bytes. Returns 0, or -1 with err. */
static int pump_send(struct virt_pump *p, virStreamPtr st, const struct pump_turn *turn,
                     struct pump_retry *retry, uint64_t *moved, struct app_error *err)
{
    int sent = virStreamSend(st, (const char *)turn->span, turn->send);
    size_t before;

    if (sent == -2) {
        pump_retry_later(retry);
        return 0;
    }
    if (sent < 0) {
        virt_error_capture(err, p->cfg.send_what);
        return -1;
    }
    pump_retry_reset(retry);
    *moved += (uint64_t)sent;
    pthread_mutex_lock(&p->lock);
    before = byte_ring_len(&p->tx);
    byte_ring_drop(&p->tx, (size_t)sent);
    p->tx_bytes += (uint64_t)sent;
    if (before > p->cfg.tx_low && byte_ring_len(&p->tx) <= p->cfg.tx_low)
        pump_post_locked(p);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

/* Receives into rx. On a non-blocking stream "nothing now" (-2) waits for the next stream
 * event, and bytes mean "receive again" (until libvirt has none left). Returns 1 on end of
 * stream, 0, or -1 with err. */
static int pump_recv(struct virt_pump *p, virStreamPtr st, const struct pump_turn *turn,
                     char *chunk, uint64_t *moved, struct app_error *err)
{
    int got = virStreamRecv(st, chunk, turn->recv);

    if (got == -2)
        return 0;
    if (got < 0) {
        virt_error_capture(err, p->cfg.recv_what);
        return -1;
    }
    if (got == 0)
        return 1;
    *moved += (uint64_t)got;
    pthread_mutex_lock(&p->lock);
    if (!byte_ring_len(&p->rx))
        pump_post_locked(p);
    /* only this thread adds to rx, so the room seen under the lock is still there */
    byte_ring_put(&p->rx, chunk, (size_t)got);
    p->rx_bytes += (uint64_t)got;
    p->rx_ready = true;
    pthread_mutex_unlock(&p->lock);
    return 0;
}

/* The stream came to its end: the adapter finishes it (or opens the next). Frees *st.
 * Returns 0 done, 1 go on with the new *st, -1 with err. */
static int pump_finish(struct virt_pump *p, virConnectPtr conn, virStreamPtr *st, uint64_t moved,
                       struct app_error *err)
{
    virStreamPtr next = NULL;
    int rc = 0;

    if (p->ops->finish)
        rc = p->ops->finish(p->ctx, conn, *st, moved, &next, err);
    else if (virStreamAbort(*st) < 0)
        virResetLastError(); /* a console that ended: nothing to confirm */
    virStreamFree(*st);
    *st = rc == 1 ? next : NULL;
    return rc;
}

/* Moves bytes until the stream ends, fails or the pump stops. *st may be replaced
 * (ops->finish) and is NULL once finished. *armed: the events a non-blocking stream's
 * callback is registered for (-1: none); the caller removes it before it frees *st. */
static enum virt_pump_end pump_run(struct virt_pump *p, virConnectPtr conn, virStreamPtr *st,
                                   int *armed, char *chunk, struct app_error *err)
{
    struct pump_retry retry;
    uint64_t moved = 0; /* through the current stream */

    pump_retry_reset(&retry);
    if (p->cfg.nonblock && pump_watch_start(p, *st, armed, err) < 0)
        return VIRT_PUMP_FAILED;
    for (;;) {
        struct pump_turn turn;
        int rc = 0;

        pthread_mutex_lock(&p->lock);
        if (pump_wait_locked(p, *armed, &retry, &turn) < 0) {
            bool lost = p->lost && !p->cancelled;
            pthread_mutex_unlock(&p->lock);
            if (!lost)
                return VIRT_PUMP_CANCELLED;
            app_error_set(err, 503, APP_ERR_UNAVAILABLE, "the connection to libvirt was lost");
            return VIRT_PUMP_FAILED;
        }
        pthread_mutex_unlock(&p->lock);

        if (turn.watch >= 0) {
            /* from this thread, not from the callback: virt-events only posts */
            if (virStreamEventUpdateCallback(*st, turn.watch) < 0) {
                virt_error_capture(err, p->cfg.recv_what);
                return VIRT_PUMP_FAILED;
            }
            *armed = turn.watch;
        }
        if (turn.send && pump_send(p, *st, &turn, &retry, &moved, err) < 0)
            return VIRT_PUMP_FAILED;
        if (turn.recv)
            rc = pump_recv(p, *st, &turn, chunk, &moved, err);
        if (rc < 0)
            return VIRT_PUMP_FAILED;
        if (rc == 1 || turn.natural_end) {
            if (p->cfg.nonblock)
                pump_watch_stop(p, *st, armed);
            rc = pump_finish(p, conn, st, moved, err);
            if (rc < 0)
                return VIRT_PUMP_FAILED;
            if (rc == 0)
                return VIRT_PUMP_DONE;
            moved = 0;
            pump_retry_reset(&retry);
            if (p->cfg.nonblock && pump_watch_start(p, *st, armed, err) < 0)
                return VIRT_PUMP_FAILED;
        }
    }
}

/* Publishes how the pump stopped, and news. */
static void pump_set_stopped(struct virt_pump *p, enum virt_pump_end end,
                             const struct app_error *err)
{
    pthread_mutex_lock(&p->lock);
    p->stopped = true;
    p->end = end;
    if (end == VIRT_PUMP_FAILED)
        p->err = *err;
    p->stop_lost = end == VIRT_PUMP_FAILED && p->lost;
    pump_post_locked(p);
    pthread_mutex_unlock(&p->lock);
}

/* The last news must arrive: while the inbox is full, the thread posts again. */
static void pump_set_closed(struct virt_pump *p)
{
    pthread_mutex_lock(&p->lock);
    p->closed = true;
    pump_post_locked(p);
    while (p->news_pending) {
        struct timespec until;

        pump_deadline(&until, PUMP_REPOST_MS, false);
        pthread_cond_timedwait(&p->cond, &p->lock, &until);
        pump_post_locked(p);
    }
    pthread_mutex_unlock(&p->lock);
}

static bool pump_cancelled(struct virt_pump *p)
{
    bool cancelled;

    pthread_mutex_lock(&p->lock);
    cancelled = p->cancelled;
    pthread_mutex_unlock(&p->lock);
    return cancelled;
}

static void *pump_main(void *arg)
{
    struct virt_pump *p = arg;
    struct pump_thread *self;
    enum virt_pump_end end = VIRT_PUMP_CANCELLED;
    struct app_error err;
    virConnectPtr conn = NULL;
    virStreamPtr st = NULL;
    int armed = -1; /* the events st's callback is registered for; -1: none */
    char *chunk = p->cfg.rx_cap ? xmalloc(p->cfg.io_max) : NULL;
    int rc;

    app_error_clear(&err);
    if (pump_cancelled(p))
        goto cleanup;
    end = VIRT_PUMP_FAILED;
    if (!(conn = virt_conn_open_private(p->uri, pump_on_close, p, &err)))
        goto cleanup;
    if ((rc = p->ops->open(p->ctx, conn, &st, &err)) < 0)
        goto cleanup;
    pthread_mutex_lock(&p->lock);
    p->opened = true;
    pump_post_locked(p);
    pthread_mutex_unlock(&p->lock);
    end = rc == 0 ? VIRT_PUMP_DONE : pump_run(p, conn, &st, &armed, chunk, &err);

cleanup:
    pump_set_stopped(p, end, &err);
    if (st) {
        if (p->cfg.nonblock)
            pump_watch_stop(p, st, &armed); /* before the stream goes */
        if (virStreamAbort(st) < 0)
            virResetLastError(); /* already ended (EOF, VM gone, connection lost) */
        virStreamFree(st);
    }
    if (p->ops->end)
        p->ops->end(p->ctx, conn, end, &err);
    virt_conn_close_private(conn, pump_on_close);
    pump_set_closed(p);
    free(chunk);

    self = p->thread;
    p->thread = NULL;
    pump_unref(p);
    self->id = pthread_self();
    pthread_mutex_lock(&pump_threads.lock);
    pump_threads.running--;
    self->next = pump_threads.ended;
    pump_threads.ended = self;
    pthread_cond_broadcast(&pump_threads.cond);
    pthread_mutex_unlock(&pump_threads.lock);
    return NULL;
}

/* ---- the service side ------------------------------------------------------------------- */

/* Joins the threads that have exited (never waits). */
static void pump_threads_reap(void)
{
    pthread_mutex_lock(&pump_threads.lock);
    for (struct pump_thread **pp = &pump_threads.ended; *pp;) {
        struct pump_thread *t = *pp;

        if (pthread_tryjoin_np(t->id, NULL) == 0) {
            *pp = t->next;
            free(t);
        } else {
            pp = &t->next;
        }
    }
    pthread_mutex_unlock(&pump_threads.lock);
}

struct virt_pump *virt_pump_start(const struct virt_pump_config *cfg,
                                  const struct virt_pump_ops *ops, void *ctx)
{
    struct virt_pump *p = xcalloc(1, sizeof(*p));
    pthread_condattr_t attr;
    pthread_t id;

    pump_threads_reap();
    p->cfg = *cfg;
    p->uri = xstrdup(cfg->uri);
    p->cfg.uri = p->uri;
    p->ops = ops;
    p->ctx = ctx;
    p->thread = xcalloc(1, sizeof(*p->thread));
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (cfg->tx_cap)
        byte_ring_init(&p->tx, cfg->tx_cap);
    if (cfg->rx_cap)
        byte_ring_init(&p->rx, cfg->rx_cap);
    p->refs = 2; /* the service side's and the thread's */

    pthread_mutex_lock(&pump_threads.lock);
    pump_threads.running++;
    pthread_mutex_unlock(&pump_threads.lock);
    if (pthread_create(&id, NULL, pump_main, p) != 0) {
        log_error("virt_pump: cannot start a %s thread", cfg->thread_name);
        pthread_mutex_lock(&pump_threads.lock);
        pump_threads.running--;
        pthread_mutex_unlock(&pump_threads.lock);
        pump_free(p);
        return NULL;
    }
    pthread_setname_np(id, cfg->thread_name);
    return p;
}

void virt_pump_cancel(struct virt_pump *p)
{
    pthread_mutex_lock(&p->lock);
    p->cancelled = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void virt_pump_release(struct virt_pump *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->cancelled = true;
    p->released = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    inbox_cancel(p->cfg.inbox, p->cfg.news);
    pump_unref(p);
}

size_t virt_pump_put(struct virt_pump *p, const void *in, size_t len, size_t *space)
{
    size_t taken, queued;

    pthread_mutex_lock(&p->lock);
    taken = p->cfg.tx_cap ? byte_ring_put(&p->tx, in, len) : 0;
    queued = byte_ring_len(&p->tx);
    if (taken && queued >= p->cfg.tx_min)
        pump_signal_locked(p); /* only for a whole piece */
    if (space)
        *space = p->cfg.tx_cap ? byte_ring_space(&p->tx) : 0;
    pthread_mutex_unlock(&p->lock);
    return taken;
}

void virt_pump_close_tx(struct virt_pump *p)
{
    pthread_mutex_lock(&p->lock);
    p->tx_closed = true;
    pump_signal_locked(p);
    pthread_mutex_unlock(&p->lock);
}

size_t virt_pump_peek(struct virt_pump *p, void *out, size_t max)
{
    size_t n;

    pthread_mutex_lock(&p->lock);
    n = p->cfg.rx_cap ? byte_ring_peek(&p->rx, out, max) : 0;
    pthread_mutex_unlock(&p->lock);
    return n;
}

size_t virt_pump_drop(struct virt_pump *p, size_t n)
{
    size_t left = 0;

    pthread_mutex_lock(&p->lock);
    if (p->cfg.rx_cap) {
        byte_ring_drop(&p->rx, n);
        left = byte_ring_len(&p->rx);
        if (byte_ring_space(&p->rx) >= p->cfg.rx_min)
            pump_signal_locked(p); /* only once a whole piece fits */
    }
    pthread_mutex_unlock(&p->lock);
    return left;
}

void virt_pump_status(struct virt_pump *p, struct virt_pump_status *st)
{
    pthread_mutex_lock(&p->lock);
    st->opened = p->opened;
    st->stopped = p->stopped;
    st->closed = p->closed;
    st->end = p->end;
    st->lost = p->stop_lost;
    st->err = p->err;
    st->tx_len = p->cfg.tx_cap ? byte_ring_len(&p->tx) : 0;
    st->tx_space = p->cfg.tx_cap ? byte_ring_space(&p->tx) : 0;
    st->rx_len = p->cfg.rx_cap ? byte_ring_len(&p->rx) : 0;
    st->tx_bytes = p->tx_bytes;
    st->rx_bytes = p->rx_bytes;
    pthread_mutex_unlock(&p->lock);
}

unsigned virt_pump_wait_all(int timeout_ms)
{
    struct timespec until;
    struct pump_thread *ended;
    unsigned running;

    pump_deadline(&until, timeout_ms, true);
    pthread_mutex_lock(&pump_threads.lock);
    while (pump_threads.running &&
           pthread_cond_timedwait(&pump_threads.cond, &pump_threads.lock, &until) == 0)
        ;
    running = pump_threads.running;
    ended = pump_threads.ended;
    pump_threads.ended = NULL;
    pthread_mutex_unlock(&pump_threads.lock);
    while (ended) {
        struct pump_thread *next = ended->next;

        pthread_join(ended->id, NULL);
        free(ended);
        ended = next;
    }
    return running;
}
