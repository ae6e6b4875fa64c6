/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_delete: the delete-a-domain endpoints (see api_domain_delete.h). The check
 * parses the body on the service thread (no libvirt), so a bad body is refused before
 * a job is queued; the runs look the domain up by the validated UUID on a worker. */
#include "api/api_domain_delete.h"

#include "alerts/alerts.h"
#include "api/api_owners.h"

#include "virt/virt_domain.h"
#include "virt/virt_domain_delete.h"

static int api_domain_delete_check(struct api_call *call, const struct http_request *req,
                                   struct api_reply *reply)
{
    struct virt_delete_choice *choice = api_call_state_new(call, sizeof(*choice));

    return virt_domain_delete_parse(call->body, choice, &reply->err);
}

static void api_domain_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    alerts_expect_stop(call->alerts, call->uuid); /* its destroy is not "unexpected" */
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_delete(dom, call->state, &err);
    if (out)
        api_owners_forget(call, call->uuid); /* its owner and shares go with it */
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_delete = {
    .check = api_domain_delete_check,
    .run = api_domain_delete_run,
};

static void api_domain_delete_volumes_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_delete_volumes(dom, &err);
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_delete_volumes = {.run = api_domain_delete_volumes_run};
