/* api_job: the role check and submission of API work to the pool and delivering its
 * response (service thread), plus the worker-side connection and audit helpers. */
#include "api/api_job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "http/conn.h"
#include "store/store.h"
#include "util/log.h"
#include "virt/virt_conn.h"

bool api_job_allowed(const struct http_request *req, enum auth_action action,
                     enum auth_object_kind kind, const char *id, struct http_response *resp,
                     const char *fmt, ...)
{
    struct auth_subject subject = {req->session.username, req->session.role};
    struct auth_object object = {kind, id};
    char message[256];
    va_list ap;

    if (auth_policy_allows(&subject, action, &object))
        return true;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    http_response_errorf(resp, 403, APP_ERR_FORBIDDEN, "%s", message);
    return false;
}

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

    conn_complete(base->app->conns, job->conn_id, &job->response);
}

enum api_result api_job_submit_to(struct work_pool *pool, const struct http_request *req,
                                  work_fn run, void *arg, struct http_response *resp)
{
    struct work_job *job = work_job_new(req->conn_id, run, api_job_done, arg, free);

    if (work_pool_submit(pool, job) < 0) {
        http_response_errorf(resp, 503, APP_ERR_UNAVAILABLE, "server busy, try again");
        return API_DONE;
    }
    return API_PENDING;
}

enum api_result api_job_submit(struct app *app, const struct http_request *req, work_fn run,
                               void *arg, struct http_response *resp)
{
    return api_job_submit_to(app->pool, req, run, arg, resp);
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

void api_job_audit(const struct api_job_base *base, const char *action, const char *verb,
                   const char *kind, const char *name, const struct app_error *err)
{
    char object[320];

    snprintf(object, sizeof(object), "%s:%s", kind, name);
    store_audit(base->app->db, base->username, base->peer, action, object,
                err->code ? err->code : "ok");
    log_info("api: %s %s %s %s from %s: %s", base->username, verb, kind, name, base->peer,
             err->code ? err->message : "ok");
}
