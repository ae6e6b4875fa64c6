/* transfer_stream: the libvirt side of a volume transfer, on the transfer's own thread.
 *
 * Opens a private connection (a stalled stream must not hold up the daemon's shared
 * one), checks the request against the volume and its pool, then moves bytes between
 * the ring and a libvirt stream in pieces of at most TRANSFER_CHUNK. It takes t->lock
 * only to move bytes and flags, never across a libvirt call.
 *
 * A volume whose path leads out of its pool (a symbolic link to /etc/shadow in a dir
 * pool) is refused with 403 outside_pool (virt_volume_bounds.c) before any stream
 * exists, and every stream is checked again right after libvirt opened the volume,
 * before a byte moves: the open is libvirt's, so that is the narrowest the window gets
 * (server/README.md). */
#include "transfer/transfer_stream.h"

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/byte_range.h"
#include "store/store.h"
#include "store/store_uploads.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_error.h"
#include "virt/virt_usage.h"
#include "virt/virt_volume.h"
#include "virt/virt_volume_bounds.h"

/* bytes per virStreamSend/virStreamRecv: the largest payload of one libvirt stream packet
 * (VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX); a larger send would be split into a full packet
 * and a tiny one */
#define TRANSFER_CHUNK (256u * 1024 - 24)
/* the private connection's keepalive: a dead libvirtd is noticed within ~15 s */
#define TRANSFER_KEEPALIVE_INTERVAL_S 5
#define TRANSFER_KEEPALIVE_COUNT      3
/* bytes one download stream asks for (see transfer_download_windows) */
#define TRANSFER_WINDOW (8u * 1024 * 1024)

/* Sets the final response to an error. */
static void transfer_fail(struct transfer *t, const struct app_error *err)
{
    pthread_mutex_lock(&t->lock);
    http_response_error(&t->resp, err);
    t->failed = true;
    pthread_mutex_unlock(&t->lock);
}

static bool transfer_cancelled(struct transfer *t)
{
    bool cancelled;

    pthread_mutex_lock(&t->lock);
    cancelled = t->cancelled;
    pthread_mutex_unlock(&t->lock);
    return cancelled;
}

static void transfer_audit(struct transfer *t, const char *action, const char *outcome)
{
    char object[300];

    snprintf(object, sizeof(object), "volume:%s/%s", t->pool, t->volume);
    store_audit(t->app->db, t->username, t->peer, action, object, outcome);
    log_info("transfer: %s %s %s/%s from %s: %s", t->username, action, t->pool, t->volume, t->peer,
             outcome);
}

/* ---- the volume must stay inside its pool ------------------------------------------------ */

/* What a transfer checks its volume against, before its stream exists and again right
 * after libvirt opened the volume. */
struct transfer_guard {
    struct virt_volume_bounds bounds;
    char *path; /* owned: the volume's path as libvirt reports it; NULL until set up */
};

static void transfer_guard_clear(struct transfer_guard *g)
{
    virt_volume_bounds_clear(&g->bounds);
    free(g->path);
    g->path = NULL;
}

/* 403 outside_pool when the volume now leads out of its pool. */
static int transfer_guard_check(struct transfer *t, const struct transfer_guard *g,
                                struct app_error *err)
{
    return virt_volume_bounds_allow(&g->bounds, t->volume, g->path,
                                    t->kind == TRANSFER_UPLOAD ? "upload into" : "download", false,
                                    NULL, err);
}

/* Reads vol's path and its pool's bounds into g, then checks. Returns 0 or -1 with err. */
static int transfer_guard_init(struct transfer *t, virStorageVolPtr vol, struct transfer_guard *g,
                               struct app_error *err)
{
    virStoragePoolPtr pool = virStoragePoolLookupByVolume(vol);
    int ret = -1;

