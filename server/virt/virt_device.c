/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_device: the libvirt side of the device endpoints (see the header).
 *
 * Worker threads only (blocking libvirt calls). Each function looks the domain up,
 * reads its live XML (when it runs) and its persistent XML (when it has one), decides
 * from them which copies a change affects, builds the device XML with the pure
 * virt_device_xml functions and makes one libvirt call per copy (one call with both
 * flags for attach and detach). Nothing is kept between calls. */
#include "virt/virt_device.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"
#include "virt/virt_network.h"
#include "virt/virt_volume.h"
#include "virt/virt_volume_bounds.h"
#include "virt/virt_volume_xml.h"

/* How long a live detach may still show the device before we answer "pending". */
#define DEVICE_DETACH_WAIT_MS 1000
#define DEVICE_DETACH_STEP_MS 100

/* A domain and its two XML documents. */
struct device_dom {
    virDomainPtr dom; /* owned */
    bool active;      /* running (or paused): has a live copy */
    bool persistent;  /* has a persistent configuration */
    char *live_xml;   /* owned; NULL unless active */
    char *config_xml; /* owned; NULL unless persistent */
};

static void device_dom_close(struct device_dom *d)
{
    if (d->dom)
        virDomainFree(d->dom);
    free(d->live_xml);
    free(d->config_xml);
    memset(d, 0, sizeof(*d));
}

/* Looks the domain up and reads what it has. Returns 0 or -1 with err. */
static int device_dom_open(virConnectPtr conn, const char *uuid, struct device_dom *d,
                           struct app_error *err)
{
    int active, persistent;

    memset(d, 0, sizeof(*d));
    if (!(d->dom = virt_domain_lookup(conn, uuid, err)))
        return -1;
    if ((active = virDomainIsActive(d->dom)) < 0 ||
        (persistent = virDomainIsPersistent(d->dom)) < 0) {
        virt_error_capture(err, "read domain state");
        goto fail;
    }
    d->active = active == 1;
    d->persistent = persistent == 1;
    if (d->active && !(d->live_xml = virDomainGetXMLDesc(d->dom, 0))) {
        virt_error_capture(err, "read domain XML");
        goto fail;
    }
    if (d->persistent && !(d->config_xml = virDomainGetXMLDesc(d->dom, VIR_DOMAIN_XML_INACTIVE))) {
        virt_error_capture(err, "read domain XML");
        goto fail;
    }
    return 0;

fail:
    device_dom_close(d);
    return -1;
}

/* Flags for adding a device: the configuration when persistent, the guest when running. */
static unsigned device_add_flags(const struct device_dom *d)
{
    return (d->persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0) |
           (d->active ? VIR_DOMAIN_AFFECT_LIVE : 0);
}

static void device_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* After a live detach: true while the live XML still has the device (disk target or
 * interface MAC), polled for up to DEVICE_DETACH_WAIT_MS. Errors count as gone. */
static bool device_still_live(virDomainPtr dom, const char *target, const char *mac)
{
    struct app_error ignored;

    for (long waited = 0;; waited += DEVICE_DETACH_STEP_MS) {
        char *xml = virDomainGetXMLDesc(dom, 0);
        int found;

        if (!xml) {
            virResetLastError();
            return false;
        }
        found = target ? virt_device_xml_disk_find(xml, target, false, NULL, NULL, 0, &ignored)
                       : virt_device_xml_nic_find(xml, mac, false, NULL, &ignored);
        free(xml);
        if (found != 1)
            return false;
        if (waited >= DEVICE_DETACH_WAIT_MS || virDomainIsActive(dom) != 1)
            return true;
        device_sleep_ms(DEVICE_DETACH_STEP_MS);
    }
}

/* The domain detail after a change. */
static struct json_object *device_detail(struct device_dom *d, struct app_error *err)
{
    return virt_domain_detail(d->dom, err);
}

/* ---- volumes ----------------------------------------------------------------------------- */

/* What a disk needs to know about a volume; strings owned. */
struct device_vol {
    virStorageVolPtr vol; /* owned */
    char *path;
    char *format;
    bool block;
};

static void device_vol_close(struct device_vol *v)
{
    if (v->vol)
        virStorageVolFree(v->vol);
    free(v->path);
    free(v->format);
    memset(v, 0, sizeof(*v));
}

