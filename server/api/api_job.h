/* api_job: what the API handlers share for running work on the worker pool.
 *
 * Every handler's job argument starts with struct api_job_base so one `done`
 * function can deliver any job's response to its connection. Service thread for
 * submit/done; the job's own run function runs on a worker. */
#pragma once

#include <libvirt/libvirt.h>

#include "api/api.h"
#include "auth_sessions.h"
#include "work/work_pool.h"

struct api_job_base {
    struct app *app;                      /* borrowed */
    char username[AUTH_USERNAME_MAX + 1]; /* who asked (for audit) */
    char peer[64];                        /* from where */
};

/* Fills base from the request. */
void api_job_base_init(struct api_job_base *base, struct app *app, const struct http_request *req);

/* Submits run with arg (which must start with struct api_job_base and is freed with
 * free() afterwards). On a full queue answers 503 in resp and returns API_DONE. */
enum api_result api_job_submit(struct app *app, const struct http_request *req, work_fn run,
                               void *arg, struct http_response *resp);

/* Worker side: a new reference to the libvirt connection, or NULL with a 503 already
 * written into job->response. Release with virConnectClose. */
virConnectPtr api_job_connection(struct work_job *job);
