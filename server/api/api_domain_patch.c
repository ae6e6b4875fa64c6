/* api_domain_patch: the configure handler (see api_domain_patch.h). The dispatcher lets
 * only the row's members through (title and description checked there too); every
 * member is checked against the domain's definition on the worker
 * (virt_domain_config_check), before anything changes. */
#include "api/api_domain_patch.h"

#include "virt/virt_domain.h"
#include "virt/virt_domain_patch.h"

static void api_domain_patch_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_patch_apply(dom, call->body, &err);
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_patch = {.run = api_domain_patch_run};
