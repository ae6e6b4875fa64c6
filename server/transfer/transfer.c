/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfer: the service-thread side of volume uploads and downloads (see transfer.h):
 * the volume content endpoint (a struct conn_endpoint) and the idle watch.
 *
 * Service thread only. A transfer is in hub->list from its endpoint's open until its
 * connection is done with it and its pump has closed its stream and connection
 * (transfer_reap); conn_id links it to its connection (whose state it is) until the
 * connection closes or its response is complete (transfer_let_go), after which nothing
 * is written to that connection again. */
#include "transfer/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_owners.h"
#include "http/conn.h"
#include "http/route.h"
#include "transfer/transfer_stream.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_pump.h"
#include "work/inbox.h"

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

/* The service thread's side of one transfer; the pump's thread has the job. */
struct transfer {
    struct transfer_hub *hub; /* borrowed */
    struct transfer_job *job; /* borrowed: the pump's ctx (transfer_stream.h says what is
                               * readable when) */
    struct virt_pump *pump;   /* owned: the service side's reference */
    struct inbox_item news;   /* the pump's news (transfer_on_news) */
    uint64_t conn_id;         /* 0 once the connection is gone or its response is complete */
    bool expect_continue;     /* upload: the client waits for "100 Continue" */
    bool headers_sent;
    bool rx_paused;    /* upload: the socket is paused until the ring drains */
    uint64_t received; /* upload: body bytes put into the ring */
    uint64_t sent;     /* download: body bytes written to the socket */
    uint64_t progress; /* what the idle watch saw moved last, and when (transfer_tick) */
    int64_t progress_ms;
    struct transfer *next;
};

struct transfer_hub {
    struct transfer_deps deps; /* borrowed parts */
    struct transfer *list;     /* owned; service thread */
    unsigned count;
};

struct transfer_hub *transfer_hub_new(const struct transfer_deps *deps)
{
    struct transfer_hub *hub = xcalloc(1, sizeof(*hub));

    hub->deps = *deps;
    return hub;
}

/* Releases the pump (its thread finishes on its own) and frees t. */
static void transfer_free(struct transfer *t)
{
    virt_pump_release(t->pump);
    free(t);
}

