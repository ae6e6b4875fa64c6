/* api_domain_clone: the clone-a-domain endpoint (see api_domain_clone.h). The body's
 * members were checked by the dispatcher (the row's FIELDS: "name" required, by the
 * volume-name rule, since each copy's name starts with it); the run looks the source
 * up by the validated UUID on a worker. */
#include "api/api_domain_clone.h"

#include "virt/virt_domain.h"
#include "virt/virt_domain_clone.h"

static void api_domain_clone_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_clone(dom, api_call_string(call, "name"), api_call_string(call, "title"),
                                &err);
    api_reply_result(reply, 201, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_clone = {.run = api_domain_clone_run};
