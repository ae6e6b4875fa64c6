/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_pump: server/virt/virt_pump.c without a libvirtd.
 *
 * The connection open (virConnectOpen and what virt_conn_open_private does around it)
 * and the stream calls are link seams (tests/unit/wraps.mk): a fake stream that the
 * test feeds ("libvirt has these bytes for us", end of stream, an error) and that
 * records what the pump sent; its send can be made to block, like libvirt's remote
 * virStreamSend while libvirtd does not read. The test thread plays the service thread:
 * the inbox's wake function counts wakes and signals it, and it drains the inbox itself.
 * A non-blocking stream's callback is called by a fake event loop on a thread named
 * "virt-events" the way libvirt 9.0's remote driver does it: on every turn while the
 * stream holds bytes (or its end) and READABLE is armed, with the stream unlocked, and
 * possibly once more after the callback was removed. Every wrapped libvirt call made on
 * that thread is counted, and teardown asserts there was none.
 * Checked: bytes both ways through the bounded rings, backpressure (a full rx ring means
 * no more receives and READABLE disarmed; tx takes no more than its capacity), a stream
 * event wakes an idle pump at once (which never polls), the callback removed before the
 * stream is aborted and freed, a late callback after the pump was freed, end of stream and the next
 * stream (download windows), errors, a lost connection, cancel while waiting and while
 * blocked in a send, one wake and one run for a burst of news, and that each pump's ctx is
 * freed once and its thread joined (virt_pump_wait_all). Run it under ASan too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "util/clock.h"
#include "virt/virt_pump.h"
#include "work/inbox.h"

#define WAIT_MS    3000
#define FAKE_MAX   (64 * 1024)
#define CANCEL_MAX 100 /* ms: a waiting pump must stop this fast after a cancel */

/* ---- the fake libvirt ------------------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* what libvirt has for the pump (virStreamRecv) */
    unsigned char in[FAKE_MAX];
    size_t in_len;
    bool in_eof;
    bool in_error;
    bool nonblock; /* recv returns -2 when nothing is there; else it blocks */
    /* what the pump sent (virStreamSend) */
    unsigned char out[FAKE_MAX];
    size_t out_len;
    bool send_blocks; /* virStreamSend waits until this is cleared */
    bool in_send;     /* a send is waiting */
    bool open_fails;
    int recvs, sends, aborts, finishes, frees, opens, closes, unregisters;
    virConnectCloseFunc close_cb;
    void *close_opaque;
    /* the stream's event callback and the fake event loop that calls it */
    virStreamEventCallback cb; /* NULL: none registered */
    void *cb_opaque;
    int cb_events;           /* armed events */
    int cb_adds, cb_removes; /* registrations */
    int dispatches;          /* callback calls */
    bool freed_with_cb;      /* a stream was aborted or freed with its callback registered */
    int on_events;           /* wrapped libvirt calls made on "virt-events" */
    bool loop_stop;
    pthread_t loop;
} fake;

static char fake_conn_storage, fake_stream_storage;
#define FAKE_CONN   ((virConnectPtr)(void *)&fake_conn_storage)
#define FAKE_STREAM ((virStreamPtr)(void *)&fake_stream_storage)

virConnectPtr __wrap_virConnectOpen(const char *name);
int __wrap_virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count);
int __wrap_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                           virFreeCallback freecb);
int __wrap_virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb);
int __wrap_virConnectClose(virConnectPtr conn);
int __wrap_virStreamSend(virStreamPtr st, const char *data, size_t nbytes);
int __wrap_virStreamRecv(virStreamPtr st, char *data, size_t nbytes);
int __wrap_virStreamAbort(virStreamPtr st);
int __wrap_virStreamFinish(virStreamPtr st);
int __wrap_virStreamFree(virStreamPtr st);

int __wrap_virStreamEventAddCallback(virStreamPtr st, int events, virStreamEventCallback cb,
                                     void *opaque, virFreeCallback ff);
int __wrap_virStreamEventUpdateCallback(virStreamPtr st, int events);
int __wrap_virStreamEventRemoveCallback(virStreamPtr st);