    if (!pool || !(g->path = virStorageVolGetPath(vol))) {
        virt_error_capture(err, "read the volume");
        goto cleanup;
    }
    if (virt_volume_bounds_init(&g->bounds, pool, err) < 0)
        goto cleanup;
    ret = transfer_guard_check(t, g, err);

cleanup:
    if (pool)
        virStoragePoolFree(pool);
    return ret;
}

/* ---- upload ------------------------------------------------ */

/* A new raw volume of exactly the body's size, for an upload to a name the pool does not
 * have yet; 507 from virt_volume_create when the pool lacks the room. */
static virStorageVolPtr transfer_upload_create(struct transfer *t, virConnectPtr conn,
                                               struct app_error *err)
{
    struct json_object *req = json_object_new_object(), *made = NULL;
    virStorageVolPtr vol = NULL;

    json_object_object_add(req, "name", json_object_new_string(t->volume));
    json_object_object_add(req, "capacity_bytes",
                           json_object_new_int64((int64_t)t->content_length));
    json_object_object_add(req, "format", json_object_new_string("raw"));
    if ((made = virt_volume_create(conn, t->pool, req, err)))
        vol = virt_volume_lookup(conn, t->pool, t->volume, NULL, err);
    json_object_put(req);
    json_object_put(made);
    return vol;
}

/* Refuses an upload into an existing volume that cannot work: in use by a running VM
 * (409) or smaller than the body (409). Returns 0 or -1 with err set. */
static int transfer_upload_check(struct transfer *t, virConnectPtr conn, virStorageVolPtr vol,
                                 struct app_error *err)
{
    struct virt_usage *usage = NULL;
    struct json_object *users = NULL;
    virStorageVolInfo info;
    char *path = NULL;
    bool busy = false;
    int ret = -1;

    if (!(usage = virt_usage_collect(conn, err)))
        goto cleanup;
    if (!(path = virStorageVolGetPath(vol)) || virStorageVolGetInfo(vol, &info) < 0) {
        virt_error_capture(err, "read the volume");
        goto cleanup;
    }
    users = virt_usage_volume_users(usage, path, t->pool, t->volume, &busy);
    if (busy) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "volume %s is in use by a running VM; stop it before uploading", t->volume);
        goto cleanup;
    }
    if (t->content_length > info.capacity) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "the upload (%llu bytes) is larger than volume %s (%llu bytes); resize it "
                      "first",
                      (unsigned long long)t->content_length, t->volume, info.capacity);
        goto cleanup;
    }
    ret = 0;

cleanup:
    json_object_put(users);
    virt_usage_free(usage);
    free(path);
    return ret;
}

/* The volume to upload into: the existing one, or a new one when the pool exists but
 * the volume does not (*created). NULL with err set when it cannot be. */
static virStorageVolPtr transfer_upload_target(struct transfer *t, virConnectPtr conn,
                                               bool *created, struct app_error *err)
{
    virStorageVolPtr vol = virt_volume_lookup(conn, t->pool, t->volume, NULL, err);
    virStoragePoolPtr pool;

    *created = false;
    if (!vol && err->status == 404 && (pool = virStoragePoolLookupByName(conn, t->pool))) {
        virStoragePoolFree(pool);
        app_error_clear(err);
        vol = transfer_upload_create(t, conn, err);
        *created = vol != NULL;
    }
    return vol;
}

/* Sends the ring's bytes to st until the whole body went or the transfer is
 * cancelled, in pieces of TRANSFER_CHUNK (fewer, larger stream packets) except for the
 * body's tail. Returns 0 when every byte was sent, -1 otherwise (err set unless
 * cancelled). */
