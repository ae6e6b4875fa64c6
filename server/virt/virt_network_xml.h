/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_network_xml: virtual network XML, both ways, without libvirt.
 *
 * Pure functions (any thread; libxml2 only). The builder turns a create request
 * (POST /api/networks, docs/api.md) into libvirt network XML after validating every
 * field; it is fuzzed (tests/fuzz/fuzz_network_xml.c) for the rule that the document
 * holds exactly the elements and attributes the request asked for. The reader turns
 * the XML libvirt returns into the JSON fields of the network object. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "util/app_error.h"

/* Longest network name we accept (and create). */
#define VIRT_NETWORK_NAME_MAX 50
/* Most static DHCP hosts per address family in one request. */
#define VIRT_NETWORK_HOSTS_MAX 256

/* True if name matches [A-Za-z0-9][A-Za-z0-9_.-]{0,49}. NULL-safe. */
bool virt_network_xml_name_valid(const char *name);

/* Validates a create request and builds its network XML.
 *
 * req: the request object: "name", "mode" (nat|route|isolated|bridge|open), and the
 * optional "bridge", "forward_dev", "ipv4", "ipv6", "domain", "mtu", "autostart",
 * "start", "force" (see docs/api.md for each rule). Unknown keys at any level are refused.
 * On success returns 0 and *xml_out is a new NUL-terminated document (caller frees).
 * On failure returns -1, *xml_out is NULL and err is a 400 bad_request naming the
 * field. The values are copied verbatim into the XML (they are validated, not
 * rewritten). */
int virt_network_xml_build(struct json_object *req, char **xml_out, struct app_error *err)
    __attribute__((warn_unused_result));

/* Reads a network XML document (as virNetworkGetXMLDesc returns it) and adds to obj:
 * "name", "uuid" (string or null), "mode" (nat|route|isolated|bridge|open|other),
 * "bridge", "forward_dev", "mtu", "domain" (each null when absent), "ipv4" and "ipv6"
 * (null, or {"address","prefix","dhcp_start","dhcp_end","hosts":[{"mac","ip",
 * "name"}]}; a netmask is turned into a prefix, and when a family has several <ip>
 * elements the first one with a <dhcp> wins, else the first one).
 * Returns 0, or -1 with err (502 libvirt_error) when the XML is malformed; obj is then
 * left untouched. */
int virt_network_xml_to_json(const char *xml, struct json_object *obj, struct app_error *err)
    __attribute__((warn_unused_result));