/* Counts a wrapped libvirt call made on virt-events (the pump must make none there). */
static void fake_check_thread(void)
{
    char name[16] = "";

    pthread_getname_np(pthread_self(), name, sizeof(name));
    if (strcmp(name, "virt-events") == 0) {
        pthread_mutex_lock(&fake.lock);
        fake.on_events++;
        pthread_mutex_unlock(&fake.lock);
    }
}

virConnectPtr __wrap_virConnectOpen(const char *name)
{
    bool fail;

    fake_check_thread();
    pthread_mutex_lock(&fake.lock);
    fail = fake.open_fails;
    if (!fail)
        fake.opens++;
    pthread_mutex_unlock(&fake.lock);
    return fail ? NULL : FAKE_CONN;
}

int __wrap_virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    fake_check_thread();
    assert_ptr_equal(conn, FAKE_CONN);
    return 0;
}

int __wrap_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                           virFreeCallback freecb)
{
    fake_check_thread();
    pthread_mutex_lock(&fake.lock);
    fake.close_cb = cb;
    fake.close_opaque = opaque;
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int __wrap_virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    fake_check_thread();
    pthread_mutex_lock(&fake.lock);
    fake.unregisters++;
    fake.close_cb = NULL;
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int __wrap_virConnectClose(virConnectPtr conn)
{
    fake_check_thread();
    assert_ptr_equal(conn, FAKE_CONN);
    pthread_mutex_lock(&fake.lock);
    fake.closes++;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int __wrap_virStreamSend(virStreamPtr st, const char *data, size_t nbytes)
{
    size_t n;

    fake_check_thread();
    assert_ptr_equal(st, FAKE_STREAM);
    pthread_mutex_lock(&fake.lock);
    fake.sends++;
    fake.in_send = true;
    pthread_cond_broadcast(&fake.cond);
    while (fake.send_blocks)
        pthread_cond_wait(&fake.cond, &fake.lock);
    fake.in_send = false;
    n = nbytes < FAKE_MAX - fake.out_len ? nbytes : FAKE_MAX - fake.out_len;
    memcpy(fake.out + fake.out_len, data, n);
    fake.out_len += n;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return (int)n;
}

int __wrap_virStreamRecv(virStreamPtr st, char *data, size_t nbytes)
{
    int ret;

    fake_check_thread();
    assert_ptr_equal(st, FAKE_STREAM);
    pthread_mutex_lock(&fake.lock);
    fake.recvs++;
    while (!fake.nonblock && !fake.in_len && !fake.in_eof && !fake.in_error)
        pthread_cond_wait(&fake.cond, &fake.lock);
    if (fake.in_len) {
        size_t n = nbytes < fake.in_len ? nbytes : fake.in_len;
        memcpy(data, fake.in, n);
        memmove(fake.in, fake.in + n, fake.in_len - n);
        fake.in_len -= n;
        ret = (int)n;
    } else if (fake.in_error) {
        ret = -1;
    } else if (fake.in_eof) {
        fake.in_eof = false; /* one end per stream: the next window starts afresh */
        ret = 0;
    } else {
        ret = -2;
    }
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return ret;
}

static int fake_count(int *counter)
{
    int v;

    pthread_mutex_lock(&fake.lock);
    (*counter)++;
    v = *counter;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return v;
}

/* Notes a stream aborted or freed while its callback is still registered. */
static void fake_check_no_cb(void)
{
    pthread_mutex_lock(&fake.lock);
    if (fake.cb)
        fake.freed_with_cb = true;
    pthread_mutex_unlock(&fake.lock);
}

int __wrap_virStreamAbort(virStreamPtr st)
{
    fake_check_thread();
    fake_check_no_cb();
    fake_count(&fake.aborts);
    return 0;
}

int __wrap_virStreamFinish(virStreamPtr st)
{
    fake_check_thread();
    fake_count(&fake.finishes);
    return 0;
}

int __wrap_virStreamFree(virStreamPtr st)
{
    fake_check_thread();
    fake_check_no_cb();
    fake_count(&fake.frees);
    return 0;
}

int __wrap_virStreamEventAddCallback(virStreamPtr st, int events, virStreamEventCallback cb,
                                     void *opaque, virFreeCallback ff)
{
    fake_check_thread();
    assert_ptr_equal(st, FAKE_STREAM);
    assert_null(ff); /* libvirt 9.0's remote driver would never call it */
    pthread_mutex_lock(&fake.lock);
    assert_null(fake.cb); /* libvirt allows one callback per stream */
    fake.cb = cb;
    fake.cb_opaque = opaque;
    fake.cb_events = events;
    fake.cb_adds++;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int __wrap_virStreamEventUpdateCallback(virStreamPtr st, int events)
{
    fake_check_thread();
    pthread_mutex_lock(&fake.lock);
    assert_non_null(fake.cb);
    fake.cb_events = events;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

int __wrap_virStreamEventRemoveCallback(virStreamPtr st)
{
    fake_check_thread();
    pthread_mutex_lock(&fake.lock);
    assert_non_null(fake.cb);
    fake.cb = NULL;
    fake.cb_events = 0;
    fake.cb_removes++;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    return 0;
}

/* libvirt's event loop for the stream: while a callback is registered with READABLE and
 * the stream holds bytes, its end or an error, it calls the callback on every turn (here
 * at most once a millisecond), with the stream unlocked. */
static void *fake_loop_main(void *arg)
{
    pthread_setname_np(pthread_self(), "virt-events");
    pthread_mutex_lock(&fake.lock);
    while (!fake.loop_stop) {
        struct timespec turn;
        virStreamEventCallback cb = fake.cb;
        void *opaque = fake.cb_opaque;

        if (cb && (fake.cb_events & VIR_STREAM_EVENT_READABLE) &&
            (fake.in_len || fake.in_eof || fake.in_error)) {
            fake.dispatches++;
            pthread_mutex_unlock(&fake.lock);
            cb(FAKE_STREAM, VIR_STREAM_EVENT_READABLE, opaque);
            pthread_mutex_lock(&fake.lock);
        }
        clock_gettime(CLOCK_REALTIME, &turn);
        turn.tv_nsec += 1000 * 1000;
        if (turn.tv_nsec >= 1000000000L) {
            turn.tv_sec++;
            turn.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&fake.cond, &fake.lock, &turn);
    }
    pthread_mutex_unlock(&fake.lock);
    return NULL;
}

/* libvirt has these bytes for the pump. */
static void fake_feed(const void *buf, size_t len)
{
    pthread_mutex_lock(&fake.lock);
    assert_true(fake.in_len + len <= FAKE_MAX);
    memcpy(fake.in + fake.in_len, buf, len);
    fake.in_len += len;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
}

static void fake_set(bool *flag, bool value)
{
    pthread_mutex_lock(&fake.lock);
    *flag = value;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Waits until pred() holds (fake.lock held while it is evaluated). */
static bool fake_wait(bool (*pred)(void), int ms)
{
    struct timespec deadline;
    bool ok;

    deadline_in(&deadline, ms);
    pthread_mutex_lock(&fake.lock);
    while (!(ok = pred()) && pthread_cond_timedwait(&fake.cond, &fake.lock, &deadline) == 0)
        ;
    ok = pred();
    pthread_mutex_unlock(&fake.lock);
    return ok;
}

static size_t want_out;
static bool out_has_want(void)
{
    return fake.out_len >= want_out;
}
static bool in_drained(void)
{
    return fake.in_len == 0;
}
static bool in_send(void)
{
    return fake.in_send;
}
static bool finished_once(void)
{
    return fake.finishes >= 1;
}
static bool readable_disarmed(void)
{
    return fake.cb && !(fake.cb_events & VIR_STREAM_EVENT_READABLE);
}
static bool received_once(void)
{
    return fake.recvs >= 1;
}
/* The events the stream's callback is armed for; -1 if none is registered. */
static int fake_events(void)
{
    int events;

    pthread_mutex_lock(&fake.lock);
    events = fake.cb ? fake.cb_events : -1;
    pthread_mutex_unlock(&fake.lock);
    return events;
}

/* ---- the adapter and the service thread ---------------------------------------------- */

struct test_ctx {
    int opens, finishes, ends;
    enum virt_pump_end end;
    uint64_t moved[8];
    int windows; /* finish opens this many more streams */
    bool freed;  /* by the pump's last holder */
};

static int ctx_open(void *opaque, virConnectPtr conn, virStreamPtr *st, struct app_error *err)
{
    struct test_ctx *c = opaque;

    assert_ptr_equal(conn, FAKE_CONN);
    c->opens++;
    *st = FAKE_STREAM;
    return 1;
}

static int ctx_finish(void *opaque, virConnectPtr conn, virStreamPtr st, uint64_t moved,
                      virStreamPtr *next, struct app_error *err)
{
    struct test_ctx *c = opaque;

    if (c->finishes < 8)
        c->moved[c->finishes] = moved;
    c->finishes++;
    if (virStreamFinish(st) < 0)
        return -1;
    if (c->windows-- > 0) {
        *next = FAKE_STREAM; /* the next window */
        return 1;
    }
    return 0;
}

static void ctx_end(void *opaque, virConnectPtr conn, enum virt_pump_end end,
                    const struct app_error *err)
{
    struct test_ctx *c = opaque;

    c->ends++;
    c->end = end;
}

static void ctx_free(void *opaque)
{
    struct test_ctx *c = opaque;

    c->freed = true;
}

static const struct virt_pump_ops test_ops = {
    .open = ctx_open, .finish = ctx_finish, .end = ctx_end, .free = ctx_free};
static const struct virt_pump_ops console_ops = {.open = ctx_open, .free = ctx_free};

/* The service thread's side: wakes from the inbox, runs of the news item. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int wakes;
    int runs;
    struct inbox *inbox;
    struct inbox_item news;
} svc;

static void svc_wake(void *ctx)
{
    pthread_mutex_lock(&svc.lock);
    svc.wakes++;
    pthread_cond_broadcast(&svc.cond);
    pthread_mutex_unlock(&svc.lock);
}

static void svc_on_news(struct inbox_item *item)
{
    assert_ptr_equal(item, &svc.news);
    svc.runs++; /* the test thread drains */
}

static int svc_wakes(void)
{
    int v;

    pthread_mutex_lock(&svc.lock);
    v = svc.wakes;
    pthread_mutex_unlock(&svc.lock);
    return v;
}

/* Plays the service thread until pred(p) holds: waits for a wake, drains. */
static bool svc_until(struct virt_pump *p, bool (*pred)(const struct virt_pump_status *), int ms)
{
    struct timespec deadline;
    struct virt_pump_status st;

    deadline_in(&deadline, ms);
    for (;;) {
        int seen = svc_wakes();

        inbox_drain(svc.inbox);
        virt_pump_status(p, &st);
        if (pred(&st))
            return true;
        pthread_mutex_lock(&svc.lock);
        while (svc.wakes == seen && pthread_cond_timedwait(&svc.cond, &svc.lock, &deadline) == 0)
            ;
        seen = svc.wakes == seen;
        pthread_mutex_unlock(&svc.lock);
        if (seen) { /* timed out */
            inbox_drain(svc.inbox);
            virt_pump_status(p, &st);
            return pred(&st);
        }
    }
}

static bool st_opened(const struct virt_pump_status *st)
{
    return st->opened;
}
static bool st_stopped(const struct virt_pump_status *st)
{
    return st->stopped;
}
static bool st_closed(const struct virt_pump_status *st)
{
    return st->closed;
}
static size_t want_rx;
static bool st_rx(const struct virt_pump_status *st)
{
    return st->rx_len >= want_rx;
}

/* Lets go of p and waits for its thread: the adapter's ctx lives on the test's stack, and
 * the thread's last steps (ops->end, ops->free) write to it. */
static void release_and_join(struct virt_pump *p)
{
    virt_pump_release(p);
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
}

/* Starts a pump on c; with opened, plays the service thread until its open step is done. */
static struct virt_pump *start_pump(const struct virt_pump_config *cfg,
                                    const struct virt_pump_ops *ops, struct test_ctx *c,
                                    bool opened)
{
    struct virt_pump *p = virt_pump_start(cfg, ops, c);

    assert_non_null(p);
    if (opened)
        assert_true(svc_until(p, st_opened, WAIT_MS));
    return p;
}

static struct virt_pump_config base_config(void)
{
    struct virt_pump_config cfg = {
        .thread_name = "pump-test",
        .uri = "test:///fake",
        .inbox = svc.inbox,
        .news = &svc.news,
        .tx_cap = 64,
        .rx_cap = 64,
        .io_max = 16,
        .tx_min = 1,
        .tx_low = 8,
        .rx_min = 16,
        .nonblock = true,
        .send_what = "send",
        .recv_what = "receive",
    };
    return cfg;
}

static int setup(void **state)
{
    memset(&fake, 0, sizeof(fake));
    pthread_mutex_init(&fake.lock, NULL);
    pthread_cond_init(&fake.cond, NULL);
    fake.nonblock = true;
    assert_int_equal(pthread_create(&fake.loop, NULL, fake_loop_main, NULL), 0);
    memset(&svc, 0, sizeof(svc));
    pthread_mutex_init(&svc.lock, NULL);
    pthread_cond_init(&svc.cond, NULL);
    svc.inbox = inbox_new(16, svc_wake, NULL);
    inbox_item_init(&svc.news, svc_on_news);
    return 0;
}

static int teardown(void **state)
{
    /* every pump thread is gone and joined; each ctx was freed by its last holder */
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
    fake_set(&fake.loop_stop, true);
    pthread_join(fake.loop, NULL);
    assert_int_equal(fake.on_events, 0); /* virt-events only signalled */
    assert_false(fake.freed_with_cb);    /* the callback went before its stream */
    assert_null(fake.cb);
    assert_int_equal(fake.cb_adds, fake.cb_removes);
    inbox_free(svc.inbox);
    pthread_cond_destroy(&fake.cond);
    pthread_mutex_destroy(&fake.lock);
    pthread_cond_destroy(&svc.cond);
    pthread_mutex_destroy(&svc.lock);
    return 0;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_bytes_both_ways(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    char buf[64];
    size_t space = 0;

    p = start_pump(&cfg, &console_ops, &c, true);

    assert_int_equal(virt_pump_put(p, "hello", 5, &space), 5);
    assert_int_equal(space, 64 - 5);
    want_out = 5;
    assert_true(fake_wait(out_has_want, WAIT_MS));
    assert_memory_equal(fake.out, "hello", 5);

    fake_feed("from the VM", 11);
    want_rx = 11;
    assert_true(svc_until(p, st_rx, WAIT_MS));
    assert_int_equal(virt_pump_peek(p, buf, sizeof(buf)), 11);
    assert_memory_equal(buf, "from the VM", 11);
    assert_int_equal(virt_pump_drop(p, 11), 0);
    virt_pump_status(p, &st);
    assert_int_equal(st.tx_bytes, 5);
    assert_int_equal(st.rx_bytes, 11);
    assert_false(st.stopped);

    virt_pump_release(p);
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
    assert_true(c.freed);
    assert_int_equal(c.opens, 1);
    assert_int_equal(fake.aborts, 1); /* cancelled: the stream is aborted */
    assert_int_equal(fake.frees, 1);
    assert_int_equal(fake.opens, 1);
    assert_int_equal(fake.closes, 1);
    assert_int_equal(fake.unregisters, 1);
}

static bool st_rx_full(const struct virt_pump_status *st)
{
    return st->rx_len > 64 - 16;
}

static void test_backpressure(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    unsigned char big[1000], buf[64];
    size_t space = 1, got = 0;
    int recvs, dispatches;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)i;
    fake.send_blocks = true; /* tx: nothing leaves */
    p = start_pump(&cfg, &console_ops, &c, true);

    /* tx takes its capacity, no more, and says so */
    assert_int_equal(virt_pump_put(p, big, sizeof(big), &space), 64);
    assert_int_equal(space, 0);
    assert_true(fake_wait(in_send, WAIT_MS)); /* one piece is in a (blocked) send */
    assert_int_equal(virt_pump_put(p, big, 1, &space), 0);
    fake_set(&fake.send_blocks, false);
    want_out = 64;
    assert_true(fake_wait(out_has_want, WAIT_MS));
    assert_memory_equal(fake.out, big, 64);

    /* rx: filled until less than rx_min is left, then no receive until there is room,
     * and READABLE disarmed: libvirt would call the callback on every turn meanwhile */
    fake_feed(big, sizeof(big));
    assert_true(svc_until(p, st_rx_full, WAIT_MS));
    assert_true(fake_wait(readable_disarmed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_true(st.rx_len <= 64);
    pthread_mutex_lock(&fake.lock);
    recvs = fake.recvs;
    dispatches = fake.dispatches;
    pthread_mutex_unlock(&fake.lock);
    struct timespec pause = {0, 200 * 1000 * 1000}; /* 200 turns of the fake loop */
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&fake.lock);
    assert_int_equal(fake.recvs, recvs);
    assert_int_equal(fake.dispatches, dispatches);
    assert_int_equal(fake.in_len, sizeof(big) - st.rx_len);
    pthread_mutex_unlock(&fake.lock);

    /* draining lets everything through, in order */
    while (got < sizeof(big)) {
        size_t n = virt_pump_peek(p, buf, sizeof(buf));

        if (!n) {
            want_rx = 1;
            assert_true(svc_until(p, st_rx, WAIT_MS));
            continue;
        }
        assert_memory_equal(buf, big + got, n);
        virt_pump_drop(p, n);
        got += n;
    }
    assert_true(fake_wait(in_drained, WAIT_MS));
    release_and_join(p);
}

static void test_end_of_stream_and_windows(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    char buf[64];
    size_t got = 0;

    /* a download: blocking, receive only, one more window after the first */
    cfg.tx_cap = 0;
    cfg.nonblock = false;
    fake.nonblock = false;
    c.windows = 1;
    fake_feed("0123456789", 10);
    fake.in_eof = true;
    p = start_pump(&cfg, &test_ops, &c, false);
    want_rx = 10;
    assert_true(svc_until(p, st_rx, WAIT_MS));
    got += virt_pump_peek(p, buf, sizeof(buf));
    assert_memory_equal(buf, "0123456789", 10);
    virt_pump_drop(p, got);
    /* the first window ended: the pump goes on with the next stream */
    assert_true(fake_wait(finished_once, WAIT_MS));
    fake_feed("abcdef", 6);
    fake_set(&fake.in_eof, true);
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_true(st.stopped);
    assert_int_equal(st.end, VIRT_PUMP_DONE);
    assert_int_equal(st.rx_len, 6);
    assert_int_equal(virt_pump_peek(p, buf, sizeof(buf)), 6);
    assert_memory_equal(buf, "abcdef", 6);
    assert_int_equal(c.finishes, 2);
    assert_int_equal(c.moved[0], 10);
    assert_int_equal(c.moved[1], 6);
    assert_int_equal(c.ends, 1);
    assert_int_equal(c.end, VIRT_PUMP_DONE);
    assert_int_equal(fake.finishes, 2);
    assert_int_equal(fake.aborts, 0); /* finished, not aborted */
    assert_int_equal(fake.frees, 2);
    assert_int_equal(fake.closes, 1);
    virt_pump_release(p);
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
    assert_true(c.freed);
}

static void test_upload_end_after_close_tx(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;

    /* an upload: blocking, send only, pieces of tx_min until tx is closed */
    cfg.rx_cap = 0;
    cfg.nonblock = false;
    cfg.tx_min = 16;
    p = start_pump(&cfg, &test_ops, &c, true);
    assert_int_equal(virt_pump_put(p, "0123456789", 10, NULL), 10);
    /* less than a piece waits... */
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&fake.lock);
    assert_int_equal(fake.sends, 0);
    pthread_mutex_unlock(&fake.lock);
    /* ...until the body is complete */
    virt_pump_close_tx(p);
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_int_equal(st.end, VIRT_PUMP_DONE);
    assert_int_equal(fake.out_len, 10);
    assert_int_equal(c.moved[0], 10);
    assert_int_equal(fake.finishes, 1);
    release_and_join(p);
}

static void test_error(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;

    p = start_pump(&cfg, &test_ops, &c, true);
    fake_set(&fake.in_error, true);
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_int_equal(st.end, VIRT_PUMP_FAILED);
    assert_false(st.lost);
    assert_int_equal(st.err.status, 502);
    assert_non_null(strstr(st.err.message, "receive"));
    assert_int_equal(c.end, VIRT_PUMP_FAILED);
    assert_int_equal(fake.aborts, 1);
    assert_int_equal(fake.closes, 1);
    release_and_join(p);
}

static void test_open_fails(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;

    fake.open_fails = true;
    p = start_pump(&cfg, &test_ops, &c, false);
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_false(st.opened);
    assert_int_equal(st.end, VIRT_PUMP_FAILED);
    assert_int_equal(st.err.status, 503);
    assert_int_equal(c.opens, 0);
    assert_int_equal(c.ends, 1);
    assert_int_equal(fake.closes, 0);
    release_and_join(p);
}

static void test_connection_lost(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    virConnectCloseFunc cb;
    void *opaque;

    p = start_pump(&cfg, &test_ops, &c, true);
    pthread_mutex_lock(&fake.lock);
    cb = fake.close_cb;
    opaque = fake.close_opaque;
    pthread_mutex_unlock(&fake.lock);
    assert_non_null(cb);
    cb(FAKE_CONN, VIR_CONNECT_CLOSE_REASON_KEEPALIVE, opaque); /* as virt-events would */
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_int_equal(st.end, VIRT_PUMP_FAILED);
    assert_true(st.lost);
    assert_int_equal(st.err.status, 503);
    assert_int_equal(fake.unregisters, 1);
    release_and_join(p);
}

static void test_cancel_while_waiting(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    int64_t t0;

    /* an upload waiting for a whole piece: no poll, only the cancel can wake it */
    cfg.rx_cap = 0;
    cfg.nonblock = false;
    cfg.tx_min = 32;
    p = start_pump(&cfg, &test_ops, &c, true);
    assert_int_equal(virt_pump_put(p, "abc", 3, NULL), 3);
    t0 = clock_mono_ms();
    virt_pump_cancel(p);
    assert_true(svc_until(p, st_stopped, WAIT_MS));
    assert_true(clock_mono_ms() - t0 < CANCEL_MAX);
    assert_true(svc_until(p, st_closed, WAIT_MS));
    virt_pump_status(p, &st);
    assert_int_equal(st.end, VIRT_PUMP_CANCELLED);
    assert_int_equal(c.end, VIRT_PUMP_CANCELLED);
    assert_int_equal(fake.sends, 0);
    assert_int_equal(fake.aborts, 1);
    release_and_join(p);
}

static void test_cancel_while_blocked_in_send(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    int sends;

    fake.send_blocks = true; /* a guest that does not read */
    p = start_pump(&cfg, &console_ops, &c, true);
    assert_int_equal(virt_pump_put(p, "keystrokes for a guest that does not read", 41, NULL), 41);
    assert_true(fake_wait(in_send, WAIT_MS));
    /* the browser leaves: the service side lets go at once, without waiting */
    virt_pump_release(p);
    assert_false(c.freed); /* the thread still holds it */
    pthread_mutex_lock(&fake.lock);
    sends = fake.sends;
    assert_int_equal(fake.closes, 0);
    pthread_mutex_unlock(&fake.lock);
    /* the guest reads (or libvirtd gives up): the pump stops without sending more */
    fake_set(&fake.send_blocks, false);
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
    assert_true(c.freed);
    assert_int_equal(fake.sends, sends);
    assert_int_equal(fake.aborts, 1);
    assert_int_equal(fake.closes, 1);
    /* no news after the release: the item is out of the inbox and never posted again */
    int runs = svc.runs;
    inbox_drain(svc.inbox);
    assert_int_equal(svc.runs, runs);
    (void)st;
}

static void test_wake_coalescing(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    struct virt_pump_status st;
    char buf[64];
    int wakes, runs;

    cfg.rx_cap = 4096;
    cfg.io_max = 8;
    cfg.rx_min = 8;
    p = start_pump(&cfg, &test_ops, &c, true);
    wakes = svc_wakes();
    runs = svc.runs;
    /* a burst: 40 receives of 8 bytes while the service thread does not drain */
    for (int i = 0; i < 40; i++)
        fake_feed("12345678", 8);
    assert_true(fake_wait(in_drained, WAIT_MS));
    virt_pump_cancel(p); /* stopped and closed: two more pieces of news, still one item */
    /* nothing signals "closed" here (that is the point): look for it, bounded */
    for (int i = 0; i < WAIT_MS; i++) {
        struct timespec ms = {0, 1000 * 1000};

        virt_pump_status(p, &st);
        if (st.closed)
            break;
        nanosleep(&ms, NULL);
    }
    assert_true(st.closed);
    assert_int_equal(svc_wakes(), wakes + 1);
    inbox_drain(svc.inbox);
    assert_int_equal(svc.runs, runs + 1);
    virt_pump_status(p, &st);
    assert_int_equal(st.rx_len, 320);
    assert_true(st.closed);
    assert_int_equal(virt_pump_peek(p, buf, 8), 8);
    release_and_join(p);
}

static void test_stream_event_wakes_idle_pump(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    char buf[64];
    int recvs, dispatches;
    int64_t t0;

    p = start_pump(&cfg, &console_ops, &c, true);
    /* the look after registering: bytes may have come before the callback */
    assert_true(fake_wait(received_once, WAIT_MS));
    assert_int_equal(fake_events(),
                     VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP);

    /* idle: no stream event, so no receive at all (a poll would look every 100 ms) */
    pthread_mutex_lock(&fake.lock);
    recvs = fake.recvs;
    dispatches = fake.dispatches;
    pthread_mutex_unlock(&fake.lock);
    struct timespec idle = {0, 300 * 1000 * 1000};
    nanosleep(&idle, NULL);
    pthread_mutex_lock(&fake.lock);
    recvs = fake.recvs - recvs;
    dispatches = fake.dispatches - dispatches;
    pthread_mutex_unlock(&fake.lock);
    assert_int_equal(recvs, 0);
    assert_int_equal(dispatches, 0);

    /* output after the quiet spell: the event wakes the pump, which receives at once */
    t0 = clock_mono_ms();
    fake_feed("late line", 9);
    want_rx = 9;
    assert_true(svc_until(p, st_rx, WAIT_MS));
    assert_true(clock_mono_ms() - t0 < CANCEL_MAX);
    assert_int_equal(virt_pump_peek(p, buf, sizeof(buf)), 9);
    assert_memory_equal(buf, "late line", 9);
    /* it received until libvirt had nothing left, then waited again */
    assert_true(fake_wait(in_drained, WAIT_MS));
    release_and_join(p);
}

static void test_callback_removed_before_free(void **state)
{
    struct virt_pump_config cfg = base_config();
    struct test_ctx c = {0};
    struct virt_pump *p;
    virStreamEventCallback cb;
    void *opaque;

    p = start_pump(&cfg, &console_ops, &c, true);
    fake_feed("abc", 3);
    want_rx = 3;
    assert_true(svc_until(p, st_rx, WAIT_MS));
    pthread_mutex_lock(&fake.lock);
    cb = fake.cb;
    opaque = fake.cb_opaque;
    pthread_mutex_unlock(&fake.lock);
    assert_non_null(cb);

    virt_pump_release(p);
    assert_int_equal(virt_pump_wait_all(WAIT_MS), 0);
    assert_true(c.freed); /* the pump is gone */
    /* only the fake loop runs now, and it only reads */
    assert_int_equal(fake_events(), -1);
    assert_int_equal(fake.cb_removes, 1);
    assert_false(fake.freed_with_cb); /* removed before the abort and the free */
    assert_int_equal(fake.aborts, 1);
    assert_int_equal(fake.frees, 1);

    /* libvirt 9.0 may still call it: it unlocks its stream around the call and the
     * removal does not wait for that. A late call must not reach the freed pump (ASan). */
    cb(FAKE_STREAM, VIR_STREAM_EVENT_READABLE, opaque);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bytes_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backpressure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_of_stream_and_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_end_after_close_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_while_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_while_blocked_in_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wake_coalescing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_event_wakes_idle_pump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_removed_before_free, setup, teardown),
    };

    if (virInitialize() < 0) /* libvirt's thread-local errors (the daemon: virt_conn_new) */
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
