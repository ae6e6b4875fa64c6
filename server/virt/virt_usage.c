/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_usage: an index of the networks, bridges and disks every domain uses.
 *
 * Worker threads only (virt_usage_collect blocks in libvirt); the index is a plain
 * value owned by its caller. Each domain contributes its live XML and, when it is
 * persistent and running, its inactive XML too; the same device seen twice is kept
 * once. The XML is read with libxml2 without network access or entity substitution. */
#include "virt/virt_usage.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_xml.h"

struct virt_usage_domain {
    char uuid[VIR_UUID_STRING_BUFLEN];
    char *name; /* owned */
    bool active;
};

struct virt_usage_nic {
    size_t domain;
    char *network; /* owned, NULL unless <source network> */
    char *bridge;  /* owned, NULL unless <source bridge> */
    char *mac;     /* owned, "" if none */
};

struct virt_usage_disk {
    size_t domain;
    char *path;   /* owned, NULL unless <source file|dev> */
    char *pool;   /* owned, NULL unless <source pool volume> */
    char *volume; /* owned */
    char *target; /* owned, "" if none */
    char *device; /* owned: disk, cdrom, ... */
};

struct virt_usage {
    struct virt_usage_domain *domains; /* owned array */
    size_t ndomains;
    struct virt_usage_nic *nics; /* owned array */
    size_t nnics;
    struct virt_usage_disk *disks; /* owned array */
    size_t ndisks;
};

struct virt_usage *virt_usage_new(void)
{
    return xcalloc(1, sizeof(struct virt_usage));
}

void virt_usage_free(struct virt_usage *usage)
{
    if (!usage)
        return;
    for (size_t i = 0; i < usage->ndomains; i++)
        free(usage->domains[i].name);
    for (size_t i = 0; i < usage->nnics; i++) {
        free(usage->nics[i].network);
        free(usage->nics[i].bridge);
        free(usage->nics[i].mac);
    }
    for (size_t i = 0; i < usage->ndisks; i++) {
        free(usage->disks[i].path);
        free(usage->disks[i].pool);
        free(usage->disks[i].volume);
        free(usage->disks[i].target);
        free(usage->disks[i].device);
    }
    free(usage->domains);
    free(usage->nics);
    free(usage->disks);
    free(usage);
}

static bool usage_streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A copy of node's attribute, or NULL. */
static char *usage_prop(xmlNodePtr node, const char *name)
{
    xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
    char *out = v ? xstrdup((const char *)v) : NULL;

    xmlFree(v);
    return out;
}

/* The index of uuid among the domains, adding it when new. */
static size_t usage_domain(struct virt_usage *usage, const char *uuid, const char *name,
                           bool active)
{
    struct virt_usage_domain *d;

    for (size_t i = 0; i < usage->ndomains; i++)
        if (!strcmp(usage->domains[i].uuid, uuid))
            return i;
    usage->domains = xrealloc(usage->domains, (usage->ndomains + 1) * sizeof(*usage->domains));
    d = &usage->domains[usage->ndomains];
    snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
    d->name = xstrdup(name);
    d->active = active;
    return usage->ndomains++;
}

static void usage_add_nic(struct virt_usage *usage, size_t domain, xmlNodePtr iface)
{
    xmlNodePtr source = virt_xml_child(iface, "source");
    struct virt_usage_nic nic = {domain, usage_prop(source, "network"),
                                 usage_prop(source, "bridge"),
                                 usage_prop(virt_xml_child(iface, "mac"), "address")};

    if (!nic.mac)
        nic.mac = xstrdup("");
    for (size_t i = 0; i < usage->nnics; i++) {
        struct virt_usage_nic *n = &usage->nics[i];
        if (n->domain == domain && !strcmp(n->mac, nic.mac) &&
            usage_streq(n->network, nic.network) && usage_streq(n->bridge, nic.bridge)) {
            free(nic.network);
            free(nic.bridge);
            free(nic.mac);
            return;
        }
    }
    usage->nics = xrealloc(usage->nics, (usage->nnics + 1) * sizeof(*usage->nics));
    usage->nics[usage->nnics++] = nic;
}

