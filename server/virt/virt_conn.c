/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_conn: the daemon's one libvirt connection, kept alive (DESIGN in virt_conn.h).
 *
 * Threads:
 *  - "virt-events" runs libvirt's default event loop. libvirt calls back on it for
 *    domain, network and pool lifecycle events (conn_on_lifecycle, conn_on_network,
 *    conn_on_pool), a domain's changed title or description (conn_on_metadata),
 *    keepalive and the close callback
 *    (conn_on_close); the wake pipe's handle callbacks run here too. These only copy
 *    plain data and hand it on: no RPC, no XML (tests/unit/test_virt_conn.c wraps the
 *    RPC-doing libvirt calls and fails if one runs on this thread).
 *  - Workers: virt_conn_event_message builds the summary of an event's domain.
 *  - "virt-connect" opens the connection, registers the callbacks, publishes it in
 *    vc->conn, and after the close callback fires tears it down and reopens it with
 *    backoff. on_host_state() is only ever called from this thread, so true and
 *    false strictly alternate.
 *  - Any thread: virt_conn_get / is_connected / wait_connected.
 *
 * Lock rule: vc->lock guards plain fields only. No libvirt call is made while holding
 * it (virConnectRef is an atomic increment), because libvirt holds its own locks when
 * it calls conn_on_close, which takes vc->lock.
 *
 * Shutdown: stop the connect thread (it deregisters and closes its connection while
 * the event loop still runs, so libvirt can release its timers), then remove the
 * wake pipe's handle. libvirt releases a handle from inside the loop and then calls
 * its free callback (conn_on_wake_free); the event thread exits once that has run,
 * so nothing of ours is left registered in libvirt's loop when it ends. */
#include "virt/virt_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"

#define CONN_BACKOFF_MIN_MS 500
#define CONN_BACKOFF_MAX_MS 30000

struct virt_conn {
    char *uri;                            /* owned; immutable */
    struct virt_conn_callbacks callbacks; /* immutable copy */

    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC; signalled on connect, loss and stop */
    virConnectPtr conn;  /* lock; the connect thread's reference, NULL while down */
    bool conn_lost;      /* lock; the close callback fired for the current connection */
    int close_reason;    /* lock; its reason (VIR_CONNECT_CLOSE_REASON_*) */
    bool stopping;       /* lock; virt_conn_free has begun */

    int lifecycle_id; /* virt-connect thread only; -1 when not registered */
    int network_id;   /* the same for network lifecycle events */
    int pool_id;      /* and for storage pool lifecycle events */
    int metadata_id;  /* and for domain metadata (title, description) events */

    int wake_fds[2];           /* the pipe that wakes the event loop; -1 when closed */
    int wake_watch;            /* its libvirt handle; -1 when not registered */
    atomic_bool wake_released; /* set on virt-events when libvirt freed the handle */

    pthread_t events_thread;
    pthread_t connect_thread;
    bool events_started;
    bool connect_started;
};

/* ---- process-wide libvirt setup ---------------------------------------------------- */

static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static int conn_once_result = -1;

/* libvirt's default handler prints every error on stderr, including those we expect
 * and report ourselves (virt_error_capture); keep them at debug level instead. */
static void conn_on_libvirt_error(void *opaque, virErrorPtr error)
{
    if (error && error->message)
        log_debug("libvirt: %s", error->message);
}

static void conn_init_once(void)
{
    virSetErrorFunc(NULL, conn_on_libvirt_error);
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        log_error("virt_conn: cannot initialise libvirt: %s", virGetLastErrorMessage());
        return;
    }
    conn_once_result = 0;
}

/* ---- small helpers ------------------------------------------------------------------- */

static void conn_deadline(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Sleeps ms unless stopped first. Returns true if stopping. virt-connect thread. */
static bool conn_sleep(struct virt_conn *vc, int ms)
{
    struct timespec deadline;
    bool stopping;

    conn_deadline(&deadline, ms);
    pthread_mutex_lock(&vc->lock);
    while (!vc->stopping) {
        if (pthread_cond_timedwait(&vc->cond, &vc->lock, &deadline) == ETIMEDOUT)
            break;
    }
    stopping = vc->stopping;
    pthread_mutex_unlock(&vc->lock);
    return stopping;
}

static bool conn_is_stopping(struct virt_conn *vc)
{
    bool stopping;

    pthread_mutex_lock(&vc->lock);
    stopping = vc->stopping;
    pthread_mutex_unlock(&vc->lock);
    return stopping;
}

/* json-c fails here only when it cannot allocate; like x*alloc, that aborts. */
static void conn_json_set(struct json_object *obj, const char *key, struct json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0) {
        log_error("virt_conn: out of memory building JSON");
        abort();
    }
}

