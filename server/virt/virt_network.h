/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_network: virtual networks through libvirt: the network object, list, lookup,
 * create (define + start + autostart), start/stop, autostart, delete, DHCP leases.
 *
 * Blocking libvirt calls: worker threads only, never the service thread. The JSON
 * shapes are those of docs/api.md ("network object"); the XML is read by
 * virt_network_xml (pure) and built there from a validated request. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"
#include "virt/virt_subnet.h"

/* {"networks":[network object...]} sorted by name. NULL with err set on failure. */
struct json_object *virt_network_list(virConnectPtr conn, struct app_error *err);

/* Looks a network up by name: 400 for a name virt_network_xml_name_valid refuses,
 * 404 if unknown. The caller frees the result with virNetworkFree. */
virNetworkPtr virt_network_lookup(virConnectPtr conn, const char *name, struct app_error *err);
/* Sets err to what virt_network_lookup answers for a name no network has (404). */
void virt_network_absent(const char *name, struct app_error *err);

/* The network object, with "domains" read from a fresh virt_usage of net's connection.
 * NULL with err set on failure. */
struct json_object *virt_network_object(virConnectPtr conn, virNetworkPtr net,
                                        struct app_error *err);

/* What virt_network_create needs besides the XML (all borrowed from the request). */
struct virt_network_spec {
    const char *name;   /* the network's name */
    const char *mode;   /* nat, route, isolated, bridge, open */
    const char *bridge; /* the requested bridge name, NULL if none */
    bool start;
    bool autostart;
    bool force;                    /* skip the subnet overlap refusal */
    struct virt_subnet subnets[2]; /* the requested IPv4 and IPv6 subnets */
    size_t nsubnets;               /* how many of subnets are set */
};

/* Defines xml (built by virt_network_xml_build from the same request) persistently,
 * then starts it when spec->start, then sets autostart when spec->autostart. Refuses
 * first: 409 if a network of that name exists, or (modes other than bridge) when
 * another network or, on a local connection, a host interface already has the
 * requested bridge name; 400 when mode bridge names a bridge that does not exist on a
 * local non-test connection; unless spec->force, 409 naming the overlap when one of
 * spec->subnets overlaps a subnet of another network (active or not) or, on a local
 * non-test connection, an address of a host interface (loopback excepted). Any failure after the
 * definition undefines it again, so a failed create leaves nothing behind. Returns the new network
 * (virNetworkFree) or NULL with err. */
virNetworkPtr virt_network_create(virConnectPtr conn, const struct virt_network_spec *spec,
                                  const char *xml, struct app_error *err);

/* Starts (start) or stops (stop) net; 409 when it is in that state already, 400 for
 * another action. Returns 0 or -1 with err. */
int virt_network_act(virNetworkPtr net, const char *action, struct app_error *err)
    __attribute__((warn_unused_result));

/* Turns autostart on or off (409 for a transient network). */
int virt_network_set_autostart(virNetworkPtr net, bool enabled, struct app_error *err)
    __attribute__((warn_unused_result));

/* Stops net if active and undefines it if persistent. Unless force, refuses with 409
 * (naming them) while a running domain has an interface on it; stopped domains that
 * reference it do not block (the message lists them when it is refused anyway).
 * Returns 0 or -1 with err. */
int virt_network_delete(virConnectPtr conn, virNetworkPtr net, bool force, struct app_error *err)
    __attribute__((warn_unused_result));

/* {"leases":[{"mac","ip","prefix","type","hostname","client_id","expiry"}]}: 409 when
 * the network is not active, 501 when the driver has no lease support. */
struct json_object *virt_network_leases(virNetworkPtr net, struct app_error *err);
