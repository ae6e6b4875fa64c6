/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_quota: what a VM counts against its owner's quota (see virt_quota.h). The XML is
 * read with virt_xml's safe parser; volumes are looked up by path, or by pool and name,
 * on the caller's worker. */
#include "virt/virt_quota.h"

#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "virt/virt_domain.h"
#include "virt/virt_error.h"
#include "virt/virt_xml.h"

#define VIRT_QUOTA_GIB (1ULL << 30)

unsigned long long virt_quota_gib(unsigned long long bytes)
{
    return bytes / VIRT_QUOTA_GIB + (bytes % VIRT_QUOTA_GIB ? 1 : 0);
}

/* The number expr gives (0 when absent or not a number). */
static unsigned long long virt_quota_number(xmlXPathContextPtr ctx, const char *expr)
{
    char *s = virt_xml_xpath_string(ctx, NULL, expr), *end = NULL;
    unsigned long long n = 0;

    if (s && s[0] >= '0' && s[0] <= '9')
        n = strtoull(s, &end, 10);
    if (!end || *end)
        n = 0;
    free(s);
    return n;
}

/* The disk node's source as {"path"} or {"pool","volume"}, or NULL (nothing that counts). */
static struct json_object *virt_quota_disk(xmlXPathContextPtr ctx, xmlNodePtr disk)
{
    char *path = virt_xml_xpath_string(ctx, disk, "string(source/@file | source/@dev)");
    char *pool = virt_xml_xpath_string(ctx, disk, "string(source/@pool)");
    char *volume = virt_xml_xpath_string(ctx, disk, "string(source/@volume)");
    struct json_object *out = NULL;

    if (pool && volume) {
        out = json_object_new_object();
        virt_xml_json_add(out, "pool", json_object_new_string(pool));
        virt_xml_json_add(out, "volume", json_object_new_string(volume));
    } else if (path) {
        out = json_object_new_object();
        virt_xml_json_add(out, "path", json_object_new_string(path));
    }
    free(path);
    free(pool);
    free(volume);
    return out;
}

int virt_quota_parse(const char *xml, struct virt_quota_use *out, struct json_object **disks,
                     struct app_error *err)
{
    xmlDocPtr doc = virt_xml_read(xml, "domain", err);
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr nodes = NULL;
    unsigned long long kib;
    int ret = -1;

    memset(out, 0, sizeof(*out));
    *disks = NULL;
    if (!doc)
        goto cleanup;
    ctx = virt_xml_xpath_new(doc);
    out->vms = 1;
    out->vcpus = virt_quota_number(ctx, "string(/domain/vcpu/@current)");
    if (!out->vcpus)
        out->vcpus = virt_quota_number(ctx, "string(/domain/vcpu)");
    kib = virt_quota_number(ctx, "string(/domain/memory)"); /* libvirt writes KiB */
    out->memory_mib = kib / 1024 + (kib % 1024 ? 1 : 0);
    *disks = json_object_new_array();
    nodes = virt_xml_xpath_nodes(ctx, NULL, "/domain/devices/disk[not(@device) or @device='disk']");
    for (int i = 0; nodes && nodes->nodesetval && i < nodes->nodesetval->nodeNr; i++) {
        struct json_object *d = virt_quota_disk(ctx, nodes->nodesetval->nodeTab[i]);

        if (d)
            virt_xml_json_push(*disks, d);
    }
    ret = 0;

cleanup:
    xmlXPathFreeObject(nodes);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}

void virt_quota_disk_bytes(virConnectPtr conn, struct json_object *disk, unsigned long long *bytes)
{
    struct json_object *path = NULL, *pool = NULL, *volume = NULL;
    virStoragePoolPtr p = NULL;
    virStorageVolPtr vol = NULL;
    virStorageVolInfo info;

    if (json_object_object_get_ex(disk, "path", &path))
        vol = virStorageVolLookupByPath(conn, json_object_get_string(path));
    else if (json_object_object_get_ex(disk, "pool", &pool) &&
             json_object_object_get_ex(disk, "volume", &volume) &&
             (p = virStoragePoolLookupByName(conn, json_object_get_string(pool))))
        vol = virStorageVolLookupByName(p, json_object_get_string(volume));
    if (vol && virStorageVolGetInfo(vol, &info) == 0)
        *bytes += info.capacity;
    if (vol)
        virStorageVolFree(vol);
    if (p)
        virStoragePoolFree(p);
    virResetLastError(); /* no such volume: it counts nothing */
}

int virt_quota_domain(virDomainPtr dom, struct virt_quota_use *out, struct app_error *err)
{
    int persistent = virDomainIsPersistent(dom);
    char *xml = virDomainGetXMLDesc(dom, persistent == 1 ? VIR_DOMAIN_XML_INACTIVE : 0);
    struct json_object *disks = NULL;
    unsigned long long bytes = 0;
    int ret = -1;

    if (!xml) {
        virt_error_capture(err, "read the domain's XML");
        goto cleanup;
    }
    if (virt_quota_parse(xml, out, &disks, err) < 0)
        goto cleanup;
    for (size_t i = 0; i < json_object_array_length(disks); i++)
        virt_quota_disk_bytes(virDomainGetConnect(dom), json_object_array_get_idx(disks, i),
                              &bytes);
    out->disk_gib = virt_quota_gib(bytes);
    ret = 0;

cleanup:
    json_object_put(disks);
    free(xml);
    return ret;
}

int virt_quota_domains(virConnectPtr conn, const char (*uuids)[37], size_t n,
                       struct virt_quota_use *out, struct app_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct virt_quota_use one;
        struct app_error missing;
        virDomainPtr dom;
        int rc;

        app_error_clear(&missing);
        if (!(dom = virt_domain_lookup(conn, uuids[i], &missing))) {
            if (missing.status == 404 || missing.status == 400)
                continue; /* gone (deleted outside virtdeck): it counts nothing */
            *err = missing;
            return -1;
        }
        rc = virt_quota_domain(dom, &one, err);
        virDomainFree(dom);
        if (rc < 0)
            return -1;
        out->vms += one.vms;
        out->vcpus += one.vcpus;
        out->memory_mib += one.memory_mib;
        out->disk_gib += one.disk_gib;
    }
    return 0;
}