static int transfer_upload_pump(struct transfer *t, virStreamPtr st, struct app_error *err)
{
    const unsigned char *span;
    uint64_t sent = 0;

    while (sent < t->content_length) {
        uint64_t left = t->content_length - sent;
        size_t want = left < TRANSFER_CHUNK ? (size_t)left : TRANSFER_CHUNK;
        size_t n, off = 0;

        pthread_mutex_lock(&t->lock);
        t->thread_want = want;
        while (!t->cancelled && byte_ring_len(&t->ring) < want && !t->body_done)
            pthread_cond_wait(&t->cond, &t->lock);
        t->thread_want = 0;
        if (t->cancelled || byte_ring_len(&t->ring) == 0) {
            pthread_mutex_unlock(&t->lock);
            return -1; /* cancelled, or the body ended short */
        }
        n = byte_ring_readable(&t->ring, &span); /* ours until we drop it */
        if (n > want)
            n = want;
        pthread_mutex_unlock(&t->lock);

        while (off < n) {
            int w = virStreamSend(st, (const char *)span + off, n - off);
            if (w < 0) {
                virt_error_capture(err, "send to the volume");
                return -1;
            }
            off += (size_t)w;
        }
        sent += n;
        pthread_mutex_lock(&t->lock);
        byte_ring_drop(&t->ring, n);
        t->moved += n;
        if (t->rx_paused)
            transfer_notify_locked(t); /* room again: the socket may resume */
        pthread_mutex_unlock(&t->lock);
    }
    return 0;
}

static void transfer_upload(struct transfer *t, virConnectPtr conn)
{
    struct app_error err, ignored;
    struct transfer_guard guard = {0};
    virStorageVolPtr vol = NULL;
    virStreamPtr st = NULL;
    struct json_object *obj = NULL;
    bool created = false, streaming = false, complete = false;

    app_error_clear(&err);
    if (!(vol = transfer_upload_target(t, conn, &created, &err)) ||
        transfer_guard_init(t, vol, &guard, &err) < 0 ||
        (!created && transfer_upload_check(t, conn, vol, &err) < 0))
        goto cleanup;
    if (!(st = virStreamNew(conn, 0)) ||
        virStorageVolUpload(vol, st, 0, t->content_length, 0) < 0) {
        virt_error_capture(&err, "upload to the volume");
        goto cleanup;
    }
    /* libvirt has opened the volume (not truncated): look again before a byte goes in */
    if (transfer_guard_check(t, &guard, &err) < 0) {
        virStreamAbort(st);
        goto cleanup;
    }
    streaming = true;
    pthread_mutex_lock(&t->lock);
    t->streaming = true; /* now the client may send its body ("100 Continue") */
    transfer_notify_locked(t);
    pthread_mutex_unlock(&t->lock);
    if (transfer_upload_pump(t, st, &err) < 0)
        goto cleanup;
    if (virStreamFinish(st) < 0) {
        virt_error_capture(&err, "finish the upload");
        goto cleanup;
    }
    streaming = false;
    complete = true;
    store_uploads_clear(t->app->db, t->pool, t->volume);
    /* read afresh: a VM may have started using the volume during a long upload */
    if (!(obj = virt_volume_to_json(vol, NULL, &guard.bounds, &err)))
        goto cleanup;
    json_object_object_add(obj, "upload_incomplete", json_object_new_boolean(0));
    pthread_mutex_lock(&t->lock);
    http_response_json(&t->resp, created ? 201 : 200, obj);
    pthread_mutex_unlock(&t->lock);

cleanup:
    if (streaming)
        virStreamAbort(st);
    if (!complete) {
        if (!err.status)
            app_error_set(&err, 400, APP_ERR_BAD_REQUEST, "the upload was cut off before its end");
        if (vol && created) {
            /* deleting removes the pool's entry (a link swapped in: the link); only a
             * pool directory that now leads elsewhere keeps it */
            if ((guard.bounds.pool &&
                 virt_volume_bounds_allow(&guard.bounds, t->volume, guard.path, "delete", true,
                                          NULL, &ignored) < 0) ||
                virStorageVolDelete(vol, 0) < 0)
                log_warn("transfer: cannot delete the cut-off volume %s/%s", t->pool, t->volume);
        } else if (vol && streaming) {
            store_uploads_mark(t->app->db, t->pool, t->volume, t->username);
        }
        transfer_fail(t, &err);
    }
    transfer_audit(t, "upload", complete ? "ok" : (transfer_cancelled(t) ? "cut_off" : err.code));
    transfer_guard_clear(&guard);
    json_object_put(obj);
    if (st)
        virStreamFree(st);
    if (vol)
        virStorageVolFree(vol);
}