/* ---- callbacks from libvirt (virt-events thread) ----------------------------------- */

static void conn_on_wake(int watch, int fd, int events, void *opaque)
{
    char drain[64];

    while (read(fd, drain, sizeof(drain)) > 0)
        ;
}

static void conn_on_wake_free(void *opaque)
{
    struct virt_conn *vc = opaque;

    atomic_store(&vc->wake_released, true);
}

static void conn_on_close(virConnectPtr conn, int reason, void *opaque)
{
    struct virt_conn *vc = opaque;

    /* Only the current connection has this callback registered: the connect thread
     * unregisters it before closing a connection, and unregistering waits for a call
     * in progress. */
    pthread_mutex_lock(&vc->lock);
    vc->conn_lost = true;
    vc->close_reason = reason;
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
}

/* A domain event: copy the plain data and a reference (both local to libvirt's client,
 * no RPC), forget the summary cache entry, hand the rest to a worker. */
static void conn_post_domain_event(struct virt_conn *vc, virDomainPtr dom, int event, int detail)
{
    struct virt_conn_event *ev;

    if (!vc->callbacks.on_domain_event || virDomainRef(dom) < 0) {
        virResetLastError();
        return;
    }
    ev = xcalloc(1, sizeof(*ev));
    ev->dom = dom;
    ev->event = event;
    ev->detail = detail;
    if (virDomainGetUUIDString(dom, ev->uuid) < 0)
        virResetLastError();
    /* Any lifecycle event may come with a changed definition: forget it now (our own
     * in-memory table), so no summary built after the event sees the old one. */
    virt_domain_forget(ev->uuid);
    vc->callbacks.on_domain_event(vc->callbacks.ctx, ev);
}

static int conn_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                             void *opaque)
{
    conn_post_domain_event(opaque, dom, event, detail);
    return 0;
}

/* A title, description or metadata element changed (whoever changed it): the summary
 * shows the first two, so it goes out like a lifecycle event. */
static void conn_on_metadata(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri,
                             void *opaque)
{
    conn_post_domain_event(opaque, dom, VIRT_DOMAIN_EVENT_METADATA, type);
}

/* {"type":"network"|"pool","event","name"}: what the Networks and Storage pages reload
 * on. Unknown event numbers (a newer libvirt) are reported as "changed". */
static struct json_object *conn_resource_message(const char *type, const char *name, int event)
{
    static const char *const names[] = {"defined", "undefined", "started",
                                        "stopped", "created",   "deleted"};
    struct json_object *msg = json_object_new_object();
    int known = strcmp(type, "pool") == 0 ? 6 : 4;

    conn_json_set(msg, "type", json_object_new_string(type));
    conn_json_set(msg, "event",
                  json_object_new_string(event >= 0 && event < known ? names[event] : "changed"));
    conn_json_set(msg, "name", json_object_new_string(name ? name : ""));
    return msg;
}

static int conn_on_network(virConnectPtr conn, virNetworkPtr net, int event, int detail,
                           void *opaque)
{
    struct virt_conn *vc = opaque;

    if (vc->callbacks.on_resource_event)
        vc->callbacks.on_resource_event(
            vc->callbacks.ctx, conn_resource_message("network", virNetworkGetName(net), event));
    return 0;
}

static int conn_on_pool(virConnectPtr conn, virStoragePoolPtr pool, int event, int detail,
                        void *opaque)
{
    struct virt_conn *vc = opaque;

    if (vc->callbacks.on_resource_event)
        vc->callbacks.on_resource_event(
            vc->callbacks.ctx, conn_resource_message("pool", virStoragePoolGetName(pool), event));
    return 0;
}

/* ---- the event loop thread ----------------------------------------------------------- */