static int device_vol_open(virConnectPtr conn, const char *pool, const char *name,
                           struct device_vol *v, struct app_error *err)
{
    virStorageVolInfo info;
    char *xml = NULL;
    struct json_object *obj = NULL, *fmt = NULL;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!(v->vol = virt_volume_lookup(conn, pool, name, NULL, err)))
        return -1;
    if (virStorageVolGetInfo(v->vol, &info) < 0 || !(v->path = virStorageVolGetPath(v->vol)) ||
        !(xml = virStorageVolGetXMLDesc(v->vol, 0))) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    if (info.type != VIR_STORAGE_VOL_FILE && info.type != VIR_STORAGE_VOL_BLOCK) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "volume \"%s\" is neither a file nor a block device", name);
        goto cleanup;
    }
    /* libvirt would hand the file a link leads to to the VM (and relabel it for QEMU) */
    if (virt_volume_bounds_check(v->vol, "attach", false, err) < 0)
        goto cleanup;
    v->block = info.type == VIR_STORAGE_VOL_BLOCK;
    obj = json_object_new_object();
    if (virt_volume_xml_read(xml, obj, err) < 0)
        goto cleanup;
    json_object_object_get_ex(obj, "format", &fmt);
    v->format = xstrdup(fmt && json_object_get_string(fmt) ? json_object_get_string(fmt) : "raw");
    ret = 0;

cleanup:
    json_object_put(obj);
    free(xml);
    if (ret < 0)
        device_vol_close(v);
    return ret;
}

/* Creates the volume of a "new" request. */
static int device_vol_create(virConnectPtr conn, const struct virt_device_disk_req *req,
                             struct app_error *err)
{
    struct json_object *spec = json_object_new_object(), *made;

    json_object_object_add(spec, "name", json_object_new_string(req->volume));
    json_object_object_add(spec, "capacity_bytes", json_object_new_int64((int64_t)req->capacity));
    json_object_object_add(spec, "format", json_object_new_string(req->new_format));
    made = virt_volume_create(conn, req->pool, spec, err);
    json_object_put(spec);
    if (!made)
        return -1;
    json_object_put(made);
    return 0;
}

/* Is the volume already a disk of this domain (either copy)? 409 if so. */
static int device_vol_unused(const struct device_dom *d, const struct device_vol *v,
                             const struct virt_device_disk_req *req, struct app_error *err)
{
    const char *xmls[2] = {d->live_xml, d->config_xml};

    for (int i = 0; i < 2; i++) {
        int used;

        if (!xmls[i])
            continue;
        if ((used = virt_device_xml_disk_uses(xmls[i], v->path, req->pool, req->volume, err)) < 0)
            return -1;
        if (used) {
            app_error_set(err, 409, APP_ERR_CONFLICT,
                          "volume \"%s\" of pool \"%s\" is already attached to this domain",
                          req->volume, req->pool);
            return -1;
        }
    }
    return 0;
}

/* Looks for the disk target (or, when target is NULL, the interface mac) in d's live
 * and persistent XML. *in_live / *in_config say where it is; *live / *config (when not
 * NULL) receive its element without <address>/<alias>. 0, or -1 with err. */
static int device_locate(const struct device_dom *d, const char *target, const char *mac,
                         char **live, char **config, int *in_live, int *in_config,
                         struct app_error *err)
{
    const char *xmls[2] = {d->live_xml, d->config_xml};
    char **elems[2] = {live, config};
    int *found[2] = {in_live, in_config};

    for (int i = 0; i < 2; i++) {
        bool strip = elems[i] != NULL;

        *found[i] = 0;
        if (!xmls[i])
            continue;
        *found[i] = target
                        ? virt_device_xml_disk_find(xmls[i], target, strip, elems[i], NULL, 0, err)
                        : virt_device_xml_nic_find(xmls[i], mac, strip, elems[i], err);
        if (*found[i] < 0)
            return -1;
    }
    return 0;
}

/* 409 when d already has the disk target (or, when target is NULL, the interface mac). */
static int device_absent(const struct device_dom *d, const char *target, const char *mac,
                         struct app_error *err)
{
    int in_live, in_config;

    if (device_locate(d, target, mac, NULL, NULL, &in_live, &in_config, err) < 0)
        return -1;
    if (!in_live && !in_config)
        return 0;
    if (target)
        app_error_set(err, 409, APP_ERR_CONFLICT, "disk target %s is already in use", target);
    else
        app_error_set(err, 409, APP_ERR_CONFLICT, "the domain already has an interface with MAC %s",
                      mac);
    return -1;
}

