/* transfer: the service-thread side of volume uploads and downloads (see transfer.h):
 * the volume content endpoint (a struct conn_endpoint) and the idle watch.
 *
 * Service thread only, except transfer_notify_locked (any thread, t->lock held).
 * A transfer is in hub->list from its endpoint's open until its thread has finished and
 * been joined; conn_id links it to its connection (whose state it is) until the
 * connection closes or its response is complete (transfer_let_go), after which nothing
 * is written to that connection again. */
#include "transfer/transfer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/conn.h"
#include "http/route.h"
#include "transfer/transfer_stream.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Each ring holds at most 1 MiB. An upload pauses its socket when less than
 * TRANSFER_UP_ROOM is left (lws may still hand over what it has read and OpenSSL has
 * decrypted: one read buffer and a TLS record), and resumes below TRANSFER_UP_RESUME. */
#define TRANSFER_RING      (1024u * 1024)
#define TRANSFER_UP_ROOM   (256u * 1024)
#define TRANSFER_UP_RESUME (512u * 1024)
/* a download writes at most this many TLS records per WRITEABLE */
#define TRANSFER_WRITES_PER_CALLBACK 8
/* a paused or slow transfer is cut when nothing moves for this long */
#define TRANSFER_IDLE_TIMEOUT_S 60

struct transfer_hub {
    void (*wake)(void *ctx);
    void *wake_ctx;
    struct transfer *list; /* owned; service thread */
    unsigned count;
};

struct transfer_hub *transfer_hub_new(void (*wake)(void *ctx), void *wake_ctx)
{
    struct transfer_hub *hub = xcalloc(1, sizeof(*hub));

    hub->wake = wake;
    hub->wake_ctx = wake_ctx;
    return hub;
}

void transfer_notify_locked(struct transfer *t)
{
    t->wake = true;
    pthread_cond_broadcast(&t->cond);
    t->hub->wake(t->hub->wake_ctx);
}

static void transfer_free(struct transfer *t)
{
    if (t->thread_started)
        pthread_join(t->thread, NULL);
    byte_ring_free(&t->ring);
    http_response_free(&t->resp);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void transfer_cancel(struct transfer *t)
{
    pthread_mutex_lock(&t->lock);
    t->cancelled = true;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

void transfer_hub_free(struct transfer_hub *hub)
{
    if (!hub)
        return;
    while (hub->list) {
        struct transfer *t = hub->list;
        hub->list = t->next;
        transfer_cancel(t);
        transfer_free(t);
    }
    free(hub);
}

/* The transfer lets go of its connection: nothing is written to it again, and the
 * connection forgets the transfer (which may be freed from now on). */
static void transfer_let_go(struct transfer *t, struct conn *conn)
{
    t->conn_id = 0;
    if (conn)
        conn_set_state(conn, NULL);
}

/* ---- the idle watch ------------------------------------------------ */

/* lws cuts a request whose body stops arriving after the context's 10 s timeout, and a
 * paused upload (the disk is slow) or a download waiting for libvirt receives nothing.
 * So every 2 s (serve.c's housekeeping timer) each transfer's progress is read, and
 * while something moved in the last TRANSFER_IDLE_TIMEOUT_S its connection's deadline
 * is pushed to that long after the last movement; a transfer that stays still for that
 * long is cut. */
void transfer_tick(struct app *app)
{
    struct transfer_hub *hub = app->transfers;
    int64_t now = clock_mono_ms();

    for (struct transfer *t = hub ? hub->list : NULL; t; t = t->next) {
        struct conn *conn = conn_find(app->conns, t->conn_id);
        uint64_t moved;
        int64_t idle_s;

        pthread_mutex_lock(&t->lock);
        moved = t->moved;
        pthread_mutex_unlock(&t->lock);
        moved += t->received + t->sent;
        if (moved != t->progress) {
            t->progress = moved;
            t->progress_ms = now;
        }
        idle_s = (now - t->progress_ms) / 1000;
        if (conn && idle_s < TRANSFER_IDLE_TIMEOUT_S)
            conn_set_timeout(conn, (int)(TRANSFER_IDLE_TIMEOUT_S - idle_s));
    }
}

/* ---- starting ------------------------------------------------ */

/* Checks the request; fills an error into resp and returns -1 when it cannot start. */
static int transfer_check(const struct http_request *req, long long content_length,
                          struct http_response *resp)
{
    struct auth_subject subject = {req->session.username, req->session.role};
    struct app_error err;
    char format[16];

    /* the row's right on the pool, then the pool's and the volume's names */
    if (route_authorize(&req->route, req->method, &subject, &err) < 0) {
        http_response_error(resp, &err);
        return -1;
    }
    if (req->method == HTTP_PUT && content_length < 0) {
        http_response_errorf(resp, 411, APP_ERR_BAD_REQUEST,
                             "an upload needs a Content-Length header");
        return -1;
    }
    if (req->method == HTTP_PUT &&
        (route_query_get(req->query, "format", format, sizeof(format)) < 0 ||
         (format[0] && strcmp(format, "raw") && strcmp(format, "iso") &&
          strcmp(format, "qcow2")))) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "format must be raw, iso or qcow2 (what the uploaded file holds)");
        return -1;
    }
    if (req->method == HTTP_PUT && content_length == 0) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "the upload is empty");
        return -1;
    }
    return 0;
}

