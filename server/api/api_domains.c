/* api_domains: the domain endpoints.
 *
 * Handlers (service thread) validate input and authorization, then submit a job; the
 * job (worker) talks to libvirt and fills the response. Lifecycle actions are written
 * to the audit log with their outcome. */
#include "api/api_domains.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_policy.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"

struct api_domain_job {
    struct api_job_base base;
    char uuid[40];
    char action[16];
};

static void api_domains_list_run(struct work_job *job)
{
    struct app_error err;
    struct json_object *list;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    list = virt_domain_list(conn, &err);
    if (list)
        http_response_json_take(&job->response, 200, list);
    else
        http_response_error(&job->response, &err);
    virConnectClose(conn);
}

enum api_result api_domains_list(struct app *app, const struct http_request *req,
                                 struct http_response *resp)
{
    struct api_domain_job *arg;

    if (!api_job_allowed(req, AUTH_ACTION_DOMAIN_READ, AUTH_OBJECT_DOMAIN, NULL, resp,
                         "not allowed to list domains"))
        return API_DONE;
    arg = xcalloc(1, sizeof(*arg));
    api_job_base_init(&arg->base, app, req);
    return api_job_submit(app, req, api_domains_list_run, arg, resp);
}

static void api_domains_get_run(struct work_job *job)
{
    struct api_domain_job *arg = job->arg;
    struct app_error err;
    struct json_object *detail = NULL;
    virDomainPtr dom = NULL;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    if (!(dom = virt_domain_lookup(conn, arg->uuid, &err)) ||
        !(detail = virt_domain_detail(dom, &err))) {
        http_response_error(&job->response, &err);
        goto cleanup;
    }
    http_response_json_take(&job->response, 200, detail);

cleanup:
    if (dom)
        virDomainFree(dom);
    virConnectClose(conn);
}

/* Checks the {uuid} parameter; answers 400 in resp when it is malformed. */
static struct api_domain_job *api_domains_job_for(struct app *app, const struct http_request *req,
                                                  struct http_response *resp)
{
    struct api_domain_job *arg;

    if (!virt_domain_uuid_valid(req->route.uuid)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "\"%.40s\" is not a UUID",
                             req->route.uuid);
        return NULL;
    }
    arg = xcalloc(1, sizeof(*arg));
    api_job_base_init(&arg->base, app, req);
    snprintf(arg->uuid, sizeof(arg->uuid), "%.36s", req->route.uuid);
    return arg;
}

enum api_result api_domains_get(struct app *app, const struct http_request *req,
                                struct http_response *resp)
{
    struct api_domain_job *arg;

    if (!api_job_allowed(req, AUTH_ACTION_DOMAIN_READ, AUTH_OBJECT_DOMAIN, req->route.uuid, resp,
                         "not allowed to see this domain"))
        return API_DONE;
    if (!(arg = api_domains_job_for(app, req, resp)))
        return API_DONE;
    return api_job_submit(app, req, api_domains_get_run, arg, resp);
}

/* What an action answers when the domain no longer exists afterwards (a transient
 * domain that was shut down or destroyed): docs/api.md "removed" form. */
static struct json_object *api_domains_removed(virDomainPtr dom, const char *uuid)
{
    struct json_object *obj = json_object_new_object();
    const char *name = virDomainGetName(dom);

    json_object_object_add(obj, "uuid", json_object_new_string(uuid));
    json_object_object_add(obj, "name", json_object_new_string(name ? name : ""));
    json_object_object_add(obj, "state", json_object_new_string("shutoff"));
    json_object_object_add(obj, "removed", json_object_new_boolean(1));
    return obj;
}

static void api_domains_act_run(struct work_job *job)
{
    struct api_domain_job *arg = job->arg;
    struct app_error err;
    struct json_object *detail = NULL;
    virDomainPtr dom = NULL;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    if (!(dom = virt_domain_lookup(conn, arg->uuid, &err)) ||
        virt_domain_act(dom, arg->action, &err) < 0) {
        http_response_error(&job->response, &err);
        goto cleanup;
    }
    if (!(detail = virt_domain_detail(dom, &err))) {
        if (err.status != 404) {
            http_response_error(&job->response, &err);
            goto cleanup;
        }
        /* the action worked and a transient domain ended with it */
        app_error_clear(&err);
        detail = api_domains_removed(dom, arg->uuid);
    }
    http_response_json_take(&job->response, 200, detail);

cleanup:
    api_job_audit(&arg->base, arg->action, arg->action, "domain", arg->uuid, &err);
    if (dom)
        virDomainFree(dom);
    virConnectClose(conn);
}

enum api_result api_domains_act(struct app *app, const struct http_request *req,
                                struct http_response *resp)
{
    static const char *const no_fields[] = {NULL};
    struct api_domain_job *arg;
    struct json_object *body;
    struct app_error err;

    if (!virt_domain_action_valid(req->route.action)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "unknown action \"%.32s\" (start, shutdown, destroy, reboot, reset, "
                             "suspend, resume)",
                             req->route.action);
        return API_DONE;
    }
    app_error_clear(&err);
    if (!(body = api_json_parse_object(req->body, req->body_len, no_fields, true, &err))) {
        http_response_error(resp, &err);
        return API_DONE;
    }
    json_object_put(body);
    if (!api_job_allowed(req, AUTH_ACTION_DOMAIN_LIFECYCLE, AUTH_OBJECT_DOMAIN, req->route.uuid,
                         resp, "role %s may not %s domains", auth_role_name(req->session.role),
                         req->route.action))
        return API_DONE;
    if (!(arg = api_domains_job_for(app, req, resp)))
        return API_DONE;
    snprintf(arg->action, sizeof(arg->action), "%.15s", req->route.action);
    return api_job_submit(app, req, api_domains_act_run, arg, resp);
}