/* device_locate, and a 404 when the element is in neither copy. */
static int device_find_both(const struct device_dom *d, const char *target, const char *mac,
                            char **live, char **config, int *in_live, int *in_config,
                            struct app_error *err)
{
    if (device_locate(d, target, mac, live, config, in_live, in_config, err) < 0)
        return -1;
    if (*in_live || *in_config)
        return 0;
    if (target)
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "the domain has no disk %s", target);
    else
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "the domain has no interface with MAC %s", mac);
    return -1;
}

/* ---- disks ------------------------------------------------------------------------------- */

struct json_object *virt_device_disk_attach(virConnectPtr conn, const char *uuid,
                                            const struct virt_device_disk_req *req,
                                            char target_out[VIRT_DEVICE_TARGET_MAX],
                                            struct app_error *err)
{
    struct device_dom d = {0};
    struct device_vol v = {0};
    struct virt_device_volume vol;
    struct json_object *ret = NULL;
    char *xml = NULL;
    bool created = false, attached = false;

    target_out[0] = '\0';
    if (device_dom_open(conn, uuid, &d, err) < 0)
        goto cleanup;
    if (req->target[0]) {
        snprintf(target_out, VIRT_DEVICE_TARGET_MAX, "%s", req->target);
        if (device_absent(&d, req->target, NULL, err) < 0)
            goto cleanup;
    } else {
        const char *xmls[2] = {d.live_xml, d.config_xml};

        if (virt_device_xml_free_target(xmls, 2, strcmp(req->bus, "virtio") == 0 ? "vd" : "sd",
                                        target_out, err) < 0)
            goto cleanup;
    }
    if (req->source == VIRT_DEVICE_SOURCE_VOLUME) {
        if (device_vol_open(conn, req->pool, req->volume, &v, err) < 0 ||
            device_vol_unused(&d, &v, req, err) < 0)
            goto cleanup;
    } else if (req->source == VIRT_DEVICE_SOURCE_NEW) {
        if (device_vol_create(conn, req, err) < 0)
            goto cleanup;
        created = true;
        if (device_vol_open(conn, req->pool, req->volume, &v, err) < 0)
            goto cleanup;
    }
    vol = (struct virt_device_volume){v.path, v.block, v.format};
    if (virt_device_xml_disk_build(req, target_out, v.vol ? &vol : NULL, &xml, err) < 0)
        goto cleanup;
    if (virDomainAttachDeviceFlags(d.dom, xml, device_add_flags(&d)) < 0) {
        virt_error_capture(err, "attach disk");
        goto cleanup;
    }
    attached = true;
    ret = device_detail(&d, err);

cleanup:
    if (created && !attached) {
        /* keep the attach error; a volume we cannot delete is only logged by libvirt */
        if (!v.vol) {
            struct app_error ignored;

            v.vol = virt_volume_lookup(conn, req->pool, req->volume, NULL, &ignored);
        }
        if (v.vol && virStorageVolDelete(v.vol, 0) < 0)
            virResetLastError();
    }
    free(xml);
    device_vol_close(&v);
    device_dom_close(&d);
    return ret;
}

/* Updates the live copy with live, then the persistent one with config (each when not
 * NULL). 0, or -1 with err ("<what> ..." from libvirt). */
static int device_update_both(virDomainPtr dom, const char *live, const char *config,
                              const char *what, struct app_error *err)
{
    if ((live && virDomainUpdateDeviceFlags(dom, live, VIR_DOMAIN_AFFECT_LIVE) < 0) ||
        (config && virDomainUpdateDeviceFlags(dom, config, VIR_DOMAIN_AFFECT_CONFIG) < 0)) {
        virt_error_capture(err, what);
        return -1;
    }
    return 0;
}

