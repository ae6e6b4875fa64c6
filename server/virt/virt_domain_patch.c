/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_patch: the PATCH orchestration (see virt_domain_patch.h): check, edit and
 * define the persistent definition, then rename, autostart and the live changes. Worker
 * threads only.
 *
 * Order: every check runs before the first change, so a refused body changes nothing.
 * A live change that libvirt or the guest refuses is not an error: the member stays in
 * "next_boot" (the persistent definition has it already). */
#include "virt/virt_domain_patch.h"

#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_config.h"
#include "virt/virt_error.h"
#include "virt/virt_tuning.h"
#include "virt/virt_tuning_xml.h"
#include "virt/virt_xml.h"

/* The members that leave the XML alone (renamed and set through libvirt). */
static bool patch_edits_xml(struct json_object *patch)
{
    json_object_object_foreach(patch, key, value)
    {
        (void)value;
        if (strcmp(key, "name") && strcmp(key, "autostart"))
            return true;
    }
    return false;
}

/* The tuning members of patch (virt_tuning_xml.h) checked against the host's CPUs, NUMA
 * cells and page sizes; 0 when patch has none (the host is not asked then). */
static int patch_check_tuning(virDomainPtr dom, struct json_object *patch, struct app_error *err)
{
    struct virt_host_cpus host = {0};
    bool tuning = false;
    int ret = -1;

    json_object_object_foreach(patch, key, value)
    {
        (void)value;
        tuning = tuning || virt_tuning_member(key);
    }
    if (!tuning)
        return 0;
    if (virt_tuning_host_get(virDomainGetConnect(dom), &host, err) < 0)
        goto cleanup;
    ret = virt_tuning_xml_check(patch, &host, err);

cleanup:
    virt_tuning_host_free(&host);
    return ret;
}

/* dom's XML with its secrets (the persistent definition when inactive) as a document. */
static xmlDocPtr patch_read_xml(virDomainPtr dom, bool inactive, struct app_error *err)
{
    unsigned int flags = VIR_DOMAIN_XML_SECURE | (inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
    char *xml = virDomainGetXMLDesc(dom, flags);
    xmlDocPtr doc;

    if (!xml) {
        virt_error_capture(err, "read domain XML");
        return NULL;
    }
    doc = virt_xml_read(xml, "domain", err);
    free(xml);
    return doc;
}

/* The checks that depend on the domain's state: a rename and a firmware change need it
 * shut off; the new name must be free. */
static int patch_check_state(virDomainPtr dom, struct json_object *patch, xmlNodePtr domain,
                             bool active, struct app_error *err)
{
    const char *name = NULL;
    struct json_object *v = NULL, *now;
    virDomainPtr other;

    if (json_object_object_get_ex(patch, "name", &v) &&
        strcmp(name = json_object_get_string(v), virDomainGetName(dom))) {
        if (active) {
            app_error_set(err, 409, APP_ERR_CONFLICT,
                          "a running domain cannot be renamed: shut it off first");
            app_error_at_field(err, "", "name");
            return -1;
        }
        if ((other = virDomainLookupByName(virDomainGetConnect(dom), name))) {
            virDomainFree(other);
            app_error_set(err, 409, APP_ERR_CONFLICT, "a domain named \"%s\" exists already", name);
            app_error_at_field(err, "", "name");
            return -1;
        }
        virResetLastError();
    }
    if (active && json_object_object_get_ex(patch, "firmware", &v)) {
        now = json_object_new_object();
        virt_domain_config_read(domain, false, now);
        if (strcmp(json_object_get_string(json_object_object_get(now, "firmware")),
                   json_object_get_string(v))) {
            json_object_put(now);
            app_error_set(err, 409, APP_ERR_CONFLICT,
                          "the firmware of a running domain cannot change: shut it off first");
            app_error_at_field(err, "", "firmware");
            return -1;
        }
        json_object_put(now);
    }
    return 0;
}

/* True when libvirt refused the definition itself rather than failing to reach it. */
static bool patch_refused_xml(int vir_code)
{
    return vir_code == VIR_ERR_XML_ERROR || vir_code == VIR_ERR_XML_DETAIL ||
           vir_code == VIR_ERR_XML_INVALID_SCHEMA || vir_code == VIR_ERR_CONFIG_UNSUPPORTED ||
           vir_code == VIR_ERR_INVALID_ARG;
}

/* Defines the edited definition doc. */
static int patch_define(virDomainPtr dom, xmlDocPtr doc, struct app_error *err)
{
    char *xml = virt_xml_doc_string(doc, false);
    virDomainPtr defined =
        virDomainDefineXMLFlags(virDomainGetConnect(dom), xml, VIR_DOMAIN_DEFINE_VALIDATE);
    virErrorPtr last;

    free(xml);
    if (defined) {
        virDomainFree(defined);
        return 0;
    }
    last = virGetLastError();
    if (last && patch_refused_xml(last->code)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "libvirt refused the change: %s",
                      last->message ? last->message : "invalid definition");
        virResetLastError();
    } else {
        virt_error_capture(err, "define domain");
    }
    return -1;
}

