/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_job: API calls as jobs on the work pool (see api_job.h). Service thread for
 * call_new/submit/done; api_job_run on a worker (or the password lane). */
#include "api/api_job.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_approved.h"

#include "api/api.h"
#include "api/api_call.h"
#include "http/conn.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "virt/virt_domain.h"
#include "virt/virt_network.h"
#include "virt/virt_pool.h"
#include "virt/virt_volume.h"
#include "work/work_pool.h"

struct api_job {
    struct api_call call;                /* what the handler sees */
    struct api_reply reply;              /* filled by the worker, sent by done */
    const struct api_services *services; /* borrowed: serve.c's, outlives the job */
    const struct api_handler *handler;   /* borrowed (static) */
    /* The pool frees a job it refuses at once, but the caller still needs the call then
     * (a 503 and the handler's refused hook): the job owns its call only once queued.
     * Service thread only. */
    bool queued;
};

static struct api_job *api_job_of(struct api_call *call)
{
    return (struct api_job *)((char *)call - offsetof(struct api_job, call));
}

struct api_call *api_job_call_new(const struct api_services *services, const struct route_row *row,
                                  const struct http_request *req)
{
    struct api_job *job = xcalloc(1, sizeof(*job));

    api_call_init(&job->call, row, req);
    api_reply_init(&job->reply);
    job->services = services;
    job->call.db = services->db;
    job->call.sessions = services->sessions;
    job->call.tokens = services->tokens;
    job->call.throttle = services->throttle;
    job->call.owners = services->owners;
    job->call.approved = services->approved;
    job->call.quota = services->quota;
    job->call.history = services->history;
    job->call.session_max_s = services->session_max_s;
    job->call.pam = services->pam;
    job->call.totp_required_for_admins = services->totp_required_for_admins;
    job->call.jobs = services->jobs;
    job->call.metrics = services->metrics;
    job->call.health = services->health;
    job->call.health_ctx = services->health_ctx;
    job->call.alerts = services->alerts;
    return &job->call;
}

static void api_job_free(struct api_job *job)
{
    api_call_clear(&job->call);
    api_reply_clear(&job->reply);
    free(job);
}

void api_job_call_free(struct api_call *call)
{
    if (call)
        api_job_free(api_job_of(call));
}

static void api_job_release(void *arg)
{
    struct api_job *job = arg;

    if (job->queued)
        api_job_free(job);
}

void api_job_audit_object(const struct api_call *call, char *out, size_t outlen)
{
    const struct route_row *row = call->row;

    if (row->param == ROUTE_PARAM_UUID)
        snprintf(out, outlen, "domain:%s", call->uuid);
    else if (row->param == ROUTE_PARAM_NAME)
        snprintf(out, outlen, "%s:%s", row->object == ROUTE_OBJECT_NETWORK ? "network" : "pool",
                 call->name);
    else if (row->param == ROUTE_PARAM_ITEM)
        snprintf(out, outlen, "volume:%s/%s", call->name, call->item);
    else
        snprintf(out, outlen, "%s", "");
}

void api_job_audit_target(const struct api_call *call, const struct api_reply *reply, char *out,
                          size_t outlen)
{
    if (reply->audit_object[0])
        snprintf(out, outlen, "%s", reply->audit_object);
    else
        api_job_audit_object(call, out, outlen);
}

void api_job_log(const char *user, const char *action, const char *object, const char *peer,
                 const char *result, const char *tail)
{
    const char *colon = strchr(object, ':');
    struct log_subject subject = {.user = user, .action = action};

    if (colon && strncmp(object, "domain:", 7) == 0)
        subject.vm = colon + 1;
    log_event(LOG_INFO, &subject, "api: %s %s %.*s %s from %s: %s%s", user, action,
              colon ? (int)(colon - object) : 0, object, colon ? colon + 1 : object, peer, result,
              tail);
}

