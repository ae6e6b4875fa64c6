/* api_job: submitting API work to the pool and delivering its response
 * (service thread), plus the worker-side connection helper. */
#include "api/api_job.h"

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "http/http_server.h"
#include "virt/virt_conn.h"

void api_job_base_init(struct api_job_base *base, struct app *app, const struct http_request *req)
{
    base->app = app;
    snprintf(base->username, sizeof(base->username), "%s",
             req->has_session ? req->session.username : "");
    snprintf(base->peer, sizeof(base->peer), "%s", req->peer);
}

static void api_job_done(struct work_job *job)
{
    struct api_job_base *base = job->arg;

    http_server_complete(base->app->http, job->conn_id, &job->response);
}

enum api_result api_job_submit(struct app *app, const struct http_request *req, work_fn run,
                               void *arg, struct http_response *resp)
{
    struct work_job *job = work_job_new(req->conn_id, run, api_job_done, arg, free);

    if (work_pool_submit(app->pool, job) < 0) {
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE, "server busy, try again");
        return API_DONE;
    }
    return API_PENDING;
}

virConnectPtr api_job_connection(struct work_job *job)
{
    struct api_job_base *base = job->arg;
    virConnectPtr conn = virt_conn_get(base->app->virt);

    if (!conn)
        http_response_errorf(&job->response, 503, APP_ERR_UNAVAILABLE,
                             "not connected to libvirt (%s)", virt_conn_uri(base->app->virt));
    return conn;
}