void transfer_hub_free(struct transfer_hub *hub)
{
    if (!hub)
        return;
    while (hub->list) {
        struct transfer *t = hub->list;
        hub->list = t->next;
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

/* Frees t once its connection is done with it and its pump has closed everything. */
static void transfer_reap(struct transfer *t)
{
    struct transfer_hub *hub = t->hub;
    struct virt_pump_status st;

    virt_pump_status(t->pump, &st);
    if (t->conn_id || !st.closed)
        return;
    for (struct transfer **pp = &hub->list; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    hub->count--;
    transfer_free(t);
}

/* ---- the idle watch ------------------------------------------------ */

/* A paused or slow transfer must not be cut while it moves, nor kept while it does not.
 * So every 2 s (serve.c's housekeeping timer) each transfer's progress is read, and
 * while something moved in the last TRANSFER_IDLE_TIMEOUT_S its connection's deadline
 * is pushed to that long after the last movement; a transfer that stays still for that
 * long is cut. */
void transfer_tick(struct transfer_hub *hub)
{
    int64_t now = clock_mono_ms();

    for (struct transfer *t = hub ? hub->list : NULL; t; t = t->next) {
        struct conn *conn = conn_find(hub->deps.conns, t->conn_id);
        struct virt_pump_status st;
        uint64_t moved;
        int64_t idle_s;

        virt_pump_status(t->pump, &st);
        moved = st.tx_bytes + st.rx_bytes + t->received + t->sent;
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

static void transfer_on_news(struct inbox_item *item);

/* Checks the request; fills an error into resp and returns -1 when it cannot start. */
static int transfer_check(const struct http_request *req, long long content_length,
                          char format[TRANSFER_FORMAT_MAX], struct http_response *resp)
{
    /* a pool has no owners: the index's view is not needed, only the session's limits */
    struct auth_subject subject = auth_owners_subject(NULL, &req->session);
    struct app_error err;
    bool hidden; /* a pool is never hidden */

    /* the row's right on the pool, then the pool's and the volume's names */
    if (route_authorize(&req->route, req->method, &subject, AUTH_LEVEL_NONE, &hidden, &err) < 0) {
        http_response_error(resp, &err);
        return -1;
    }
    if (req->method == HTTP_PUT && content_length < 0) {
        http_response_errorf(resp, 411, APP_ERR_BAD_REQUEST,
                             "an upload needs a Content-Length header");
        return -1;
    }
    if (req->method == HTTP_PUT &&
        (route_query_get(req->query, "format", format, TRANSFER_FORMAT_MAX) < 0 ||
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

/* The pump's configuration for a transfer of this kind. */
static void transfer_pump_config(struct transfer_hub *hub, struct transfer *t,
                                 struct virt_pump_config *cfg)
{
    bool up = t->job->kind == TRANSFER_UPLOAD;

    memset(cfg, 0, sizeof(*cfg));
    cfg->thread_name = "pump-transfer";
    cfg->uri = virt_conn_uri(hub->deps.virt);
    cfg->inbox = hub->deps.inbox;
    cfg->news = &t->news;
    cfg->tx_cap = up ? TRANSFER_RING : 0;
    cfg->rx_cap = up ? 0 : TRANSFER_RING;
    cfg->io_max = TRANSFER_CHUNK;
    cfg->tx_min = TRANSFER_CHUNK; /* fewer, larger stream packets */
    cfg->tx_low = TRANSFER_RING - TRANSFER_UP_RESUME;
    cfg->rx_min = TRANSFER_CHUNK;
    cfg->send_what = "send to the volume";
    cfg->recv_what = "read the volume";
}

/* Starts a transfer for req on conn. Returns 0 when it now drives the request, or -1
 * with an error in resp. */
static int transfer_begin(struct transfer_hub *hub, struct conn *conn,
                          const struct http_request *req, struct http_response *resp)
{
    long long content_length = conn_content_length(conn);
    struct virt_pump_config cfg;
    struct transfer_job *job;
    struct transfer *t;
    char range[128], format[TRANSFER_FORMAT_MAX] = "";

    if (conn_header(conn, CONN_HEADER_RANGE, range, sizeof(range)) < 0)
        range[0] = '\0'; /* too long to be one range: serve the whole volume */
    if (transfer_check(req, content_length, format, resp) < 0)
        return -1;
    if (hub->count >= TRANSFER_MAX) {
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE,
                             "%d transfers are running; try again when one has finished",
                             TRANSFER_MAX);
        return -1;
    }
    job = transfer_job_new();
    job->db = hub->deps.db;
    job->kind = req->method == HTTP_PUT ? TRANSFER_UPLOAD : TRANSFER_DOWNLOAD;
    job->head = req->method == HTTP_HEAD;
    snprintf(job->pool, sizeof(job->pool), "%s", req->route.name);
    snprintf(job->volume, sizeof(job->volume), "%s", req->route.item);
    snprintf(job->username, sizeof(job->username), "%s", req->session.username);
    snprintf(job->peer, sizeof(job->peer), "%s", req->peer);
    snprintf(job->range, sizeof(job->range), "%s", range);
    snprintf(job->format, sizeof(job->format), "%s", format[0] ? format : "raw");
    job->content_length = content_length > 0 ? (uint64_t)content_length : 0;

    t = xcalloc(1, sizeof(*t));
    t->hub = hub;
    t->job = job;
    t->conn_id = req->conn_id;
    t->expect_continue = job->kind == TRANSFER_UPLOAD && conn_expects_continue(conn);
    inbox_item_init(&t->news, transfer_on_news);
    transfer_pump_config(hub, t, &cfg);
    if (!(t->pump = virt_pump_start(&cfg, &transfer_stream_ops, job))) {
        free(t); /* the job went with the pump */
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE, "cannot start the transfer");
        return -1;
    }
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
    size_t taken, space;

    if (!t || t->job->kind != TRANSFER_UPLOAD)
        return 0;
    if (t->received + len > t->job->content_length)
        len = (size_t)(t->job->content_length - t->received);
    taken = virt_pump_put(t->pump, in, len, &space);
    t->received += taken;
    if (taken < len) {
        /* the pause below keeps this from happening; if it does, fail loudly */
        log_error("transfer: upload ring overflow on %s/%s", t->job->pool, t->job->volume);
        return -1;
    }
    conn_set_timeout(conn, TRANSFER_IDLE_TIMEOUT_S);
    /* The pump posts news when the ring drains to TRANSFER_UP_RESUME, which runs after
     * this callback, so a drain right now cannot be missed. */
    if (space < TRANSFER_UP_ROOM && !t->rx_paused && !conn_tls_pending(conn)) {
        t->rx_paused = true;
        conn_rx_pause(conn, true);
    }
    return 0;
}

static void transfer_body_done(struct conn *conn)
{
    struct transfer *t = conn_state(conn);

    if (t && t->job->kind == TRANSFER_UPLOAD)
        virt_pump_close_tx(t->pump);
}

/* ---- download body ------------------------------------------------ */

/* Writes the status line and headers of a download. Returns 0 or -1. */
static int transfer_write_headers(struct conn *conn, const struct transfer_job *job)
{
    struct http_response resp;
    char value[160];
    int ret = -1;

    http_response_init(&resp);
    resp.status = job->status;
    resp.content_type = "application/octet-stream";
    http_response_header(&resp, "Accept-Ranges", "bytes");
    http_response_header(&resp, "Cache-Control", "no-store");
    http_response_attachment(&resp, job->volume);
    if (job->status == 206) {
        snprintf(value, sizeof(value), "bytes %llu-%llu/%llu", (unsigned long long)job->start,
                 (unsigned long long)(job->start + job->length - 1), (unsigned long long)job->size);
        http_response_header(&resp, "Content-Range", value);
    }
    ret = conn_write_head(conn, &resp, job->length);
    http_response_free(&resp);
    return ret;
}

/* Writes the next piece of a download's body (at most one TLS record). Returns 1 when
 * a piece went out, 0 when there is nothing to send yet, 2 after the last piece, -1 to
 * close the connection. */
static int transfer_write_piece(struct conn *conn, struct transfer *t)
{
    static unsigned char out[CONN_PRE + CONN_TX_MAX];
    uint64_t length = t->job->length;
    struct virt_pump_status st;
    size_t n;
    bool last;

    n = virt_pump_peek(t->pump, out + CONN_PRE, CONN_TX_MAX);
    if (n == 0)
        return 0; /* the pump's news asks again when bytes arrive */
    if (t->sent + n > length)
        n = (size_t)(length - t->sent);
    last = t->sent + n == length;
    if (last) {
        /* the last bytes wait until libvirt has let go of the volume, so the client's
         * next request finds it free */
        virt_pump_status(t->pump, &st);
        if (!st.closed)
            return 0;
    }
    if (conn_write_body(conn, out + CONN_PRE, n, last) < 0)
        return -1;
    t->sent += n;
    virt_pump_drop(t->pump, n);
    return last ? 2 : 1;
}

/* STREAMING: a download's headers, then up to a few TLS records of its body. Returns
 * 0 (more later), 1 (the response is complete) or -1 (close: the stream failed after
 * the headers). */
static int transfer_writeable(struct conn *conn)
{
    struct transfer *t = conn_state(conn);
    struct virt_pump_status st;
    int rc = 1;

    if (!t || t->job->kind != TRANSFER_DOWNLOAD)
        return 0;
    virt_pump_status(t->pump, &st);
    if (!(st.opened && t->job->ready))
        return 0;
    if (!t->headers_sent) {
        if (transfer_write_headers(conn, t->job) < 0)
            return -1;
        t->headers_sent = true;
        if (t->job->head || t->job->length == 0) {
            transfer_let_go(t, conn);
            transfer_reap(t);
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
        transfer_reap(t);
        return 1;
    }
    if (rc == 1)
        conn_want_write(conn);
    return 0;
}

/* ---- closing and news ------------------------------------------------ */

/* The connection went away, or its transaction ended while the transfer still drove
 * it: a running transfer is cancelled. */
static void transfer_closed(struct conn *conn)
{
    struct transfer *t = conn_state(conn);

    if (!t)
        return;
    transfer_let_go(t, conn);
    virt_pump_cancel(t->pump);
    transfer_reap(t); /* else once the pump has closed */
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

/* Acts on the pump's news for a transfer whose connection is still there: "100
 * Continue" once the upload's stream is open, resumes a paused upload, delivers the
 * final response or error, asks for WRITEABLE when a download has bytes. */
static void transfer_serve(struct transfer *t, struct conn *conn, const struct virt_pump_status *st)
{
    bool up = t->job->kind == TRANSFER_UPLOAD;

    if (t->expect_continue && up && st->opened && !st->closed) {
        /* the checks passed: let a client that asked for it send the body now */
        t->expect_continue = false;
        if (conn_send_continue(conn) < 0) {
            virt_pump_cancel(t->pump);
            transfer_let_go(t, conn);
            conn_kill(conn);
            return;
        }
    }
    if (t->rx_paused && (st->tx_space >= TRANSFER_UP_RESUME || st->closed)) {
        t->rx_paused = false;
        conn_rx_pause(conn, false);
    }
    if (st->closed && !t->headers_sent && (up || t->job->failed)) {
        /* the upload's response, or an error before any header went out; conn_id goes
         * to 0, so this happens once */
        transfer_let_go(t, conn);
        conn_respond(conn, &t->job->resp);
        return;
    }
    if (st->closed && t->job->failed) {
        /* the stream broke after the headers: only closing tells the client */
        transfer_let_go(t, conn);
        conn_kill(conn);
        return;
    }
    if (!up)
        conn_stream(conn); /* the download writes its own response (transfer_writeable) */
}

/* The pump's news (service thread, from the inbox). */
static void transfer_on_news(struct inbox_item *item)
{
    struct transfer *t = lws_container_of(item, struct transfer, news);
    struct conn *conn = conn_find(t->hub->deps.conns, t->conn_id);
    struct virt_pump_status st;

    virt_pump_status(t->pump, &st);
    if (conn)
        transfer_serve(t, conn, &st);
    transfer_reap(t); /* t may be gone after this */
}
