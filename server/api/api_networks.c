/* api_networks: the virtual network endpoints (docs/api.md "Networks").
 *
 * Handlers (service thread) check the role first, then validate everything they can
 * without libvirt (the {name} parameter, the body, and for create the whole network
 * XML, built here by the pure virt_network_xml_build), then submit a job. The job
 * (worker) talks to libvirt through virt_network and fills the response. Every change
 * is written to the audit log with its outcome. */
#include "api/api_networks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_policy.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_network.h"
#include "virt/virt_network_xml.h"

enum api_network_op {
    API_NETWORK_LIST,
    API_NETWORK_GET,
    API_NETWORK_LEASES,
    API_NETWORK_CREATE,
    API_NETWORK_START,
    API_NETWORK_STOP,
    API_NETWORK_AUTOSTART,
    API_NETWORK_DELETE,
};

struct api_network_job {
    struct api_job_base base;
    enum api_network_op op;
    char name[VIRT_NETWORK_NAME_MAX + 1];
    bool flag;       /* autostart: enabled; delete: force */
    char mode[16];   /* create */
    char bridge[16]; /* create: requested bridge name, "" if none */
    bool start;      /* create */
    bool autostart;  /* create */
    char xml[];      /* create: the validated network XML ("" otherwise) */
};

/* 403 unless the session may manage networks. */
static bool api_networks_may_manage(const struct http_request *req, const char *name,
                                    struct http_response *resp)
{
    return api_job_allowed(req, AUTH_ACTION_NETWORK_MANAGE, AUTH_OBJECT_NETWORK, name, resp,
                           "role %s may not change networks", auth_role_name(req->session.role));
}

static bool api_networks_may_read(const struct http_request *req, const char *name,
                                  struct http_response *resp)
{
    return api_job_allowed(req, AUTH_ACTION_NETWORK_READ, AUTH_OBJECT_NETWORK, name, resp,
                           "not allowed to see networks");
}

/* A job for the {name} parameter (400 in resp when it is not a valid name). xml_len
 * bytes are reserved for the create XML. */
static struct api_network_job *api_networks_job_new(struct app *app, const struct http_request *req,
                                                    enum api_network_op op, const char *name,
                                                    size_t xml_len, struct http_response *resp)
{
    struct api_network_job *arg;

    if (name && !virt_network_xml_name_valid(name)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "\"%.64s\" is not a valid network name", name);
        return NULL;
    }
    arg = xcalloc(1, sizeof(*arg) + xml_len + 1);
    api_job_base_init(&arg->base, app, req);
    arg->op = op;
    snprintf(arg->name, sizeof(arg->name), "%s", name ? name : "");
    return arg;
}

static const char *api_networks_op_name(const struct api_network_job *arg)
{
    switch (arg->op) {
    case API_NETWORK_CREATE:
        return "network-create";
    case API_NETWORK_START:
        return "network-start";
    case API_NETWORK_STOP:
        return "network-stop";
    case API_NETWORK_AUTOSTART:
        return arg->flag ? "network-autostart-on" : "network-autostart-off";
    case API_NETWORK_DELETE:
        return arg->flag ? "network-delete-force" : "network-delete";
    default:
        return "network-read";
    }
}

static void api_networks_audit(const struct api_network_job *arg, const struct app_error *err)
{
    api_job_audit(&arg->base, api_networks_op_name(arg), api_networks_op_name(arg), "network",
                  arg->name, err);
}

/* Performs a change on an existing network; 0 or -1 with err. */
static int api_networks_change(virConnectPtr conn, virNetworkPtr net,
                               const struct api_network_job *arg, struct app_error *err)
{
    switch (arg->op) {
    case API_NETWORK_START:
        return virt_network_act(net, "start", err);
    case API_NETWORK_STOP:
        return virt_network_act(net, "stop", err);
    case API_NETWORK_AUTOSTART:
        return virt_network_set_autostart(net, arg->flag, err);
    case API_NETWORK_DELETE:
        return virt_network_delete(conn, net, arg->flag, err);
    default:
        return 0;
    }
}

