/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_patch: the configure handler (see api_domain_patch.h). The dispatcher lets
 * only the row's members through (title and description checked there too); every
 * member is checked against the domain's definition on the worker
 * (virt_domain_config_check), before anything changes. A change that gives a limited
 * user's VM more vCPUs or memory reserves them first (api_quota.h) and is applied under
 * the quota ledger's mutex. */
#include "api/api_domain_patch.h"

#include "api/api_quota.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_patch.h"

struct api_domain_patch_apply {
    virDomainPtr dom;         /* borrowed */
    struct json_object *body; /* borrowed */
    struct json_object *out;  /* the result, or NULL with err */
    struct app_error err;
};

static void api_domain_patch_apply(void *ctx)
{
    struct api_domain_patch_apply *a = ctx;

    a->out = virt_domain_patch_apply(a->dom, a->body, &a->err);
}

static void api_domain_patch_run(struct api_call *call, struct api_reply *reply)
{
    struct api_domain_patch_apply apply = {.body = call->body};
    struct virt_quota_use demand;
    uint64_t ticket = 0;

    app_error_clear(&apply.err);
    if ((apply.dom = virt_domain_lookup(call->conn, call->uuid, &apply.err)) &&
        (!api_quota_applies(call) ||
         (api_quota_patch_demand(apply.dom, call->body, &demand, &apply.err) == 0 &&
          api_quota_reserve(call, &demand, &ticket, &apply.err) == 0)))
        api_quota_settle_run(call, ticket, api_domain_patch_apply, &apply);
    api_reply_result(reply, 200, apply.out, &apply.err);
    if (apply.dom)
        virDomainFree(apply.dom);
}

const struct api_handler api_domain_patch = {.run = api_domain_patch_run};
