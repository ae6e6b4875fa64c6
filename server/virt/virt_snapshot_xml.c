/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_snapshot_xml: JSON request → <domainsnapshot> XML, <domainsnapshot> XML →
 * snapshot fields, domain XML → the snapshot kinds it allows (see the header). Pure, any
 * thread. */
#include "virt/virt_snapshot_xml.h"

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8_name.h"
#include "util/xalloc.h"
#include "virt/virt_xml.h"

/* Reads an optional string member under kind's utf8_name rule: 1 with *out, 0 if absent,
 * -1 with err. */
static int snapshot_json_text(struct json_object *req, const char *key, enum utf8_name_kind kind,
                              const char **out, struct app_error *err)
{
    struct json_object *v;
    enum utf8_name_fault fault;

    if (!json_object_object_get_ex(req, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be a string", key);
        app_error_at_field(err, "", key);
        return -1;
    }
    fault = utf8_name_check(json_object_get_string(v), (size_t)json_object_get_string_len(v), kind);
    if (fault) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" %s", key,
                      utf8_name_fault_text(fault, kind));
        app_error_at_field(err, "", key);
        return -1;
    }
    *out = json_object_get_string(v);
    return 1;
}

int virt_snapshot_xml_build(struct json_object *req, char **out, struct app_error *err)
{
    int ret = -1;
    const char *name = NULL, *description = NULL;
    struct json_object *v;
    bool memory = false;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;

    *out = NULL;
    if (!json_object_is_type(req, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the request must be a JSON object");
        goto cleanup;
    }
    json_object_object_foreach(req, key, val)
    {
        (void)val;
        if (strcmp(key, "name") != 0 && strcmp(key, "description") != 0 &&
            strcmp(key, "memory") != 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown field \"%.64s\"", key);
            goto cleanup;
        }
    }
    if (snapshot_json_text(req, "name", UTF8_NAME_FILE, &name, err) < 0 ||
        snapshot_json_text(req, "description", UTF8_NAME_DESCRIPTION, &description, err) < 0)
        goto cleanup;
    if (json_object_object_get_ex(req, "memory", &v)) {
        if (!json_object_is_type(v, json_type_boolean)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"memory\" must be a boolean");
            app_error_at_field(err, "", "memory");
            goto cleanup;
        }
        memory = json_object_get_boolean(v);
    }

    root = virt_xml_new_root(&doc, "domainsnapshot");
    if (name)
        virt_xml_add_text(root, "name", name);
    if (description && *description)
        virt_xml_add_text(root, "description", description);
    virt_xml_add_prop(root, "memory", "snapshot", memory ? "internal" : "no");
    *out = virt_xml_doc_string(doc, false);
    ret = 0;

cleanup:
    xmlFreeDoc(doc);
    return ret;
}

/* "internal", "external" or "disk-only" for the snapshot in ctx. */
static const char *snapshot_kind(xmlXPathContextPtr ctx, const char *state)
{
    if (state && strcmp(state, "disk-snapshot") == 0)
        return "disk-only";
    if (virt_xml_xpath_bool(ctx, NULL,
                            "boolean(/domainsnapshot/memory[@snapshot='external'] | "
                            "/domainsnapshot/disks/disk[@snapshot='external'])"))
        return "external";
    return "internal";
}

