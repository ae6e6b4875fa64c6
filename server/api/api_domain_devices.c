/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_devices: the device handlers (see api_domain_devices.h).
 *
 * Service thread for the checks (the device request parsed from the body into
 * call->state), workers for the runs. Every change names its device in the audit
 * record: "domain:<uuid>/disk:<target>" or "domain:<uuid>/interface:<mac>" (for an
 * attach, the target libvirt was given; an attached interface has no MAC yet). */
#include "api/api_domain_devices.h"

#include <stdio.h>
#include <string.h>

#include "api/api_quota.h"
#include "api/api_self_service.h"
#include "virt/virt_device.h"
#include "virt/virt_device_xml.h"

/* {"detail": detail, key: value} */
static struct json_object *api_domain_devices_wrap(struct json_object *detail, const char *key,
                                                   bool value)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "detail", detail);
    json_object_object_add(obj, key, json_object_new_boolean(value));
    return obj;
}

/* The answer of a detach: the detail, or 202 {"pending": true, "detail"} while the
 * running guest still has the device. */
static void api_domain_devices_detached(struct api_reply *reply, struct json_object *out,
                                        bool pending, const struct app_error *err)
{
    if (out && pending)
        api_reply_json(reply, 202, api_domain_devices_wrap(out, "pending", true));
    else
        api_reply_result(reply, 200, out, err);
}

static void api_domain_devices_audit_disk(const struct api_call *call, struct api_reply *reply,
                                          const char *target)
{
    api_reply_audit_object(reply, "domain:%s/disk:%s", call->uuid, target);
}

static void api_domain_devices_audit_nic(const struct api_call *call, struct api_reply *reply)
{
    api_reply_audit_object(reply, "domain:%s/interface:%s", call->uuid, call->item);
}

/* ---- addresses ---------------------------------------------------------------------- */

static void api_domain_devices_addresses_run(struct api_call *call, struct api_reply *reply)
{
    char source[8];
    struct app_error err;

    app_error_clear(&err);
    if (!api_call_query(call, "source", source, sizeof(source)))
        snprintf(source, sizeof(source), "lease");
    api_reply_result(reply, 200, virt_device_addresses(call->conn, call->uuid, source, &err), &err);
}

const struct api_handler api_domain_devices_addresses = {.run = api_domain_devices_addresses_run};

/* ---- disks -------------------------------------------------------------------------- */

static int api_domain_devices_disk_attach_check(struct api_call *call,
                                                const struct http_request *req,
                                                struct api_reply *reply)
{
    struct virt_device_disk_req *disk = api_call_state_new(call, sizeof(*disk));

    if (virt_device_xml_disk_parse(call->body, disk, &reply->err) < 0)
        return -1;
    /* a `user` attaches an approved ISO, or a new disk in an approved pool */
    if (disk->source == VIRT_DEVICE_SOURCE_VOLUME)
        return api_self_service_require(call, AUTH_APPROVED_ISO, disk->pool, disk->volume,
                                        "source.", "volume", &reply->err);
    if (disk->source == VIRT_DEVICE_SOURCE_NEW)
        return api_self_service_require(call, AUTH_APPROVED_POOL, NULL, disk->pool, "new.", "pool",
                                        &reply->err);
    return 0;
}

struct api_domain_devices_attach {
    struct api_call *call; /* borrowed */
    char target[VIRT_DEVICE_TARGET_MAX];
    struct json_object *out; /* the detail, or NULL with err */
    struct app_error err;
};

static void api_domain_devices_attach_disk(void *ctx)
{
    struct api_domain_devices_attach *a = ctx;

    a->out =
        virt_device_disk_attach(a->call->conn, a->call->uuid, a->call->state, a->target, &a->err);
}

/* A disk (not a CD-ROM) makes a limited user's VM bigger by its volume's capacity: it is
 * reserved first and attached under the quota ledger's mutex (api_quota.h). */
static void api_domain_devices_disk_attach_run(struct api_call *call, struct api_reply *reply)
{
    const struct virt_device_disk_req *disk = call->state;
    struct api_domain_devices_attach a = {.call = call};
    struct virt_quota_use demand = {0};
    uint64_t ticket = 0;

    app_error_clear(&a.err);
    if (api_quota_applies(call) && strcmp(disk->device, "disk") == 0)
        demand.disk_gib = disk->source == VIRT_DEVICE_SOURCE_NEW
                              ? virt_quota_gib(disk->capacity)
                              : api_quota_volume_gib(call->conn, disk->pool, disk->volume);
    if (api_quota_reserve(call, &demand, &ticket, &a.err) == 0)
        api_quota_settle_run(call, ticket, api_domain_devices_attach_disk, &a);
    api_reply_result(reply, 201, a.out, &a.err);
    api_domain_devices_audit_disk(call, reply, a.target);
}