static void *conn_events_main(void *arg)
{
    struct virt_conn *vc = arg;

    while (!atomic_load(&vc->wake_released)) {
        if (virEventRunDefaultImpl() < 0) {
            log_error("virt_conn: event loop failed: %s", virGetLastErrorMessage());
            break;
        }
    }
    return NULL;
}

/* ---- the connect thread -------------------------------------------------------------- */

/* Opens and sets up a connection. NULL on failure (a warning, or with quiet a debug
 * line, so a long outage does not flood the log). */
static virConnectPtr conn_open(struct virt_conn *vc, bool quiet)
{
    struct app_error err;
    virConnectPtr conn;

    /* cleared before the registration: a stale "lost" can never hit this connection */
    pthread_mutex_lock(&vc->lock);
    vc->conn_lost = false;
    pthread_mutex_unlock(&vc->lock);
    if (!(conn = virt_conn_open_private(vc->uri, conn_on_close, vc, &err))) {
        log_msg(quiet ? LOG_DEBUG : LOG_WARN, "virt_conn: %s on %s (retrying)", err.message,
                vc->uri);
        goto cleanup;
    }
    vc->lifecycle_id =
        virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(conn_on_lifecycle), vc, NULL);
    if (vc->lifecycle_id < 0) {
        log_warn("virt_conn: cannot subscribe to domain events on %s: %s", vc->uri,
                 virGetLastErrorMessage());
        virResetLastError();
        virt_conn_close_private(conn, conn_on_close);
        conn = NULL;
        goto cleanup;
    }
    /* Network and pool events only refresh pages: a driver without them is no reason to
     * give the connection up. */
    vc->network_id =
        virConnectNetworkEventRegisterAny(conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                          VIR_NETWORK_EVENT_CALLBACK(conn_on_network), vc, NULL);
    vc->pool_id = virConnectStoragePoolEventRegisterAny(
        conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
        VIR_STORAGE_POOL_EVENT_CALLBACK(conn_on_pool), vc, NULL);
    /* and a title changed by virsh shows up without a lifecycle event */
    vc->metadata_id =
        virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                         VIR_DOMAIN_EVENT_CALLBACK(conn_on_metadata), vc, NULL);
    if (vc->network_id < 0 || vc->pool_id < 0 || vc->metadata_id < 0) {
        log_debug("virt_conn: no network, pool or metadata events on %s: %s", vc->uri,
                  virGetLastErrorMessage());
        virResetLastError();
    }
    /* Events may have been missed while disconnected. */
    virt_domain_forget(NULL);

cleanup:
    return conn;
}

static void conn_teardown(struct virt_conn *vc, virConnectPtr conn)
{
    if (vc->lifecycle_id >= 0 && virConnectDomainEventDeregisterAny(conn, vc->lifecycle_id) < 0)
        virResetLastError(); /* a dead connection may fail this; the callback is gone anyway */
    vc->lifecycle_id = -1;
    if (vc->network_id >= 0 && virConnectNetworkEventDeregisterAny(conn, vc->network_id) < 0)
        virResetLastError();
    vc->network_id = -1;
    if (vc->pool_id >= 0 && virConnectStoragePoolEventDeregisterAny(conn, vc->pool_id) < 0)
        virResetLastError();
    vc->pool_id = -1;
    if (vc->metadata_id >= 0 && virConnectDomainEventDeregisterAny(conn, vc->metadata_id) < 0)
        virResetLastError();
    vc->metadata_id = -1;
    /* Workers may still hold references; the connection ends with the last one. */
    virt_conn_close_private(conn, conn_on_close);
}

/* Publishes conn and waits until it is lost (true) or we are stopping (false). */
static bool conn_serve(struct virt_conn *vc, virConnectPtr conn)
{
    bool lost;
    int reason;

    pthread_mutex_lock(&vc->lock);
    vc->conn = conn;
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);

    log_info("virt_conn: connected to %s", vc->uri);
    if (vc->callbacks.on_host_state)
        vc->callbacks.on_host_state(vc->callbacks.ctx, true);

    pthread_mutex_lock(&vc->lock);
    while (!vc->stopping && !vc->conn_lost)
        pthread_cond_wait(&vc->cond, &vc->lock);
    lost = !vc->stopping;
    reason = vc->close_reason;
    vc->conn = NULL;
    pthread_mutex_unlock(&vc->lock);

    if (lost)
        log_warn("virt_conn: connection to %s lost (reason %d); reconnecting", vc->uri, reason);
    return lost;
}

