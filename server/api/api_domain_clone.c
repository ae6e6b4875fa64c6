/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_clone: the clone-a-domain endpoint (see api_domain_clone.h). The body's
 * members were checked by the dispatcher (the row's FIELDS: "name" required, by the
 * volume-name rule, since each copy's name starts with it); the run looks the source
 * up by the validated UUID on a worker, makes the clone's checks, and then either
 * copies at once (201) or hands the copy to the job runner (202). The job's task runs
 * on the runner's lane; api_copy_job reports the bytes written. */
#include "api/api_domain_clone.h"

#include "api/api_owners.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/api_copy_job.h"
#include "api/api_job.h"
#include "api/api_quota.h"
#include "api/api_runner.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_clone.h"

/* What a clone job's task needs (its arg). */
struct clone_task {
    char uuid[ROUTE_PARAM_MAX];
    char *name;                  /* owned */
    char *title;                 /* owned; NULL keeps the source's */
    struct auth_owners *owners;  /* borrowed: the copy belongs to who asked for it */
    struct auth_quota *quota;    /* borrowed */
    uint64_t ticket;             /* the quota reservation it ends (0: none) */
    struct auth_subject subject; /* its username is user's */
    char user[AUTH_USERNAME_MAX + 1];
};

static void clone_task_free(void *arg)
{
    struct clone_task *task = arg;

    /* a task dropped before it ran (shutdown, a full lane) gives its reservation back */
    api_quota_settle_made(task->quota, task->ticket, NULL, NULL, NULL);
    free(task->name);
    free(task->title);
    free(task);
}

/* The runner's lane: the clone, with its copies' progress. */
static struct json_object *clone_task_run(struct api_runner_job *job, virConnectPtr conn, void *arg,
                                          struct app_error *err)
{
    struct clone_task *task = arg;
    struct api_copy_job copy;
    struct json_object *out = NULL;
    virDomainPtr dom;

    if ((dom = virt_domain_lookup(conn, task->uuid, err))) {
        api_copy_job_start(&copy, job, conn);
        out = virt_domain_clone(dom, task->name, task->title, &copy.progress, err);
        api_copy_job_stop(&copy);
        virDomainFree(dom);
    }
    /* the copy belongs to who asked, in the step that ends its reservation */
    api_quota_settle_made(task->quota, task->ticket, task->owners, &task->subject, out);
    task->ticket = 0;
    return out;
}

/* The 202 answer: the clone's copy goes to the job runner, with the quota reservation
 * *ticket (then 0: the task ends it, api_quota_settle_made). */
static void api_domain_clone_start(struct api_call *call, struct api_reply *reply,
                                   unsigned long long bytes, uint64_t *ticket)
{
    struct clone_task *task = xcalloc(1, sizeof(*task));
    const char *title = api_call_string(call, "title");
    struct json_object *json;
    struct app_error err;
    char audit_object[sizeof(reply->audit_object)];

    api_job_audit_target(call, reply, audit_object, sizeof(audit_object));
    app_error_clear(&err);
    snprintf(task->uuid, sizeof(task->uuid), "%s", call->uuid);
    task->name = xstrdup(api_call_string(call, "name"));
    task->title = title ? xstrdup(title) : NULL;
    task->owners = call->owners;
    snprintf(task->user, sizeof(task->user), "%s", call->session.username);
    task->subject = api_call_subject(call);
    task->subject.username = task->user;
    task->quota = call->quota;
    task->ticket = *ticket;
    *ticket = 0;
    json = api_runner_start(call->jobs,
                            &(struct api_runner_task){.kind = "clone",
                                                      .owner = call->session.username,
                                                      .object = call->uuid,
                                                      .name = api_call_string(call, "name"),
                                                      .total = bytes,
                                                      .ok_status = 201,
                                                      .peer = call->peer,
                                                      .audit = call->row->audit,
                                                      .audit_object = audit_object,
                                                      .run = clone_task_run,
                                                      .arg = task,
                                                      .arg_free = clone_task_free},
                            &err);
    api_runner_reply(reply, json, &err);
}

static void api_domain_clone_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");
    unsigned long long bytes = 0;
    struct virt_quota_use demand;
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;
    uint64_t ticket = 0;

    app_error_clear(&err);
    if (!(dom = virt_domain_lookup(call->conn, call->uuid, &err)) ||
        virt_domain_clone_check(dom, name, &bytes, &err) < 0 ||
        (api_quota_applies(call) && /* the copy counts as the source */
         (virt_quota_domain(dom, &demand, &err) < 0 ||
          api_quota_reserve(call, &demand, &ticket, &err) < 0)))
        api_reply_error(reply, &err);
    else if (call->prefer_async || bytes >= API_RUNNER_SYNC_MAX)
        api_domain_clone_start(call, reply, bytes, &ticket); /* the job ends the ticket */
    else {
        if ((out = virt_domain_clone(dom, name, api_call_string(call, "title"), NULL, &err)))
            api_reply_json(reply, 201, out);
        else
            api_reply_error(reply, &err);
        api_quota_settle_reply(call, ticket, reply); /* the copy belongs to who made it */
    }
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_clone = {.run = api_domain_clone_run};
