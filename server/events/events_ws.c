/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_ws: the /api/events endpoint (a struct conn_endpoint whose ctx is a struct
 * events_ws), its snapshot and stats jobs, and what serve.c's housekeeping timer asks of
 * it (stats).
 *
 * Service thread only (the jobs' run functions run on workers and touch only libvirt,
 * their own job and snapshot_started). A subscriber is its connection's state
 * (conn_state). */
#include "events/events_ws.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "auth_owners.h"
#include "auth_sessions.h"
#include "events/events_hub.h"
#include "http/conn.h"
#include "metrics/metrics_sample.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_domain.h"
#include "virt/virt_stats.h"
#include "work/work_pool.h"

#define EVENTS_FRAGMENT CONN_WS_PAYLOAD_MAX

/* Service thread, but snapshot_started, which workers write. */
struct events_ws {
    struct events_ws_deps deps; /* what it uses (each borrowed) */
    bool stats_in_flight;
    int64_t stats_submitted_ms;        /* monotonic time the last stats job was submitted */
    bool snapshot_in_flight;           /* a snapshot job is queued or running */
    uint64_t snapshot_submitted;       /* generation of the newest snapshot job */
    _Atomic uint64_t snapshot_started; /* generation a worker began reading (worker writes) */
};

/* A snapshot's or a stats sample's job: run builds the message, done delivers it. */
struct events_job {
    struct events_ws *ws;          /* borrowed: outlives the pool's jobs */
    uint64_t gen;                  /* a snapshot's generation */
    struct events_msg *msg;        /* owned: what run built (NULL: libvirt is down, or it failed) */
    struct json_object *obj;       /* owned: msg's object, for the subscribers who see only some
                                    * VMs (events_msg_for) */
    struct metrics_sample *sample; /* owned reference: a stats job's collection */
};

static void events_job_free(void *opaque)
{
    struct events_job *arg = opaque;

    events_msg_unref(arg->msg);
    json_object_put(arg->obj);
    metrics_sample_unref(arg->sample);
    free(arg);
}

/* The job's message as sub may see it: msg itself (a new reference) for who sees every
 * VM, else a message of obj with only the VMs sub sees in "domains". */
static struct events_msg *events_msg_for(struct events_ws *ws, const struct events_sub *sub,
                                         struct events_msg *msg, struct json_object *obj,
                                         enum events_kind kind)
{
    struct auth_owners *owners = events_hub_owners(ws->deps.hub);
    struct auth_subject subject = auth_owners_subject(owners, &sub->session);
    struct json_object *copy;
    struct events_msg *mine;

    if (!obj || auth_policy_sees_every_domain(&subject))
        return events_msg_ref(msg);
    copy = json_object_new_object();
    json_object_object_foreach(obj, key, val)
    {
        bool list = strcmp(key, "domains") == 0 && json_object_is_type(val, json_type_array);
        struct json_object *own = NULL;

        /* a snapshot tells each VM's "access" (the UI shows only the controls it may
         * use); the entries are shared with other subscribers' copies, so this one's
         * are its own copies first */
        if (list && kind == EVENTS_KIND_SNAPSHOT && json_object_deep_copy(val, &own, NULL) == 0) {
            json_object_object_add(copy, key, auth_owners_visible(owners, &subject, own, true));
            json_object_put(own);
            continue;
        }
        json_object_object_add(copy, key,
                               list ? auth_owners_visible(owners, &subject, val, false)
                                    : json_object_get(val));
    }
    mine = events_msg_new(copy, kind, "");
    json_object_put(copy);
    return mine;
}

struct events_ws *events_ws_new(const struct events_ws_deps *deps)
{
    struct events_ws *ws = xcalloc(1, sizeof(*ws));

    ws->deps = *deps;
    atomic_init(&ws->snapshot_started, 0);
    return ws;
}

void events_ws_set_intervals(struct events_ws *ws, int64_t interval_ms, int64_t interval_watched_ms)
{
    ws->deps.interval_ms = interval_ms;
    ws->deps.interval_watched_ms = interval_watched_ms;
}

void events_ws_free(struct events_ws *ws)
{
    free(ws);
}

/* ---- waking sockets ------------------------------------------------ */

static void events_ws_ready(uint64_t conn_id, void *ctx)
{
    struct events_ws *ws = ctx;
    struct conn *conn = conn_find(ws->deps.conns, conn_id);

    if (conn)
        conn_want_write(conn);
}

/* ---- snapshot jobs ------------------------------------------------
 *
 * Snapshots are coalesced: one domain list serves every subscriber that waits for
 * one. Each job has a generation; a subscriber needs generation N when it arrived
 * before job N started reading (then everything it missed is in that list, and every
 * later change reaches it as an event). A job that is queued but not started yet
 * covers newcomers; one already running does not, so its `done` submits the next. */

static void events_snapshot_done(struct work_job *job);

