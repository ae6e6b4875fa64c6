/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pump: one libvirt stream, pumped on a thread of its own through two bounded rings.
 *
 * DESIGN
 *  - Threads. The pump's thread (cfg.thread_name) opens a private connection
 *    (virt_conn_open_private), runs the adapter's open step (ops->open: the console, an
 *    upload or a download window), then moves bytes: virStreamSend from the "tx" ring,
 *    virStreamRecv into the "rx" ring, until the stream ends, fails or the pump is
 *    cancelled; then it aborts or finishes the stream, runs ops->end and closes the
 *    connection. Every libvirt call of a pump runs there. The service thread only
 *    fills tx (virt_pump_put), drains rx (virt_pump_peek/drop), reads the state
 *    (virt_pump_status) and cancels: never a libvirt call, never a wait for the thread.
 *    Both sides meet under the pump's one mutex, which is never held across a libvirt
 *    call.
 *  - Waiting. With nothing to do (tx holds fewer than tx_min bytes and is not closed, rx
 *    has less than rx_min room) the thread waits on a condition variable. The service
 *    side signals it only when that changes (a whole piece queued, a whole piece of
 *    room, tx closed) and on cancel, so a waiting pump reacts at once. Never a poll.
 *  - Stream events. A non-blocking stream (cfg.nonblock: the serial console) says
 *    nothing when bytes arrive, except through a stream callback, which libvirt runs on
 *    virt-events. The thread registers one (virStreamEventAddCallback: READABLE, ERROR,
 *    HANGUP; libvirt 9.0's remote driver reports data, end and error alike as READABLE)
 *    whose body only signals: it finds the pump by a watch id (never its address), sets
 *    `rx_ready` and signals the condition variable under the pump's mutex; no libvirt
 *    call, no allocation. The thread then receives until virStreamRecv says "nothing
 *    now". While rx has no room for a receive the thread drops READABLE
 *    (virStreamEventUpdateCallback), since libvirt reports it on every turn of its loop
 *    while it holds bytes; it arms it again once the service side made room. Before it
 *    aborts or frees a stream it removes the callback (virStreamEventRemoveCallback:
 *    the callback holds a reference on the stream), then forgets the watch id: libvirt
 *    may still be inside a callback when the removal returns, and its remote driver
 *    never calls the callback's free function, so a late callback must find nothing.
 *    Measured on qemu:///system against the polling pump this replaced (1 ms after bytes
 *    moved, doubling to 100 ms), in one run (tests/bench/serial/run.mjs: 8 open consoles
 *    on KVM guests that echo, the shared 2-core machine): idle daemon over 10 s 81 -> 48
 *    ms of CPU (utime + stime 80 -> 50 ms), pump wake-ups 801 -> 0; a keystroke's echo
 *    after 2 s of quiet 15.5 -> 15.5 ms median (a keystroke already reset the poll; a
 *    quieter run: 2.1 -> 1.8 ms); output after a quiet spell waits 27.5 -> 1.1 ms median,
 *    74 -> 4 ms at worst.
 *  - News. The thread posts the adapter's one inbox_item when the open step ended,
 *    when rx goes from empty to non-empty, when tx drains to tx_low or below (the
 *    service side resumes a paused socket), when the pump stops moving bytes, and when
 *    it has closed everything. A post of an item that already waits coalesces with it.
 *  - Ownership. A pump has two holders: the service side (virt_pump_start until
 *    virt_pump_release) and its thread (until it exits). The last one frees the pump
 *    and the adapter's ctx (ops->free). Once virt_pump_release returns, the thread
 *    never posts the item again (checked under the mutex) and the item is out of the
 *    inbox: the adapter may free it. The stream and the connection belong to the
 *    thread alone.
 *  - Limits. A thread inside a libvirt call cannot be interrupted: libvirt 9.0's remote
 *    virStreamSend blocks while libvirtd does not read (a guest that ignores its serial
 *    input makes libvirtd stop reading the whole connection), and a blocking
 *    virStreamRecv waits for data. Hence the private connection: such a stall holds up
 *    this pump only. It ends when libvirtd reads again, or when keepalive drops the
 *    connection (its close callback ends the pump with `lost`). virt_pump_wait_all
 *    bounds the wait at shutdown.
 *
 * Adapters: vnc-proxy/serial.c (the serial console), server/transfer/ (volume uploads
 * and downloads). */
#pragma once

#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/app_error.h"
#include "work/inbox.h"

/* A non-blocking send that says "not now" is tried again after this long, doubling up to
 * the max (libvirt's remote driver never says so: its virStreamSend blocks). */
#define VIRT_PUMP_RETRY_MIN_MS 1
#define VIRT_PUMP_RETRY_MAX_MS 100

struct virt_pump;

enum virt_pump_end {
    VIRT_PUMP_DONE,      /* the stream came to its end (ops->finish accepted it), or there
                          * was nothing to stream */
    VIRT_PUMP_FAILED,    /* an error: err says which (lost: the connection dropped) */
    VIRT_PUMP_CANCELLED, /* virt_pump_cancel or virt_pump_release */
};

