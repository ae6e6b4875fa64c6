/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_snapshots: the snapshot handlers (see api_snapshots.h). Service thread for the
 * create check; workers for the runs. */
#include "api/api_snapshots.h"

#include <stdlib.h>
#include <string.h>

#include "virt/virt_domain.h"
#include "virt/virt_snapshot.h"
#include "virt/virt_snapshot_xml.h"

static void api_snapshots_list_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_snapshot_list(dom, &err);
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_snapshots_list = {.run = api_snapshots_list_run};

static int api_snapshots_create_check(struct api_call *call, const struct http_request *req,
                                      struct api_reply *reply)
{
    char *xml = NULL;
    int ret = virt_snapshot_xml_build(call->body, &xml, &reply->err);

    free(xml);
    return ret;
}

static void api_snapshots_create_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");
    struct app_error err;
    struct json_object *out = NULL, *named;
    virDomainPtr dom;

    app_error_clear(&err);
    api_reply_audit_object(reply, "domain:%s/snapshot:%s", call->uuid, name ? name : "");
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_snapshot_create(dom, call->body, &err);
    if (out && !name && json_object_object_get_ex(out, "name", &named)) /* libvirt named it */
        api_reply_audit_object(reply, "domain:%s/snapshot:%s", call->uuid,
                               json_object_get_string(named));
    api_reply_result(reply, 201, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_snapshots_create = {
    .check = api_snapshots_create_check,
    .run = api_snapshots_create_run,
};

static void api_snapshots_revert_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    api_reply_audit_object(reply, "domain:%s/snapshot:%s", call->uuid, call->item);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)) &&
        virt_snapshot_revert(dom, call->item, &err) == 0)
        out = virt_domain_detail(dom, &err);
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_snapshots_revert = {.run = api_snapshots_revert_run};

static void api_snapshots_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    char arg[8];
    const char *given = api_call_query(call, "children", arg, sizeof(arg));
    bool children = given && (!strcmp(given, "true") || !strcmp(given, "1") || !given[0]);
    virDomainPtr dom;

    app_error_clear(&err);
    reply->audit_suffix = children ? "-children" : "";
    api_reply_audit_object(reply, "domain:%s/snapshot:%s", call->uuid, call->item);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)) &&
        virt_snapshot_delete(dom, call->item, children, &err) == 0) {
        out = json_object_new_object();
        json_object_object_add(out, "name", json_object_new_string(call->item));
        json_object_object_add(out, "removed", json_object_new_boolean(1));
        json_object_object_add(out, "children_removed", json_object_new_boolean(children));
    }
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_snapshots_delete = {.run = api_snapshots_delete_run};
