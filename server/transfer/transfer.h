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

#include <libwebsockets.h>
#include <stdint.h>

#include "http/request.h"
#include "http/response.h"

struct app;
struct transfer_hub;

/* At most this many transfers run at once; more get 503. */
#define TRANSFER_MAX 8

struct transfer_hub *transfer_hub_new(void);
/* Releases every transfer's pump (their threads finish on their own: virt_pump_wait_all)
 * and frees the hub (main thread, at shutdown, after the lws context is gone). NULL-safe. */
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

/* The idle watch, every 2 s while transfers run (the hub schedules it on its own timer;
 * the housekeeping timer may call it instead). lws cuts a request whose body stops
 * arriving after the context's 10 s timeout, and a paused upload (the disk is slow) or a
 * download waiting for libvirt receives nothing: so each transfer's progress is read, and
 * while something moved in the last 60 s its connection's deadline is pushed to 60 s
 * after the last movement; a transfer that stays still for that long is cut. */
void transfer_tick(struct app *app);
