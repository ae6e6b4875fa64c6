/* api_pools: the storage pool endpoints (ROUTE_POOLS, ROUTE_POOL, ROUTE_POOL_ACTION).
 *
 * Service thread: checks the role (auth_policy_allows) first, then the pool name and
 * the body (strict keys; a create request runs through the pure XML builder so bad
 * input is a 400 before any job exists), then submits a job. Workers run the libvirt
 * side (virt/virt_pool.c). Every change is audited with its outcome. */
#include "api/api_pools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_policy.h"
#include "util/xalloc.h"
#include "virt/virt_pool.h"
#include "virt/virt_pool_xml.h"

struct api_pool_job {
    struct api_job_base base;
    char name[ROUTE_PARAM_MAX];
    char action[16]; /* "create", "delete" or a pool action */
    int enabled;     /* autostart */
    char body[];     /* create: the request body, NUL-terminated */
};

static const char *const api_pools_create_keys[] = {"name",
                                                    "type",
                                                    "target_path",
                                                    "source_device",
                                                    "source_format",
                                                    "source_host",
                                                    "source_port",
                                                    "source_path",
                                                    "source_name",
                                                    "source_iqn",
                                                    "initiator_iqn",
                                                    "auth_username",
                                                    "auth_secret_uuid",
                                                    "build",
                                                    "start",
                                                    "autostart",
                                                    NULL};

static struct api_pool_job *api_pools_job_new(struct app *app, const struct http_request *req,
                                              const char *action, size_t body_len)
{
    struct api_pool_job *arg = xcalloc(1, sizeof(*arg) + body_len + 1);

    api_job_base_init(&arg->base, app, req);
    snprintf(arg->name, sizeof(arg->name), "%s", req->route.name);
    snprintf(arg->action, sizeof(arg->action), "%s", action);
    return arg;
}

static void api_pools_audit(struct api_pool_job *arg, const char *name, const struct app_error *err)
{
    char action[32];

    snprintf(action, sizeof(action), "pool-%s", arg->action);
    api_job_audit(&arg->base, action, arg->action, "pool", name, err);
}

static void api_pools_read_run(struct work_job *job)
{
    struct api_pool_job *arg = job->arg;
    struct app_error err;
    struct json_object *out;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    out = arg->name[0] ? virt_pool_get(conn, arg->name, &err) : virt_pool_list(conn, &err);
    if (out)
        http_response_json_take(&job->response, 200, out);
    else
        http_response_error(&job->response, &err);
    virConnectClose(conn);
}

static void api_pools_create_run(struct work_job *job)
{
    struct api_pool_job *arg = job->arg;
    struct app_error err;
    struct json_object *req = NULL, *out = NULL, *v;
    const char *name = "";
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    /* checked on the service thread already; parse again for the worker's own copy */
    if ((req = api_json_parse_object(arg->body, strlen(arg->body), api_pools_create_keys, false,
                                     &err))) {
        if (json_object_object_get_ex(req, "name", &v) && json_object_is_type(v, json_type_string))
            name = json_object_get_string(v);
        out = virt_pool_create(conn, req, &err);
    }
    if (out)
        http_response_json_take(&job->response, 201, out);
    else
        http_response_error(&job->response, &err);
    api_pools_audit(arg, name, &err);
    json_object_put(req);
    virConnectClose(conn);
}

static void api_pools_change_run(struct work_job *job)
{
    struct api_pool_job *arg = job->arg;
    struct app_error err;
    struct json_object *out = NULL;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    if (strcmp(arg->action, "delete") == 0) {
        if (virt_pool_delete(conn, arg->name, &err) == 0) {
            out = json_object_new_object();
            json_object_object_add(out, "name", json_object_new_string(arg->name));
            json_object_object_add(out, "removed", json_object_new_boolean(1));
        }
    } else {
        out = virt_pool_act(conn, arg->name, arg->action, arg->enabled, &err);
    }
    if (out)
        http_response_json_take(&job->response, 200, out);
    else
        http_response_error(&job->response, &err);
    api_pools_audit(arg, arg->name, &err);
    virConnectClose(conn);
}

