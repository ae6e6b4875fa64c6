/* transfer: streams a volume's bytes between an HTTP request and libvirt.
 *
 *   PUT  /api/pools/{pool}/volumes/{vol}/content  request body → virStorageVolUpload
 *   GET  /api/pools/{pool}/volumes/{vol}/content  virStorageVolDownload → response body
 *
 * DESIGN (threads):
 *  - The service thread owns the HTTP side: it puts request-body pieces into the
 *    transfer's ring (upload) or writes ring bytes to the socket (download). When the
 *    ring is nearly full it pauses the socket with lws_rx_flow_control (upload) or
 *    simply stops asking for WRITEABLE (download); that is the backpressure, and it
 *    bounds a transfer's memory to its ring whatever the volume's size.
 *  - Each transfer has its own thread ("transfer", transfer_stream.c) with a private
 *    libvirt connection: it looks the volume up, checks space and use, and moves bytes
 *    between the ring and a libvirt stream. libvirt's remote virStreamSend waits for
 *    its socket even on a non-blocking stream, so the stream is never touched by the
 *    service thread or libvirt's event thread; a slow disk stalls only its own transfer.
 *  - The thread wakes the service thread through the hub's wake function;
 *    transfer_dispatch() (service thread, on LWS_CALLBACK_EVENT_WAIT_CANCELLED) acts.
 *  - The HTTP side is the endpoint transfer_endpoint (http/conn.h): the request comes
 *    after the usual checks (session, CSRF, Origin), its body streams in unbounded, and
 *    a download writes its own response (STREAMING). A transfer is its connection's
 *    state; a thread names the connection only by id.
 *  - A request cut off halfway cancels the transfer: the stream is aborted, a volume the
 *    upload created is deleted, and an existing volume it overwrote is marked
 *    incomplete (store_uploads) until a complete upload replaces it.
 *
 * Every function here runs on the service thread. */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/conn.h"

struct app;
struct transfer_hub;

/* At most this many transfers run at once; more get 503. */
#define TRANSFER_MAX 8

/* wake(wake_ctx) may be called from any thread; it must wake the service thread. */
struct transfer_hub *transfer_hub_new(void (*wake)(void *ctx), void *wake_ctx);
/* Cancels every transfer and waits for their threads (main thread, at shutdown, after
 * the lws context is gone). NULL-safe. */
void transfer_hub_free(struct transfer_hub *hub);

/* The volume content endpoint (serve.c routes ROUTE_VOLUME_CONTENT to it, with the
 * struct app as ctx). Its open checks the role, the names and Content-Length and
 * answers a refusal at once (an upload's body on its way is then drained). */
extern const struct conn_endpoint transfer_endpoint;

/* The idle watch, every 2 s (serve.c's housekeeping timer): pushes each moving
 * transfer's connection deadline to 60 s after its last byte moved. */
void transfer_tick(struct app *app);

/* Acts on what the transfer threads reported. */
void transfer_dispatch(struct app *app);