/* A live change libvirt refused: logged, left to the next boot. */
static void patch_live_failed(const char *what)
{
    log_info("virt_domain_patch: %s not applied live: %s", what, virGetLastErrorMessage());
    virResetLastError();
}

/* The VNC password of the running VM, through its live <graphics> element. */
static void patch_live_vnc(virDomainPtr dom, struct json_object *vnc)
{
    struct app_error err;
    struct json_object *password = NULL;
    xmlDocPtr live = NULL, dev = NULL;
    xmlNodePtr node;
    char *xml = NULL;

    app_error_clear(&err);
    if (!json_object_object_get_ex(vnc, "password", &password) ||
        !(live = patch_read_xml(dom, false, &err)))
        goto cleanup;
    for (node = xmlDocGetRootElement(live)->children; node; node = node->next)
        if (node->type == XML_ELEMENT_NODE && !strcmp((const char *)node->name, "devices"))
            break;
    for (node = node ? node->children : NULL; node; node = node->next) {
        xmlChar *type =
            node->type == XML_ELEMENT_NODE && !strcmp((const char *)node->name, "graphics")
                ? xmlGetProp(node, (const xmlChar *)"type")
                : NULL;
        bool vnc_node = type && !strcmp((const char *)type, "vnc");

        xmlFree(type);
        if (vnc_node)
            break;
    }
    if (!node)
        goto cleanup;
    dev = xmlNewDoc((const xmlChar *)"1.0");
    xmlDocSetRootElement(dev, xmlDocCopyNode(node, dev, 1));
    if (password)
        virt_xml_set(xmlDocGetRootElement(dev), "passwd", json_object_get_string(password));
    else
        xmlUnsetProp(xmlDocGetRootElement(dev), (const xmlChar *)"passwd");
    xml = virt_xml_doc_string(dev, false);
    if (virDomainUpdateDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
        patch_live_failed("the VNC password");

cleanup:
    if (xml)
        memset(xml, 0, strlen(xml));
    free(xml);
    xmlFreeDoc(dev);
    xmlFreeDoc(live);
}

/* The metadata member key (title or description) in the running VM. */
static void patch_live_metadata(virDomainPtr dom, struct json_object *patch, const char *key,
                                int type)
{
    struct json_object *v = NULL;
    const char *text;

    if (!json_object_object_get_ex(patch, key, &v))
        return;
    text = json_object_get_string(v);
    if (virDomainSetMetadata(dom, type, *text ? text : NULL, NULL, NULL, VIR_DOMAIN_AFFECT_LIVE) <
        0)
        patch_live_failed(key);
}

/* The changes a running VM takes without a restart. *balloon_set is true once QEMU took
 * a new balloon target: the guest gives the memory back over the next moments, and the
 * running VM's <currentMemory> follows only then (libvirt's balloon event). */
static void patch_live(virDomainPtr dom, struct json_object *patch, bool *balloon_set)
{
    struct json_object *v = NULL;
    int max_vcpus;
    unsigned long max_kib;

    patch_live_metadata(dom, patch, "title", VIR_DOMAIN_METADATA_TITLE);
    patch_live_metadata(dom, patch, "description", VIR_DOMAIN_METADATA_DESCRIPTION);
    if (json_object_object_get_ex(patch, "vcpus", &v)) {
        max_vcpus = virDomainGetMaxVcpus(dom);
        if (max_vcpus >= json_object_get_int(v)) {
            if (virDomainSetVcpusFlags(dom, (unsigned int)json_object_get_int(v),
                                       VIR_DOMAIN_AFFECT_LIVE) < 0)
                patch_live_failed("vcpus");
        } else {
            virResetLastError();
        }
    }
    if (json_object_object_get_ex(patch, "memory_mib", &v)) {
        max_kib = virDomainGetMaxMemory(dom);
        if (max_kib && (int64_t)max_kib / 1024 >= json_object_get_int64(v)) {
            if (virDomainSetMemoryFlags(dom, (unsigned long)json_object_get_int64(v) * 1024,
                                        VIR_DOMAIN_AFFECT_LIVE) < 0)
                patch_live_failed("memory_mib");
            else
                *balloon_set = true;
        } else {
            virResetLastError();
        }
    }
    if (json_object_object_get_ex(patch, "vnc", &v))
        patch_live_vnc(dom, v);
}

/* The request's members whose live value still differs from the persistent one, but
 * memory_mib once the balloon target is set (balloon_set: see patch_live). */
static struct json_object *patch_next_boot(virDomainPtr dom, struct json_object *patch,
                                           bool balloon_set, struct app_error *err)
{
    struct json_object *pending = NULL, *out = NULL;
    xmlDocPtr live = NULL, persistent = NULL;

    if (!(live = patch_read_xml(dom, false, err)) || !(persistent = patch_read_xml(dom, true, err)))
        goto cleanup;
    pending =
        virt_domain_config_pending(xmlDocGetRootElement(live), xmlDocGetRootElement(persistent));
    out = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(pending); i++) {
        const char *key = json_object_get_string(json_object_array_get_idx(pending, i));

        if (json_object_object_get_ex(patch, key, NULL) &&
            !(balloon_set && !strcmp(key, "memory_mib")))
            virt_xml_json_push(out, json_object_new_string(key));
    }

cleanup:
    json_object_put(pending);
    xmlFreeDoc(live);
    xmlFreeDoc(persistent);
    return out;
}

