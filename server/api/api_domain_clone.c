/* api_domain_clone: the clone-a-domain endpoint (see api_domain_clone.h). The body's
 * members were checked by the dispatcher (the row's FIELDS: "name" required, by the
 * volume-name rule, since each copy's name starts with it); the run looks the source
 * up by the validated UUID on a worker, makes the clone's checks, and then either
 * copies at once (201) or hands the copy to the job runner (202). The job's task runs
 * on the runner's lane with a copy watch reporting the bytes written. */
#include "api/api_domain_clone.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/xalloc.h"
#include "virt/virt_copy_watch.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_clone.h"
#include "api/api_runner.h"

/* What a clone job's task needs (its arg). */
struct clone_task {
    char uuid[ROUTE_PARAM_MAX];
    char *name;                    /* owned */
    char *title;                   /* owned; NULL keeps the source's */
    struct api_runner_job *job;    /* borrowed: set by the lane's thread before the watch */
    struct virt_copy_watch *watch; /* owned while the task runs (the lane's thread) */
    pthread_mutex_t lock;          /* the lane's thread and the watch's meet here */
    unsigned long long before;     /* lock: bytes of the copies finished */
    unsigned long long current;    /* lock: the running copy's source allocation */
};

static void clone_task_free(void *arg)
{
    struct clone_task *task = arg;

    pthread_mutex_destroy(&task->lock);
    free(task->name);
    free(task->title);
    free(task);
}

/* The copy watch's thread: the running copy has written bytes of at most current. */
static void clone_task_report(void *ctx, unsigned long long bytes)
{
    struct clone_task *task = ctx;
    unsigned long long done;

    pthread_mutex_lock(&task->lock);
    done = task->before + (bytes < task->current ? bytes : task->current);
    pthread_mutex_unlock(&task->lock);
    api_runner_progress(task->job, NULL, done);
}

/* The lane's thread, before each copy (and once after the last): the watch follows
 * the new copy. A reading of the previous copy may land after this: it then counts at
 * most the new copy's size on top of the finished ones, and job_table never lets the
 * bytes done go back or past the total. */
static void clone_task_copying(void *ctx, const char *pool, const char *name,
                               unsigned long long bytes)
{
    struct clone_task *task = ctx;
    unsigned long long before;

    virt_copy_watch_target(task->watch, NULL, NULL);
    pthread_mutex_lock(&task->lock);
    before = task->before += task->current;
    task->current = bytes;
    pthread_mutex_unlock(&task->lock);
    api_runner_progress(task->job, pool ? "copy" : "define", before);
    virt_copy_watch_target(task->watch, pool, name);
}

static struct json_object *clone_task_run(struct api_runner_job *job, virConnectPtr conn, void *arg,
                                          struct app_error *err)
{
    struct clone_task *task = arg;
    struct virt_clone_progress progress = {.copying = clone_task_copying, .ctx = task};
    struct json_object *out = NULL;
    virDomainPtr dom;

    task->job = job;
    if (!(dom = virt_domain_lookup(conn, task->uuid, err)))
        return NULL;
    task->watch = virt_copy_watch_start(conn, clone_task_report, task);
    out = virt_domain_clone(dom, task->name, task->title, &progress, err);
    virt_copy_watch_stop(task->watch);
    task->watch = NULL;
    virDomainFree(dom);
    return out;
}

/* The 202 answer: the clone's copy goes to the job runner. */
static void api_domain_clone_start(struct api_call *call, struct api_reply *reply,
                                   unsigned long long bytes)
{
    struct clone_task *task = xcalloc(1, sizeof(*task));
    const char *title = api_call_string(call, "title");
    struct api_runner_task job = {
        .kind = "clone",
        .owner = call->session.username,
        .object = call->uuid,
        .name = api_call_string(call, "name"),
        .total = bytes,
        .ok_status = 201,
        .run = clone_task_run,
        .arg = task,
        .arg_free = clone_task_free,
    };
    struct json_object *json, *out, *id;
    struct app_error err;

    app_error_clear(&err);
    pthread_mutex_init(&task->lock, NULL);
    snprintf(task->uuid, sizeof(task->uuid), "%s", call->uuid);
    task->name = xstrdup(api_call_string(call, "name"));
    task->title = title ? xstrdup(title) : NULL;
    if (!(json = api_runner_start(call->jobs, &job, &err))) {
        api_reply_error(reply, &err);
        return;
    }
    json_object_object_get_ex(json, "id", &id);
    snprintf(reply->location, sizeof(reply->location), "/api/jobs/%s", json_object_get_string(id));
    out = json_object_new_object();
    json_object_object_add(out, "job", json);
    api_reply_json(reply, 202, out);
    reply->audit_suffix = "-started";
}

static void api_domain_clone_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");
    unsigned long long bytes = 0;
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if (!(dom = virt_domain_lookup(call->conn, call->uuid, &err)) ||
        virt_domain_clone_check(dom, name, &bytes, &err) < 0)
        api_reply_error(reply, &err);
    else if (call->prefer_async || bytes >= API_DOMAIN_CLONE_SYNC_MAX)
        api_domain_clone_start(call, reply, bytes);
    else if ((out = virt_domain_clone(dom, name, api_call_string(call, "title"), NULL, &err)))
        api_reply_json(reply, 201, out);
    else
        api_reply_error(reply, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_clone = {.run = api_domain_clone_run};