static void usage_add_disk(struct virt_usage *usage, size_t domain, xmlNodePtr disk)
{
    xmlNodePtr source = virt_xml_child(disk, "source");
    struct virt_usage_disk d = {.domain = domain};

    if (!source)
        return; /* an empty CD-ROM drive uses nothing */
    if (!(d.path = usage_prop(source, "file")))
        d.path = usage_prop(source, "dev");
    d.pool = usage_prop(source, "pool");
    d.volume = usage_prop(source, "volume");
    if (!d.path && !(d.pool && d.volume)) {
        free(d.pool);
        free(d.volume);
        return; /* network disks and the like are outside any local pool */
    }
    if (!(d.target = usage_prop(virt_xml_child(disk, "target"), "dev")))
        d.target = xstrdup("");
    if (!(d.device = usage_prop(disk, "device")))
        d.device = xstrdup("disk");
    for (size_t i = 0; i < usage->ndisks; i++) {
        struct virt_usage_disk *o = &usage->disks[i];
        if (o->domain == domain && !strcmp(o->target, d.target) && usage_streq(o->path, d.path) &&
            usage_streq(o->pool, d.pool) && usage_streq(o->volume, d.volume)) {
            free(d.path);
            free(d.pool);
            free(d.volume);
            free(d.target);
            free(d.device);
            return;
        }
    }
    usage->disks = xrealloc(usage->disks, (usage->ndisks + 1) * sizeof(*usage->disks));
    usage->disks[usage->ndisks++] = d;
}

int virt_usage_add_xml(struct virt_usage *usage, const char *uuid, const char *name, bool active,
                       const char *xml)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, devices;
    struct app_error err;
    size_t domain;

    if (!(doc = virt_xml_read(xml, "domain", &err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    domain = usage_domain(usage, uuid, name, active);
    devices = virt_xml_child(root, "devices");
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)c->name, "interface"))
            usage_add_nic(usage, domain, c);
        else if (!strcmp((const char *)c->name, "disk"))
            usage_add_disk(usage, domain, c);
    }
    ret = 0;

cleanup:
    xmlFreeDoc(doc);
    return ret;
}

/* Adds one domain: its current XML, and its inactive XML as well when it runs. */
static void usage_add_domain(struct virt_usage *usage, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name = virDomainGetName(dom);
    int active = virDomainIsActive(dom);
    char *xml = NULL;

    if (!name || active < 0 || virDomainGetUUIDString(dom, uuid) < 0)
        return; /* it vanished while we looked */
    if ((xml = virDomainGetXMLDesc(dom, 0)) &&
        virt_usage_add_xml(usage, uuid, name, active == 1, xml) < 0)
        usage_domain(usage, uuid, name, active == 1);
    free(xml);
    if (active == 1 && virDomainIsPersistent(dom) == 1 &&
        (xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE))) {
        if (virt_usage_add_xml(usage, uuid, name, true, xml) < 0)
            usage_domain(usage, uuid, name, true);
        free(xml);
    }
}

struct virt_usage *virt_usage_collect(virConnectPtr conn, struct app_error *err)
{
    virDomainPtr *doms = NULL;
    struct virt_usage *usage = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);

    if (n < 0) {
        virt_error_capture(err, "list domains");
        goto cleanup;
    }
    usage = virt_usage_new();
    for (int i = 0; i < n; i++)
        usage_add_domain(usage, doms[i]);

cleanup:
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return usage;
}

/* {"uuid","name","active"} of domain i. */
static struct json_object *usage_domain_json(const struct virt_usage *usage, size_t i)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "uuid", json_object_new_string(usage->domains[i].uuid));
    json_object_object_add(obj, "name", json_object_new_string(usage->domains[i].name));
    json_object_object_add(obj, "active", json_object_new_boolean(usage->domains[i].active));
    return obj;
}

struct json_object *virt_usage_network_users(const struct virt_usage *usage, const char *network,
                                             const char *bridge, bool *any_active)
{
    struct json_object *list = json_object_new_array();

    if (any_active)
        *any_active = false;
    for (size_t i = 0; i < usage->nnics; i++) {
        const struct virt_usage_nic *nic = &usage->nics[i];
        struct json_object *obj;

        if (!((network && nic->network && !strcmp(nic->network, network)) ||
              (bridge && nic->bridge && !strcmp(nic->bridge, bridge))))
            continue;
        obj = usage_domain_json(usage, nic->domain);
        json_object_object_add(obj, "mac", json_object_new_string(nic->mac));
        json_object_array_add(list, obj);
        if (any_active && usage->domains[nic->domain].active)
            *any_active = true;
    }
    return list;
}