/* What the service side sees (virt_pump_status). */
struct virt_pump_status {
    bool opened;  /* ops->open succeeded: what it published in ctx is visible now */
    bool stopped; /* no more bytes will move; end (and err) say why */
    bool closed;  /* stream and connection closed and ops->end ran: what it published in
                   * ctx is visible now (implies stopped) */
    enum virt_pump_end end;
    bool lost;            /* the connection to libvirt dropped under the pump */
    struct app_error err; /* set when end is VIRT_PUMP_FAILED */
    size_t tx_len;        /* bytes waiting in tx */
    size_t tx_space;      /* room left in tx */
    size_t rx_len;        /* bytes waiting in rx */
    uint64_t tx_bytes;    /* sent to libvirt so far */
    uint64_t rx_bytes;    /* received from libvirt so far */
};

/* The adapter: ctx is its state on the thread side (owned by the pump). Every step but
 * free runs on the pump's thread and may block. */
struct virt_pump_ops {
    /* Opens the stream on conn (the pump owns it from then on). Returns 1 with *st set,
     * 0 when there is nothing to stream (the pump ends done), -1 with err. */
    int (*open)(void *ctx, virConnectPtr conn, virStreamPtr *st, struct app_error *err);
    /* The stream came to its end by itself: the receive side returned end of stream, or
     * (a send-only pump) tx was closed and everything in it was sent. moved: the bytes
     * that went through st. Finish st (virStreamFinish) or abort it; the pump frees it
     * afterwards. Returns 0 (done), 1 with *next set to go on with a new stream, or -1
     * with err. NULL: st is aborted and the pump ends done (a console has no end to
     * confirm). */
    int (*finish)(void *ctx, virConnectPtr conn, virStreamPtr st, uint64_t moved,
                  virStreamPtr *next, struct app_error *err);
    /* Last step, after the stream was closed: conn is NULL if it never opened; err is set
     * when end is VIRT_PUMP_FAILED. NULL: nothing to do. */
    void (*end)(void *ctx, virConnectPtr conn, enum virt_pump_end end, const struct app_error *err);
    /* Frees ctx, with the pump's last reference (any thread). NULL: nothing to free. */
    void (*free)(void *ctx);
};

struct virt_pump_config {
    const char *thread_name; /* at most 15 characters, e.g. "pump-serial" */
    const char *uri;         /* the libvirt URI (copied) */
    struct inbox *inbox;     /* borrowed: must outlive the service side's hold */
    struct inbox_item *news; /* borrowed: the service side's, posted until virt_pump_release */
    size_t tx_cap;           /* tx ring bytes; 0: the pump never sends */
    size_t rx_cap;           /* rx ring bytes; 0: the pump never receives */
    size_t io_max;           /* bytes per virStreamSend / virStreamRecv */
    size_t tx_min;           /* send once tx holds this many bytes (or is closed); >= 1 */
    size_t tx_low;           /* news when tx drains to this many bytes or fewer */
    size_t rx_min;           /* receive only with this much room in rx; >= 1 */
    bool nonblock;           /* the stream is VIR_STREAM_NONBLOCK: its receive side waits
                              * for stream events (DESIGN). Otherwise the stream blocks and
                              * must go one way only. */
    const char *send_what;   /* names a failed send in err, e.g. "send to the volume" */
    const char *recv_what;   /* and a failed receive */
};

/* Starts a pump: its thread opens the connection and runs ops->open. ctx becomes the
 * pump's (ops->free), also when this fails. Service thread (any thread, in tests).
 * Returns the pump (the caller holds the service side's reference) or NULL if the
 * thread cannot start. */
struct virt_pump *virt_pump_start(const struct virt_pump_config *cfg,
                                  const struct virt_pump_ops *ops, void *ctx)
    __attribute__((warn_unused_result));

/* Asks the thread to stop: it aborts the stream as soon as it is out of any libvirt
 * call, runs ops->end and closes. Idempotent. */
void virt_pump_cancel(struct virt_pump *p);

/* Drops the service side's reference: cancels, stops the news (the item is taken out of
 * the inbox and never posted again) and, if the thread has exited, frees the pump.
 * NULL-safe. */
void virt_pump_release(struct virt_pump *p);

/* Copies as much of in[0..len) as fits into tx; *space (if not NULL) gets the room left
 * afterwards, read under the same lock. Returns the bytes taken. */
size_t virt_pump_put(struct virt_pump *p, const void *in, size_t len, size_t *space);
/* Nothing more will be put: once tx is sent, a send-only pump comes to its end. */
void virt_pump_close_tx(struct virt_pump *p);

/* Copies up to max of the oldest rx bytes to out without removing them. */
size_t virt_pump_peek(struct virt_pump *p, void *out, size_t max);
/* Removes the n oldest rx bytes; returns the bytes left. */
size_t virt_pump_drop(struct virt_pump *p, size_t n);

void virt_pump_status(struct virt_pump *p, struct virt_pump_status *st);

/* Waits up to timeout_ms for every pump thread of the process to exit and joins them.
 * Main thread at shutdown, after every pump was released and while libvirt's event
 * loop still runs (closing a connection needs it). Returns the threads still running
 * (stuck in libvirt: they keep their pump). */
unsigned virt_pump_wait_all(int timeout_ms);