static void *conn_connect_main(void *arg)
{
    struct virt_conn *vc = arg;
    int delay_ms = 0; /* the first attempt is immediate */
    int failures = 0;
    virConnectPtr conn;
    bool lost;

    for (;;) {
        if (delay_ms > 0 && conn_sleep(vc, delay_ms))
            break;
        if (conn_is_stopping(vc))
            break;
        conn = conn_open(vc, failures > 0);
        if (!conn) {
            failures++;
            delay_ms = delay_ms ? delay_ms * 2 : CONN_BACKOFF_MIN_MS;
            if (delay_ms > CONN_BACKOFF_MAX_MS)
                delay_ms = CONN_BACKOFF_MAX_MS;
            continue;
        }
        failures = 0;
        lost = conn_serve(vc, conn);
        conn_teardown(vc, conn);
        if (!lost)
            break;
        if (vc->callbacks.on_host_state)
            vc->callbacks.on_host_state(vc->callbacks.ctx, false);
        delay_ms = CONN_BACKOFF_MIN_MS;
    }
    return NULL;
}

/* ---- public ---------------------------------------------------------------------------- */

virConnectPtr virt_conn_open_private(const char *uri, virConnectCloseFunc on_close, void *opaque,
                                     struct app_error *err)
{
    virConnectPtr conn = virConnectOpen(uri);

    if (!conn) {
        virt_error_capture(err, "cannot connect to libvirt");
        err->status = 503;
        err->code = APP_ERR_UNAVAILABLE;
        return NULL;
    }
    /* Drivers that run in-process (test://) have no keepalive; that is fine. */
    if (virConnectSetKeepAlive(conn, VIRT_CONN_KEEPALIVE_INTERVAL_S, VIRT_CONN_KEEPALIVE_COUNT) <
        0) {
        log_debug("virt_conn: no keepalive on %s: %s", uri, virGetLastErrorMessage());
        virResetLastError();
    }
    if (on_close && virConnectRegisterCloseCallback(conn, on_close, opaque, NULL) < 0) {
        virt_error_capture(err, "cannot watch the connection for disconnects");
        err->status = 503;
        err->code = APP_ERR_UNAVAILABLE;
        virConnectClose(conn);
        return NULL;
    }
    return conn;
}

void virt_conn_close_private(virConnectPtr conn, virConnectCloseFunc on_close)
{
    if (!conn)
        return;
    if (on_close && virConnectUnregisterCloseCallback(conn, on_close) < 0)
        virResetLastError(); /* a dead connection may fail this; the callback is gone anyway */
    virConnectClose(conn);
}

struct virt_conn *virt_conn_new(const char *uri, const struct virt_conn_callbacks *callbacks)
{
    struct virt_conn *ret = NULL;
    struct virt_conn *vc = xcalloc(1, sizeof(*vc));
    pthread_condattr_t attr;

    vc->uri = xstrdup(uri);
    if (callbacks)
        vc->callbacks = *callbacks;
    vc->lifecycle_id = -1;
    vc->network_id = -1;
    vc->pool_id = -1;
    vc->metadata_id = -1;
    vc->wake_fds[0] = vc->wake_fds[1] = -1;
    vc->wake_watch = -1;
    atomic_init(&vc->wake_released, false);
    pthread_mutex_init(&vc->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&vc->cond, &attr);
    pthread_condattr_destroy(&attr);

