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
 *  - A request cut off halfway cancels the transfer: the stream is aborted, a volume the
 *    upload created is deleted, and an existing volume it overwrote is marked
 *    incomplete (store_uploads) until a complete upload replaces it.
 *
 * Every function here runs on the service thread. */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/request.h"
#include "http/response.h"

struct app;
struct transfer_hub;

/* At most this many transfers run at once; more get 503. */
#define TRANSFER_MAX 8

/* wake(wake_ctx) may be called from any thread; it must wake the service thread. */
struct transfer_hub *transfer_hub_new(void (*wake)(void *ctx), void *wake_ctx);
/* Cancels every transfer and waits for their threads (main thread, at shutdown, after
 * the lws context is gone). NULL-safe. */
void transfer_hub_free(struct transfer_hub *hub);

/* Starts a transfer for req (ROUTE_VOLUME_CONTENT, already authenticated: session,
 * CSRF, Origin). content_length: the upload's body size, -1 if no Content-Length was
 * given. range: the Range header of a download ("" if none).
 * Returns 0 when the transfer now drives this request (an upload's body must be fed
 * with transfer_body/transfer_body_done; the response comes later, through
 * http_server_complete or transfer_writeable), or -1 with an error in resp. */
int transfer_begin(struct app *app, struct lws *wsi, const struct http_request *req,
                   long long content_length, const char *range, struct http_response *resp);

/* An upload's next body piece. Returns 0, or -1 to close the connection. */
int transfer_body(struct app *app, struct lws *wsi, uint64_t conn_id, const void *in, size_t len);
/* The upload's body is complete. */
void transfer_body_done(struct app *app, uint64_t conn_id);

enum transfer_write {
    TRANSFER_WRITE_MORE,  /* keep going (WRITEABLE is asked for when there is more) */
    TRANSFER_WRITE_DONE,  /* the response is complete: finish the HTTP transaction */
    TRANSFER_WRITE_CLOSE, /* close the connection (the stream failed after the headers) */
};
/* A download connection is writeable. */
enum transfer_write transfer_writeable(struct app *app, struct lws *wsi, uint64_t conn_id);

/* The connection went away (or its transaction ended): a running transfer is
 * cancelled. */
void transfer_closed(struct app *app, uint64_t conn_id);

/* Acts on what the transfer threads reported. */
void transfer_dispatch(struct app *app);
