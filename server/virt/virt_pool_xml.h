/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool_xml: the JSON request → libvirt storage pool XML builder, and the reader
 * of the fields of a pool's XML that the pool object shows.
 *
 * Pure (no libvirt calls), any thread; fuzzed by tests/fuzz/fuzz_pool_xml.c. The XML
 * is built with libxml2's tree API only, and the builder emits only what the request
 * asked for (plus documented per-type defaults: netfs format "nfs", iscsi target
 * /dev/disk/by-path). Every string is checked against a conservative character set
 * before it reaches the document. */
#pragma once

#include <json-c/json.h>

#include "util/app_error.h"

/* True if name is [A-Za-z0-9][A-Za-z0-9_.-]{0,49}. */
int virt_pool_xml_name_valid(const char *name);

/* True if path is absolute and normalised: starts with '/', is not "/" itself, no
 * empty, "." or ".." segment, no trailing '/', at most 1024 bytes of
 * [A-Za-z0-9/._+@:,=~-]. */
int virt_pool_xml_path_valid(const char *path);

/* Builds a <pool type=...> document from req. Keys: "name", "type" (dir, fs, netfs,
 * logical, iscsi, rbd) and "target_path" per type (required for dir/fs/netfs, optional
 * for logical, default /dev/disk/by-path for iscsi, under /dev/ for both, refused for
 * rbd); fs:
 * "source_device" (/dev/...), "source_format"; netfs: "source_host", "source_path",
 * "source_format" (auto, nfs, glusterfs, cifs; default nfs); logical: "source_name",
 * "source_device"; iscsi: "source_host", "source_port", "source_iqn",
 * "initiator_iqn"; rbd: "source_host", "source_port", "source_name", "auth_username"
 * with "auth_secret_uuid". "build", "start", "autostart" (booleans) are checked here
 * and used by the caller. A key not valid for the type, or any unknown key, is
 * refused. Returns 0 with *xml_out (free with free()) or -1 with err (400). */
int virt_pool_xml_build(struct json_object *req, char **xml_out, struct app_error *err)
    __attribute__((warn_unused_result));

/* Reads a pool XML document and adds to obj: "type", "target_path" (string or null)
 * and "source" (object with what the type's <source> has: "host", "port", "path",
 * "device", "name", "format", "iqn", "initiator_iqn", "auth_username",
 * "auth_secret_uuid"; {} if none). Returns 0 or -1 with err (502, malformed XML). */
int virt_pool_xml_read(const char *xml, struct json_object *obj, struct app_error *err)
    __attribute__((warn_unused_result));