static void api_networks_run(struct work_job *job)
{
    struct api_network_job *arg = job->arg;
    struct app_error err;
    struct json_object *out = NULL;
    virNetworkPtr net = NULL;
    virConnectPtr conn = api_job_connection(job);
    bool mutates = arg->op >= API_NETWORK_CREATE;
    int status = 200;

    if (!conn)
        return;
    app_error_clear(&err);
    if (arg->op == API_NETWORK_LIST) {
        out = virt_network_list(conn, &err);
    } else if (arg->op == API_NETWORK_CREATE) {
        struct virt_network_spec spec = {arg->name, arg->mode, arg->bridge[0] ? arg->bridge : NULL,
                                         arg->start, arg->autostart};

        if ((net = virt_network_create(conn, &spec, arg->xml, &err)))
            out = virt_network_object(conn, net, &err);
        status = 201;
    } else if ((net = virt_network_lookup(conn, arg->name, &err)) &&
               api_networks_change(conn, net, arg, &err) == 0) {
        if (arg->op == API_NETWORK_LEASES) {
            out = virt_network_leases(net, &err);
        } else if (arg->op == API_NETWORK_DELETE) {
            out = json_object_new_object();
            json_object_object_add(out, "name", json_object_new_string(arg->name));
            json_object_object_add(out, "removed", json_object_new_boolean(1));
        } else {
            out = virt_network_object(conn, net, &err);
        }
    }
    if (out)
        http_response_json_take(&job->response, status, out);
    else
        http_response_error(&job->response, &err);
    if (mutates)
        api_networks_audit(arg, &err);
    if (net)
        virNetworkFree(net);
    virConnectClose(conn);
}

static enum api_result api_networks_submit(struct app *app, const struct http_request *req,
                                           struct api_network_job *arg, struct http_response *resp)
{
    return api_job_submit(app, req, api_networks_run, arg, resp);
}

/* GET /api/networks, GET /api/networks/{name}, GET /api/networks/{name}/leases */
static enum api_result api_networks_read(struct app *app, const struct http_request *req,
                                         enum api_network_op op, struct http_response *resp)
{
    const char *name = op == API_NETWORK_LIST ? NULL : req->route.name;
    struct api_network_job *arg;

    if (!api_networks_may_read(req, name, resp))
        return API_DONE;
    if (!(arg = api_networks_job_new(app, req, op, name, 0, resp)))
        return API_DONE;
    return api_networks_submit(app, req, arg, resp);
}

/* A boolean member of body, def when absent. */
static bool api_networks_bool(struct json_object *body, const char *key, bool def)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(body, key, &v) || !json_object_is_type(v, json_type_boolean))
        return def;
    return json_object_get_boolean(v) != 0;
}

