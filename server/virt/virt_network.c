/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_network: virtual networks through libvirt (worker threads only).
 *
 * Every function here blocks in libvirt and reports a failure once, where it happens,
 * through virt_error_capture() on the same thread. Create is all-or-nothing: a network
 * that was defined but could not be started or marked autostart is undefined again.
 * Which domains use a network comes from virt_usage (their live and persistent XML):
 * interfaces with <source network=NAME>, and, for the networks whose bridge libvirt
 * creates and removes (every mode but bridge), interfaces on that bridge directly. */
#include "virt/virt_network.h"

#include <ifaddrs.h>
#include <libvirt/virterror.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_host.h"
#include "virt/virt_network_xml.h"
#include "virt/virt_usage.h"
#include "virt/virt_xml.h"

/* The bridge whose direct users count as users of a network with these fields: the
 * bridge libvirt manages for it (NULL for mode bridge/other or when unknown). */
static const char *network_managed_bridge(struct json_object *fields)
{
    struct json_object *mode = NULL, *bridge = NULL;

    if (!json_object_object_get_ex(fields, "mode", &mode) ||
        !json_object_object_get_ex(fields, "bridge", &bridge) || !bridge)
        return NULL;
    if (!strcmp(json_object_get_string(mode), "bridge") ||
        !strcmp(json_object_get_string(mode), "other"))
        return NULL;
    return json_object_get_string(bridge);
}

/* [{"uuid","name","active"}] of the domains using the network, each once. */
static struct json_object *network_users(const struct virt_usage *usage, const char *name,
                                         const char *bridge, bool *any_active)
{
    struct json_object *users = virt_usage_network_users(usage, name, bridge, any_active);
    struct json_object *out = json_object_new_array();

    for (size_t i = 0; i < json_object_array_length(users); i++) {
        struct json_object *u = json_object_array_get_idx(users, i);
        struct json_object *uuid = NULL, *uname = NULL, *active = NULL, *d;
        bool seen = false;

        json_object_object_get_ex(u, "uuid", &uuid);
        json_object_object_get_ex(u, "name", &uname);
        json_object_object_get_ex(u, "active", &active);
        for (size_t j = 0; j < json_object_array_length(out) && !seen; j++) {
            struct json_object *prev = NULL;

            json_object_object_get_ex(json_object_array_get_idx(out, j), "uuid", &prev);
            seen = !strcmp(json_object_get_string(prev), json_object_get_string(uuid));
        }
        if (seen)
            continue;
        d = json_object_new_object();
        virt_xml_json_add(d, "uuid", json_object_new_string(json_object_get_string(uuid)));
        virt_xml_json_add(d, "name", json_object_new_string(json_object_get_string(uname)));
        virt_xml_json_add(d, "active", json_object_new_boolean(json_object_get_boolean(active)));
        virt_xml_json_push(out, d);
    }
    json_object_put(users);
    return out;
}

/* The XML fields of net (virt_network_xml_to_json) in a new object; NULL with err. */
static struct json_object *network_xml_fields(virNetworkPtr net, struct app_error *err)
{
    struct json_object *fields = NULL;
    char *xml = virNetworkGetXMLDesc(net, 0);

    if (!xml) {
        virt_error_capture(err, "read network XML");
        return NULL;
    }
    fields = json_object_new_object();
    if (virt_network_xml_to_json(xml, fields, err) < 0) {
        json_object_put(fields);
        fields = NULL;
    }
    free(xml);
    return fields;
}

/* The network object with its users taken from usage. NULL with err. */
static struct json_object *network_object_with(virNetworkPtr net, const struct virt_usage *usage,
                                               struct app_error *err)
{
    static const char *const xml_keys[] = {"mode",   "bridge", "forward_dev", "mtu",
                                           "domain", "ipv4",   "ipv6",        NULL};
    struct json_object *obj = NULL, *fields = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name = virNetworkGetName(net);
    int active, persistent, autostart = 0;

    if (!name || virNetworkGetUUIDString(net, uuid) < 0 || (active = virNetworkIsActive(net)) < 0 ||
        (persistent = virNetworkIsPersistent(net)) < 0 ||
        virNetworkGetAutostart(net, &autostart) < 0) {
        virt_error_capture(err, "read network");
        return NULL;
    }
    if (!(fields = network_xml_fields(net, err)))
        return NULL;
    obj = json_object_new_object();
    virt_xml_json_add(obj, "name", json_object_new_string(name));
    virt_xml_json_add(obj, "uuid", json_object_new_string(uuid));
    virt_xml_json_add(obj, "active", json_object_new_boolean(active));
    virt_xml_json_add(obj, "persistent", json_object_new_boolean(persistent));
    virt_xml_json_add(obj, "autostart", json_object_new_boolean(autostart != 0));
    for (const char *const *k = xml_keys; *k; k++) {
        struct json_object *v = NULL;

        json_object_object_get_ex(fields, *k, &v);
        virt_xml_json_add(obj, *k, json_object_get(v));
    }
    virt_xml_json_add(obj, "domains",
                      network_users(usage, name, network_managed_bridge(fields), NULL));
    json_object_put(fields);
    return obj;
}

