/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_clone: full clones of shut-off domains (see virt_domain_clone.h for the
 * order and the rollback). The volume-name helper is pure; the rest runs on a worker
 * thread with the request's libvirt connection. Invariant: on failure every volume this
 * call created is deleted again and no definition is left behind. */
#include "virt/virt_domain_clone.h"

#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8_name.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"
#include "virt/virt_volume.h"
#include "virt/virt_xml.h"

#define CLONE_EXT_MAX   8   /* bytes of a kept extension, its '.' included */
#define CLONE_TRIES_MAX 100 /* candidate names for one copy */

void virt_domain_clone_volume_name(const char *vm, const char *target, const char *src, unsigned n,
                                   char *out, size_t outlen)
{
    const char *dot = strrchr(src, '.');
    const char *ext = dot && dot != src && strlen(dot) <= CLONE_EXT_MAX ? dot : "";
    char tail[UTF8_NAME_FILE_MAX + 1];
    size_t room, keep;

    if (n > 1)
        snprintf(tail, sizeof(tail), "-%.32s-%u%s", target, n, ext);
    else
        snprintf(tail, sizeof(tail), "-%.32s%s", target, ext);
    room = UTF8_NAME_FILE_MAX - strlen(tail);
    keep = utf8_name_clip(vm, strlen(vm), room);
    snprintf(out, outlen, "%.*s%s", (int)keep, vm, tail);
}

int virt_domain_clone_check_name(virConnectPtr conn, const char *name, struct app_error *err)
{
    virDomainPtr other = virDomainLookupByName(conn, name);
    virErrorPtr e;

    if (other) {
        virDomainFree(other);
        app_error_set(err, 409, APP_ERR_CONFLICT, "a domain named \"%s\" exists already", name);
        app_error_at_field(err, "", "name");
        return -1;
    }
    e = virGetLastError();
    if (e && e->code != VIR_ERR_NO_DOMAIN) {
        virt_error_capture(err, "look up domain name");
        return -1;
    }
    virResetLastError();
    return 0;
}

void virt_domain_clone_xml_drop(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = parent ? parent->children : NULL, next;

    for (; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

xmlNodePtr virt_domain_clone_xml_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
            return c;
    return NULL;
}

void virt_domain_clone_rewrite_identity(xmlNodePtr root, const char *name, const char *title)
{
    xmlNodePtr devices = virt_domain_clone_xml_child(root, "devices"), nvram, t;

    virt_domain_clone_xml_drop(root, "name");
    xmlAddPrevSibling(root->children, xmlNewDocRawNode(root->doc, NULL, BAD_CAST "name", NULL));
    xmlNodeAddContent(virt_domain_clone_xml_child(root, "name"), BAD_CAST name);
    virt_domain_clone_xml_drop(root, "uuid");
    if (title && !title[0]) {
        virt_domain_clone_xml_drop(root, "title");
    } else if (title) {
        if (!(t = virt_domain_clone_xml_child(root, "title")))
            t = virt_xml_add(root, "title");
        xmlNodeSetContent(t, NULL);
        xmlNodeAddContent(t, BAD_CAST title);
    }
    if ((nvram = virt_domain_clone_xml_child(virt_domain_clone_xml_child(root, "os"), "nvram")))
        xmlNodeSetContent(nvram, NULL);
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "interface"))
            virt_domain_clone_xml_drop(c, "mac");
}

virStorageVolPtr virt_domain_clone_disk_volume(virConnectPtr conn, xmlNodePtr source)
{
    xmlChar *pool = xmlGetProp(source, BAD_CAST "pool");
    xmlChar *volume = xmlGetProp(source, BAD_CAST "volume");
    xmlChar *file = xmlGetProp(source, BAD_CAST "file");
    xmlChar *dev = xmlGetProp(source, BAD_CAST "dev");
    virStoragePoolPtr p = NULL;
    virStorageVolPtr vol = NULL;

    if (pool && volume) {
        if ((p = virStoragePoolLookupByName(conn, (const char *)pool)))
            vol = virStorageVolLookupByName(p, (const char *)volume);
    } else if (file || dev) {
        vol = virStorageVolLookupByPath(conn, (const char *)(file ? file : dev));
    }
    if (p)
        virStoragePoolFree(p);
    if (!vol)
        virResetLastError();
    xmlFree(pool);
    xmlFree(volume);
    xmlFree(file);
    xmlFree(dev);
    return vol;
}

/* Deletes the copies listed in copies (best effort: the clone failed already). */
static void clone_rollback(virConnectPtr conn, struct json_object *copies)
{
    for (size_t i = 0; i < json_object_array_length(copies); i++) {
        struct json_object *c = json_object_array_get_idx(copies, i), *pool, *name;
        struct app_error ignored;

        app_error_clear(&ignored);
        json_object_object_get_ex(c, "pool", &pool);
        json_object_object_get_ex(c, "name", &name);
        if (virt_volume_delete(conn, json_object_get_string(pool), json_object_get_string(name),
                               &ignored) < 0)
            virResetLastError();
    }
}