/* Starts a transfer for req on conn. Returns 0 when it now drives the request, or -1
 * with an error in resp. */
static int transfer_begin(struct app *app, struct conn *conn, const struct http_request *req,
                          struct http_response *resp)
{
    struct transfer_hub *hub = app->transfers;
    long long content_length = conn_content_length(conn);
    char range[128];
    struct transfer *t;

    if (transfer_check(req, content_length, resp) < 0)
        return -1;
    if (hub->count >= TRANSFER_MAX) {
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE,
                             "%d transfers are running; try again when one has finished",
                             TRANSFER_MAX);
        return -1;
    }
    if (conn_header(conn, CONN_HEADER_RANGE, range, sizeof(range)) < 0)
        range[0] = '\0'; /* too long to be one range: serve the whole volume */
    t = xcalloc(1, sizeof(*t));
    t->app = app;
    t->hub = hub;
    t->kind = req->method == HTTP_PUT ? TRANSFER_UPLOAD : TRANSFER_DOWNLOAD;
    t->head = req->method == HTTP_HEAD;
    snprintf(t->pool, sizeof(t->pool), "%s", req->route.name);
    snprintf(t->volume, sizeof(t->volume), "%s", req->route.item);
    snprintf(t->username, sizeof(t->username), "%s", req->session.username);
    snprintf(t->peer, sizeof(t->peer), "%s", req->peer);
    snprintf(t->range, sizeof(t->range), "%s", range);
    t->content_length = content_length > 0 ? (uint64_t)content_length : 0;
    t->conn_id = req->conn_id;
    t->expect_continue = t->kind == TRANSFER_UPLOAD && conn_expects_continue(conn);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    byte_ring_init(&t->ring, TRANSFER_RING);
    http_response_init(&t->resp);
    if (pthread_create(&t->thread, NULL, transfer_stream_main, t) != 0) {
        transfer_free(t);
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE, "cannot start the transfer");
        return -1;
    }
    t->thread_started = true;
    t->next = hub->list;
    hub->list = t;
    hub->count++;
    t->progress_ms = clock_mono_ms();
    conn_set_timeout(conn, TRANSFER_IDLE_TIMEOUT_S);
    conn_set_state(conn, t);
    return 0;
}

static int transfer_open(struct conn *conn, const struct http_request *req)
{
    struct http_response resp;

    http_response_init(&resp);
    if (transfer_begin(conn_ctx(conn), conn, req, &resp) < 0)
        conn_respond(conn, &resp); /* refused (403, 400, 503…): a body on its way is drained */
    http_response_free(&resp);
    return 0;
}

/* ---- upload body ------------------------------------------------ */