struct json_object *virt_network_object(virConnectPtr conn, virNetworkPtr net,
                                        struct app_error *err)
{
    struct virt_usage *usage = virt_usage_collect(conn, err);
    struct json_object *obj;

    if (!usage)
        return NULL;
    obj = network_object_with(net, usage, err);
    virt_usage_free(usage);
    return obj;
}

struct json_object *virt_network_list(virConnectPtr conn, struct app_error *err)
{
    virNetworkPtr *nets = NULL;
    struct virt_usage *usage = NULL;
    struct json_object *arr = NULL, *ret = NULL;
    int n = virConnectListAllNetworks(conn, &nets, 0);

    if (n < 0) {
        virt_error_capture(err, "list networks");
        goto cleanup;
    }
    if (!(usage = virt_usage_collect(conn, err)))
        goto cleanup;
    arr = json_object_new_array();
    for (int i = 0; i < n; i++)
        if (virt_xml_json_list_add(arr, network_object_with(nets[i], usage, err), err) < 0)
            goto cleanup;
    ret = virt_xml_json_list_take(arr, "networks");
    arr = NULL;

cleanup:
    json_object_put(arr);
    virt_usage_free(usage);
    for (int i = 0; i < n; i++)
        virNetworkFree(nets[i]);
    free(nets);
    return ret;
}

void virt_network_absent(const char *name, struct app_error *err)
{
    app_error_set(err, 404, APP_ERR_NOT_FOUND, "no network named \"%s\"", name);
}

virNetworkPtr virt_network_lookup(virConnectPtr conn, const char *name, struct app_error *err)
{
    virNetworkPtr net;

    if (!virt_network_xml_name_valid(name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid network name",
                      name ? name : "");
        return NULL;
    }
    if (!(net = virNetworkLookupByName(conn, name))) {
        virt_error_capture(err, "look up network");
        if (err->status == 404)
            virt_network_absent(name, err);
    }
    return net;
}

/* True for a connection to this host's own hypervisor ("qemu:///system"), not the
 * in-process test driver: only then does /sys/class/net describe its interfaces. */
static bool network_conn_local_host(virConnectPtr conn)
{
    const char *type = virConnectGetType(conn);
    char *uri = virConnectGetURI(conn);
    bool local = uri && strstr(uri, ":///") && type && strcmp(type, "TEST") != 0;

    free(uri);
    virResetLastError();
    return local;
}

/* The subnet of family key ("ipv4"/"ipv6") in a network's fields; -1 if it has none. */
static int network_fields_subnet(struct json_object *fields, const char *key, int family,
                                 struct virt_subnet *out)
{
    struct json_object *ip = NULL, *address = NULL, *prefix = NULL;

    if (!json_object_object_get_ex(fields, key, &ip) || !ip ||
        !json_object_object_get_ex(ip, "address", &address) ||
        !json_object_object_get_ex(ip, "prefix", &prefix) || !prefix)
        return -1;
    return virt_subnet_parse(json_object_get_string(address), family,
                             (unsigned)json_object_get_int(prefix), out);
}

/* True, with err (409), when a subnet of spec overlaps the subnet of the network named
 * name whose fields these are. */
static bool network_subnet_clash(const struct virt_network_spec *spec, struct json_object *fields,
                                 const char *name, struct app_error *err)
{
    for (size_t k = 0; k < spec->nsubnets; k++) {
        const struct virt_subnet *want = &spec->subnets[k];
        struct virt_subnet have;
        char a[VIRT_SUBNET_TEXT_MAX], b[VIRT_SUBNET_TEXT_MAX];

        if (network_fields_subnet(fields, want->family == AF_INET ? "ipv4" : "ipv6", want->family,
                                  &have) < 0 ||
            !virt_subnet_overlap(want, &have))
            continue;
        virt_subnet_format(want, a, sizeof(a));
        virt_subnet_format(&have, b, sizeof(b));
        app_error_set(err, 409, APP_ERR_CONFLICT, "%s overlaps network '%s' (%s)", a, name, b);
        app_error_at_field(err, want->family == AF_INET ? "ipv4." : "ipv6.", "address");
        return true;
    }
    return false;
}

