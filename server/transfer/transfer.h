/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* transfer: streams a volume's bytes between an HTTP request and libvirt.
 *
 *   PUT  /api/pools/{pool}/volumes/{vol}/content  request body → virStorageVolUpload
 *   GET  /api/pools/{pool}/volumes/{vol}/content  virStorageVolDownload → response body
 *
 * DESIGN: an adapter of virt_pump (server/virt/virt_pump.h). Each transfer is one pump
 * with a private libvirt connection and one 1 MiB ring (the request body towards
 * libvirt, or the volume's bytes from it); transfer_stream.c is its libvirt side (checks,
 * streams, cut-off handling), this file its HTTP side. Backpressure: an upload pauses its
 * socket (lws_rx_flow_control, between TLS records only) when the ring is nearly full and
 * resumes it when the pump's news says it drained; a download asks for WRITEABLE only
 * while the ring holds bytes. So a transfer's memory is its ring whatever the volume's
 * size. A request cut off halfway cancels the pump: the stream is aborted, a volume the
 * upload created is deleted, and an existing volume it overwrote is marked incomplete
 * (store_uploads) until a complete upload replaces it.
 *
 * Every function here runs on the service thread. */
#pragma once

#include <sqlite3.h>
#include <stdint.h>

#include "http/conn.h"

struct inbox;
struct transfer_hub;
struct virt_conn;

/* What the transfers use, all borrowed for the hub's lifetime. */
struct transfer_deps {
    struct virt_conn *virt;    /* the libvirt URI the pumps open their connections to */
    struct inbox *inbox;       /* the pumps' news */
    sqlite3 *db;               /* the audit log and volumes whose upload was cut off */
    struct conn_server *conns; /* news finds its connection by id */
};

/* At most this many transfers run at once; more get 503. */
#define TRANSFER_MAX 8

/* The transfers' hub; it is the endpoint's ctx (serve.c's route table). */
struct transfer_hub *transfer_hub_new(const struct transfer_deps *deps);
/* Releases every transfer's pump (their threads finish on their own: virt_pump_wait_all)
 * and frees the hub (main thread, at shutdown, after the lws context is gone). NULL-safe. */
void transfer_hub_free(struct transfer_hub *hub);

/* The volume content endpoint (serve.c routes ROUTE_VOLUME_CONTENT to it, with the hub
 * as ctx). Its open checks the row's right, the names and Content-Length and
 * answers a refusal at once (an upload's body on its way is then drained); the body
 * streams in unbounded, and a download writes its own response (STREAMING). A transfer
 * is its connection's state; its pump's news names the connection only by id. */
extern const struct conn_endpoint transfer_endpoint;

/* The idle watch, every 2 s (serve.c's housekeeping timer). lws cuts a request whose body
 * stops
 * arriving after the context's 10 s timeout, and a paused upload (the disk is slow) or a
 * download waiting for libvirt receives nothing: so each transfer's progress is read, and
 * while something moved in the last 60 s its connection's deadline is pushed to 60 s
 * after the last movement; a transfer that stays still for that long is cut. */
void transfer_tick(struct transfer_hub *hub);