/* Copies vol into a free name derived from vm and target; points source at the copy;
 * appends {"target","pool","name","path","capacity_bytes","from"} to copies. */
static int clone_copy_disk(virConnectPtr conn, virStorageVolPtr vol, unsigned long long bytes,
                           const char *vm, const char *target, xmlNodePtr source,
                           struct json_object *copies, const struct virt_clone_progress *progress,
                           struct app_error *err)
{
    virStoragePoolPtr pool = virStoragePoolLookupByVolume(vol);
    const char *src = virStorageVolGetName(vol);
    char name[UTF8_NAME_FILE_MAX + 1];
    struct json_object *made = NULL, *v, *copy;
    virStorageVolPtr other;
    int ret = -1;
    unsigned n;

    if (!pool || !src) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    for (n = 1; n <= CLONE_TRIES_MAX; n++) {
        virt_domain_clone_volume_name(vm, target, src, n, name, sizeof(name));
        if (!(other = virStorageVolLookupByName(pool, name)))
            break;
        virStorageVolFree(other);
    }
    virResetLastError();
    if (n > CLONE_TRIES_MAX) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "pool \"%s\" has no free name for the copy of disk %s",
                      virStoragePoolGetName(pool), target);
        goto cleanup;
    }
    if (progress && progress->copying)
        progress->copying(progress->ctx, virStoragePoolGetName(pool), name, bytes);
    if (!(made = virt_volume_clone(conn, virStoragePoolGetName(pool), src, name, err)))
        goto cleanup;
    copy = json_object_new_object();
    json_object_object_add(copy, "target", json_object_new_string(target));
    json_object_object_add(copy, "pool", json_object_new_string(virStoragePoolGetName(pool)));
    json_object_object_add(copy, "name", json_object_new_string(name));
    json_object_object_get_ex(made, "path", &v);
    json_object_object_add(copy, "path", json_object_get(v));
    json_object_object_get_ex(made, "capacity_bytes", &v);
    json_object_object_add(copy, "capacity_bytes", json_object_get(v));
    v = json_object_new_object();
    json_object_object_add(v, "pool", json_object_new_string(virStoragePoolGetName(pool)));
    json_object_object_add(v, "name", json_object_new_string(src));
    json_object_object_add(copy, "from", v);
    json_object_array_add(copies, copy);
    /* the disk now names the copy the way it named the original */
    json_object_object_get_ex(made, "path", &v);
    if (xmlHasProp(source, BAD_CAST "volume"))
        xmlSetProp(source, BAD_CAST "volume", BAD_CAST name);
    else if (xmlHasProp(source, BAD_CAST "file"))
        xmlSetProp(source, BAD_CAST "file", BAD_CAST json_object_get_string(v));
    else
        xmlSetProp(source, BAD_CAST "dev", BAD_CAST json_object_get_string(v));
    virt_domain_clone_xml_drop(source->parent,
                               "backingStore"); /* the copy is whole: it has no backing */
    ret = 0;

cleanup:
    json_object_put(made);
    if (pool)
        virStoragePoolFree(pool);
    return ret;
}

/* The disks of the domain document root to copy: every disk (not CD-ROM or floppy)
 * with a source must be a pool volume, else the clone is refused (409) before anything
 * is copied. Fills vols (owned by the caller: virStorageVolFree each), their disk
 * elements, their allocations (info.allocation) and *count. */
struct clone_disks {
    virStorageVolPtr vols[VIRT_CLONE_DISKS_MAX];
    xmlNodePtr disks[VIRT_CLONE_DISKS_MAX];
    unsigned long long bytes[VIRT_CLONE_DISKS_MAX];
    size_t count;
};

static void clone_disks_clear(struct clone_disks *d)
{
    for (size_t i = 0; i < d->count; i++)
        virStorageVolFree(d->vols[i]);
    d->count = 0;
}

static int clone_collect_disks(virConnectPtr conn, xmlNodePtr root, struct clone_disks *d,
                               struct app_error *err)
{
    xmlNodePtr devices = virt_domain_clone_xml_child(root, "devices");

    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        xmlChar *device, *target;
        virStorageVolInfo info;
        virStorageVolPtr vol = NULL;
        bool media;

