/* api_domain_devices: a VM's disks, cdrom media, network interfaces and IP addresses
 * (docs/api.md "Disks and interfaces").
 *
 * The handler (service thread) picks the operation from the route and method, checks
 * the role, the UUID, the {item} (disk target or MAC) and the body, then submits a job;
 * the job (worker) makes the libvirt calls through virt_device and audits every change
 * with its outcome. Bad input and refused roles never reach a worker. */
#include "api/api_domain_devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_policy.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_device.h"
#include "virt/virt_device_xml.h"
#include "virt/virt_domain.h"
#include "virt/virt_pool_xml.h"
#include "virt/virt_volume_xml.h"

enum api_device_op {
    API_DEVICE_ADDRESSES,
    API_DEVICE_DISK_ATTACH,
    API_DEVICE_DISK_DETACH,
    API_DEVICE_DISK_PATCH,
    API_DEVICE_MEDIA_INSERT,
    API_DEVICE_MEDIA_EJECT,
    API_DEVICE_NIC_ATTACH,
    API_DEVICE_NIC_PATCH,
    API_DEVICE_NIC_DETACH,
    API_DEVICE_NONE,
};

/* Audit action names, by operation. */
static const char *const api_device_action[] = {
    [API_DEVICE_ADDRESSES] = "addresses",         [API_DEVICE_DISK_ATTACH] = "disk-attach",
    [API_DEVICE_DISK_DETACH] = "disk-detach",     [API_DEVICE_DISK_PATCH] = "disk-change",
    [API_DEVICE_MEDIA_INSERT] = "media-insert",   [API_DEVICE_MEDIA_EJECT] = "media-eject",
    [API_DEVICE_NIC_ATTACH] = "interface-attach", [API_DEVICE_NIC_PATCH] = "interface-change",
    [API_DEVICE_NIC_DETACH] = "interface-detach", [API_DEVICE_NONE] = "none",
};

struct api_device_job {
    struct api_job_base base;
    enum api_device_op op;
    char uuid[40];
    char item[VIRT_DEVICE_MAC_LEN];    /* disk target or lower-case MAC; "" if none */
    char source[8];                    /* addresses: lease, agent, arp */
    char pool[VIRT_DEVICE_NAME_MAX];   /* media insert */
    char volume[VIRT_DEVICE_NAME_MAX]; /* media insert */
    struct virt_device_disk_req disk;
    struct virt_device_disk_patch disk_patch;
    struct virt_device_nic_req nic;
};

static enum api_device_op api_device_op_for(const struct http_request *req)
{
    bool get = req->method == HTTP_GET || req->method == HTTP_HEAD;

    switch (req->route.id) {
    case ROUTE_DOMAIN_ADDRESSES:
        return get ? API_DEVICE_ADDRESSES : API_DEVICE_NONE;
    case ROUTE_DOMAIN_DISKS:
        return req->method == HTTP_POST ? API_DEVICE_DISK_ATTACH : API_DEVICE_NONE;
    case ROUTE_DOMAIN_DISK:
        return req->method == HTTP_PATCH    ? API_DEVICE_DISK_PATCH
               : req->method == HTTP_DELETE ? API_DEVICE_DISK_DETACH
                                            : API_DEVICE_NONE;
    case ROUTE_DOMAIN_DISK_MEDIA:
        return req->method == HTTP_PUT      ? API_DEVICE_MEDIA_INSERT
               : req->method == HTTP_DELETE ? API_DEVICE_MEDIA_EJECT
                                            : API_DEVICE_NONE;
    case ROUTE_DOMAIN_INTERFACES:
        return req->method == HTTP_POST ? API_DEVICE_NIC_ATTACH : API_DEVICE_NONE;
    case ROUTE_DOMAIN_INTERFACE:
        return req->method == HTTP_PATCH    ? API_DEVICE_NIC_PATCH
               : req->method == HTTP_DELETE ? API_DEVICE_NIC_DETACH
                                            : API_DEVICE_NONE;
    default:
        return API_DEVICE_NONE;
    }
}

/* ---- worker ----------------------------------------------------------------------------- */

/* {"detail": detail, key: true/false} */
static struct json_object *api_device_wrap(struct json_object *detail, const char *key, bool value)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "detail", detail);
    json_object_object_add(obj, key, json_object_new_boolean(value));
    return obj;
}