/* ---- download ------------------------------------------------ */

/* Publishes the response's shape (status, size, range) to the service thread. */
static void transfer_download_ready(struct transfer *t, int status, uint64_t size, uint64_t start,
                                    uint64_t length)
{
    pthread_mutex_lock(&t->lock);
    t->status = status;
    t->size = size;
    t->start = start;
    t->length = length;
    t->ready = true;
    transfer_notify_locked(t);
    pthread_mutex_unlock(&t->lock);
}

/* Receives from st into the ring until the end of the stream; *got counts the bytes.
 * Returns 0 or -1 (err set unless cancelled). */
static int transfer_download_pump(struct transfer *t, virStreamPtr st, unsigned char *chunk,
                                  uint64_t *got, struct app_error *err)
{
    *got = 0;
    for (;;) {
        int n;

        pthread_mutex_lock(&t->lock);
        t->thread_want = TRANSFER_CHUNK;
        while (!t->cancelled && byte_ring_space(&t->ring) < TRANSFER_CHUNK)
            pthread_cond_wait(&t->cond, &t->lock);
        t->thread_want = 0;
        pthread_mutex_unlock(&t->lock);
        if (transfer_cancelled(t))
            return -1;
        n = virStreamRecv(st, (char *)chunk, TRANSFER_CHUNK);
        if (n < 0) {
            virt_error_capture(err, "read the volume");
            return -1;
        }
        *got += (uint64_t)n;
        pthread_mutex_lock(&t->lock);
        if (n > 0)
            byte_ring_put(&t->ring, chunk, (size_t)n);
        t->moved += (uint64_t)n;
        transfer_notify_locked(t);
        pthread_mutex_unlock(&t->lock);
        if (n == 0)
            return 0;
    }
}

/* The bytes a download of vol serves: a file's physical size (what its file holds),
 * else the capacity. */