static enum api_result api_pools_create(struct app *app, const struct http_request *req,
                                        struct http_response *resp)
{
    struct api_pool_job *arg;
    struct json_object *body;
    struct app_error err;
    char *xml = NULL;

    app_error_clear(&err);
    if (!(body = api_json_parse_object(req->body, req->body_len, api_pools_create_keys, false,
                                       &err)) ||
        virt_pool_xml_build(body, &xml, &err) < 0) {
        json_object_put(body);
        http_response_error(resp, &err);
        return API_DONE;
    }
    free(xml);
    json_object_put(body);
    arg = api_pools_job_new(app, req, "create", req->body_len);
    memcpy(arg->body, req->body, req->body_len);
    return api_job_submit(app, req, api_pools_create_run, arg, resp);
}

/* Parses an action's body: {} (or empty) except autostart's {"enabled": bool}. */
static int api_pools_action_body(const struct http_request *req, int *enabled,
                                 struct app_error *err)
{
    static const char *const no_fields[] = {NULL};
    static const char *const autostart_fields[] = {"enabled", NULL};
    bool autostart = strcmp(req->route.action, "autostart") == 0;
    struct json_object *body;
    bool on = false;
    int ret = -1;

    if (!(body = api_json_parse_object(req->body, req->body_len,
                                       autostart ? autostart_fields : no_fields, !autostart, err)))
        return -1;
    if (autostart && api_json_get_bool(body, "enabled", true, &on, err) < 0)
        goto cleanup;
    *enabled = on;
    ret = 0;

cleanup:
    json_object_put(body);
    return ret;
}

static enum api_result api_pools_change(struct app *app, const struct http_request *req,
                                        struct http_response *resp)
{
    struct api_pool_job *arg;
    struct app_error err;
    int enabled = 0;
    bool del = req->route.id == ROUTE_POOL;

    app_error_clear(&err);
    if (!virt_pool_name_valid(req->route.name)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid pool name",
                             req->route.name);
        return API_DONE;
    }
    if (!del && !virt_pool_action_valid(req->route.action)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "unknown pool action \"%.32s\" (start, stop, refresh, autostart)",
                             req->route.action);
        return API_DONE;
    }
    if (!del && api_pools_action_body(req, &enabled, &err) < 0) {
        http_response_error(resp, &err);
        return API_DONE;
    }
    arg = api_pools_job_new(app, req, del ? "delete" : req->route.action, 0);
    arg->enabled = enabled;
    return api_job_submit(app, req, api_pools_change_run, arg, resp);
}

enum api_result api_pools_handle(struct app *app, const struct http_request *req,
                                 struct http_response *resp)
{
    bool read = req->method == HTTP_GET || req->method == HTTP_HEAD;
    const char *name = req->route.id == ROUTE_POOLS ? NULL : req->route.name;

    if (!api_job_allowed(req, read ? AUTH_ACTION_STORAGE_READ : AUTH_ACTION_STORAGE_MANAGE,
                         AUTH_OBJECT_POOL, name, resp, "role %s may not %s storage pools",
                         auth_role_name(req->session.role), read ? "see" : "change"))
        return API_DONE;
    if (read) {
        struct api_pool_job *arg;

        if (name && !virt_pool_name_valid(name)) {
            http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                                 "\"%.64s\" is not a valid pool name", name);
            return API_DONE;
        }
        arg = api_pools_job_new(app, req, "read", 0);
        if (!name)
            arg->name[0] = '\0';
        return api_job_submit(app, req, api_pools_read_run, arg, resp);
    }
    if (req->route.id == ROUTE_POOLS)
        return api_pools_create(app, req, resp);
    return api_pools_change(app, req, resp);
}