/* One walk over the defined networks for what a new one must not share with them:
 * with subnets, refuses (409) a subnet of spec that overlaps one of theirs; with bridge
 * (not NULL), sets *bridge_taken when one of them uses that bridge name. */
static int network_walk_defined(virConnectPtr conn, const struct virt_network_spec *spec,
                                bool subnets, const char *bridge, bool *bridge_taken,
                                struct app_error *err)
{
    virNetworkPtr *nets = NULL;
    int n = virConnectListAllNetworks(conn, &nets, 0);
    int ret = -1;

    *bridge_taken = false;
    if (n < 0) {
        virt_error_capture(err, "list networks");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct json_object *fields = network_xml_fields(nets[i], err);
        struct json_object *b = NULL;
        bool clash;

        if (!fields) {
            if (err->status != 404)
                goto cleanup;
            app_error_clear(err);
            continue;
        }
        clash = subnets && network_subnet_clash(spec, fields, virNetworkGetName(nets[i]), err);
        if (bridge && json_object_object_get_ex(fields, "bridge", &b) && b &&
            !strcmp(json_object_get_string(b), bridge))
            *bridge_taken = true;
        json_object_put(fields);
        if (clash)
            goto cleanup;
    }
    ret = 0;

cleanup:
    for (int i = 0; i < n; i++)
        virNetworkFree(nets[i]);
    free(nets);
    return ret;
}

/* Prefix length of a contiguous netmask of bytes octets. */
static unsigned network_mask_prefix(const unsigned char *mask, size_t bytes)
{
    unsigned n = 0;

    while (n < bytes * 8 && (mask[n / 8] & (0x80u >> (n % 8))))
        n++;
    return n;
}

/* Refuses (409) when a subnet of spec overlaps an address of a host interface. */
static int network_overlap_interfaces(const struct virt_network_spec *spec, struct app_error *err)
{
    struct ifaddrs *list = NULL;
    int ret = 0;

    if (getifaddrs(&list) < 0)
        return 0; /* nothing to compare with: libvirt still refuses a clash on start */
    for (const struct ifaddrs *ifa = list; ifa && ret == 0; ifa = ifa->ifa_next) {
        int family = ifa->ifa_addr ? ifa->ifa_addr->sa_family : 0;
        const void *addr, *mask;
        size_t bytes;
        struct virt_subnet have;

        if ((family != AF_INET && family != AF_INET6) || !ifa->ifa_netmask ||
            (ifa->ifa_flags & IFF_LOOPBACK))
            continue;
        if (family == AF_INET) {
            addr = &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
            mask = &((const struct sockaddr_in *)(const void *)ifa->ifa_netmask)->sin_addr;
            bytes = 4;
        } else {
            addr = &((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;
            mask = &((const struct sockaddr_in6 *)(const void *)ifa->ifa_netmask)->sin6_addr;
            bytes = 16;
        }
        if (virt_subnet_set(family, addr, network_mask_prefix(mask, bytes), &have) < 0)
            continue;
        for (size_t k = 0; k < spec->nsubnets; k++) {
            char a[VIRT_SUBNET_TEXT_MAX], b[VIRT_SUBNET_TEXT_MAX];

            if (!virt_subnet_overlap(&spec->subnets[k], &have))
                continue;
            virt_subnet_format(&spec->subnets[k], a, sizeof(a));
            virt_subnet_format(&have, b, sizeof(b));
            app_error_set(err, 409, APP_ERR_CONFLICT, "%s overlaps interface %s (%s)", a,
                          ifa->ifa_name, b);
            app_error_at_field(err, spec->subnets[k].family == AF_INET ? "ipv4." : "ipv6.",
                               "address");
            ret = -1;
            break;
        }
    }
    freeifaddrs(list);
    return ret;
}

/* The refusals that need the host or the other networks (see the header). */
static int network_create_check(virConnectPtr conn, const struct virt_network_spec *spec,
                                struct app_error *err)
{
    virNetworkPtr existing = virNetworkLookupByName(conn, spec->name);
    bool local = network_conn_local_host(conn);
    bool subnets = !spec->force && spec->nsubnets;
    /* a bridge virtdeck is to create (mode "bridge" names an existing host bridge) */
    const char *named_bridge = spec->bridge && strcmp(spec->mode, "bridge") ? spec->bridge : NULL;
    bool taken = false;
    char path[64];

    if (existing) {
        virNetworkFree(existing);
        app_error_set(err, 409, APP_ERR_CONFLICT, "a network named \"%s\" exists already",
                      spec->name);
        app_error_at_field(err, "", "name");
        return -1;
    }
    virResetLastError();
    if ((subnets || named_bridge) &&
        network_walk_defined(conn, spec, subnets, named_bridge, &taken, err) < 0)
        return -1;
    if (subnets && local && network_overlap_interfaces(spec, err) < 0)
        return -1;
    if (!spec->bridge)
        return 0;
    if (!strcmp(spec->mode, "bridge")) {
        snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", spec->bridge);
        if (local && access(path, F_OK) != 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "\"%s\" is not an existing bridge on this host", spec->bridge);
            app_error_at_field(err, "", "bridge");
            return -1;
        }
        return 0;
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s", spec->bridge);
    if (taken || (local && access(path, F_OK) == 0)) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "the bridge name \"%s\" is in use already (by a network or a host "
                      "interface)",
                      spec->bridge);
        app_error_at_field(err, "", "bridge");
        return -1;
    }
    return 0;
}

