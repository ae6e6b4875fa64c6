/* api_domains: the domain endpoints (see api_domains.h). Workers: each run looks the
 * domain up by the UUID the dispatcher validated and answers its JSON. */
#include "api/api_domains.h"

#include "virt/virt_domain.h"

static void api_domains_list_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200, virt_domain_list(call->conn, &err), &err);
}

const struct api_handler api_domains_list = {.run = api_domains_list_run};

static void api_domains_get_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *detail = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        detail = virt_domain_detail(dom, &err);
    api_reply_result(reply, 200, detail, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domains_get = {.run = api_domains_get_run};

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

static void api_domains_act_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *detail = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)) &&
        virt_domain_act(dom, call->action, &err) == 0 &&
        !(detail = virt_domain_detail(dom, &err)) && err.status == 404) {
        /* the action worked and a transient domain ended with it */
        app_error_clear(&err);
        detail = api_domains_removed(dom, call->uuid);
    }
    api_reply_result(reply, 200, detail, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domains_act = {.run = api_domains_act_run};