/* Detaches the element found in either copy, in one call. target or mac names it. */
static struct json_object *device_detach(virConnectPtr conn, const char *uuid, const char *target,
                                         const char *mac, bool *pending, struct app_error *err)
{
    struct device_dom d = {0};
    struct json_object *ret = NULL;
    char *live = NULL, *config = NULL;
    unsigned flags = 0;
    int in_live = 0, in_config = 0;

    *pending = false;
    if (device_dom_open(conn, uuid, &d, err) < 0 ||
        device_find_both(&d, target, mac, &live, &config, &in_live, &in_config, err) < 0)
        goto cleanup;
    flags = (in_live ? VIR_DOMAIN_AFFECT_LIVE : 0) | (in_config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
    if (virDomainDetachDeviceFlags(d.dom, live ? live : config, flags) < 0) {
        virt_error_capture(err, target ? "detach disk" : "detach interface");
        goto cleanup;
    }
    if (flags & VIR_DOMAIN_AFFECT_LIVE)
        *pending = device_still_live(d.dom, target, mac);
    ret = device_detail(&d, err);

cleanup:
    free(live);
    free(config);
    device_dom_close(&d);
    return ret;
}

struct json_object *virt_device_disk_detach(virConnectPtr conn, const char *uuid,
                                            const char *target, bool *pending,
                                            struct app_error *err)
{
    return device_detach(conn, uuid, target, NULL, pending, err);
}

struct json_object *virt_device_disk_patch(virConnectPtr conn, const char *uuid, const char *target,
                                           const struct virt_device_disk_patch *patch,
                                           bool *next_boot, struct app_error *err)
{
    struct device_dom d = {0};
    struct json_object *ret = NULL;
    char *xml = NULL;

    *next_boot = false;
    if (device_dom_open(conn, uuid, &d, err) < 0)
        goto cleanup;
    if (!d.persistent) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "a transient domain has no configuration to change");
        goto cleanup;
    }
    if (virt_device_xml_disk_patch(d.config_xml, target, patch, &xml, err) < 0)
        goto cleanup;
    if (virDomainUpdateDeviceFlags(d.dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
        virt_error_capture(err, "change disk");
        goto cleanup;
    }
    *next_boot = d.active;
    ret = device_detail(&d, err);

cleanup:
    free(xml);
    device_dom_close(&d);
    return ret;
}

struct json_object *virt_device_disk_media(virConnectPtr conn, const char *uuid, const char *target,
                                           const char *pool, const char *vol, struct app_error *err)
{
    struct device_dom d = {0};
    struct device_vol v = {0};
    struct virt_device_volume medium;
    struct json_object *ret = NULL;
    char *live = NULL, *config = NULL;
    int in_live = 0, in_config = 0;

    if (device_dom_open(conn, uuid, &d, err) < 0 ||
        device_find_both(&d, target, NULL, NULL, NULL, &in_live, &in_config, err) < 0)
        goto cleanup;
    if (vol && device_vol_open(conn, pool, vol, &v, err) < 0)
        goto cleanup;
    medium = (struct virt_device_volume){v.path, v.block, v.format};
    if ((in_live &&
         virt_device_xml_disk_media(d.live_xml, target, vol ? &medium : NULL, &live, err) < 0) ||
        (in_config &&
         virt_device_xml_disk_media(d.config_xml, target, vol ? &medium : NULL, &config, err) < 0))
        goto cleanup;
    if (device_update_both(d.dom, live, config, vol ? "insert medium" : "eject medium", err) < 0)
        goto cleanup;
    ret = device_detail(&d, err);

cleanup:
    free(live);
    free(config);
    device_vol_close(&v);
    device_dom_close(&d);
    return ret;
}

/* ---- interfaces ---------------------------------------------------------------------------- */

/* 404 when the request names a network libvirt does not know. */
static int device_network_exists(virConnectPtr conn, const struct virt_device_nic_req *req,
                                 struct app_error *err)
{
    virNetworkPtr net;

    if (!req->has_network)
        return 0;
    if (!(net = virt_network_lookup(conn, req->network, err)))
        return -1;
    virNetworkFree(net);
    return 0;
}

struct json_object *virt_device_nic_attach(virConnectPtr conn, const char *uuid,
                                           const struct virt_device_nic_req *req,
                                           struct app_error *err)
{
    struct device_dom d = {0};
    struct json_object *ret = NULL;
    char *xml = NULL;

    if (device_dom_open(conn, uuid, &d, err) < 0 || device_network_exists(conn, req, err) < 0 ||
        (req->has_mac && device_absent(&d, NULL, req->mac, err) < 0))
        goto cleanup;
    if (virt_device_xml_nic_build(req, &xml, err) < 0)
        goto cleanup;
    if (virDomainAttachDeviceFlags(d.dom, xml, device_add_flags(&d)) < 0) {
        virt_error_capture(err, "attach interface");
        goto cleanup;
    }
    ret = device_detail(&d, err);

cleanup:
    free(xml);
    device_dom_close(&d);
    return ret;
}

struct json_object *virt_device_nic_patch(virConnectPtr conn, const char *uuid, const char *mac,
                                          const struct virt_device_nic_req *req, bool *next_boot,
                                          struct app_error *err)
{
    struct device_dom d = {0};
    struct json_object *ret = NULL;
    char *live = NULL, *config = NULL;
    bool live_changed = false, config_changed = false;
    int in_live = 0, in_config = 0;

