/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfer_stream: the libvirt side of a volume transfer, a virt_pump adapter.
 *
 * Runs on the transfer's pump thread (its private connection: a stalled stream must not
 * hold up the daemon's shared one): checks the request against the volume and its pool,
 * opens the stream, finishes it, and handles a transfer that did not complete. The pump
 * moves the bytes (virt_pump.h); transfer_job_free runs with the pump's last reference.
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

#include "http/byte_range.h"
#include "store/store.h"
#include "store/store_uploads.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_usage.h"
#include "virt/virt_volume.h"
#include "virt/virt_volume_bounds.h"

/* bytes one download stream asks for: libvirt queues a download stream's packets
 * without limit while nobody reads them, so each stream asks for at most this much and
 * the next opens once the ring has taken the last */
#define TRANSFER_WINDOW (8u * 1024 * 1024)

/* What the volume must stay inside: checked before its stream exists and again right
 * after libvirt opened the volume. */
struct transfer_guard {
    struct virt_volume_bounds bounds;
    char *path; /* owned: the volume's path as libvirt reports it; NULL until set up */
};

/* The pump thread's working state of one transfer. */
struct transfer_state {
    struct transfer_guard guard;
    virStorageVolPtr vol; /* owned; NULL until looked up */
    bool created;         /* upload: the volume is new (deleted if the upload fails) */
    bool streaming;       /* upload: a stream writes into the volume and has not finished */
    bool complete;        /* the transfer finished (its answer is in resp) */
    uint64_t done;        /* download: bytes of the range already streamed */
    uint64_t window;      /* download: the bytes the current stream asked for */
};

static void transfer_audit(const struct transfer_job *t, const char *action, const char *outcome)
{
    char object[sizeof(t->pool) + sizeof(t->volume) + 8];

    snprintf(object, sizeof(object), "volume:%s/%s", t->pool, t->volume);
    store_audit(t->db, t->username, t->peer, action, object, outcome);
    log_info("transfer: %s %s %s/%s from %s: %s", t->username, action, t->pool, t->volume, t->peer,
             outcome);
}

/* ---- the volume must stay inside its pool ------------------------------------------------ */

static void transfer_guard_clear(struct transfer_guard *g)
{
    virt_volume_bounds_clear(&g->bounds);
    free(g->path);
    g->path = NULL;
}

/* 403 outside_pool when the volume now leads out of its pool. */
static int transfer_guard_check(const struct transfer_job *t, const struct transfer_guard *g,
                                struct app_error *err)
{
    return virt_volume_bounds_allow(&g->bounds, t->volume, g->path,
                                    t->kind == TRANSFER_UPLOAD ? "upload into" : "download", false,
                                    NULL, err);
}

/* Reads vol's path and its pool's bounds into g, then checks. Returns 0 or -1 with err. */
static int transfer_guard_init(const struct transfer_job *t, virStorageVolPtr vol,
                               struct transfer_guard *g, struct app_error *err)
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

/* A new volume of exactly the body's size in the format the upload named (raw unless
 * it said iso or qcow2), for an upload to a name the pool does not have yet; 507 from
 * virt_volume_create when the pool lacks the room. libvirt reads the file's header again
 * when the upload ends (its pool refresh), so the listed format is what the bytes are. */
static virStorageVolPtr transfer_upload_create(const struct transfer_job *t, virConnectPtr conn,
                                               struct app_error *err)
{
    struct json_object *req = json_object_new_object(), *made = NULL;
    virStorageVolPtr vol = NULL;

    json_object_object_add(req, "name", json_object_new_string(t->volume));
    json_object_object_add(req, "capacity_bytes",
                           json_object_new_int64((int64_t)t->content_length));
    json_object_object_add(req, "format", json_object_new_string(t->format));
    if ((made = virt_volume_create(conn, t->pool, req, err)))
        vol = virt_volume_lookup(conn, t->pool, t->volume, NULL, err);
    json_object_put(req);
    json_object_put(made);
    return vol;
}

/* Refuses an upload into an existing volume that cannot work: in use by a running VM
 * (409) or smaller than the body (409). Returns 0 or -1 with err set. */