static const char *api_networks_str(struct json_object *body, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(body, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

/* POST /api/networks */
static enum api_result api_networks_create(struct app *app, const struct http_request *req,
                                           struct http_response *resp)
{
    static const char *const fields[] = {"name",      "mode",  "bridge", "forward_dev",
                                         "ipv4",      "ipv6",  "domain", "mtu",
                                         "autostart", "start", NULL};
    struct api_network_job *arg = NULL;
    struct json_object *body = NULL;
    struct app_error err;
    char *xml = NULL;
    enum api_result ret = API_DONE;

    if (!api_networks_may_manage(req, NULL, resp))
        return API_DONE;
    app_error_clear(&err);
    if (!(body = api_json_parse_object(req->body, req->body_len, fields, false, &err)) ||
        virt_network_xml_build(body, &xml, &err) < 0) {
        http_response_error(resp, &err);
        goto cleanup;
    }
    /* the builder validated name, mode and bridge */
    arg = api_networks_job_new(app, req, API_NETWORK_CREATE, api_networks_str(body, "name"),
                               strlen(xml), resp);
    if (!arg)
        goto cleanup;
    snprintf(arg->mode, sizeof(arg->mode), "%s", api_networks_str(body, "mode"));
    snprintf(arg->bridge, sizeof(arg->bridge), "%s", api_networks_str(body, "bridge"));
    arg->start = api_networks_bool(body, "start", true);
    arg->autostart = api_networks_bool(body, "autostart", false);
    memcpy(arg->xml, xml, strlen(xml) + 1);
    ret = api_networks_submit(app, req, arg, resp);

cleanup:
    free(xml);
    json_object_put(body);
    return ret;
}

/* POST /api/networks/{name}/{start|stop|autostart} */
static enum api_result api_networks_act(struct app *app, const struct http_request *req,
                                        struct http_response *resp)
{
    static const char *const no_fields[] = {NULL};
    static const char *const autostart_fields[] = {"enabled", NULL};
    const char *action = req->route.action;
    struct api_network_job *arg;
    struct json_object *body, *enabled = NULL;
    struct app_error err;
    enum api_network_op op;
    bool autostart;

    if (!api_networks_may_manage(req, req->route.name, resp))
        return API_DONE;
    if (!strcmp(action, "start")) {
        op = API_NETWORK_START;
    } else if (!strcmp(action, "stop")) {
        op = API_NETWORK_STOP;
    } else if (!strcmp(action, "autostart")) {
        op = API_NETWORK_AUTOSTART;
    } else {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "unknown action \"%.32s\" (start, stop, autostart)", action);
        return API_DONE;
    }
    autostart = op == API_NETWORK_AUTOSTART;
    app_error_clear(&err);
    body = api_json_parse_object(req->body, req->body_len, autostart ? autostart_fields : no_fields,
                                 !autostart, &err);
    if (!body) {
        http_response_error(resp, &err);
        return API_DONE;
    }
    if (autostart && (!json_object_object_get_ex(body, "enabled", &enabled) ||
                      !json_object_is_type(enabled, json_type_boolean))) {
        json_object_put(body);
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "field \"enabled\" is required and must be a boolean");
        return API_DONE;
    }
    if (!(arg = api_networks_job_new(app, req, op, req->route.name, 0, resp))) {
        json_object_put(body);
        return API_DONE;
    }
    arg->flag = autostart && json_object_get_boolean(enabled);
    json_object_put(body);
    return api_networks_submit(app, req, arg, resp);
}

/* DELETE /api/networks/{name}[?force=true] */
static enum api_result api_networks_delete(struct app *app, const struct http_request *req,
                                           struct http_response *resp)
{
    struct api_network_job *arg;
    char force[8];
    int rc;
    bool forced = false;

    if (!api_networks_may_manage(req, req->route.name, resp))
        return API_DONE;
    rc = route_query_get(req->query, "force", force, sizeof(force));
    if (rc == 1)
        forced = !strcmp(force, "true") || !strcmp(force, "1") || !force[0];
    if (rc < 0 || (rc == 1 && !forced && strcmp(force, "false") != 0 && strcmp(force, "0") != 0)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "force must be true or false");
        return API_DONE;
    }
    if (req->body_len) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "DELETE takes no request body");
        return API_DONE;
    }
    if (!(arg = api_networks_job_new(app, req, API_NETWORK_DELETE, req->route.name, 0, resp)))
        return API_DONE;
    arg->flag = forced;
    return api_networks_submit(app, req, arg, resp);
}

enum api_result api_networks_handle(struct app *app, const struct http_request *req,
                                    struct http_response *resp)
{
    bool read = req->method == HTTP_GET || req->method == HTTP_HEAD;

    switch (req->route.id) {
    case ROUTE_NETWORKS:
        return read ? api_networks_read(app, req, API_NETWORK_LIST, resp)
                    : api_networks_create(app, req, resp);
    case ROUTE_NETWORK:
        return read ? api_networks_read(app, req, API_NETWORK_GET, resp)
                    : api_networks_delete(app, req, resp);
    case ROUTE_NETWORK_LEASES:
        return api_networks_read(app, req, API_NETWORK_LEASES, resp);
    case ROUTE_NETWORK_ACTION:
        return api_networks_act(app, req, resp);
    default:
        http_response_errorf(resp, 404, APP_ERR_NOT_FOUND, "no such API endpoint");
        return API_DONE;
    }
}
