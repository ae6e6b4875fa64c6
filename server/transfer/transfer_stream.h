/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfer_stream: the libvirt side of a volume transfer, as a virt_pump adapter.
 *
 * A struct transfer_job is what the pump's thread needs (the request) and what it
 * hands back (the download's shape, the final response). transfer.c creates it and
 * gives it to virt_pump_start with transfer_stream_ops; the pump owns it from then on
 * and frees it with its last reference. Publication: the thread writes `ready` and the
 * shape before the pump reports `opened`, and `resp`/`failed` before it reports
 * `closed`; the service thread reads them only after seeing that in virt_pump_status
 * (the pump's mutex orders the two). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth_sessions.h"
#include "http/response.h"
#include "http/route.h"
#include "util/utf8_name.h"
#include "virt/virt_pump.h"

struct transfer_state;

/* bytes per virStreamSend/virStreamRecv: the largest payload of one libvirt stream packet
 * (VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX); a larger send would be split into a full packet
 * and a tiny one */
#define TRANSFER_CHUNK (256u * 1024 - 24)

enum transfer_kind { TRANSFER_UPLOAD, TRANSFER_DOWNLOAD };

/* Room for an upload's ?format= (raw, iso or qcow2) and its terminator. */
#define TRANSFER_FORMAT_MAX 16

struct transfer_job {
    /* immutable, set by transfer_begin */
    sqlite3 *db; /* borrowed: audit, incomplete uploads */
    enum transfer_kind kind;
    bool head;                           /* a HEAD download: headers only */
    char pool[ROUTE_PARAM_MAX];          /* the path's, as route_authorize checked them */
    char volume[UTF8_NAME_FILE_MAX + 1]; /* a volume name (util/utf8_name.h) */
    char username[AUTH_USERNAME_MAX + 1];
    char peer[64];
    char range[128];                  /* download: the Range header */
    char format[TRANSFER_FORMAT_MAX]; /* upload: a new volume's format (?format=, else raw) */
    uint64_t content_length;          /* upload: the body's size */

    /* download: published with the pump's `opened` */
    bool ready;      /* the fields below are set */
    int status;      /* 200 or 206 */
    uint64_t size;   /* the volume's size in bytes */
    uint64_t start;  /* first byte sent */
    uint64_t length; /* bytes in the body */

    /* published with the pump's `closed` */
    bool failed;               /* resp holds an error */
    struct http_response resp; /* the upload's answer, or an error before any header */

    struct transfer_state *state; /* owned; the pump thread's working state */
};

/* A job for req's fields to be filled in by the caller (everything zero, resp empty). */
struct transfer_job *transfer_job_new(void);

/* The adapter: open (checks, create, virStorageVolUpload / the first download window),
 * finish (virStreamFinish, the next window), end (cut-off handling, audit), free. */
extern const struct virt_pump_ops transfer_stream_ops;
