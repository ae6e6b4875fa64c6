/* events_ws: lws glue for /api/events, snapshot and stats jobs, and the timer.
 *
 * Service thread only (the jobs' run functions run on workers and touch only
 * libvirt and their own job). */
#include "events/events_ws.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth_sessions.h"
#include "events/events_hub.h"
#include "http/http_server.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_domain.h"
#include "virt/virt_stats.h"
#include "work/work_pool.h"

#define EVENTS_TICK_US            (2 * LWS_USEC_PER_SEC)
#define EVENTS_EXPIRE_EVERY_TICKS 30

struct events_timer {
    lws_sorted_usec_list_t sul; /* first: the callback casts back */
    struct app *app;            /* borrowed */
    struct lws_context *ctx;    /* borrowed */
    bool stats_in_flight;
    unsigned ticks;
};

/* One timer per process: the daemon has one app and one context. */
static struct events_timer events_timer;

struct events_job {
    struct app *app; /* borrowed */
};

/* ---- waking sockets ------------------------------------------------ */

static void events_ws_ready(uint64_t conn_id, void *ctx)
{
    struct app *app = ctx;
    struct lws *wsi = http_server_find(app->http, conn_id);

    if (wsi)
        lws_callback_on_writable(wsi);
}

/* ---- snapshot job ------------------------------------------------ */

static void events_snapshot_run(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct app_error err;
    struct json_object *list;
    virConnectPtr conn = virt_conn_get(arg->app->virt);

    if (!conn) {
        job->response.status = 503;
        return;
    }
    app_error_clear(&err);
    list = virt_domain_list(conn, &err);
    if (list) {
        json_object_object_add(list, "type", json_object_new_string("snapshot"));
        http_response_json_take(&job->response, 200, list);
    } else {
        log_warn("events: snapshot failed: %s", err.message);
        job->response.status = err.status ? err.status : 502;
    }
    virConnectClose(conn);
}

/* conn_id 0: everybody (after a reconnect); else one new subscriber. */
static void events_snapshot_done(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct events_hub *hub = arg->app->events;
    struct events_msg *msg;
    struct events_sub *sub;

    if (job->response.status != 200) {
        /* libvirt is down: tell the subscriber; a fresh snapshot follows the reconnect */
        msg = events_msg_from_text("{\"type\":\"host\",\"state\":\"disconnected\"}",
                                   strlen("{\"type\":\"host\",\"state\":\"disconnected\"}"),
                                   EVENTS_KIND_HOST);
    } else {
        msg = events_msg_from_text(job->response.body.data, job->response.body.len - 1,
                                   EVENTS_KIND_SNAPSHOT);
    }
    if (job->conn_id) {
        sub = events_hub_find(hub, job->conn_id);
        if (sub)
            events_hub_deliver_snapshot(sub, msg, true);
        events_ws_ready(job->conn_id, arg->app);
    } else {
        for (sub = events_hub_first(hub); sub; sub = sub->next) {
            events_hub_deliver_snapshot(sub, msg, sub->awaiting_snapshot);
            events_ws_ready(sub->conn_id, arg->app);
        }
    }
    events_msg_unref(msg);
}

static void events_submit_snapshot(struct app *app, uint64_t conn_id)
{
    struct events_job *arg = xcalloc(1, sizeof(*arg));
    struct work_job *job;

    arg->app = app;
    job = work_job_new(conn_id, events_snapshot_run, events_snapshot_done, arg, free);
    if (work_pool_submit(app->pool, job) < 0)
        log_warn("events: worker queue full, snapshot for %llu not taken",
                 (unsigned long long)conn_id);
}

/* ---- stats job ------------------------------------------------ */

static void events_stats_run(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct app_error err;
    struct json_object *stats;
    virConnectPtr conn = virt_conn_get(arg->app->virt);

    if (!conn)
        return;
    app_error_clear(&err);
    stats = virt_stats_sample(arg->app->sampler, conn, &err);
    if (stats)
        http_response_json_take(&job->response, 200, stats);
    else
        log_warn("events: stats sample failed: %s", err.message);
    virConnectClose(conn);
}

static void events_stats_done(struct work_job *job)
{
    struct events_job *arg = job->arg;
    struct events_msg *msg;

    events_timer.stats_in_flight = false;
    if (job->response.status != 200)
        return;
    msg = events_msg_from_text(job->response.body.data, job->response.body.len - 1,
                               EVENTS_KIND_STATS);
    for (struct events_sub *sub = events_hub_first(arg->app->events); sub; sub = sub->next) {
        events_hub_enqueue(sub, msg);
        if (!sub->awaiting_snapshot)
            events_ws_ready(sub->conn_id, arg->app);
    }
    events_msg_unref(msg);
}