static int transfer_download_size(virStorageVolPtr vol, uint64_t *size, struct app_error *err)
{
    virStorageVolInfo info;

    if (virStorageVolGetInfoFlags(vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0) {
        virt_error_capture(err, "read the volume");
        return -1;
    }
    *size = info.type == VIR_STORAGE_VOL_FILE ? info.allocation : info.capacity;
    return 0;
}

/* Streams [start, start+length) of vol into the ring, one window at a time: libvirt
 * queues a download stream's packets without limit while nobody reads them, so each
 * stream asks for at most TRANSFER_WINDOW bytes and the next waits until the ring has
 * taken the last. Each window is checked against guard once libvirt has opened the
 * volume. Returns 0 or -1 with err set (or cancelled). */
static int transfer_download_windows(struct transfer *t, virConnectPtr conn, virStorageVolPtr vol,
                                     const struct transfer_guard *guard, uint64_t start,
                                     uint64_t length, unsigned char *chunk, struct app_error *err)
{
    uint64_t done = 0;

    while (done < length) {
        uint64_t window = length - done < TRANSFER_WINDOW ? length - done : TRANSFER_WINDOW;
        virStreamPtr st = virStreamNew(conn, 0);
        uint64_t got = 0;
        int rc = -1;

        if (!st || virStorageVolDownload(vol, st, start + done, window, 0) < 0) {
            virt_error_capture(err, "download the volume");
            if (st)
                virStreamFree(st);
            return -1;
        }
        /* each window opens the volume anew: look again before its bytes are passed on */
        if (transfer_guard_check(t, guard, err) < 0) {
            virStreamAbort(st);
        } else if (transfer_download_pump(t, st, chunk, &got, err) == 0) {
            if (virStreamFinish(st) < 0)
                virt_error_capture(err, "finish the download");
            else if (got != window)
                app_error_set(err, 502, APP_ERR_LIBVIRT,
                              "the volume ended after %llu of %llu bytes (it changed meanwhile)",
                              (unsigned long long)(done + got), (unsigned long long)length);
            else
                rc = 0;
        } else {
            virStreamAbort(st);
        }
        virStreamFree(st);
        if (rc < 0)
            return -1;
        done += window;
    }
    return 0;
}

static void transfer_download(struct transfer *t, virConnectPtr conn, unsigned char *chunk)
{
    struct app_error err;
    struct transfer_guard guard = {0};
    virStorageVolPtr vol = NULL;
    struct byte_range range = {0, 0};
    uint64_t size = 0;
    bool complete = false;
    int ranged;

    app_error_clear(&err);
    if (!(vol = virt_volume_lookup(conn, t->pool, t->volume, NULL, &err)) ||
        transfer_guard_init(t, vol, &guard, &err) < 0 ||
        transfer_download_size(vol, &size, &err) < 0)
        goto cleanup;
    if ((ranged = byte_range_parse(t->range, size, &range)) < 0) {
        char value[64];
        pthread_mutex_lock(&t->lock);
        http_response_errorf(&t->resp, 416, APP_ERR_RANGE, "the volume has %llu bytes",
                             (unsigned long long)size);
        snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
        http_response_header(&t->resp, "Content-Range", value);
        t->failed = true;
        pthread_mutex_unlock(&t->lock);
        complete = true;
        goto cleanup;
    }
    if (!ranged) {
        range.start = 0;
        range.length = size;
    }
    transfer_download_ready(t, ranged ? 206 : 200, size, range.start, range.length);
    if (!t->head &&
        transfer_download_windows(t, conn, vol, &guard, range.start, range.length, chunk, &err) < 0)
        goto cleanup;
    complete = true;

cleanup:
    if (!complete) {
        if (!err.status)
            app_error_set(&err, 400, APP_ERR_BAD_REQUEST, "the download was cut off");
        transfer_fail(t, &err);
    }
    if (!t->head)
        transfer_audit(t, "download",
                       complete ? "ok" : (transfer_cancelled(t) ? "cut_off" : err.code));
    transfer_guard_clear(&guard);
    if (vol)
        virStorageVolFree(vol);
}

/* ---- the thread ------------------------------------------------ */

/* The transfer's private connection, with keepalive so that a libvirtd that dies
 * mid-stream is noticed (in-process drivers such as test:/// have none, which is
 * fine). NULL with err set (503) when libvirt cannot be reached. */
static virConnectPtr transfer_connect(struct transfer *t, struct app_error *err)
{
    virConnectPtr conn = virConnectOpen(virt_conn_uri(t->app->virt));

    if (!conn) {
        virt_error_capture(err, "connect to libvirt");
        err->status = 503;
        err->code = APP_ERR_UNAVAILABLE;
        return NULL;
    }
    if (virConnectSetKeepAlive(conn, TRANSFER_KEEPALIVE_INTERVAL_S, TRANSFER_KEEPALIVE_COUNT) < 0)
        virResetLastError();
    return conn;
}

void *transfer_stream_main(void *arg)
{
    struct transfer *t = arg;
    unsigned char *chunk = xmalloc(TRANSFER_CHUNK);
    struct app_error err;
    virConnectPtr conn;

    app_error_clear(&err);
    if (!(conn = transfer_connect(t, &err)))
        transfer_fail(t, &err);
    else if (t->kind == TRANSFER_UPLOAD)
        transfer_upload(t, conn);
    else
        transfer_download(t, conn, chunk);
    if (conn)
        virConnectClose(conn);
    free(chunk);
    pthread_mutex_lock(&t->lock);
    t->finished = true;
    transfer_notify_locked(t);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}
