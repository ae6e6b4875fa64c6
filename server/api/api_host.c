/* api_host: the host summary endpoint (handler on the service thread, libvirt on a
 * worker). */
#include "api/api_host.h"

#include "api/api_job.h"
#include "auth_policy.h"
#include "util/xalloc.h"
#include "virt/virt_host.h"

static void api_host_run(struct work_job *job)
{
    struct app_error err;
    struct json_object *info;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    info = virt_host_info(conn, &err);
    if (info)
        http_response_json_take(&job->response, 200, info);
    else
        http_response_error(&job->response, &err);
    virConnectClose(conn);
}

enum api_result api_host_get(struct app *app, const struct http_request *req,
                             struct http_response *resp)
{
    struct auth_subject subject = {req->session.username, req->session.role};
    struct api_job_base *arg;

    if (!auth_policy_allows(&subject, AUTH_ACTION_HOST_READ, NULL)) {
        http_response_errorf(resp, 403, APP_ERR_FORBIDDEN, "not allowed to see the host");
        return API_DONE;
    }
    arg = xcalloc(1, sizeof(*arg));
    api_job_base_init(arg, app, req);
    return api_job_submit(app, req, api_host_run, arg, resp);
}