static void events_snapshot_run(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct app_error err;
    struct json_object *list;
    virConnectPtr conn;

    atomic_store(&arg->ws->snapshot_started, arg->gen);
    if (!(conn = virt_conn_get(arg->ws->deps.virt)))
        return;
    app_error_clear(&err);
    list = virt_domain_list(conn, &err);
    if (list) {
        struct json_object *domains = NULL;

        if (json_object_object_get_ex(list, "domains", &domains))
            auth_owners_annotate(events_hub_owners(arg->ws->deps.hub), domains);
        json_object_object_add(list, "type", json_object_new_string("snapshot"));
        arg->msg = events_msg_new(list, EVENTS_KIND_SNAPSHOT, "");
        arg->obj = list;
    } else {
        log_warn("events: snapshot failed: %s", err.message);
    }
    virConnectClose(conn);
}

static void events_submit_snapshot(struct events_ws *ws)
{
    struct events_job *arg = xcalloc(1, sizeof(*arg));
    struct work_job *job;

    arg->ws = ws;
    arg->gen = ++ws->snapshot_submitted;
    job = work_job_new(0, events_snapshot_run, events_snapshot_done, arg, events_job_free);
    ws->snapshot_in_flight = true;
    if (work_pool_submit(ws->deps.pool, job) < 0) {
        /* the subscribers waiting for it stay silent; the next request retries */
        log_warn("events: worker queue full, snapshot %llu not taken",
                 (unsigned long long)arg->gen);
        ws->snapshot_in_flight = false;
    }
}

/* Marks sub as needing a snapshot and makes sure a job will produce one. */
static void events_need_snapshot(struct events_ws *ws, struct events_sub *sub)
{
    uint64_t submitted = ws->snapshot_submitted;

    if (ws->snapshot_in_flight && atomic_load(&ws->snapshot_started) < submitted) {
        sub->snapshot_gen = submitted;
        return;
    }
    sub->snapshot_gen = submitted + 1;
    if (!ws->snapshot_in_flight)
        events_submit_snapshot(ws);
}

static void events_snapshot_done(struct work_job *job)
{
    static const char down[] = "{\"type\":\"host\",\"state\":\"disconnected\"}";
    struct events_job *arg = job->arg;
    struct events_ws *ws = arg->ws;
    struct events_msg *msg, *mine;
    bool more = false;

    ws->snapshot_in_flight = false;
    if (!arg->msg) /* libvirt is down or failed: a snapshot follows the reconnect */
        msg = events_msg_from_text(down, strlen(down), EVENTS_KIND_HOST);
    else
        msg = arg->msg; /* the job's reference, dropped below */
    arg->msg = NULL;
    for (struct events_sub *sub = events_hub_first(ws->deps.hub); sub; sub = sub->next) {
        if (!sub->snapshot_gen)
            continue;
        if (sub->snapshot_gen > arg->gen) {
            more = true;
            continue;
        }
        mine = events_msg_for(ws, sub, msg, arg->obj, EVENTS_KIND_SNAPSHOT);
        events_hub_deliver_snapshot(sub, mine, sub->awaiting_snapshot);
        events_msg_unref(mine);
        sub->snapshot_gen = 0;
        events_ws_ready(sub->conn_id, ws);
    }
    events_msg_unref(msg);
    if (more)
        events_submit_snapshot(ws);
}

/* ---- stats job ------------------------------------------------ */

/* Worker: one collection (offline when libvirt is down or the call failed: the host's
 * load only), and the subscribers' message built from it when libvirt answered. */
static void events_stats_run(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct virt_stats_sampler *sampler = arg->ws->deps.sampler;
    struct app_error err;
    virConnectPtr conn = virt_conn_get(arg->ws->deps.virt);

    app_error_clear(&err);
    if (conn) {
        arg->sample = virt_stats_sample(sampler, conn, &err);
        if (!arg->sample)
            log_warn("events: stats sample failed: %s", err.message);
        virConnectClose(conn);
    }
    if (!arg->sample)
        arg->sample = virt_stats_sample_offline(sampler);
    if (arg->sample->connected) {
        arg->obj = virt_stats_message(arg->sample);
        arg->msg = events_msg_new(arg->obj, EVENTS_KIND_STATS, "");
    }
}

/* Service thread: the sample becomes the newest (deps.metrics), the message goes to
 * every subscriber (filtered to the VMs each sees). */
static void events_stats_done(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct events_ws *ws = arg->ws;
    struct events_msg *msg = arg->msg;

    ws->stats_in_flight = false;
    if (arg->sample && ws->deps.metrics)
        metrics_latest_put(ws->deps.metrics, metrics_sample_ref(arg->sample));
    if (!msg)
        return;
    for (struct events_sub *sub = events_hub_first(ws->deps.hub); sub; sub = sub->next) {
        struct events_msg *mine = events_msg_for(ws, sub, msg, arg->obj, EVENTS_KIND_STATS);

        events_hub_enqueue(sub, mine);
        events_msg_unref(mine);
        if (!sub->awaiting_snapshot)
            events_ws_ready(sub->conn_id, ws);
    }
}