    pthread_once(&conn_once, conn_init_once);
    if (conn_once_result < 0)
        goto cleanup;
    if (pipe2(vc->wake_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        log_error("virt_conn: pipe: %s", strerror(errno));
        goto cleanup;
    }
    vc->wake_watch = virEventAddHandle(vc->wake_fds[0], VIR_EVENT_HANDLE_READABLE, conn_on_wake, vc,
                                       conn_on_wake_free);
    if (vc->wake_watch < 0) {
        log_error("virt_conn: cannot watch the wake pipe: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (pthread_create(&vc->events_thread, NULL, conn_events_main, vc) != 0) {
        log_error("virt_conn: cannot start the event thread");
        goto cleanup;
    }
    vc->events_started = true;
    pthread_setname_np(vc->events_thread, "virt-events");
    if (pthread_create(&vc->connect_thread, NULL, conn_connect_main, vc) != 0) {
        log_error("virt_conn: cannot start the connect thread");
        goto cleanup;
    }
    vc->connect_started = true;
    pthread_setname_np(vc->connect_thread, "virt-connect");
    ret = vc;
    vc = NULL;

cleanup:
    virt_conn_free(vc);
    return ret;
}

bool virt_conn_wait_connected(struct virt_conn *vc, int timeout_ms)
{
    struct timespec deadline;
    bool connected;

    conn_deadline(&deadline, timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&vc->lock);
    while (!vc->conn && !vc->stopping) {
        if (pthread_cond_timedwait(&vc->cond, &vc->lock, &deadline) == ETIMEDOUT)
            break;
    }
    connected = vc->conn != NULL;
    pthread_mutex_unlock(&vc->lock);
    return connected;
}

virConnectPtr virt_conn_get(struct virt_conn *vc)
{
    virConnectPtr conn;

    pthread_mutex_lock(&vc->lock);
    conn = vc->conn;
    if (conn && virConnectRef(conn) < 0)
        conn = NULL;
    pthread_mutex_unlock(&vc->lock);
    return conn;
}

bool virt_conn_is_connected(struct virt_conn *vc)
{
    bool connected;

    pthread_mutex_lock(&vc->lock);
    connected = vc->conn != NULL;
    pthread_mutex_unlock(&vc->lock);
    return connected;
}

const char *virt_conn_uri(const struct virt_conn *vc)
{
    return vc->uri;
}

void virt_conn_free(struct virt_conn *vc)
{
    if (!vc)
        return;
    pthread_mutex_lock(&vc->lock);
    vc->stopping = true;
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
    if (vc->connect_started)
        pthread_join(vc->connect_thread, NULL);

    if (vc->wake_watch >= 0) {
        if (write(vc->wake_fds[1], "x", 1) < 0 && errno != EAGAIN)
            log_debug("virt_conn: wake: %s", strerror(errno));
        virEventRemoveHandle(vc->wake_watch);
        vc->wake_watch = -1;
    }
    if (vc->events_started)
        pthread_join(vc->events_thread, NULL);

    if (vc->wake_fds[0] >= 0)
        close(vc->wake_fds[0]);
    if (vc->wake_fds[1] >= 0)
        close(vc->wake_fds[1]);
    pthread_cond_destroy(&vc->cond);
    pthread_mutex_destroy(&vc->lock);
    free(vc->uri);
    free(vc);
}

struct json_object *virt_conn_event_message(const struct virt_conn_event *ev)
{
    struct json_object *msg = json_object_new_object();
    struct json_object *domain = NULL;
    struct app_error err = {0};
    const char *name = virDomainGetName(ev->dom);
    const char *event_name = virt_domain_event_name(ev->event);
    const char *detail_name = virt_domain_event_detail_name(ev->event, ev->detail);

    if (ev->event != VIR_DOMAIN_EVENT_UNDEFINED) {
        domain = virt_domain_summary(ev->dom, &err);
        if (!domain && err.status == 404) {
            /* A transient domain that stopped no longer exists: to a client that is
             * what "undefined" means. */
            event_name = virt_domain_event_name(VIR_DOMAIN_EVENT_UNDEFINED);
            detail_name = virt_domain_event_detail_name(VIR_DOMAIN_EVENT_UNDEFINED,
                                                        VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
        } else if (!domain) {
            log_warn("virt_conn: %s event for %s: %s", event_name, ev->uuid, err.message);
        }
    }
    if (!domain) {
        domain = json_object_new_object();
        conn_json_set(domain, "uuid", json_object_new_string(ev->uuid));
        conn_json_set(domain, "name", json_object_new_string(name ? name : ""));
    }
    conn_json_set(msg, "type", json_object_new_string("domain"));
    conn_json_set(msg, "event", json_object_new_string(event_name));
    conn_json_set(msg, "detail", json_object_new_string(detail_name));
    conn_json_set(msg, "domain", domain);
    return msg;
}

void virt_conn_event_free(struct virt_conn_event *ev)
{
    if (!ev)
        return;
    if (ev->dom)
        virDomainFree(ev->dom);
    free(ev);
}
