/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume: storage volumes as JSON, and their lifecycle (create, resize, clone,
 * wipe, delete).
 *
 * Blocking libvirt calls: worker threads only, never the service thread. The JSON
 * shape is the "volume object" of docs/api.md. Requests reach these functions already
 * parsed with their allowed keys; the volume XML itself comes from the pure builder in
 * virt_volume_xml.c. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/app_error.h"
#include "virt/virt_pool.h"
#include "virt/virt_usage.h"
#include "virt/virt_volume_bounds.h"

/* True if name is a valid volume name: [A-Za-z0-9_][A-Za-z0-9_.+-]{0,126}, not "." or
 * "..". Pure; any thread. (Pool names: virt_pool_name_valid in virt_pool.h.) */
int virt_volume_name_valid(const char *name);

/* Looks up volume vol in pool pool. 400 for an invalid pool or volume name, 404 for an
 * unknown pool or volume, 409 when the pool is not active. On success returns the
 * volume (free with virStorageVolFree) and, when pool_out is not NULL, the pool in
 * *pool_out (free with virStoragePoolFree); on failure NULL with err set and *pool_out
 * NULL. */
virStorageVolPtr virt_volume_lookup(virConnectPtr conn, const char *pool, const char *vol,
                                    virStoragePoolPtr *pool_out, struct app_error *err);
/* Sets err to what virt_volume_lookup answers for a volume name pool lacks (404). */
void virt_volume_absent(const char *pool, const char *vol, struct app_error *err);

/* The volume object of docs/api.md. usage (borrowed) answers "used_by"; when NULL it
 * is collected here (one pass over every domain). bounds (borrowed: the volume's pool's,
 * see virt_volume_bounds.h) answers "outside_pool"; when NULL it is read here. NULL with
 * err set on failure. */
struct json_object *virt_volume_to_json(virStorageVolPtr vol, const struct virt_usage *usage,
                                        const struct virt_volume_bounds *bounds,
                                        struct app_error *err);

/* {"volumes":[volume...]} sorted by name; 409 if the pool is inactive. */
struct json_object *virt_volume_list(virConnectPtr conn, const char *pool, struct app_error *err);

/* The volume object of one volume (errors as virt_volume_lookup). */
struct json_object *virt_volume_get(virConnectPtr conn, const char *pool, const char *vol,
                                    struct app_error *err);

/* Creates a volume from req ({"name","capacity_bytes","format","allocation_bytes",
 * "backing":{"volume"}}, keys already checked). 409 for an existing name, 404 for an
 * unknown backing volume, 403 outside_pool for a backing volume that leads out of the
 * pool, 409 when an entry libvirt does not list already sits at the new volume's path
 * (virt_volume_bounds_check_new), 507 when the pool has too little space (see
 * virt_volume_xml_needed_bytes). Returns the new volume object. */
struct json_object *virt_volume_create(virConnectPtr conn, const char *pool,
                                       struct json_object *req, struct app_error *err);

/* Deletes a volume; 409 while any domain (running or not) uses it, naming them; 403
 * outside_pool when deleting would remove more than the pool's entry (a symbolic link
 * out of the pool is deleted: only the link goes).
 * Returns 0 or -1 with err set. */
int virt_volume_delete(virConnectPtr conn, const char *pool, const char *vol, struct app_error *err)
    __attribute__((warn_unused_result));

/* Resizes to capacity bytes (1 .. VIRT_VOLUME_MAX_CAPACITY). Smaller than now without
 * shrink → 409; growth beyond the pool's available bytes → 507; a volume that leads out
 * of its pool → 403 outside_pool. Returns the volume. */
struct json_object *virt_volume_resize(virConnectPtr conn, const char *pool, const char *vol,
                                       uint64_t capacity, bool shrink, struct app_error *err);

/* Copies vol into a new volume `name` of the same pool and format (403 outside_pool if
 * vol leads out of its pool, 409 if `name` exists,
 * 507 if the pool lacks space for it). Returns the new volume object. */
struct json_object *virt_volume_clone(virConnectPtr conn, const char *pool, const char *vol,
                                      const char *name, struct app_error *err);

/* Overwrites the volume's data (algorithm "zero"); 409 while a running domain uses it,
 * 403 outside_pool when it leads out of its pool.
 * Returns the volume object. */
struct json_object *virt_volume_wipe(virConnectPtr conn, const char *pool, const char *vol,
                                     const char *algorithm, struct app_error *err);
