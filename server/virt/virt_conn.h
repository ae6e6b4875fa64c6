/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_conn: the daemon's one libvirt connection, kept alive.
 *
 * DESIGN (threads):
 *  - virt_conn_new() registers libvirt's default event implementation (before any
 *    connection is opened) and starts two threads:
 *      "virt-events": loops on virEventRunDefaultImpl(); domain lifecycle callbacks,
 *                     keepalive and the close callback run here. A pipe registered as
 *                     an event handle wakes it for shutdown.
 *      "virt-connect": opens the connection, and after the close callback fires,
 *                     reopens it with exponential backoff (0.5 s doubling to 30 s).
 *  - virConnectPtr is thread-safe in libvirt; other threads take a reference with
 *    virt_conn_get() and drop it with virConnectClose().
 *  - Callbacks (struct virt_conn_callbacks) run on the virt-events or virt-connect
 *    thread; they must not block for long and must not call lws (post to a queue and
 *    wake the service thread instead).
 *  - On virt-events we make no libvirt call that talks to the daemon and parse no XML:
 *    keepalive (of every connection) runs on that thread. A lifecycle event is
 *    handed on as a struct virt_conn_event (plain data plus a domain reference); a
 *    worker turns it into a message with virt_conn_event_message().
 *  - Every libvirt connection of the daemon is opened by virt_conn_open_private(): the
 *    shared one (by virt-connect) and the private ones of stream pumps (virt_pump.h),
 *    so keepalive and the close callback are set up the same way everywhere.
 */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"

struct virt_conn;

/* Keepalive of every connection: a libvirtd that stops answering is given up after
 * about interval x (count + 1) = 20 s (in-process drivers such as test:/// have none). */
#define VIRT_CONN_KEEPALIVE_INTERVAL_S 5
#define VIRT_CONN_KEEPALIVE_COUNT      3

/* One domain lifecycle or metadata event as libvirt delivered it. Filled on virt-events
 * with local accessors only (virDomainGetUUIDString, virDomainRef: no RPC). */
struct virt_conn_event {
    virDomainPtr dom; /* owned reference */
    char uuid[VIR_UUID_STRING_BUFLEN];
    int event;  /* VIR_DOMAIN_EVENT_*, or VIRT_DOMAIN_EVENT_METADATA (virt_domain.h) */
    int detail; /* its detail (a virDomainMetadataType for metadata) */
};

struct virt_conn_callbacks {
    /* The connection came up (connected=true, also the first time) or dropped. */
    void (*on_host_state)(void *ctx, bool connected);
    /* A domain lifecycle event, or a changed title, description or metadata element
     * (the callee takes ev; see virt_conn_event_message).
     * The summary cache entry of the domain is already forgotten. virt-events thread:
     * only queue it and wake. */
    void (*on_domain_event)(void *ctx, struct virt_conn_event *ev);
    /* A network or storage pool lifecycle event: msg is
     * {"type":"network"|"pool","event":...,"name":...}; the callee takes the reference.
     * Drivers without these events simply never call it. */
    void (*on_resource_event)(void *ctx, struct json_object *msg);
    void *ctx;
};

/* Starts the threads and the first connection attempt (in the background: this does
 * not wait for libvirt). uri is copied. Returns NULL only if a thread cannot start. */
struct virt_conn *virt_conn_new(const char *uri, const struct virt_conn_callbacks *callbacks);

/* Waits up to timeout_ms for the first connection. True if connected. */
bool virt_conn_wait_connected(struct virt_conn *vc, int timeout_ms);

/* A new reference to the live connection (release with virConnectClose), or NULL
 * while disconnected. Any thread. */
virConnectPtr virt_conn_get(struct virt_conn *vc);

/* True if connected right now. Any thread. */
bool virt_conn_is_connected(struct virt_conn *vc);

/* The URI this connection uses (borrowed). */
const char *virt_conn_uri(const struct virt_conn *vc);

/* The websocket message for ev: {"type":"domain","event","detail","domain":<summary>}
 * (docs/api.md): the summary (virt_domain_summary) for most events, {uuid,name} for
 * "undefined" and when the summary fails; a domain that no longer exists (a transient
 * one that stopped) is reported as undefined/removed. Blocking (libvirt calls, XML):
 * a worker thread, never virt-events. Caller owns the result. */
struct json_object *virt_conn_event_message(const struct virt_conn_event *ev);

/* Drops the domain reference and frees ev. NULL-safe; any thread. */
void virt_conn_event_free(struct virt_conn_event *ev);

/* Opens a connection of its own to uri, with keepalive (VIRT_CONN_KEEPALIVE_*; drivers
 * without it are fine) and, when on_close is not NULL, on_close registered as its close
 * callback (libvirt calls it on virt-events, holding its own lock, when the connection
 * drops: it may only set flags and wake). Used for the daemon's shared connection and
 * for every stream pump's private one. Blocking: never the service thread or
 * virt-events. Returns the connection (the caller owns it; close it with
 * virt_conn_close_private) or NULL with err: 503 when libvirt cannot be reached or the
 * close callback cannot be registered. */
virConnectPtr virt_conn_open_private(const char *uri, virConnectCloseFunc on_close, void *opaque,
                                     struct app_error *err) __attribute__((warn_unused_result));

/* Unregisters on_close (when not NULL; this waits for a call in progress, so opaque is
 * unused afterwards) and closes conn. NULL-safe. Blocking, like the open. */
void virt_conn_close_private(virConnectPtr conn, virConnectCloseFunc on_close);

/* Stops both threads, deregisters callbacks, closes the connection. NULL-safe. */
void virt_conn_free(struct virt_conn *vc);