static void api_device_run(struct work_job *job)
{
    struct api_device_job *arg = job->arg;
    struct app_error err;
    struct json_object *out = NULL;
    virConnectPtr conn = api_job_connection(job);
    char target[VIRT_DEVICE_TARGET_MAX] = "";
    char object[128];
    bool flag = false;
    int status = 200;

    if (!conn)
        return;
    app_error_clear(&err);
    switch (arg->op) {
    case API_DEVICE_ADDRESSES:
        out = virt_device_addresses(conn, arg->uuid, arg->source, &err);
        break;
    case API_DEVICE_DISK_ATTACH:
        if ((out = virt_device_disk_attach(conn, arg->uuid, &arg->disk, target, &err)))
            status = 201;
        break;
    case API_DEVICE_DISK_DETACH:
        if ((out = virt_device_disk_detach(conn, arg->uuid, arg->item, &flag, &err)) && flag) {
            out = api_device_wrap(out, "pending", true);
            status = 202;
        }
        break;
    case API_DEVICE_DISK_PATCH:
        if ((out =
                 virt_device_disk_patch(conn, arg->uuid, arg->item, &arg->disk_patch, &flag, &err)))
            out = api_device_wrap(out, "next_boot", flag);
        break;
    case API_DEVICE_MEDIA_INSERT:
        out = virt_device_disk_media(conn, arg->uuid, arg->item, arg->pool, arg->volume, &err);
        break;
    case API_DEVICE_MEDIA_EJECT:
        out = virt_device_disk_media(conn, arg->uuid, arg->item, NULL, NULL, &err);
        break;
    case API_DEVICE_NIC_ATTACH:
        if ((out = virt_device_nic_attach(conn, arg->uuid, &arg->nic, &err)))
            status = 201;
        break;
    case API_DEVICE_NIC_PATCH:
        if ((out = virt_device_nic_patch(conn, arg->uuid, arg->item, &arg->nic, &flag, &err)))
            out = api_device_wrap(out, "next_boot", flag);
        break;
    case API_DEVICE_NIC_DETACH:
        if ((out = virt_device_nic_detach(conn, arg->uuid, arg->item, &flag, &err)) && flag) {
            out = api_device_wrap(out, "pending", true);
            status = 202;
        }
        break;
    case API_DEVICE_NONE:
        app_error_set(&err, 405, APP_ERR_METHOD, "method not allowed");
        break;
    }
    if (out)
        http_response_json_take(&job->response, status, out);
    else
        http_response_error(&job->response, &err);
    if (arg->op != API_DEVICE_ADDRESSES) {
        snprintf(object, sizeof(object), "domain:%s/%s:%s", arg->uuid,
                 arg->op == API_DEVICE_NIC_ATTACH || arg->op == API_DEVICE_NIC_PATCH ||
                         arg->op == API_DEVICE_NIC_DETACH
                     ? "interface"
                     : "disk",
                 arg->item[0] ? arg->item : target);
        store_audit(arg->base.app->db, arg->base.username, arg->base.peer,
                    api_device_action[arg->op], object, err.code ? err.code : "ok");
        log_info("api: %s %s %s from %s: %s", arg->base.username, api_device_action[arg->op],
                 object, arg->base.peer, err.code ? err.message : "ok");
    }
    virConnectClose(conn);
}

/* ---- service thread ------------------------------------------------------------------------ */

/* Checks the body against op; fills arg. Returns 0 or -1 with err (400). */
static int api_device_body(const struct http_request *req, struct api_device_job *arg,
                           struct app_error *err)
{
    static const char *const none[] = {NULL};
    static const char *const disk_keys[] = {"source", "new", "device",   "bus", "target",
                                            "cache",  "io",  "readonly", NULL};
    static const char *const patch_keys[] = {"cache", "io", "readonly", NULL};
    static const char *const media_keys[] = {"pool", "volume", NULL};
    static const char *const nic_keys[] = {"network", "bridge",    "model", "mac",
                                           "link",    "bandwidth", "vlan",  NULL};
    const char *const *keys = none;
    struct json_object *body;
    const char *s;
    int ret = -1;