        if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "disk"))
            continue;
        device = xmlGetProp(c, BAD_CAST "device");
        media =
            device && !xmlStrEqual(device, BAD_CAST "disk") && !xmlStrEqual(device, BAD_CAST "lun");
        xmlFree(device);
        if (media || !virt_domain_clone_xml_child(c, "source"))
            continue; /* install media (shared, read-only) or an empty drive */
        if (d->count == VIRT_CLONE_DISKS_MAX) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "more than %d disks to copy",
                          VIRT_CLONE_DISKS_MAX);
            return -1;
        }
        target = xmlGetProp(virt_domain_clone_xml_child(c, "target"), BAD_CAST "dev");
        if (!target)
            app_error_set(err, 409, APP_ERR_CONFLICT, "a disk has no target");
        else if (!(vol = virt_domain_clone_disk_volume(conn,
                                                       virt_domain_clone_xml_child(c, "source"))))
            app_error_set(err, 409, APP_ERR_CONFLICT,
                          "disk %s is no storage pool's volume: it cannot be copied",
                          (const char *)target);
        xmlFree(target);
        if (!vol)
            return -1;
        d->vols[d->count] = vol;
        d->disks[d->count++] = c;
        if (virStorageVolGetInfo(vol, &info) < 0) {
            virt_error_capture(err, "read volume");
            return -1;
        }
        d->bytes[d->count - 1] = info.allocation;
    }
    return 0;
}

/* Copies every disk clone_collect_disks lists (see the header). */
static int clone_copy_disks(virConnectPtr conn, xmlNodePtr root, const char *vm,
                            struct json_object *copies, const struct virt_clone_progress *progress,
                            struct app_error *err)
{
    struct clone_disks d = {.count = 0};
    int ret = -1;

    if (clone_collect_disks(conn, root, &d, err) < 0)
        goto cleanup;
    for (size_t i = 0; i < d.count; i++) {
        xmlChar *target =
            xmlGetProp(virt_domain_clone_xml_child(d.disks[i], "target"), BAD_CAST "dev");
        int rc = clone_copy_disk(conn, d.vols[i], d.bytes[i], vm, (const char *)target,
                                 virt_domain_clone_xml_child(d.disks[i], "source"), copies,
                                 progress, err);

        xmlFree(target);
        if (rc < 0)
            goto cleanup;
    }
    if (progress && progress->copying)
        progress->copying(progress->ctx, NULL, NULL, 0);
    ret = 0;

cleanup:
    clone_disks_clear(&d);
    return ret;
}

/* The checks both entry points make first: dom shut off, name free; then its inactive
 * XML as a document (caller frees). */
static xmlDocPtr clone_read(virDomainPtr dom, const char *name, struct app_error *err)
{
    char *xml = NULL;
    xmlDocPtr doc = NULL;

    if (virt_domain_require_shutoff(dom, "it has no definition to clone",
                                    "shut it down before cloning it", err) < 0 ||
        virt_domain_clone_check_name(virDomainGetConnect(dom), name, err) < 0)
        return NULL;
    if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)))
        virt_error_capture(err, "read domain XML");
    else
        doc = virt_xml_read(xml, "domain", err);
    free(xml);
    return doc;
}

int virt_domain_clone_check(virDomainPtr dom, const char *name, unsigned long long *bytes,
                            struct app_error *err)
{
    struct clone_disks d = {.count = 0};
    xmlDocPtr doc = clone_read(dom, name, err);
    int ret = -1;

    *bytes = 0;
    if (!doc ||
        clone_collect_disks(virDomainGetConnect(dom), xmlDocGetRootElement(doc), &d, err) < 0)
        goto cleanup;
    for (size_t i = 0; i < d.count; i++)
        *bytes += d.bytes[i];
    ret = 0;

cleanup:
    clone_disks_clear(&d);
    xmlFreeDoc(doc);
    return ret;
}

struct json_object *virt_domain_clone(virDomainPtr dom, const char *name, const char *title,
                                      const struct virt_clone_progress *progress,
                                      struct app_error *err)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    struct json_object *copies = json_object_new_array(), *detail = NULL, *out = NULL;
    virDomainPtr made = NULL;
    xmlDocPtr doc = NULL;
    char *text = NULL;

    if (!(doc = clone_read(dom, name, err)))
        goto cleanup;
    virt_domain_clone_rewrite_identity(xmlDocGetRootElement(doc), name, title);
    if (clone_copy_disks(conn, xmlDocGetRootElement(doc), name, copies, progress, err) < 0)
        goto cleanup;
    text = virt_xml_doc_string(doc, false);
    if (!(made = virDomainDefineXML(conn, text))) {
        virt_error_capture(err, "define the clone");
        goto cleanup;
    }
    if (!(detail = virt_domain_detail(made, err))) {
        if (virDomainUndefine(made) < 0)
            virResetLastError();
        goto cleanup;
    }
    out = json_object_new_object();
    json_object_object_add(out, "domain", detail);
    json_object_object_add(out, "copies", json_object_get(copies));

cleanup:
    if (!out)
        clone_rollback(conn, copies);
    json_object_put(copies);
    if (made)
        virDomainFree(made);
    xmlFreeDoc(doc);
    free(text);
    return out;
}