    *next_boot = false;
    if (device_dom_open(conn, uuid, &d, err) < 0 || device_network_exists(conn, req, err) < 0 ||
        device_find_both(&d, NULL, mac, NULL, NULL, &in_live, &in_config, err) < 0)
        goto cleanup;
    if ((in_live &&
         virt_device_xml_nic_patch(d.live_xml, mac, req, true, &live, &live_changed, err) < 0) ||
        (in_config && virt_device_xml_nic_patch(d.config_xml, mac, req, false, &config,
                                                &config_changed, err) < 0))
        goto cleanup;
    /* the running guest first: it is what refuses changes most often */
    if (device_update_both(d.dom, live_changed ? live : NULL, config_changed ? config : NULL,
                           "change interface", err) < 0)
        goto cleanup;
    *next_boot = in_live && req->has_model;
    ret = device_detail(&d, err);

cleanup:
    free(live);
    free(config);
    device_dom_close(&d);
    return ret;
}

struct json_object *virt_device_nic_detach(virConnectPtr conn, const char *uuid, const char *mac,
                                           bool *pending, struct app_error *err)
{
    return device_detach(conn, uuid, NULL, mac, pending, err);
}

/* ---- addresses ------------------------------------------------------------------------------- */

bool virt_device_address_source_valid(const char *source)
{
    return source && (strcmp(source, "lease") == 0 || strcmp(source, "agent") == 0 ||
                      strcmp(source, "arp") == 0);
}

static unsigned device_address_source(const char *source)
{
    if (strcmp(source, "agent") == 0)
        return VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT;
    if (strcmp(source, "arp") == 0)
        return VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP;
    return VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE;
}

static struct json_object *device_iface_json(virDomainInterfacePtr iface)
{
    struct json_object *obj = json_object_new_object(), *addrs = json_object_new_array();
    char mac[VIRT_DEVICE_MAC_LEN];

    json_object_object_add(obj, "name", json_object_new_string(iface->name ? iface->name : ""));
    if (iface->hwaddr && virt_device_xml_mac_parse(iface->hwaddr, mac) == 0)
        json_object_object_add(obj, "mac", json_object_new_string(mac));
    else
        json_object_object_add(obj, "mac",
                               iface->hwaddr ? json_object_new_string(iface->hwaddr) : NULL);
    for (unsigned i = 0; i < iface->naddrs; i++) {
        struct json_object *a = json_object_new_object();
        const virDomainIPAddress *ip = &iface->addrs[i];

        json_object_object_add(
            a, "type", json_object_new_string(ip->type == VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "ipv4"));
        json_object_object_add(a, "address", json_object_new_string(ip->addr ? ip->addr : ""));
        json_object_object_add(a, "prefix", json_object_new_int(ip->prefix));
        json_object_array_add(addrs, a);
    }
    json_object_object_add(obj, "addresses", addrs);
    return obj;
}

struct json_object *virt_device_addresses(virConnectPtr conn, const char *uuid, const char *source,
                                          struct app_error *err)
{
    virDomainPtr dom = NULL;
    virDomainInterfacePtr *ifaces = NULL;
    struct json_object *ret = NULL, *list;
    int n = -1, active;

    if (!(dom = virt_domain_lookup(conn, uuid, err)))
        goto cleanup;
    if ((active = virDomainIsActive(dom)) < 0) {
        virt_error_capture(err, "read domain state");
        goto cleanup;
    }
    if (!active) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "the domain is not running");
        goto cleanup;
    }
    if ((n = virDomainInterfaceAddresses(dom, &ifaces, device_address_source(source), 0)) < 0) {
        int code = virGetLastErrorCode();

        virt_error_capture(err, "read interface addresses");
        /* no guest agent, or it does not answer: a state of the guest, not a failure */
        if (code == VIR_ERR_AGENT_UNRESPONSIVE || code == VIR_ERR_AGENT_UNSYNCED) {
            err->status = 409;
            err->code = APP_ERR_CONFLICT;
        }
        goto cleanup;
    }
    ret = json_object_new_object();
    json_object_object_add(ret, "source", json_object_new_string(source));
    list = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(list, device_iface_json(ifaces[i]));
    json_object_object_add(ret, "interfaces", list);

cleanup:
    for (int i = 0; i < n; i++)
        virDomainInterfaceFree(ifaces[i]);
    free(ifaces);
    if (dom)
        virDomainFree(dom);
    return ret;
}
