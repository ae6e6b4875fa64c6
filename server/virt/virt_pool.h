/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool: storage pools as JSON, and their lifecycle (define, build, start, stop,
 * refresh, autostart, delete).
 *
 * Blocking libvirt calls: worker threads only, never the service thread. The JSON
 * shape is the "pool object" of docs/api.md; the pool XML comes from the pure builder
 * and reader in virt_pool_xml.c. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "util/app_error.h"
#include "virt/virt_usage.h"

/* True if name is a valid pool name: [A-Za-z0-9][A-Za-z0-9_.-]{0,49}. Pure; any thread. */
int virt_pool_name_valid(const char *name);

/* Looks a pool up by name: 400 for an invalid name, 404 if unknown. Free the result
 * with virStoragePoolFree. */
virStoragePoolPtr virt_pool_lookup(virConnectPtr conn, const char *name, struct app_error *err);
/* Sets err to what virt_pool_lookup answers for a name no pool has (404). */
void virt_pool_absent(const char *name, struct app_error *err);

/* The pool object of docs/api.md. usage (borrowed) answers "used_by"; when NULL it is
 * collected here. NULL with err set on failure. */
struct json_object *virt_pool_to_json(virStoragePoolPtr pool, const struct virt_usage *usage,
                                      struct app_error *err);

/* {"pools":[pool...]} sorted by name. */
struct json_object *virt_pool_list(virConnectPtr conn, struct app_error *err);

/* The pool object of pool `name`. */
struct json_object *virt_pool_get(virConnectPtr conn, const char *name, struct app_error *err);

/* Defines a pool from req (see virt_pool_xml_build; "build", "start", "autostart" are
 * read here), builds, starts and marks it autostart as asked. 403 for a type outside
 * pool_types or a target outside pool_roots (virt_pool_policy_check_create; nothing is
 * defined then), 409 for an existing name.
 * When a later step fails the pool is undefined again, so a failed request leaves
 * nothing behind. Returns the new pool object. */
struct json_object *virt_pool_create(virConnectPtr conn, struct json_object *req,
                                     struct app_error *err);

/* True for start, stop, refresh, autostart. */
int virt_pool_action_valid(const char *action);

/* Runs action on the pool. enabled is used by "autostart" only. Wrong state → 409;
 * stop while a running domain uses one of its volumes → 409 naming them. Returns the
 * pool object afterwards ({"name","removed":true} when a transient pool stopped). */
struct json_object *virt_pool_act(virConnectPtr conn, const char *name, const char *action,
                                  int enabled, struct app_error *err);

/* Stops (if active) and undefines a pool; 409 while a running domain uses it. The
 * volumes' files stay on disk. Returns 0 or -1 with err set. */
int virt_pool_delete(virConnectPtr conn, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));
