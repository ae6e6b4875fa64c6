/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_xml: the raw domain XML handlers (see api_domain_xml.h): the dispatcher
 * checks the body (a string "xml" within VIRT_DEFINE_XML_MAX, line breaks allowed);
 * the runs are on workers. */
#include "api/api_domain_xml.h"

#include <string.h>

#include "virt/virt_domain.h"
#include "virt/virt_domain_define.h"

static void api_domain_xml_get_run(struct api_call *call, struct api_reply *reply)
{
    char arg[8];
    const char *given = api_call_query(call, "inactive", arg, sizeof(arg));
    bool inactive = given && (!strcmp(given, "true") || !strcmp(given, "1") || !given[0]);
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_define_get(dom, inactive, &err);
    reply->secret = true; /* VNC and SPICE passwords (VIR_DOMAIN_XML_SECURE) */
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_xml_get = {.run = api_domain_xml_get_run};

static void api_domain_xml_put_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    struct json_object *out = NULL;
    virDomainPtr dom;

    app_error_clear(&err);
    if ((dom = virt_domain_lookup(call->conn, call->uuid, &err)))
        out = virt_domain_define_replace(dom, api_call_string(call, "xml"), &err);
    reply->secret = true;
    api_reply_result(reply, 200, out, &err);
    if (dom)
        virDomainFree(dom);
}

const struct api_handler api_domain_xml_put = {
    .run = api_domain_xml_put_run,
};