static void events_submit_stats(struct app *app)
{
    struct events_job *arg = xcalloc(1, sizeof(*arg));

    arg->app = app;
    events_timer.stats_in_flight = true;
    if (work_pool_submit(app->pool,
                         work_job_new(0, events_stats_run, events_stats_done, arg, free)) < 0)
        events_timer.stats_in_flight = false;
}

/* ---- housekeeping job ------------------------------------------------ */

static void events_expire_run(struct work_job *job)
{
    struct events_job *arg = job->arg;

    auth_sessions_expire(arg->app->sessions);
}

/* ---- timer ------------------------------------------------ */

static void events_end_subscriber(struct app *app, struct events_sub *sub)
{
    static const char expired[] = "{\"type\":\"session\",\"state\":\"expired\"}";
    struct events_msg *msg;

    if (sub->closing)
        return;
    msg = events_msg_from_text(expired, strlen(expired), EVENTS_KIND_SESSION);
    sub->awaiting_snapshot = false;
    events_hub_enqueue(sub, msg);
    events_msg_unref(msg);
    sub->closing = true;
    events_ws_ready(sub->conn_id, app);
}

static void events_tick(lws_sorted_usec_list_t *sul)
{
    struct events_timer *timer = (struct events_timer *)sul;
    struct app *app = timer->app;
    struct events_job *arg;

    for (struct events_sub *sub = events_hub_first(app->events); sub; sub = sub->next)
        if (!auth_sessions_alive(app->sessions, sub->session.id))
            events_end_subscriber(app, sub);
    if (events_hub_count(app->events) && !timer->stats_in_flight)
        events_submit_stats(app);
    if (++timer->ticks % EVENTS_EXPIRE_EVERY_TICKS == 0) {
        arg = xcalloc(1, sizeof(*arg));
        arg->app = app;
        if (work_pool_submit(app->pool, work_job_new(0, events_expire_run, NULL, arg, free)) < 0)
            log_warn("events: worker queue full, session expiry postponed");
    }
    lws_sul_schedule(timer->ctx, 0, &timer->sul, events_tick, EVENTS_TICK_US);
}

void events_ws_start(struct app *app, struct lws_context *ctx)
{
    memset(&events_timer, 0, sizeof(events_timer));
    events_timer.app = app;
    events_timer.ctx = ctx;
    lws_sul_schedule(ctx, 0, &events_timer.sul, events_tick, EVENTS_TICK_US);
}

void events_ws_stop(struct app *app)
{
    (void)app;
    if (events_timer.ctx)
        lws_sul_cancel(&events_timer.sul);
    events_timer.ctx = NULL;
}

/* ---- socket callbacks ------------------------------------------------ */

int events_ws_open(struct app *app, struct lws *wsi, uint64_t conn_id,
                   const struct auth_session *session, const char *peer)
{
    events_hub_add(app->events, conn_id, session);
    log_info("events: %s subscribed from %s (%u subscribers)", session->username, peer,
             events_hub_count(app->events));
    events_submit_snapshot(app, conn_id);
    if (events_hub_count(app->events) == 1 && !events_timer.stats_in_flight)
        events_submit_stats(app);
    return 0;
}

static int events_ws_close_with(struct lws *wsi, enum lws_close_status status, const char *why)
{
    lws_close_reason(wsi, status, (unsigned char *)why, strlen(why));
    return -1;
}

int events_ws_writeable(struct app *app, struct lws *wsi, uint64_t conn_id)
{
    struct events_sub *sub = events_hub_find(app->events, conn_id);
    struct events_msg *msg;

    if (!sub)
        return -1;
    if (sub->overflowed)
        return events_ws_close_with(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, "subscriber too slow");
    msg = events_hub_next(sub);
    if (!msg) {
        if (sub->closing)
            return events_ws_close_with(wsi, LWS_CLOSE_STATUS_NORMAL, "session ended");
        return 0;
    }
    if (lws_write(wsi, msg->data + LWS_PRE, msg->len, LWS_WRITE_TEXT) < (int)msg->len)
        return -1;
    events_hub_sent(sub, msg);
    if (events_hub_next(sub) || sub->closing)
        lws_callback_on_writable(wsi);
    return 0;
}

void events_ws_closed(struct app *app, uint64_t conn_id)
{
    events_hub_remove(app->events, conn_id);
}

void events_ws_dispatch(struct app *app)
{
    if (events_hub_dispatch(app->events, events_ws_ready, app) && events_hub_count(app->events))
        events_submit_snapshot(app, 0);
}

void events_ws_session_ended(struct app *app, const char *session_id)
{
    for (struct events_sub *sub = events_hub_first(app->events); sub; sub = sub->next)
        if (!strcmp(sub->session.id, session_id))
            events_end_subscriber(app, sub);
}