static int transfer_upload_check(const struct transfer_job *t, virConnectPtr conn,
                                 virStorageVolPtr vol, struct app_error *err)
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
static virStorageVolPtr transfer_upload_target(const struct transfer_job *t, virConnectPtr conn,
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

/* A stream of the volume's bytes [offset, offset + length): upload or download, as t
 * says. libvirt has opened the volume once this returns (an upload's not truncated yet),
 * so the guard is checked again here, before a byte moves. Returns 1 with *st, or -1
 * with err. */
static int transfer_stream_new(struct transfer_job *t, virConnectPtr conn, uint64_t offset,
                               uint64_t length, virStreamPtr *st, struct app_error *err)
{
    struct transfer_state *s = t->state;
    bool up = t->kind == TRANSFER_UPLOAD;
    virStreamPtr stream = virStreamNew(conn, 0);

    if (!stream || (up ? virStorageVolUpload(s->vol, stream, offset, length, 0)
                       : virStorageVolDownload(s->vol, stream, offset, length, 0)) < 0) {
        virt_error_capture(err, up ? "upload to the volume" : "download the volume");
        if (stream)
            virStreamFree(stream);
        return -1;
    }
    if (transfer_guard_check(t, &s->guard, err) < 0) {
        if (virStreamAbort(stream) < 0)
            virResetLastError();
        virStreamFree(stream);
        return -1;
    }
    *st = stream;
    return 1;
}

/* Opens the upload's stream once the checks passed. Returns 1 with *st, or -1 with err. */
static int transfer_upload_open(struct transfer_job *t, virConnectPtr conn, virStreamPtr *st,
                                struct app_error *err)
{
    struct transfer_state *s = t->state;

    if (!(s->vol = transfer_upload_target(t, conn, &s->created, err)) ||
        transfer_guard_init(t, s->vol, &s->guard, err) < 0 ||
        (!s->created && transfer_upload_check(t, conn, s->vol, err) < 0))
        return -1;
    if (transfer_stream_new(t, conn, 0, t->content_length, st, err) < 0)
        return -1;
    s->streaming = true; /* the pump reports it open: now the client may send ("100 Continue") */
    return 1;
}

/* Every byte of the body went into st: finish it and answer with the volume. */
static int transfer_upload_finish(struct transfer_job *t, virStreamPtr st, uint64_t moved,
                                  struct app_error *err)
{
    struct transfer_state *s = t->state;
    struct json_object *obj;

    if (moved < t->content_length) {
        if (virStreamAbort(st) < 0)
            virResetLastError();
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the upload was cut off before its end");
        return -1;
    }
    if (virStreamFinish(st) < 0) {
        virt_error_capture(err, "finish the upload");
        return -1;
    }
    s->streaming = false;
    s->complete = true;
    store_uploads_clear(t->db, t->pool, t->volume);
    /* read afresh: a VM may have started using the volume during a long upload */
    if (!(obj = virt_volume_to_json(s->vol, NULL, &s->guard.bounds, err))) {
        http_response_error(&t->resp, err);
        t->failed = true;
        return 0; /* the bytes are in: the upload itself is complete */
    }
    json_object_object_add(obj, "upload_incomplete", json_object_new_boolean(0));
    http_response_json(&t->resp, s->created ? 201 : 200, obj);
    json_object_put(obj);
    return 0;
}

/* An upload that did not complete: a volume it created is deleted, one it was writing
 * into is marked incomplete; the answer is the error. */
static void transfer_upload_end(struct transfer_job *t, enum virt_pump_end end,
                                struct app_error *err)
{
    struct transfer_state *s = t->state;
    struct app_error ignored;

    if (!s->complete) {
        if (!err->status)
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the upload was cut off before its end");
        if (s->vol && s->created) {
            /* deleting removes the pool's entry (a link swapped in: the link); only a
             * pool directory that now leads elsewhere keeps it */
            if ((s->guard.bounds.pool &&
                 virt_volume_bounds_allow(&s->guard.bounds, t->volume, s->guard.path, "delete",
                                          true, NULL, &ignored) < 0) ||
                virStorageVolDelete(s->vol, 0) < 0)
                log_warn("transfer: cannot delete the cut-off volume %s/%s", t->pool, t->volume);
        } else if (s->vol && s->streaming) {
            store_uploads_mark(t->db, t->pool, t->volume, t->username);
        }
        http_response_error(&t->resp, err);
        t->failed = true;
    }
    transfer_audit(t, "upload",
                   s->complete ? "ok" : (end == VIRT_PUMP_CANCELLED ? "cut_off" : err->code));
}

/* ---- download ------------------------------------------------ */

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

/* Opens the stream of the next window of the range (at most TRANSFER_WINDOW bytes; each
 * window opens the volume anew and is checked again). Returns 1 with *st, or -1 with err. */
static int transfer_download_window(struct transfer_job *t, virConnectPtr conn, virStreamPtr *st,
                                    struct app_error *err)
{
    struct transfer_state *s = t->state;
    uint64_t left = t->length - s->done;

    s->window = left < TRANSFER_WINDOW ? left : TRANSFER_WINDOW;
    return transfer_stream_new(t, conn, t->start + s->done, s->window, st, err);
}

/* Checks the volume and the Range, publishes the answer's shape, opens the first
 * window. Returns 1 with *st, 0 when there is nothing to stream (HEAD, an empty range,
 * 416), -1 with err. */
static int transfer_download_open(struct transfer_job *t, virConnectPtr conn, virStreamPtr *st,
                                  struct app_error *err)
{
    struct transfer_state *s = t->state;
    struct byte_range range = {0, 0};
    uint64_t size = 0;
    int ranged;

    if (!(s->vol = virt_volume_lookup(conn, t->pool, t->volume, NULL, err)) ||
        transfer_guard_init(t, s->vol, &s->guard, err) < 0 ||
        transfer_download_size(s->vol, &size, err) < 0)
        return -1;
    if ((ranged = byte_range_parse(t->range, size, &range)) < 0) {
        char value[64];

        http_response_errorf(&t->resp, 416, APP_ERR_RANGE, "the volume has %llu bytes",
                             (unsigned long long)size);
        snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
        http_response_header(&t->resp, "Content-Range", value);
        t->failed = true;
        s->complete = true;
        return 0;
    }
    if (!ranged) {
        range.start = 0;
        range.length = size;
    }
    t->status = ranged ? 206 : 200;
    t->size = size;
    t->start = range.start;
    t->length = range.length;
    t->ready = true;
    if (t->head || !t->length) {
        s->complete = true;
        return 0;
    }
    return transfer_download_window(t, conn, st, err);
}

/* A window's stream ended: it must have carried the whole window. */
static int transfer_download_finish(struct transfer_job *t, virConnectPtr conn, virStreamPtr st,
                                    uint64_t moved, virStreamPtr *next, struct app_error *err)
{
    struct transfer_state *s = t->state;

    if (virStreamFinish(st) < 0) {
        virt_error_capture(err, "finish the download");
        return -1;
    }
    if (moved != s->window) {
        app_error_set(err, 502, APP_ERR_LIBVIRT,
                      "the volume ended after %llu of %llu bytes (it changed meanwhile)",
                      (unsigned long long)(s->done + moved), (unsigned long long)t->length);
        return -1;
    }
    s->done += s->window;
    if (s->done < t->length)
        return transfer_download_window(t, conn, next, err);
    s->complete = true;
    return 0;
}

static void transfer_download_end(struct transfer_job *t, enum virt_pump_end end,
                                  struct app_error *err)
{
    struct transfer_state *s = t->state;

    if (!s->complete) {
        if (!err->status)
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the download was cut off");
        http_response_error(&t->resp, err);
        t->failed = true;
    }
    if (!t->head)
        transfer_audit(t, "download",
                       s->complete ? "ok" : (end == VIRT_PUMP_CANCELLED ? "cut_off" : err->code));
}

/* ---- the adapter ------------------------------------------------ */

static int transfer_stream_open(void *ctx, virConnectPtr conn, virStreamPtr *st,
                                struct app_error *err)
{
    struct transfer_job *t = ctx;

    return t->kind == TRANSFER_UPLOAD ? transfer_upload_open(t, conn, st, err)
                                      : transfer_download_open(t, conn, st, err);
}

static int transfer_stream_finish(void *ctx, virConnectPtr conn, virStreamPtr st, uint64_t moved,
                                  virStreamPtr *next, struct app_error *err)
{
    struct transfer_job *t = ctx;

    return t->kind == TRANSFER_UPLOAD ? transfer_upload_finish(t, st, moved, err)
                                      : transfer_download_finish(t, conn, st, moved, next, err);
}

static void transfer_stream_end(void *ctx, virConnectPtr conn, enum virt_pump_end end,
                                const struct app_error *why)
{
    struct transfer_job *t = ctx;
    struct transfer_state *s = t->state;
    struct app_error err;

    app_error_clear(&err);
    if (end == VIRT_PUMP_FAILED)
        err = *why;
    if (t->kind == TRANSFER_UPLOAD)
        transfer_upload_end(t, end, &err);
    else
        transfer_download_end(t, end, &err);
    transfer_guard_clear(&s->guard);
    if (s->vol)
        virStorageVolFree(s->vol);
    s->vol = NULL;
}

static void transfer_stream_free(void *ctx)
{
    struct transfer_job *t = ctx;

    if (!t)
        return;
    http_response_free(&t->resp);
    free(t->state);
    free(t);
}

const struct virt_pump_ops transfer_stream_ops = {
    .open = transfer_stream_open,
    .finish = transfer_stream_finish,
    .end = transfer_stream_end,
    .free = transfer_stream_free,
};

struct transfer_job *transfer_job_new(void)
{
    struct transfer_job *t = xcalloc(1, sizeof(*t));

    t->state = xcalloc(1, sizeof(*t->state));
    http_response_init(&t->resp);
    return t;
}