static void events_submit_stats(struct events_ws *ws)
{
    struct events_job *arg = xcalloc(1, sizeof(*arg));

    arg->ws = ws;
    ws->stats_in_flight = true;
    ws->stats_submitted_ms = clock_mono_ms();
    if (work_pool_submit(ws->deps.pool, work_job_new(0, events_stats_run, events_stats_done, arg,
                                                     events_job_free)) < 0)
        ws->stats_in_flight = false;
}

/* ---- housekeeping (serve.c's timer) ------------------------------------------------ */

void events_ws_tick(struct events_ws *ws, int64_t now_ms)
{
    int64_t every =
        events_hub_count(ws->deps.hub) ? ws->deps.interval_watched_ms : ws->deps.interval_ms;

    if (ws->stats_in_flight)
        return;
    if (!ws->stats_submitted_ms || now_ms - ws->stats_submitted_ms >= every)
        events_submit_stats(ws);
}

/* ---- the endpoint ------------------------------------------------ */

static int events_ws_open(struct conn *conn, const struct http_request *req)
{
    struct events_ws *ws = conn_ctx(conn);
    struct events_sub *sub = events_hub_add(ws->deps.hub, conn_id(conn), &req->session);

    conn_set_state(conn, sub);
    log_info("events: %s subscribed from %s (%u subscribers)", req->session.username, req->peer,
             events_hub_count(ws->deps.hub));
    events_need_snapshot(ws, sub);
    if (events_hub_count(ws->deps.hub) == 1 && !ws->stats_in_flight)
        events_submit_stats(ws);
    return 0;
}

/* Writes the pending message in fragments of at most EVENTS_FRAGMENT bytes, one per
 * WRITEABLE: lws then never has to hold more than one fragment for a slow reader,
 * and the shared message is never written into (each fragment is copied with its
 * CONN_PRE headroom). Once the subscriber's queue is written, a closing socket closes
 * (conn.h). */
static int events_ws_writeable(struct conn *conn)
{
    static unsigned char out[CONN_PRE + EVENTS_FRAGMENT];
    struct events_sub *sub = conn_state(conn);
    struct events_msg *msg;
    size_t n, left;

    if (!sub)
        return -1;
    if (sub->overflowed)
        return conn_close_now(conn, LWS_CLOSE_STATUS_POLICY_VIOLATION, "subscriber too slow");
    if (!sub->writing) {
        sub->writing = events_hub_take(sub);
        sub->written = 0;
    }
    if (!(msg = sub->writing))
        return 0;
    left = msg->len - sub->written;
    n = left > EVENTS_FRAGMENT ? EVENTS_FRAGMENT : left;
    memcpy(out + CONN_PRE, msg->data + LWS_PRE + sub->written, n);
    if (conn_ws_write(conn, out + CONN_PRE, n,
                      sub->written ? CONN_WRITE_WS_CONTINUATION : CONN_WRITE_WS_TEXT,
                      n == left) < 0)
        return -1;
    sub->written += n;
    if (sub->written == msg->len) {
        events_msg_unref(msg);
        sub->writing = NULL;
    }
    if (sub->writing || events_hub_next(sub))
        conn_want_write(conn);
    return 0;
}

/* The session ended: {"type":"session","state":"expired"} goes out after what is
 * queued, then the socket closes with 1000 "session ended". */
static void events_ws_session_ended(struct conn *conn)
{
    static const char expired[] = "{\"type\":\"session\",\"state\":\"expired\"}";
    struct events_sub *sub = conn_state(conn);
    struct events_msg *msg;

    if (!sub || sub->closing)
        return;
    msg = events_msg_from_text(expired, strlen(expired), EVENTS_KIND_SESSION);
    sub->awaiting_snapshot = false;
    events_hub_enqueue(sub, msg);
    events_msg_unref(msg);
    sub->closing = true;
    conn_close(conn, LWS_CLOSE_STATUS_NORMAL, "session ended");
}

static void events_ws_closed(struct conn *conn)
{
    struct events_ws *ws = conn_ctx(conn);

    events_hub_remove(ws->deps.hub, conn_id(conn));
}

const struct conn_endpoint events_ws_endpoint = {
    .name = "events",
    .open = events_ws_open,
    .writeable = events_ws_writeable,
    .session_ended = events_ws_session_ended,
    .closed = events_ws_closed,
    .ws_message_max = EVENTS_WS_MESSAGE_MAX,
};

void events_ws_dispatch(struct events_ws *ws)
{
    if (events_hub_dispatch(ws->deps.hub, events_ws_ready, ws) && events_hub_count(ws->deps.hub))
        for (struct events_sub *sub = events_hub_first(ws->deps.hub); sub; sub = sub->next)
            events_need_snapshot(ws, sub);
}
