/* transfer_stream: one transfer's state, and its thread's side (libvirt).
 *
 * struct transfer is shared by transfer.c (service thread) and transfer_stream.c (the
 * transfer's own thread). Fields are grouped by who may touch them; everything under
 * `lock` is the hand-over between the two. Invariants: `ring` never holds more than
 * its capacity; once `finished` is set the thread touches nothing but has not
 * necessarily exited (transfer.c joins it); `resp` belongs to the thread until
 * `finished`, then to the service thread. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth_sessions.h"
#include "http/response.h"
#include "util/byte_ring.h"

struct app;
struct transfer_hub;

enum transfer_kind { TRANSFER_UPLOAD, TRANSFER_DOWNLOAD };

struct transfer {
    /* immutable after transfer_begin */
    struct app *app;          /* borrowed */
    struct transfer_hub *hub; /* borrowed */
    enum transfer_kind kind;
    bool head; /* a HEAD download: headers only */
    char pool[128];
    char volume[128];
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    char range[128];         /* download: the Range header */
    uint64_t content_length; /* upload: the body's size */
    pthread_t thread;
    bool thread_started;

    /* service thread only */
    uint64_t conn_id;     /* 0 once the connection is gone or its response is complete */
    bool expect_continue; /* upload: the client waits for "100 Continue" */
    bool headers_sent;
    uint64_t received; /* upload: body bytes put into the ring */
    uint64_t sent;     /* download: body bytes written to the socket */
    uint64_t progress; /* what the idle watch saw moved last, and when (transfer_tick) */
    int64_t progress_ms;
    struct transfer *next;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* the thread waits here: ring bytes/space, body end, cancel */
    struct byte_ring ring;
    bool body_done;            /* upload: the whole body is in the ring (service → thread) */
    bool cancelled;            /* stop now (service → thread) */
    bool ready;                /* download: the fields below are set (thread → service) */
    int status;                /* download: 200 or 206 */
    uint64_t size;             /* download: the volume's size in bytes */
    uint64_t start;            /* download: first byte sent */
    uint64_t length;           /* download: bytes in the body */
    bool streaming;            /* upload: checks passed, stream open (thread → service) */
    bool finished;             /* the thread is done; see resp */
    bool failed;               /* finished with an error (resp holds it) */
    bool wake;                 /* the service thread has something to do for this transfer */
    uint64_t moved;            /* bytes the thread moved to or from libvirt */
    size_t thread_want;        /* the thread sleeps until the ring holds this much (upload) or has
                                * this much room (download); 0 while it runs */
    bool rx_paused;            /* upload: the socket is paused (service); room wakes it (thread) */
    struct http_response resp; /* the final response (upload) or an error */
};

/* The transfer thread's body (pthread start routine; arg is the struct transfer). */
void *transfer_stream_main(void *arg);

/* Any thread: flags t for the service thread and wakes it. Call with t->lock held. */
void transfer_notify_locked(struct transfer *t);
