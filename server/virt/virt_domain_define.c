/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_define: reads a domain's raw XML and defines a replacement (see
 * virt_domain_define.h). Worker threads only. */
#include "virt/virt_domain_define.h"

#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "virt/virt_define_xml.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"

struct json_object *virt_domain_define_get(virDomainPtr dom, bool inactive, struct app_error *err)
{
    unsigned int flags = VIR_DOMAIN_XML_SECURE | (inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
    char *xml = virDomainGetXMLDesc(dom, flags);
    struct json_object *out = NULL;

    if (!xml) {
        virt_error_capture(err, "read domain XML");
        return NULL;
    }
    out = json_object_new_object();
    json_object_object_add(out, "xml", json_object_new_string(xml));
    json_object_object_add(out, "inactive", json_object_new_boolean(inactive));
    free(xml);
    return out;
}

/* True when libvirt refused the definition itself (its syntax, schema or values), as
 * opposed to the connection or the driver failing. */
static bool virt_domain_define_refused_xml(int vir_code)
{
    switch (vir_code) {
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_XML_INVALID_SCHEMA:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_ARG:
        return true;
    default:
        return false;
    }
}

struct json_object *virt_domain_define_replace(virDomainPtr dom, const char *xml,
                                               struct app_error *err)
{
    struct json_object *out = NULL;
    virDomainPtr defined = NULL;
    virErrorPtr last;
    const char *name = virDomainGetName(dom);
    char uuid[VIR_UUID_STRING_BUFLEN];
    int active;

    if (!name || virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "read domain");
        goto cleanup;
    }
    if (virt_define_xml_check(xml, strlen(xml), name, uuid, err) < 0)
        goto cleanup;
    defined = virDomainDefineXMLFlags(virDomainGetConnect(dom), xml, VIR_DOMAIN_DEFINE_VALIDATE);
    if (!defined) {
        last = virGetLastError();
        if (last && virt_domain_define_refused_xml(last->code)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s",
                          last->message ? last->message : "libvirt refused the domain XML");
            app_error_at_field(err, "", "xml");
            virResetLastError();
        } else {
            virt_error_capture(err, "define domain");
        }
        goto cleanup;
    }
    virt_domain_forget(uuid); /* the summary's cached title, description, VNC, OS type */
    if ((active = virDomainIsActive(defined)) < 0) {
        virt_error_capture(err, "read domain state");
        goto cleanup;
    }
    if (!(out = virt_domain_define_get(defined, true, err)))
        goto cleanup;
    json_object_object_add(out, "next_boot", json_object_new_boolean(active == 1));
    json_object_object_del(out, "inactive");

cleanup:
    if (defined)
        virDomainFree(defined);
    return out;
}