struct json_object *virt_snapshot_xml_to_json(const char *xml, struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    struct json_object *obj = NULL;
    char *state = NULL, *time = NULL, *mem = NULL, *end = NULL;
    long long created = 0;
    bool memory;

    if (!(doc = virt_xml_read(xml, "domainsnapshot", err)))
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    obj = json_object_new_object();
    virt_xml_json_set_xpath(obj, "name", ctx, NULL, "string(/domainsnapshot/name)", "");
    virt_xml_json_set_xpath(obj, "description", ctx, NULL, "string(/domainsnapshot/description)",
                            NULL);
    time = virt_xml_xpath_string(ctx, NULL, "string(/domainsnapshot/creationTime)");
    if (time) {
        created = strtoll(time, &end, 10);
        if (*end || created < 0)
            created = 0;
    }
    json_object_object_add(obj, "creation_time", json_object_new_int64(created));
    state = virt_xml_xpath_string(ctx, NULL, "string(/domainsnapshot/state)");
    json_object_object_add(obj, "state", json_object_new_string(state ? state : "nostate"));
    virt_xml_json_set_xpath(obj, "parent", ctx, NULL, "string(/domainsnapshot/parent/name)", NULL);
    json_object_object_add(obj, "kind", json_object_new_string(snapshot_kind(ctx, state)));
    /* <memory> is absent in old metadata: a running VM's snapshot then held its memory */
    mem = virt_xml_xpath_string(ctx, NULL, "string(/domainsnapshot/memory/@snapshot)");
    if (mem)
        memory = strcmp(mem, "internal") == 0 || strcmp(mem, "external") == 0;
    else
        memory = state && (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0);
    json_object_object_add(obj, "memory", json_object_new_boolean(memory));

cleanup:
    free(state);
    free(time);
    free(mem);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return obj;
}

/* The first writable disk with a source whose format is not qcow2: 1 with *target and
 * *format (new strings), 0 if none. A missing driver type is raw (libvirt does not
 * probe). */
static int snapshot_first_raw_disk(xmlXPathContextPtr ctx, char **target, char **format)
{
    xmlXPathObjectPtr disks;
    int found = 0;

    disks = virt_xml_xpath_nodes(ctx, NULL,
                                 "/domain/devices/disk[@device='disk' or not(@device)]"
                                 "[not(readonly)][source/@file or source/@dev or source/@name "
                                 "or source/@volume]");
    for (int i = 0; disks && i < disks->nodesetval->nodeNr && !found; i++) {
        xmlNodePtr disk = disks->nodesetval->nodeTab[i];
        char *type = virt_xml_xpath_string(ctx, disk, "string(driver/@type)");

        if (!type || strcmp(type, "qcow2") != 0) {
            *target = virt_xml_xpath_string(ctx, disk, "string(target/@dev)");
            *format = type ? type : xstrdup("raw");
            found = 1;
        } else {
            free(type);
        }
    }
    xmlXPathFreeObject(disks);
    return found;
}

struct json_object *virt_snapshot_xml_can(const char *domain_xml, bool active,
                                          struct app_error *err)
{
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    struct json_object *can = NULL;
    char *target = NULL, *format = NULL;
    bool internal = true, disks;

    if (!(doc = virt_xml_read(domain_xml, "domain", err)))
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    can = json_object_new_object();
    disks = virt_xml_xpath_bool(ctx, NULL,
                                "boolean(/domain/devices/disk[@device='disk' or not(@device)]"
                                "[not(readonly)])");
    if (snapshot_first_raw_disk(ctx, &target, &format)) {
        internal = false;
        json_object_object_add(can, "internal", json_object_new_boolean(0));
        json_object_object_add(can, "reason", json_object_new_string("raw_disk"));
        json_object_object_add(can, "disk", json_object_new_string(target ? target : ""));
        json_object_object_add(can, "format", json_object_new_string(format));
    } else if (virt_xml_xpath_bool(ctx, NULL, "boolean(/domain/os/loader[@type='pflash'])")) {
        internal = false;
        json_object_object_add(can, "internal", json_object_new_boolean(0));
        json_object_object_add(can, "reason", json_object_new_string("pflash"));
    } else {
        json_object_object_add(can, "internal", json_object_new_boolean(1));
    }
    json_object_object_add(can, "memory", json_object_new_boolean(active && internal && disks));
    if (!active)
        json_object_object_add(can, "memory_reason", json_object_new_string("not_running"));
    else if (!internal)
        json_object_object_add(can, "memory_reason", json_object_new_string("internal"));
    else if (!disks)
        json_object_object_add(can, "memory_reason", json_object_new_string("no_disk"));

cleanup:
    free(target);
    free(format);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return can;
}
