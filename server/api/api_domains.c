/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domains: the domain endpoints (see api_domains.h). Workers: each run looks the
 * domain up by the UUID the dispatcher validated and answers its JSON; the metadata
 * route's check runs on the service thread (no libvirt). */
#include "api/api_domains.h"

#include <string.h>

#include "alerts/alerts.h"
#include "api/api_owners.h"
#include "auth_owners.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_template.h"

/* The list with only the domains the caller sees, each with its "owner" and the
 * caller's "access". */
static void api_domains_list_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_subject subject = api_call_subject(call);
    struct json_object *list, *domains = NULL;
    struct app_error err;

    app_error_clear(&err);
    if ((list = virt_domain_list(call->conn, &err)) &&
        json_object_object_get_ex(list, "domains", &domains)) {
        auth_owners_annotate(call->owners, domains);
        json_object_object_add(list, "domains",
                               auth_owners_visible(call->owners, &subject, domains, true));
    }
    api_reply_result(reply, 200, list, &err);
}

const struct api_handler api_domains_list = {.run = api_domains_list_run};

/* Answers the detail of the call's domain, after change (when not NULL) succeeded. */
static void api_domains_detail_after(struct api_call *call, struct api_reply *reply,
                                     int (*change)(virDomainPtr dom, const struct api_call *call,
                                                   struct app_error *err))
{
    struct app_error err;
    struct json_object *detail = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)) &&
        (!change || change(dom, call, &err) == 0))
        detail = api_owners_annotate(call, call->uuid, virt_domain_detail(dom, &err));
    api_reply_result(reply, 200, detail, &err);
    if (dom)
        virDomainFree(dom);
}

static void api_domains_get_run(struct api_call *call, struct api_reply *reply)
{
    api_domains_detail_after(call, reply, NULL);
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
    /* a stop virtdeck asked for (alerts: not "stopped unexpectedly") */
    if (strcmp(call->action, "shutdown") == 0 || strcmp(call->action, "destroy") == 0 ||
        strcmp(call->action, "reboot") == 0 || strcmp(call->action, "reset") == 0)
        alerts_expect_stop(call->alerts, call->uuid);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)) &&
        virt_domain_act(dom, call->action, &err) == 0 &&
        !(detail = api_owners_annotate(call, call->uuid, virt_domain_detail(dom, &err))) &&
        err.status == 404) {
        /* the action worked and a transient domain ended with it */
        app_error_clear(&err);
        detail = api_domains_removed(dom, call->uuid);
    }
    api_reply_result(reply, 200, detail, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domains_act = {.run = api_domains_act_run};

/* PUT /api/domains/{uuid}/metadata: the row's FIELDS checked each member; at least one
 * must be there. */
static int api_domains_metadata_check(struct api_call *call, const struct http_request *req,
                                      struct api_reply *reply)
{
    if (api_call_string(call, "title") || api_call_string(call, "description"))
        return 0;
    app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST, "give \"title\", \"description\" or both");
    return -1;
}

static int api_domains_metadata_set(virDomainPtr dom, const struct api_call *call,
                                    struct app_error *err)
{
    return virt_domain_set_metadata(dom, api_call_string(call, "title"),
                                    api_call_string(call, "description"), err);
}

static void api_domains_metadata_run(struct api_call *call, struct api_reply *reply)
{
    api_domains_detail_after(call, reply, api_domains_metadata_set);
}

const struct api_handler api_domains_metadata = {
    .check = api_domains_metadata_check,
    .run = api_domains_metadata_run,
};

/* POST /api/domains/{uuid}/template: the row's FIELDS require the boolean "template". */
static int api_domains_template_set(virDomainPtr dom, const struct api_call *call,
                                    struct app_error *err)
{
    return virt_domain_template_set(dom, api_call_bool(call, "template", false), err);
}

static void api_domains_template_run(struct api_call *call, struct api_reply *reply)
{
    api_domains_detail_after(call, reply, api_domains_template_set);
}

const struct api_handler api_domains_template = {.run = api_domains_template_run};