const struct api_handler api_domain_devices_disk_attach = {
    .check = api_domain_devices_disk_attach_check,
    .run = api_domain_devices_disk_attach_run,
};

static int api_domain_devices_disk_change_check(struct api_call *call,
                                                const struct http_request *req,
                                                struct api_reply *reply)
{
    struct virt_device_disk_patch *patch = api_call_state_new(call, sizeof(*patch));

    if (virt_device_xml_disk_patch_parse(call->body, patch, &reply->err) < 0)
        return -1;
    return 0;
}

static void api_domain_devices_disk_change_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out;
    struct app_error err;
    bool next_boot = false;

    app_error_clear(&err);
    if ((out = virt_device_disk_patch(call->conn, call->uuid, call->item, call->state, &next_boot,
                                      &err)))
        out = api_domain_devices_wrap(out, "next_boot", next_boot);
    api_reply_result(reply, 200, out, &err);
    api_domain_devices_audit_disk(call, reply, call->item);
}

const struct api_handler api_domain_devices_disk_change = {
    .check = api_domain_devices_disk_change_check,
    .run = api_domain_devices_disk_change_run,
};

static void api_domain_devices_disk_detach_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out;
    struct app_error err;
    bool pending = false;

    app_error_clear(&err);
    out = virt_device_disk_detach(call->conn, call->uuid, call->item, &pending, &err);
    api_domain_devices_detached(reply, out, pending, &err);
    api_domain_devices_audit_disk(call, reply, call->item);
}

const struct api_handler api_domain_devices_disk_detach = {
    .run = api_domain_devices_disk_detach_run,
};

/* ---- media -------------------------------------------------------------------------- */

/* A `user` inserts only an approved ISO (the row checked the members' shapes). */
static int api_domain_devices_media_check(struct api_call *call, const struct http_request *req,
                                          struct api_reply *reply)
{
    if (call->method != HTTP_PUT)
        return 0;
    return api_self_service_require(call, AUTH_APPROVED_ISO, api_call_string(call, "pool"),
                                    api_call_string(call, "volume"), "", "volume", &reply->err);
}

/* PUT inserts the body's volume; DELETE (no body members) ejects. */
static void api_domain_devices_media_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200,
                     virt_device_disk_media(call->conn, call->uuid, call->item,
                                            api_call_string(call, "pool"),
                                            api_call_string(call, "volume"), &err),
                     &err);
    api_domain_devices_audit_disk(call, reply, call->item);
}

const struct api_handler api_domain_devices_media = {.check = api_domain_devices_media_check,
                                                     .run = api_domain_devices_media_run};

/* ---- interfaces --------------------------------------------------------------------- */

static int api_domain_devices_nic_check(struct api_call *call, const struct http_request *req,
                                        struct api_reply *reply)
{
    struct virt_device_nic_req *nic = api_call_state_new(call, sizeof(*nic));

    if (virt_device_xml_nic_parse(call->body, call->row->item == ROUTE_ITEM_MAC, nic, &reply->err) <
        0)
        return -1;
    /* a `user`'s VM joins approved networks only */
    return api_self_service_require_nic(call, nic->has_bridge, nic->user,
                                        nic->has_bridge ? "bridge" : "user",
                                        nic->has_network ? nic->network : NULL, "", &reply->err);
}

static void api_domain_devices_nic_attach_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 201, virt_device_nic_attach(call->conn, call->uuid, call->state, &err),
                     &err);
    api_domain_devices_audit_nic(call, reply);
}

const struct api_handler api_domain_devices_nic_attach = {
    .check = api_domain_devices_nic_check,
    .run = api_domain_devices_nic_attach_run,
};

static void api_domain_devices_nic_change_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out;
    struct app_error err;
    bool next_boot = false;

    app_error_clear(&err);
    if ((out = virt_device_nic_patch(call->conn, call->uuid, call->item, call->state, &next_boot,
                                     &err)))
        out = api_domain_devices_wrap(out, "next_boot", next_boot);
    api_reply_result(reply, 200, out, &err);
    api_domain_devices_audit_nic(call, reply);
}

const struct api_handler api_domain_devices_nic_change = {
    .check = api_domain_devices_nic_check,
    .run = api_domain_devices_nic_change_run,
};

static void api_domain_devices_nic_detach_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out;
    struct app_error err;
    bool pending = false;

    app_error_clear(&err);
    out = virt_device_nic_detach(call->conn, call->uuid, call->item, &pending, &err);
    api_domain_devices_detached(reply, out, pending, &err);
    api_domain_devices_audit_nic(call, reply);
}

const struct api_handler api_domain_devices_nic_detach = {
    .run = api_domain_devices_nic_detach_run,
};
