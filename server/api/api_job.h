/* api_job: what the API handlers share around a job on the worker pool: the role
 * check before it, submitting it, and the audit record of the change it made.
 *
 * Every handler's job argument starts with struct api_job_base so one `done`
 * function can deliver any job's response to its connection. Service thread for
 * allowed/submit/done; the job's own run function (and api_job_audit) on a worker. */
#pragma once

#include <libvirt/libvirt.h>

#include "api/api.h"
#include "auth_policy.h"
#include "auth_sessions.h"
#include "work/work_pool.h"

struct api_job_base {
    struct app *app;                      /* borrowed */
    char username[AUTH_USERNAME_MAX + 1]; /* who asked (for audit) */
    char peer[64];                        /* from where */
};

/* True if req's session may perform action on the object of kind named id (id NULL:
 * any object of that kind). Otherwise answers 403 forbidden in resp with the message
 * fmt formats and returns false. */
bool api_job_allowed(const struct http_request *req, enum auth_action action,
                     enum auth_object_kind kind, const char *id, struct http_response *resp,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Fills base from the request. */
void api_job_base_init(struct api_job_base *base, struct app *app, const struct http_request *req);

/* Submits run with arg (which must start with struct api_job_base and is freed with
 * free() afterwards) to app->pool. On a full queue answers 503 in resp and returns
 * API_DONE. */
enum api_result api_job_submit(struct app *app, const struct http_request *req, work_fn run,
                               void *arg, struct http_response *resp);

/* api_job_submit to pool (app->pool or one of its lanes). */
enum api_result api_job_submit_to(struct work_pool *pool, const struct http_request *req,
                                  work_fn run, void *arg, struct http_response *resp);

/* Worker side: a new reference to the libvirt connection, or NULL with a 503 already
 * written into job->response. Release with virConnectClose. */
virConnectPtr api_job_connection(struct work_job *job);

/* Worker side: records a change's outcome (err->code set: failed) in the audit log as
 * (action, "<kind>:<name>", code or "ok") and logs "api: <user> <verb> <kind> <name>
 * from <peer>: <message or ok>". */
void api_job_audit(const struct api_job_base *base, const char *action, const char *verb,
                   const char *kind, const char *name, const struct app_error *err);
