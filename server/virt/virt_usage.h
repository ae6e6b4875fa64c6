/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_usage: which domains use which networks, bridges and storage paths.
 *
 * One pass over every domain's XML (its live XML when running, plus its persistent
 * XML when it has one, so a device that exists only in one of them still counts)
 * builds an index that answers "who uses this network / file / pool?". Networks and
 * pools refuse deletion while in use, volumes list their users.
 *
 * Blocking libvirt calls: worker threads only. The index itself is a plain value;
 * build one per request and free it. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"

struct virt_usage;

/* Reads every domain of conn. NULL with err set on failure. Free with virt_usage_free. */
struct virt_usage *virt_usage_collect(virConnectPtr conn, struct app_error *err);
void virt_usage_free(struct virt_usage *usage);

/* Pure: adds one domain's XML to the index (what virt_usage_collect does per domain,
 * exposed for unit tests and fuzzing). active: the domain is running. */
struct virt_usage *virt_usage_new(void); /* for tests */
int virt_usage_add_xml(struct virt_usage *usage, const char *uuid, const char *name, bool active,
                       const char *xml) __attribute__((warn_unused_result));

/* The domains with an interface on network `network` (<source network=...>), or on
 * host bridge `bridge` when bridge is not NULL (<source bridge=...>).
 * Returns a new JSON array of {"uuid","name","active","mac"}; sets *any_active (may be
 * NULL) when one of them is running. */
struct json_object *virt_usage_network_users(const struct virt_usage *usage, const char *network,
                                             const char *bridge, bool *any_active);

/* The domains with a disk whose source is the file/block path `path`, or a
 * <source pool=P volume=V> disk when pool and volume are not NULL.
 * Returns a new JSON array of {"uuid","name","active","target","device"}. */
struct json_object *virt_usage_volume_users(const struct virt_usage *usage, const char *path,
                                            const char *pool, const char *volume, bool *any_active);

/* The domains with a disk inside the pool: a <source pool=pool_name> disk, or a
 * file/block source under directory target_path (when not NULL or ""). Same shape. */
struct json_object *virt_usage_pool_users(const struct virt_usage *usage, const char *pool_name,
                                          const char *target_path, bool *any_active);

/* The disks of the domain with UUID uuid: a new JSON array of {"path"} (a file or block
 * source) or {"pool","volume"} (a pool volume source), each with "target" and "device";
 * empty when the domain is not in the index. */
struct json_object *virt_usage_domain_disks(const struct virt_usage *usage, const char *uuid);

/* Writes the names of a users array ("a, b"; of running domains only when active_only)
 * into out (size len, always NUL-terminated, cut short when too long). For 409 messages. */
void virt_usage_names(struct json_object *users, bool active_only, char *out, size_t len);
