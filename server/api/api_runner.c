/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_runner: long tasks on a lane of the work pool, with progress (see api_runner.h).
 * api_runner_start runs on a worker; api_runner_run on the lane's thread; the
 * progress and the final message go out through deps.post from whichever thread. */
#include "api/api_runner.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth_sessions.h"
#include "api/api_job.h"
#include "api/api_reply.h"
#include "http/response.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "virt/virt_conn.h"
#include "work/work_pool.h"

_Static_assert(JOB_OWNER_MAX == AUTH_USERNAME_MAX, "a job's owner holds any user name");

struct api_runner {
    struct api_runner_deps deps;
    struct work_pool *lane;  /* owned */
    struct job_table *table; /* owned; thread-safe */
};

/* One queued task: what the lane's thread runs (the work_job's arg). */
struct api_runner_job {
    struct api_runner *runner; /* borrowed: outlives its lane's jobs */
    char id[JOB_ID_HEX + 1];
    char owner[AUTH_USERNAME_MAX + 1];
    char peer[64];
    char audit_object[320];
    struct api_runner_task task; /* owner, object, peer, audit_object: the copies above */
};

struct api_runner *api_runner_new(const struct api_runner_deps *deps)
{
    struct api_runner *runner = xcalloc(1, sizeof(*runner));

    runner->deps = *deps;
    if (!(runner->lane =
              work_pool_new_lane(deps->pool, API_RUNNER_THREADS, API_RUNNER_MAX_PENDING))) {
        free(runner);
        return NULL;
    }
    runner->table = job_table_new();
    return runner;
}

void api_runner_free(struct api_runner *runner)
{
    if (!runner)
        return;
    work_pool_free(runner->lane); /* running tasks finish; waiting ones are dropped */
    job_table_free(runner->table);
    free(runner);
}

struct job_table *api_runner_table(struct api_runner *runner)
{
    return runner->table;
}

/* {"type":"job","job":job} to the job's owner. */
static void api_runner_post(struct api_runner_job *job, struct json_object *json)
{
    struct json_object *msg = json_object_new_object();

    json_object_object_add(msg, "type", json_object_new_string("job"));
    json_object_object_add(msg, "job", json);
    job->runner->deps.post(job->runner->deps.post_ctx, msg, job->owner);
}

void api_runner_progress(struct api_runner_job *job, const char *phase, unsigned long long done)
{
    struct json_object *json =
        job_table_progress(job->runner->table, job->id, phase, done, clock_mono_ms());

    if (json)
        api_runner_post(job, json);
}

static void api_runner_job_free(void *arg)
{
    struct api_runner_job *job = arg;

    if (job->task.arg_free)
        job->task.arg_free(job->task.arg);
    free(job);
}

/* The lane's thread. */
static void api_runner_run(struct work_job *work)
{
    struct api_runner_job *job = work->arg;
    struct api_runner *runner = job->runner;
    struct json_object *body = NULL, *json;
    virConnectPtr conn = virt_conn_get(runner->deps.virt);
    struct app_error err;
    int status = job->task.ok_status;
    char tail[JOB_ID_HEX + 8];

    app_error_clear(&err);
    if (!conn)
        app_error_set(&err, 503, APP_ERR_UNAVAILABLE, "not connected to libvirt (%s)",
                      virt_conn_uri(runner->deps.virt));
    else
        body = job->task.run(job, conn, job->task.arg, &err);
    if (!body) {
        status = err.status ? err.status : 500;
        body = http_response_error_body(&err);
    }
    store_audit_result(runner->deps.db, job->owner, job->peer, job->task.audit, job->audit_object,
                       err.code && status >= 400 ? err.code : "ok",
                       status >= 400 ? err.message : NULL);
    snprintf(tail, sizeof(tail), " (job %s)", job->id);
    api_job_log(job->owner, job->task.audit, job->audit_object, job->peer,
                status >= 400 ? err.message : "ok", tail);
    if ((json = job_table_finish(runner->table, job->id, status, body, clock_mono_ms())))
        api_runner_post(job, json);
    if (conn)
        virConnectClose(conn);
}

struct json_object *api_runner_start(struct api_runner *runner, const struct api_runner_task *task,
                                     struct app_error *err)
{
    struct api_runner_job *job = xcalloc(1, sizeof(*job));
    struct json_object *json = NULL;
    char id[JOB_ID_HEX + 1];

    job->runner = runner;
    job->task = *task;
    snprintf(job->owner, sizeof(job->owner), "%s", task->owner);
    snprintf(job->peer, sizeof(job->peer), "%s", task->peer);
    snprintf(job->audit_object, sizeof(job->audit_object), "%s", task->audit_object);
    if (job_table_add(runner->table,
                      &(struct job_table_entry){.kind = task->kind,
                                                .owner = task->owner,
                                                .object = task->object,
                                                .name = task->name,
                                                .total = task->total},
                      clock_mono_ms(), job->id, err) < 0) {
        api_runner_job_free(job);
        return NULL;
    }
    snprintf(id, sizeof(id), "%s", job->id);
    json = job_table_get(runner->table, id, job->owner, true, clock_mono_ms());
    if (work_pool_submit(runner->lane,
                         work_job_new(0, api_runner_run, NULL, job, api_runner_job_free)) < 0) {
        /* the pool freed job (and task->arg) already */
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "too many long jobs waiting, try again");
        job_table_drop(runner->table, id);
        json_object_put(json);
        return NULL;
    }
    return json;
}

void api_runner_reply(struct api_reply *reply, struct json_object *json,
                      const struct app_error *err)
{
    struct json_object *out, *id;

    if (!json) {
        api_reply_error(reply, err);
        return;
    }
    json_object_object_get_ex(json, "id", &id);
    snprintf(reply->location, sizeof(reply->location), "/api/jobs/%s", json_object_get_string(id));
    out = json_object_new_object();
    json_object_object_add(out, "job", json);
    api_reply_json(reply, 202, out);
    reply->audit_suffix = "-started";
}