struct json_object *virt_domain_patch_apply(virDomainPtr dom, struct json_object *patch,
                                            struct app_error *err)
{
    struct json_object *ret = NULL, *next_boot = NULL, *detail = NULL, *v = NULL;
    xmlDocPtr doc = NULL;
    virDomainPtr renamed = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    int active, persistent;
    bool balloon_set = false;

    if ((active = virDomainIsActive(dom)) < 0 || (persistent = virDomainIsPersistent(dom)) < 0 ||
        virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "read domain state");
        goto cleanup;
    }
    if (!persistent) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "domain \"%s\" is transient: it has no definition to configure",
                      virDomainGetName(dom));
        goto cleanup;
    }
    if (!(doc = patch_read_xml(dom, true, err)) ||
        virt_domain_config_check(patch, xmlDocGetRootElement(doc), err) < 0 ||
        patch_check_state(dom, patch, xmlDocGetRootElement(doc), active, err) < 0)
        goto cleanup;
    if (patch_check_tuning(dom, patch, err) < 0)
        goto cleanup;
    if (patch_edits_xml(patch)) {
        virt_domain_config_apply(xmlDocGetRootElement(doc), patch);
        if (virt_tuning_xml_apply(xmlDocGetRootElement(doc), patch, err) < 0 ||
            patch_define(dom, doc, err) < 0)
            goto cleanup;
    }
    virt_domain_forget(uuid); /* the summary's cached title, description, VNC */
    if (json_object_object_get_ex(patch, "name", &v) &&
        strcmp(json_object_get_string(v), virDomainGetName(dom))) {
        /* the handle keeps the old name: the rest works on a fresh one */
        if (virDomainRename(dom, json_object_get_string(v), 0) < 0 ||
            !(renamed = virDomainLookupByUUIDString(virDomainGetConnect(dom), uuid))) {
            virt_error_capture(err, "rename domain");
            goto cleanup;
        }
        dom = renamed;
    }
    if (json_object_object_get_ex(patch, "autostart", &v) &&
        virDomainSetAutostart(dom, json_object_get_boolean(v)) < 0) {
        virt_error_capture(err, "set domain autostart");
        goto cleanup;
    }
    if (active) {
        patch_live(dom, patch, &balloon_set);
        if (!(next_boot = patch_next_boot(dom, patch, balloon_set, err)))
            goto cleanup;
        if (virt_tuning_apply_live(dom, patch, next_boot, err) < 0)
            goto cleanup;
    } else {
        next_boot = json_object_new_array();
    }
    if (!(detail = virt_domain_detail(dom, err)))
        goto cleanup;
    ret = json_object_new_object();
    virt_xml_json_add(ret, "detail", detail);
    virt_xml_json_add(ret, "next_boot", next_boot);
    detail = next_boot = NULL;

cleanup:
    json_object_put(next_boot);
    json_object_put(detail);
    xmlFreeDoc(doc);
    if (renamed)
        virDomainFree(renamed);
    return ret;
}
