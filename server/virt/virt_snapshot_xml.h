/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_snapshot_xml: JSON request → <domainsnapshot> XML, libvirt's <domainsnapshot>
 * XML → snapshot fields, and a domain's XML → which snapshot kinds are possible
 * (docs/api.md "Snapshots" states the rules).
 *
 * Pure, any thread. The document is built with libxml2's tree API (virt_xml) and read
 * with XPath; the builder refuses unknown keys, so a request can add no element we did
 * not plan for (tests/fuzz/fuzz_snapshot_xml.c checks that). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "util/app_error.h"

/* Builds the snapshot XML for a create request {"name"?, "description"?, "memory"?}.
 * name follows utf8_name's FILE rule (libvirt keeps a snapshot as a file named after
 * it), description its DESCRIPTION rule; memory true asks for <memory
 * snapshot='internal'/>, false (or absent) for <memory snapshot='no'/>. Returns 0 with
 * *out (free()) or -1 with err (400, .field naming the member). */
int virt_snapshot_xml_build(struct json_object *req, char **out, struct app_error *err)
    __attribute__((warn_unused_result));

/* Reads libvirt's <domainsnapshot> xml into a new object: name, description (or null),
 * creation_time (seconds since the epoch), state (the VM's state it captured), parent
 * (a name or null), kind ("internal", "external" or "disk-only") and memory (bool).
 * Returns NULL with err (502) when xml is malformed. */
struct json_object *virt_snapshot_xml_to_json(const char *xml, struct app_error *err)
    __attribute__((warn_unused_result));

/* What snapshot kinds the domain of domain_xml allows now (active: it runs or is
 * paused): {"internal": bool, "memory": bool} plus, when internal is false, "reason"
 * ("raw_disk": a writable disk is not qcow2, with "disk" and "format"; "pflash": UEFI
 * firmware in pflash) and, when memory is false, "memory_reason" ("not_running",
 * "internal", "no_disk"). Returns NULL with err (502) when domain_xml is malformed. */
struct json_object *virt_snapshot_xml_can(const char *domain_xml, bool active,
                                          struct app_error *err)
    __attribute__((warn_unused_result));