    switch (arg->op) {
    case API_DEVICE_DISK_ATTACH:
        keys = disk_keys;
        break;
    case API_DEVICE_DISK_PATCH:
        keys = patch_keys;
        break;
    case API_DEVICE_MEDIA_INSERT:
        keys = media_keys;
        break;
    case API_DEVICE_NIC_ATTACH:
    case API_DEVICE_NIC_PATCH:
        keys = nic_keys;
        break;
    default:
        break;
    }
    if (!(body = api_json_parse_object(req->body, req->body_len, keys, keys == none, err)))
        return -1;
    switch (arg->op) {
    case API_DEVICE_DISK_ATTACH:
        if (virt_device_xml_disk_parse(body, &arg->disk, err) < 0)
            goto cleanup;
        break;
    case API_DEVICE_DISK_PATCH:
        if (virt_device_xml_disk_patch_parse(body, &arg->disk_patch, err) < 0)
            goto cleanup;
        break;
    case API_DEVICE_MEDIA_INSERT:
        if (!(s = api_json_get_string(body, "pool", VIRT_DEVICE_NAME_MAX - 1, err)))
            goto cleanup;
        if (!virt_pool_xml_name_valid(s)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"pool\" is not a valid name");
            goto cleanup;
        }
        snprintf(arg->pool, sizeof(arg->pool), "%s", s);
        if (!(s = api_json_get_string(body, "volume", VIRT_DEVICE_NAME_MAX - 1, err)))
            goto cleanup;
        if (!virt_volume_xml_name_valid(s)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"volume\" is not a valid name");
            goto cleanup;
        }
        snprintf(arg->volume, sizeof(arg->volume), "%s", s);
        break;
    case API_DEVICE_NIC_ATTACH:
    case API_DEVICE_NIC_PATCH:
        if (virt_device_xml_nic_parse(body, arg->op == API_DEVICE_NIC_PATCH, &arg->nic, err) < 0)
            goto cleanup;
        break;
    default:
        break;
    }
    ret = 0;

cleanup:
    json_object_put(body);
    return ret;
}

/* Checks {item} for the route; fills arg->item. */
static int api_device_item(const struct http_request *req, struct api_device_job *arg,
                           struct app_error *err)
{
    const char *item = req->route.item;

    switch (req->route.id) {
    case ROUTE_DOMAIN_DISK:
    case ROUTE_DOMAIN_DISK_MEDIA:
        if (!virt_device_xml_target_valid(item)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "\"%.32s\" is not a disk target (3 to 6 lower-case letters, e.g. vdb)",
                          item);
            return -1;
        }
        snprintf(arg->item, sizeof(arg->item), "%.6s", item);
        return 0;
    case ROUTE_DOMAIN_INTERFACE:
        if (virt_device_xml_mac_parse(item, arg->item) < 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "\"%.32s\" is not a unicast MAC address like 52:54:00:12:34:56", item);
            return -1;
        }
        return 0;
    default:
        return 0;
    }
}

static int api_device_query(const struct http_request *req, struct api_device_job *arg,
                            struct app_error *err)
{
    char source[16];
    int found;

    if (arg->op != API_DEVICE_ADDRESSES)
        return 0;
    found = route_query_get(req->query, "source", source, sizeof(source));
    if (found == 0) {
        snprintf(arg->source, sizeof(arg->source), "lease");
        return 0;
    }
    if (found < 0 || !virt_device_address_source_valid(source)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"source\" must be lease, agent or arp");
        return -1;
    }
    snprintf(arg->source, sizeof(arg->source), "%.5s", source);
    return 0;
}

enum api_result api_domain_devices_handle(struct app *app, const struct http_request *req,
                                          struct http_response *resp)
{
    enum api_device_op op = api_device_op_for(req);
    struct auth_subject subject = {req->session.username, req->session.role};
    struct auth_object object = {AUTH_OBJECT_DOMAIN, req->route.uuid};
    struct api_device_job *arg;
    struct app_error err;

    if (op == API_DEVICE_NONE) {
        http_response_errorf(resp, 405, APP_ERR_METHOD, "method not allowed");
        return API_DONE;
    }
    if (!auth_policy_allows(&subject,
                            op == API_DEVICE_ADDRESSES ? AUTH_ACTION_DOMAIN_READ
                                                       : AUTH_ACTION_DOMAIN_CONFIGURE,
                            &object)) {
        http_response_errorf(resp, 403, APP_ERR_FORBIDDEN, "role %s may not %s this domain",
                             auth_role_name(req->session.role),
                             op == API_DEVICE_ADDRESSES ? "see" : "change the devices of");
        return API_DONE;
    }
    if (!virt_domain_uuid_valid(req->route.uuid)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "\"%.40s\" is not a UUID",
                             req->route.uuid);
        return API_DONE;
    }
    arg = xcalloc(1, sizeof(*arg));
    arg->op = op;
    snprintf(arg->uuid, sizeof(arg->uuid), "%.36s", req->route.uuid);
    app_error_clear(&err);
    if (api_device_item(req, arg, &err) < 0 || api_device_query(req, arg, &err) < 0 ||
        api_device_body(req, arg, &err) < 0) {
        http_response_error(resp, &err);
        free(arg);
        return API_DONE;
    }
    api_job_base_init(&arg->base, app, req);
    return api_job_submit(app, req, api_device_run, arg, resp);
}