static int transfer_body(struct conn *conn, const void *in, size_t len)
{
    struct transfer *t = conn_state(conn);
    bool pause;
    size_t taken;

    if (!t || t->kind != TRANSFER_UPLOAD)
        return 0;
    if (t->received + len > t->content_length)
        len = (size_t)(t->content_length - t->received);
    pthread_mutex_lock(&t->lock);
    taken = byte_ring_put(&t->ring, in, len);
    if (t->thread_want && byte_ring_len(&t->ring) >= t->thread_want)
        pthread_cond_broadcast(&t->cond); /* wake the sender only for a full piece */
    /* Decided and flagged under the lock: a sender that drains the ring right after
     * this must see the flag, or nobody would ever resume the socket. */
    pause =
        byte_ring_space(&t->ring) < TRANSFER_UP_ROOM && !t->rx_paused && !conn_tls_pending(conn);
    if (pause)
        t->rx_paused = true;
    pthread_mutex_unlock(&t->lock);
    t->received += taken;
    if (taken < len) {
        /* the pause below keeps this from happening; if it does, fail loudly */
        log_error("transfer: upload ring overflow on %s/%s", t->pool, t->volume);
        return -1;
    }
    conn_set_timeout(conn, TRANSFER_IDLE_TIMEOUT_S);
    if (pause) {
        conn_rx_pause(conn, true);
        /* the sender may have drained it meanwhile: look again at the next dispatch */
        pthread_mutex_lock(&t->lock);
        transfer_notify_locked(t);
        pthread_mutex_unlock(&t->lock);
    }
    return 0;
}