/* A definition libvirt refused is bad input (our validation should have caught it). */
static void network_capture_define(struct app_error *err)
{
    virErrorPtr last = virGetLastError();
    int code = last ? last->code : 0;

    virt_error_capture(err, "define network");
    if (code == VIR_ERR_XML_ERROR || code == VIR_ERR_CONFIG_UNSUPPORTED ||
        code == VIR_ERR_XML_DETAIL || code == VIR_ERR_INVALID_ARG) {
        err->status = 400;
        err->code = APP_ERR_BAD_REQUEST;
    }
}

/* A start refused by a session (unprivileged) libvirtd: it cannot create the network's
 * bridge ("Operation not permitted"), whatever the network. Said in words as
 * not_supported rather than as libvirt's text; a lost connection stays 503. */
static void network_capture_start(virNetworkPtr net, struct app_error *err)
{
    char *uri;

    virt_error_capture(err, "start network");
    if (err->status != 502)
        return;
    uri = virConnectGetURI(virNetworkGetConnect(net));
    if (uri && virt_host_uri_is_session(uri))
        app_error_set(err, 501, APP_ERR_UNSUPPORTED,
                      "this host's libvirt runs unprivileged (session mode): it can define "
                      "networks but not start them");
    virResetLastError();
    free(uri);
}

virNetworkPtr virt_network_create(virConnectPtr conn, const struct virt_network_spec *spec,
                                  const char *xml, struct app_error *err)
{
    virNetworkPtr net = NULL;

    if (network_create_check(conn, spec, err) < 0)
        return NULL;
    if (!(net = virNetworkDefineXML(conn, xml))) {
        network_capture_define(err);
        return NULL;
    }
    if (spec->start && virNetworkCreate(net) < 0) {
        network_capture_start(net, err);
        goto rollback;
    }
    if (spec->autostart && virNetworkSetAutostart(net, 1) < 0) {
        virt_error_capture(err, "set network autostart");
        goto rollback;
    }
    return net;

rollback:
    if (virNetworkIsActive(net) == 1 && virNetworkDestroy(net) < 0)
        log_warn("virt_network: could not stop %s after a failed create", spec->name);
    if (virNetworkUndefine(net) < 0)
        log_warn("virt_network: could not undefine %s after a failed create", spec->name);
    virResetLastError();
    virNetworkFree(net);
    return NULL;
}

int virt_network_act(virNetworkPtr net, const char *action, struct app_error *err)
{
    int active = virNetworkIsActive(net);
    const char *name = virNetworkGetName(net);

    if (active < 0) {
        virt_error_capture(err, "read network state");
        return -1;
    }
    if (!strcmp(action, "start")) {
        if (active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "network \"%s\" is active already", name);
            return -1;
        }
        if (virNetworkCreate(net) < 0) {
            network_capture_start(net, err);
            return -1;
        }
        return 0;
    }
    if (!strcmp(action, "stop")) {
        if (!active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "network \"%s\" is not active", name);
            return -1;
        }
        if (virNetworkDestroy(net) < 0) {
            virt_error_capture(err, "stop network");
            return -1;
        }
        return 0;
    }
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown action \"%.32s\" (start, stop)", action);
    return -1;
}

int virt_network_set_autostart(virNetworkPtr net, bool enabled, struct app_error *err)
{
    if (virNetworkSetAutostart(net, enabled ? 1 : 0) < 0) {
        virt_error_capture(err, "set network autostart");
        return -1;
    }
    return 0;
}