void api_job_record(const struct api_call *call, const struct api_reply *reply)
{
    const char *user = call->has_session ? call->session.username : "";
    char action[64], object[sizeof(reply->audit_object)], via[32] = "";

    snprintf(action, sizeof(action), "%s%s", call->row->audit,
             reply->audit_suffix ? reply->audit_suffix : "");
    api_job_audit_target(call, reply, object, sizeof(object));
    if (call->has_session && call->session.token_id[0])
        snprintf(via, sizeof(via), "token:%s", call->session.token_id);
    store_audit_full(call->db, user, via, call->peer, action, object, api_reply_outcome(reply),
                     reply->json || reply->text ? NULL : reply->err.message);
    api_job_log(user, action, object, call->peer, reply->json ? "ok" : reply->err.message, "");
}

/* What a lookup of call's object answers when there is no such object: a domain, a
 * network, a pool, or a volume (its pool, when that is hidden too). */
static void api_job_absent(const struct api_call *call, struct app_error *err)
{
    switch (call->row->object) {
    case ROUTE_OBJECT_NETWORK:
        virt_network_absent(call->name, err);
        break;
    case ROUTE_OBJECT_POOL:
        virt_pool_absent(call->name, err);
        break;
    case ROUTE_OBJECT_VOLUME:
        if (auth_approved_level(call->approved, AUTH_OBJECT_POOL, call->name, NULL) ==
            AUTH_LEVEL_NONE)
            virt_pool_absent(call->name, err);
        else
            virt_volume_absent(call->name, call->item, err);
        break;
    default:
        virt_domain_absent(call->uuid, err);
    }
}

static void api_job_run(struct work_job *work)
{
    struct api_job *job = work->arg;
    struct api_call *call = &job->call;

    if (call->row->run == ROUTE_RUN_LIBVIRT && !(call->conn = virt_conn_get(job->services->virt))) {
        app_error_set(&job->reply.err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt (%s)",
                      virt_conn_uri(job->services->virt));
        return; /* nothing was tried: nothing to record */
    }
    if (call->hidden) /* the caller may not see the object: as if it did not exist */
        api_job_absent(call, &job->reply.err);
    else
        job->handler->run(call, &job->reply);
    if (call->row->audit)
        api_job_record(call, &job->reply);
    if (call->conn)
        virConnectClose(call->conn);
    call->conn = NULL;
}

/* Service thread: the one place a job's answer reaches its connection. */
static void api_job_done(struct work_job *work)
{
    struct api_job *job = work->arg;
    struct http_response resp;

    http_response_init(&resp);
    api_reply_to_response(&job->reply, &resp);
    conn_complete(job->services->conns, work->conn_id, &resp);
    http_response_free(&resp);
}

/* Worker: a refused change's record (the reply holds the refusal). */
static void api_job_refused_run(struct work_job *work)
{
    struct api_job *job = work->arg;

    api_job_record(&job->call, &job->reply);
}

int api_job_submit_refusal(struct api_call *call, struct api_reply *reply)
{
    struct api_job *job = api_job_of(call);

    if (!call->row->audit || !call->has_session)
        return -1;
    api_reply_clear(&job->reply);
    job->reply = *reply;
    if (work_pool_submit(job->services->pool, work_job_new(call->conn_id, api_job_refused_run,
                                                           api_job_done, job, api_job_release)) <
        0) {
        *reply = job->reply; /* answered at once, unrecorded: the pool is full */
        api_reply_init(&job->reply);
        log_warn("api: audit record of a refused %s dropped (worker queue full)", call->row->audit);
        return -1;
    }
    job->queued = true;
    api_reply_init(reply);
    return 0;
}

int api_job_submit(struct api_call *call, const struct api_handler *handler,
                   struct api_reply *reply)
{
    struct api_job *job = api_job_of(call);
    const struct api_services *services = job->services;
    struct work_pool *pool =
        call->row->run == ROUTE_RUN_PASSWORD ? services->password_lane : services->pool;

    job->handler = handler;
    if (work_pool_submit(pool, work_job_new(call->conn_id, api_job_run, api_job_done, job,
                                            api_job_release)) < 0) {
        app_error_set(&reply->err, 503, APP_ERR_UNAVAILABLE, "server busy, try again");
        if (handler->refused)
            handler->refused(call, reply);
        return -1;
    }
    job->queued = true;
    return 0;
}