static void transfer_body_done(struct conn *conn)
{
    struct transfer *t = conn_state(conn);

    if (!t || t->kind != TRANSFER_UPLOAD)
        return;
    pthread_mutex_lock(&t->lock);
    t->body_done = true;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

/* ---- download body ------------------------------------------------ */

/* Writes the status line and headers of a download. Returns 0 or -1. */
static int transfer_write_headers(struct conn *conn, struct transfer *t)
{
    struct http_response resp;
    char value[160];
    int ret = -1;

    http_response_init(&resp);
    resp.status = t->status;
    resp.content_type = "application/octet-stream";
    http_response_header(&resp, "Accept-Ranges", "bytes");
    http_response_header(&resp, "Cache-Control", "no-store");
    snprintf(value, sizeof(value), "attachment; filename=\"%s\"", t->volume);
    http_response_header(&resp, "Content-Disposition", value);
    if (t->status == 206) {
        snprintf(value, sizeof(value), "bytes %llu-%llu/%llu", (unsigned long long)t->start,
                 (unsigned long long)(t->start + t->length - 1), (unsigned long long)t->size);
        http_response_header(&resp, "Content-Range", value);
    }
    ret = conn_write_head(conn, &resp, t->length);
    http_response_free(&resp);
    return ret;
}

/* Writes the next piece of a download's body (at most one TLS record). Returns 1 when
 * a piece went out, 0 when there is nothing to send yet, 2 after the last piece, -1 to
 * close the connection. */
static int transfer_write_piece(struct conn *conn, struct transfer *t)
{
    static unsigned char out[CONN_PRE + CONN_TX_MAX];
    size_t n;
    bool last, finished;

    pthread_mutex_lock(&t->lock);
    n = byte_ring_peek(&t->ring, out + CONN_PRE, CONN_TX_MAX);
    finished = t->finished;
    pthread_mutex_unlock(&t->lock);
    if (n == 0)
        return 0; /* the thread wakes us when bytes arrive */
    if (t->sent + n > t->length)
        n = (size_t)(t->length - t->sent);
    last = t->sent + n == t->length;
    if (last && !finished)
        return 0; /* the last bytes wait until libvirt has let go of the volume, so the
                   * client's next request finds it free */
    if (conn_write_body(conn, out + CONN_PRE, n, last) < 0)
        return -1;
    t->sent += n;
    pthread_mutex_lock(&t->lock);
    byte_ring_drop(&t->ring, n);
    if (t->thread_want && byte_ring_space(&t->ring) >= t->thread_want)
        pthread_cond_broadcast(&t->cond); /* wake the reader only once a whole piece fits */
    pthread_mutex_unlock(&t->lock);
    return last ? 2 : 1;
}

/* STREAMING: a download's headers, then up to a few TLS records of its body. Returns
 * 0 (more later), 1 (the response is complete) or -1 (close: the stream failed after
 * the headers). */
static int transfer_writeable(struct conn *conn)
{
    struct transfer *t = conn_state(conn);
    bool ready;
    int rc = 1;

    if (!t || t->kind != TRANSFER_DOWNLOAD)
        return 0;
    pthread_mutex_lock(&t->lock);
    ready = t->ready;
    pthread_mutex_unlock(&t->lock);
    if (!ready)
        return 0;
    if (!t->headers_sent) {
        if (transfer_write_headers(conn, t) < 0)
            return -1;
        t->headers_sent = true;
        if (t->head || t->length == 0) {
            transfer_let_go(t, conn);
            t->hub->wake(t->hub->wake_ctx);
            return 1;
        }
        conn_want_write(conn);
        return 0;
    }
    /* a few records per callback while the socket takes them: fewer trips round the
     * event loop per byte, and never more than the kernel accepts at once */
    for (int i = 0; i < TRANSFER_WRITES_PER_CALLBACK && rc == 1; i++) {
        if (i && conn_choked(conn))
            break;
        rc = transfer_write_piece(conn, t);
    }
    if (rc < 0)
        return -1;
    conn_set_timeout(conn, TRANSFER_IDLE_TIMEOUT_S);
    if (rc == 2) {
        transfer_let_go(t, conn);
        t->hub->wake(t->hub->wake_ctx); /* dispatch frees it once its thread is done */
        return 1;
    }
    if (rc == 1)
        conn_want_write(conn);
    return 0;
}

/* ---- closing and dispatch ------------------------------------------------ */

/* The connection went away, or its transaction ended while the transfer still drove
 * it: a running transfer is cancelled. */
static void transfer_closed(struct conn *conn)
{
    struct transfer *t = conn_state(conn);

    if (!t)
        return;
    transfer_let_go(t, conn);
    transfer_cancel(t);
    t->hub->wake(t->hub->wake_ctx);
}

const struct conn_endpoint transfer_endpoint = {
    .name = "volume content",
    .open = transfer_open,
    .stream_body = true,
    .body = transfer_body,
    .body_done = transfer_body_done,
    .writeable = transfer_writeable,
    .closed = transfer_closed,
};

/* Acts on one transfer's news: resumes a paused upload, delivers a final response or
 * error, asks for WRITEABLE when a download has bytes. */
static void transfer_service(struct app *app, struct transfer *t)
{
    struct conn *conn = conn_find(app->conns, t->conn_id);
    bool finished, failed, streaming, paused;
    size_t space;

    pthread_mutex_lock(&t->lock);
    t->wake = false;
    finished = t->finished;
    failed = t->failed;
    streaming = t->streaming;
    paused = t->rx_paused;
    space = byte_ring_space(&t->ring);
    pthread_mutex_unlock(&t->lock);
    if (!conn)
        return;
    if (t->expect_continue && streaming && !finished) {
        /* the checks passed: let a client that asked for it send the body now */
        t->expect_continue = false;
        if (conn_send_continue(conn) < 0) {
            transfer_cancel(t);
            transfer_let_go(t, conn);
            conn_kill(conn);
            return;
        }
    }
    if (paused && (space >= TRANSFER_UP_RESUME || finished)) {
        pthread_mutex_lock(&t->lock);
        t->rx_paused = false;
        pthread_mutex_unlock(&t->lock);
        conn_rx_pause(conn, false);
    }
    if (finished && !t->headers_sent && (t->kind == TRANSFER_UPLOAD || failed)) {
        /* the upload's response, or an error before any header went out; conn_id goes
         * to 0, so this happens once */
        transfer_let_go(t, conn);
        conn_respond(conn, &t->resp);
        return;
    }
    if (finished && failed) {
        /* the stream broke after the headers: only closing tells the client */
        transfer_let_go(t, conn);
        conn_kill(conn);
        return;
    }
    if (t->kind == TRANSFER_DOWNLOAD)
        conn_stream(conn); /* the download writes its own response (transfer_writeable) */
}

void transfer_dispatch(struct app *app)
{
    struct transfer_hub *hub = app->transfers;
    struct transfer **pp = hub ? &hub->list : NULL;

    while (pp && *pp) {
        struct transfer *t = *pp;
        bool wake, finished;

        pthread_mutex_lock(&t->lock);
        wake = t->wake;
        pthread_mutex_unlock(&t->lock);
        if (wake)
            transfer_service(app, t);
        pthread_mutex_lock(&t->lock);
        finished = t->finished;
        pthread_mutex_unlock(&t->lock);
        if (finished && !t->conn_id) {
            *pp = t->next;
            hub->count--;
            transfer_free(t);
        } else {
            pp = &t->next;
        }
    }
}
