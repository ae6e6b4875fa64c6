/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_template: the template mark in a domain's metadata (see
 * virt_domain_template.h). Worker threads: every function but the fragment builder
 * blocks in libvirt. */
#include "virt/virt_domain_template.h"

#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <stdlib.h>

#include "virt/virt_domain.h"
#include "virt/virt_error.h"
#include "virt/virt_xml.h"

char *virt_domain_template_fragment(void)
{
    xmlDocPtr doc = NULL;
    char *xml;

    (void)virt_xml_new_root(&doc, "template");
    xml = virt_xml_doc_string(doc, false);
    xmlFreeDoc(doc);
    return xml;
}

int virt_domain_template_get(virDomainPtr dom, bool *marked, struct app_error *err)
{
    int ret = -1, persistent;
    char *xml = NULL;
    virErrorPtr e;

    if ((persistent = virDomainIsPersistent(dom)) < 0) {
        virt_error_capture(err, "get domain persistence");
        goto cleanup;
    }
    xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VIRT_DOMAIN_TEMPLATE_NS,
                               persistent ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE);
    if (!xml) {
        e = virGetLastError();
        if (!e || e->code != VIR_ERR_NO_DOMAIN_METADATA) {
            virt_error_capture(err, "get domain metadata");
            goto cleanup;
        }
        virResetLastError(); /* no element: not a template */
    }
    *marked = xml != NULL;
    ret = 0;

cleanup:
    free(xml);
    return ret;
}

int virt_domain_template_set(virDomainPtr dom, bool on, struct app_error *err)
{
    int ret = -1, active, persistent;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    char *fragment = NULL;

    if ((active = virDomainIsActive(dom)) < 0 || (persistent = virDomainIsPersistent(dom)) < 0 ||
        virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "get domain state");
        goto cleanup;
    }
    if (active) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "only a shut-off domain can be marked or unmarked as a template");
        goto cleanup;
    }
    if (!persistent) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "a transient domain cannot be a template");
        goto cleanup;
    }
    fragment = on ? virt_domain_template_fragment() : NULL;
    /* libvirt removes the element for NULL */
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, fragment,
                             on ? VIRT_DOMAIN_TEMPLATE_PREFIX : NULL, VIRT_DOMAIN_TEMPLATE_NS,
                             VIR_DOMAIN_AFFECT_CONFIG) < 0) {
        virt_error_capture(err, "set domain template mark");
        goto cleanup;
    }
    ret = 0;

cleanup:
    virt_domain_forget(uuid);
    free(fragment);
    return ret;
}