/* Appends printf output to the NUL-terminated text in out[size], truncating. */
__attribute__((format(printf, 3, 4))) static void network_appendf(char *out, size_t size,
                                                                  const char *fmt, ...)
{
    size_t len = strlen(out);
    va_list ap;

    if (len + 1 >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(out + len, size - len, fmt, ap);
    va_end(ap);
}

/* Appends the names of the users whose "active" equals active, comma-separated.
 * Returns how many there were. */
static size_t network_append_names(char *out, size_t size, struct json_object *users, bool active)
{
    size_t count = 0;

    for (size_t i = 0; i < json_object_array_length(users); i++) {
        struct json_object *u = json_object_array_get_idx(users, i), *a = NULL, *n = NULL;

        json_object_object_get_ex(u, "active", &a);
        json_object_object_get_ex(u, "name", &n);
        if (json_object_get_boolean(a) != active)
            continue;
        network_appendf(out, size, "%s%s", count ? ", " : "", json_object_get_string(n));
        count++;
    }
    return count;
}

/* The 409 for deleting a network running VMs use. */
static void network_in_use(struct app_error *err, const char *name, struct json_object *users)
{
    char running[160] = "", stopped[160] = "";

    network_append_names(running, sizeof(running), users, true);
    if (network_append_names(stopped, sizeof(stopped), users, false))
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "network \"%s\" is in use by running VM(s): %s; also referenced by stopped "
                      "VM(s): %s (add ?force=true to delete it anyway)",
                      name, running, stopped);
    else
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "network \"%s\" is in use by running VM(s): %s (add ?force=true to delete "
                      "it anyway)",
                      name, running);
}

int virt_network_delete(virConnectPtr conn, virNetworkPtr net, bool force, struct app_error *err)
{
    struct virt_usage *usage = NULL;
    struct json_object *fields = NULL, *users = NULL;
    const char *name = virNetworkGetName(net);
    bool any_active = false;
    int active, persistent, ret = -1;

    if (!(usage = virt_usage_collect(conn, err)) || !(fields = network_xml_fields(net, err)))
        goto cleanup;
    users = network_users(usage, name, network_managed_bridge(fields), &any_active);
    if (any_active && !force) {
        network_in_use(err, name, users);
        goto cleanup;
    }
    if ((active = virNetworkIsActive(net)) < 0 || (persistent = virNetworkIsPersistent(net)) < 0) {
        virt_error_capture(err, "read network state");
        goto cleanup;
    }
    if (active && virNetworkDestroy(net) < 0) {
        virt_error_capture(err, "stop network");
        goto cleanup;
    }
    if (persistent && virNetworkUndefine(net) < 0) {
        virt_error_capture(err, "undefine network");
        goto cleanup;
    }
    ret = 0;

cleanup:
    json_object_put(users);
    json_object_put(fields);
    virt_usage_free(usage);
    return ret;
}

struct json_object *virt_network_leases(virNetworkPtr net, struct app_error *err)
{
    virNetworkDHCPLeasePtr *leases = NULL;
    struct json_object *arr = NULL, *ret = NULL;
    int active = virNetworkIsActive(net);
    int n = 0;

    if (active < 0) {
        virt_error_capture(err, "read network state");
        return NULL;
    }
    if (!active) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "network \"%s\" is not active",
                      virNetworkGetName(net));
        return NULL;
    }
    if ((n = virNetworkGetDHCPLeases(net, NULL, &leases, 0)) < 0) {
        virt_error_capture(err, "read DHCP leases");
        return NULL;
    }
    arr = json_object_new_array();
    for (int i = 0; i < n; i++) {
        virNetworkDHCPLeasePtr l = leases[i];
        struct json_object *o = json_object_new_object();

        virt_xml_json_add(o, "mac", json_object_new_string(l->mac ? l->mac : ""));
        virt_xml_json_add(o, "ip", json_object_new_string(l->ipaddr ? l->ipaddr : ""));
        virt_xml_json_add(o, "prefix", json_object_new_int((int)l->prefix));
        virt_xml_json_add(
            o, "type", json_object_new_string(l->type == VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "ipv4"));
        virt_xml_json_add(o, "hostname", l->hostname ? json_object_new_string(l->hostname) : NULL);
        virt_xml_json_add(o, "client_id", l->clientid ? json_object_new_string(l->clientid) : NULL);
        virt_xml_json_add(o, "expiry", json_object_new_int64((int64_t)l->expirytime));
        virt_xml_json_push(arr, o);
        virNetworkDHCPLeaseFree(l);
    }
    free(leases);
    ret = json_object_new_object();
    virt_xml_json_add(ret, "leases", arr);
    return ret;
}