/* True if path lies inside directory dir ("/a/b" is inside "/a", "/ab" is not). */
static bool usage_path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    return n > 0 && !strncmp(path, dir, n) && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* The disks that match(disk, a, b), as a JSON array of users. */
static struct json_object *usage_disk_users(const struct virt_usage *usage,
                                            bool (*match)(const struct virt_usage_disk *,
                                                          const char *, const char *, const char *),
                                            const char *a, const char *b, const char *c,
                                            bool *any_active)
{
    struct json_object *list = json_object_new_array();

    if (any_active)
        *any_active = false;
    for (size_t i = 0; i < usage->ndisks; i++) {
        const struct virt_usage_disk *disk = &usage->disks[i];
        struct json_object *obj;

        if (!match(disk, a, b, c))
            continue;
        obj = usage_domain_json(usage, disk->domain);
        json_object_object_add(obj, "target", json_object_new_string(disk->target));
        json_object_object_add(obj, "device", json_object_new_string(disk->device));
        json_object_array_add(list, obj);
        if (any_active && usage->domains[disk->domain].active)
            *any_active = true;
    }
    return list;
}

static bool usage_match_volume(const struct virt_usage_disk *disk, const char *path,
                               const char *pool, const char *volume)
{
    if (path && disk->path && !strcmp(disk->path, path))
        return true;
    return pool && volume && disk->pool && disk->volume && !strcmp(disk->pool, pool) &&
           !strcmp(disk->volume, volume);
}

static bool usage_match_pool(const struct virt_usage_disk *disk, const char *pool_name,
                             const char *target_path, const char *unused)
{
    if (pool_name && disk->pool && !strcmp(disk->pool, pool_name))
        return true;
    return target_path && target_path[0] && disk->path && usage_path_under(disk->path, target_path);
}

struct json_object *virt_usage_volume_users(const struct virt_usage *usage, const char *path,
                                            const char *pool, const char *volume, bool *any_active)
{
    return usage_disk_users(usage, usage_match_volume, path, pool, volume, any_active);
}

struct json_object *virt_usage_pool_users(const struct virt_usage *usage, const char *pool_name,
                                          const char *target_path, bool *any_active)
{
    return usage_disk_users(usage, usage_match_pool, pool_name, target_path, NULL, any_active);
}

struct json_object *virt_usage_domain_disks(const struct virt_usage *usage, const char *uuid)
{
    struct json_object *list = json_object_new_array();

    for (size_t i = 0; i < usage->ndisks; i++) {
        const struct virt_usage_disk *disk = &usage->disks[i];
        struct json_object *obj;

        if (strcmp(usage->domains[disk->domain].uuid, uuid))
            continue;
        obj = json_object_new_object();
        if (disk->path)
            json_object_object_add(obj, "path", json_object_new_string(disk->path));
        if (disk->pool && disk->volume) {
            json_object_object_add(obj, "pool", json_object_new_string(disk->pool));
            json_object_object_add(obj, "volume", json_object_new_string(disk->volume));
        }
        json_object_object_add(obj, "target", json_object_new_string(disk->target));
        json_object_object_add(obj, "device", json_object_new_string(disk->device));
        json_object_array_add(list, obj);
    }
    return list;
}

void virt_usage_names(struct json_object *users, bool active_only, char *out, size_t len)
{
    size_t i, used = 0;
    struct json_object *u, *v;

    out[0] = '\0';
    for (i = 0; i < json_object_array_length(users); i++) {
        u = json_object_array_get_idx(users, i);
        if (active_only &&
            (!json_object_object_get_ex(u, "active", &v) || !json_object_get_boolean(v)))
            continue;
        json_object_object_get_ex(u, "name", &v);
        if (used < len) {
            int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "",
                             json_object_get_string(v));
            used += n > 0 ? (size_t)n : 0;
        }
    }
}
