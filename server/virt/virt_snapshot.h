/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_snapshot: a domain's snapshots through libvirt: list (with the kinds the
 * domain allows now), create, revert, delete. The JSON shapes are docs/api.md
 * "Snapshots"; the XML is virt_snapshot_xml's.
 *
 * Blocking libvirt calls: worker threads only, never the service thread. Creating a
 * snapshot with memory takes as long as writing the VM's RAM: the worker waits. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"

/* {"snapshots": [...], "can": {...}} for dom: every snapshot (sorted by creation time,
 * then name) with "current" and "children" (direct children), and
 * virt_snapshot_xml_can for its definition now. NULL with err. */
struct json_object *virt_snapshot_list(virDomainPtr dom, struct app_error *err)
    __attribute__((warn_unused_result));

/* Creates a snapshot of dom from req ({"name"?, "description"?, "memory"?}; memory
 * defaults to whether dom runs) and returns it as the list shows it. Refuses (409, field
 * "name") a name dom has already, and (409, field "memory", "reason") a kind the domain
 * does not allow now (virt_snapshot_xml_can). NULL with err. */
struct json_object *virt_snapshot_create(virDomainPtr dom, struct json_object *req,
                                         struct app_error *err) __attribute__((warn_unused_result));

/* Reverts dom to its snapshot name (the domain's state becomes the one the snapshot
 * captured). 0, or -1 with err (404 for an unknown name). */
int virt_snapshot_revert(virDomainPtr dom, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));

/* Deletes dom's snapshot name; with children its whole subtree, else its children are
 * re-parented by libvirt. 0, or -1 with err (404 for an unknown name). */
int virt_snapshot_delete(virDomainPtr dom, const char *name, bool children, struct app_error *err)
    __attribute__((warn_unused_result));
