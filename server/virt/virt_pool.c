/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_pool: storage pools as JSON, and their lifecycle.
 *
 * Worker threads only (blocking libvirt calls). States we can judge ourselves (name
 * taken, already active/inactive, in use by a running domain) are answered with 409
 * before calling libvirt. A new pool must pass pool_types and pool_roots
 * (virt_pool_policy.c) first. Creating a pool is define → build → start → autostart; if a
 * step fails the pool is destroyed and undefined again so nothing is left behind.
 * Deleting a pool never deletes its volumes' data (no virStoragePoolDelete). */
#include "virt/virt_pool.h"

#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt/virt_error.h"
#include "virt/virt_pool_policy.h"
#include "virt/virt_pool_xml.h"
#include "virt/virt_xml.h"

int virt_pool_name_valid(const char *name)
{
    return virt_pool_xml_name_valid(name);
}

void virt_pool_absent(const char *name, struct app_error *err)
{
    app_error_set(err, 404, APP_ERR_NOT_FOUND, "no pool \"%s\"", name);
}

virStoragePoolPtr virt_pool_lookup(virConnectPtr conn, const char *name, struct app_error *err)
{
    virStoragePoolPtr pool;

    if (!virt_pool_name_valid(name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid pool name",
                      name ? name : "");
        return NULL;
    }
    if (!(pool = virStoragePoolLookupByName(conn, name))) {
        virt_error_capture(err, "find pool");
        if (err->status == 404)
            virt_pool_absent(name, err);
    }
    return pool;
}

/* The pool's XML fields (type, target_path, source) in a new object, or NULL. */
static struct json_object *pool_xml_fields(virStoragePoolPtr pool, struct app_error *err)
{
    struct json_object *fields = NULL;
    char *xml = virStoragePoolGetXMLDesc(pool, 0);

    if (!xml) {
        virt_error_capture(err, "read pool");
        return NULL;
    }
    fields = json_object_new_object();
    if (virt_pool_xml_read(xml, fields, err) < 0) {
        json_object_put(fields);
        fields = NULL;
    }
    free(xml);
    return fields;
}

/* The domains with a disk in pool: a new array, or NULL with err. */
static struct json_object *pool_users(virStoragePoolPtr pool, struct json_object *fields,
                                      const struct virt_usage *usage, bool *any_active,
                                      struct app_error *err)
{
    struct virt_usage *own = NULL;
    struct json_object *users, *v;
    const char *target = NULL;

    if (!usage) {
        if (!(own = virt_usage_collect(virStoragePoolGetConnect(pool), err)))
            return NULL;
        usage = own;
    }
    if (json_object_object_get_ex(fields, "target_path", &v) &&
        json_object_is_type(v, json_type_string))
        target = json_object_get_string(v);
    users = virt_usage_pool_users(usage, virStoragePoolGetName(pool), target, any_active);
    virt_usage_free(own);
    return users;
}

struct json_object *virt_pool_to_json(virStoragePoolPtr pool, const struct virt_usage *usage,
                                      struct app_error *err)
{
    struct json_object *obj = NULL, *fields = NULL, *users = NULL, *v;
    virStoragePoolInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;
    int active, persistent, autostart = 0, count = -1;

    if (!(name = virStoragePoolGetName(pool)) || virStoragePoolGetUUIDString(pool, uuid) < 0 ||
        virStoragePoolGetInfo(pool, &info) < 0 || (active = virStoragePoolIsActive(pool)) < 0 ||
        (persistent = virStoragePoolIsPersistent(pool)) < 0 ||
        virStoragePoolGetAutostart(pool, &autostart) < 0 ||
        (active && (count = virStoragePoolNumOfVolumes(pool)) < 0)) {
        virt_error_capture(err, "read pool");
        goto cleanup;
    }
    if (!(fields = pool_xml_fields(pool, err)) ||
        !(users = pool_users(pool, fields, usage, NULL, err)))
        goto cleanup;
    obj = json_object_new_object();
    json_object_object_add(obj, "name", json_object_new_string(name));
    json_object_object_add(obj, "uuid", json_object_new_string(uuid));
    json_object_object_get_ex(fields, "type", &v);
    json_object_object_add(obj, "type", json_object_get(v));
    json_object_object_add(obj, "active", json_object_new_boolean(active));
    json_object_object_add(obj, "persistent", json_object_new_boolean(persistent));
    json_object_object_add(obj, "autostart", json_object_new_boolean(autostart));
    json_object_object_add(obj, "capacity_bytes",
                           json_object_new_uint64(active ? info.capacity : 0));
    json_object_object_add(obj, "allocation_bytes",
                           json_object_new_uint64(active ? info.allocation : 0));
    json_object_object_add(obj, "available_bytes",
                           json_object_new_uint64(active ? info.available : 0));
    json_object_object_get_ex(fields, "target_path", &v);
    json_object_object_add(obj, "target_path", json_object_get(v));
    json_object_object_get_ex(fields, "source", &v);
    json_object_object_add(obj, "source", json_object_get(v));
    json_object_object_add(obj, "volume_count", active ? json_object_new_int(count) : NULL);
    json_object_object_add(obj, "used_by", users);
    users = NULL;

cleanup:
    json_object_put(users);
    json_object_put(fields);
    return obj;
}

struct json_object *virt_pool_list(virConnectPtr conn, struct app_error *err)
{
    struct json_object *out = NULL, *arr = NULL;
    virStoragePoolPtr *pools = NULL;
    struct virt_usage *usage = NULL;
    int i, n;

    if ((n = virConnectListAllStoragePools(conn, &pools, 0)) < 0) {
        virt_error_capture(err, "list pools");
        return NULL;
    }
    if (!(usage = virt_usage_collect(conn, err)))
        goto cleanup;
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        if (virt_xml_json_list_add(arr, virt_pool_to_json(pools[i], usage, err), err) < 0)
            goto cleanup;
    out = virt_xml_json_list_take(arr, "pools");
    arr = NULL;

cleanup:
    json_object_put(arr);
    for (i = 0; i < n; i++)
        virStoragePoolFree(pools[i]);
    free(pools);
    virt_usage_free(usage);
    return out;
}

struct json_object *virt_pool_get(virConnectPtr conn, const char *name, struct app_error *err)
{
    struct json_object *obj;
    virStoragePoolPtr pool = virt_pool_lookup(conn, name, err);

    if (!pool)
        return NULL;
    obj = virt_pool_to_json(pool, NULL, err);
    virStoragePoolFree(pool);
    return obj;
}

/* A boolean member of req, dflt when absent (the builder checked the type). */
static bool pool_req_bool(struct json_object *req, const char *key, bool dflt)
{
    struct json_object *v;

    if (!json_object_object_get_ex(req, key, &v))
        return dflt;
    return json_object_get_boolean(v) != 0;
}

struct json_object *virt_pool_create(virConnectPtr conn, struct json_object *req,
                                     struct app_error *err)
{
    struct json_object *out = NULL, *v;
    virStoragePoolPtr pool = NULL;
    char *xml = NULL;
    const char *name, *type, *target = NULL;
    bool defined = false;

    if (virt_pool_xml_build(req, &xml, err) < 0)
        goto cleanup;
    /* the builder checked these */
    json_object_object_get_ex(req, "name", &v);
    name = json_object_get_string(v);
    json_object_object_get_ex(req, "type", &v);
    type = json_object_get_string(v);
    if (json_object_object_get_ex(req, "target_path", &v))
        target = json_object_get_string(v);
    if ((pool = virStoragePoolLookupByName(conn, name))) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "a pool \"%s\" already exists", name);
        app_error_at_field(err, "", "name");
        goto cleanup;
    }
    virResetLastError();
    if (virt_pool_policy_check_create(type, target, err) < 0)
        goto cleanup;
    if (!(pool = virStoragePoolDefineXML(conn, xml, 0))) {
        virt_error_capture(err, "define pool");
        goto cleanup;
    }
    defined = true;
    if (pool_req_bool(req, "build", false) && virStoragePoolBuild(pool, 0) < 0) {
        virt_error_capture(err, "build pool");
        goto cleanup;
    }
    if (pool_req_bool(req, "start", true) && virStoragePoolCreate(pool, 0) < 0) {
        virt_error_capture(err, "start pool");
        goto cleanup;
    }
    if (pool_req_bool(req, "autostart", false) && virStoragePoolSetAutostart(pool, 1) < 0) {
        virt_error_capture(err, "set pool autostart");
        goto cleanup;
    }
    out = virt_pool_to_json(pool, NULL, err);

cleanup:
    if (!out && defined) {
        /* leave nothing behind; the error already says what failed */
        if (virStoragePoolIsActive(pool) == 1)
            virStoragePoolDestroy(pool);
        virStoragePoolUndefine(pool);
        virResetLastError();
    }
    if (pool)
        virStoragePoolFree(pool);
    free(xml);
    return out;
}

int virt_pool_action_valid(const char *action)
{
    static const char *const actions[] = {"start", "stop", "refresh", "autostart", NULL};
    size_t i;

    for (i = 0; action && actions[i]; i++)
        if (strcmp(action, actions[i]) == 0)
            return 1;
    return 0;
}

/* 409 naming the running domains that have a disk in pool. */
static int pool_unused(virStoragePoolPtr pool, const char *what, struct app_error *err)
{
    struct json_object *fields = NULL, *users = NULL;
    bool any_active = false;
    char names[160];
    int ret = -1;

    if (!(fields = pool_xml_fields(pool, err)) ||
        !(users = pool_users(pool, fields, NULL, &any_active, err)))
        goto cleanup;
    if (any_active) {
        virt_usage_names(users, true, names, sizeof(names));
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "cannot %s pool \"%s\": running domain(s) use it: %s", what,
                      virStoragePoolGetName(pool), names);
        goto cleanup;
    }
    ret = 0;

cleanup:
    json_object_put(users);
    json_object_put(fields);
    return ret;
}

static int pool_do(virStoragePoolPtr pool, const char *action, int enabled, struct app_error *err)
{
    int active = virStoragePoolIsActive(pool);
    const char *name = virStoragePoolGetName(pool);

    if (active < 0) {
        virt_error_capture(err, "read pool state");
        return -1;
    }
    if (strcmp(action, "start") == 0) {
        if (active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "pool \"%s\" is already active", name);
            return -1;
        }
        if (virStoragePoolCreate(pool, 0) < 0) {
            virt_error_capture(err, "start pool");
            return -1;
        }
        return 0;
    }
    if (strcmp(action, "autostart") == 0) {
        if (virStoragePoolSetAutostart(pool, enabled ? 1 : 0) < 0) {
            virt_error_capture(err, "set pool autostart");
            return -1;
        }
        return 0;
    }
    if (!active) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "pool \"%s\" is not active", name);
        return -1;
    }
    if (strcmp(action, "refresh") == 0) {
        if (virStoragePoolRefresh(pool, 0) < 0) {
            virt_error_capture(err, "refresh pool");
            return -1;
        }
        return 0;
    }
    /* stop */
    if (pool_unused(pool, "stop", err) < 0)
        return -1;
    if (virStoragePoolDestroy(pool) < 0) {
        virt_error_capture(err, "stop pool");
        return -1;
    }
    return 0;
}

struct json_object *virt_pool_act(virConnectPtr conn, const char *name, const char *action,
                                  int enabled, struct app_error *err)
{
    struct json_object *out = NULL;
    virStoragePoolPtr pool = NULL;

    if (!virt_pool_action_valid(action)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown pool action \"%.32s\"",
                      action ? action : "");
        return NULL;
    }
    if (!(pool = virt_pool_lookup(conn, name, err)))
        return NULL;
    if (pool_do(pool, action, enabled, err) < 0)
        goto cleanup;
    out = virt_pool_to_json(pool, NULL, err);
    if (!out && err->status == 404 && strcmp(action, "stop") == 0) {
        /* a transient pool ends when it stops */
        app_error_clear(err);
        out = json_object_new_object();
        json_object_object_add(out, "name", json_object_new_string(name));
        json_object_object_add(out, "removed", json_object_new_boolean(1));
    }

cleanup:
    virStoragePoolFree(pool);
    return out;
}

int virt_pool_delete(virConnectPtr conn, const char *name, struct app_error *err)
{
    virStoragePoolPtr pool = virt_pool_lookup(conn, name, err);
    int ret = -1, active, persistent;

    if (!pool)
        return -1;
    if ((active = virStoragePoolIsActive(pool)) < 0 ||
        (persistent = virStoragePoolIsPersistent(pool)) < 0) {
        virt_error_capture(err, "read pool state");
        goto cleanup;
    }
    if (pool_unused(pool, "delete", err) < 0)
        goto cleanup;
    if (active && virStoragePoolDestroy(pool) < 0) {
        virt_error_capture(err, "stop pool");
        goto cleanup;
    }
    if (persistent && virStoragePoolUndefine(pool) < 0) {
        virt_error_capture(err, "undefine pool");
        goto cleanup;
    }
    ret = 0;

cleanup:
    virStoragePoolFree(pool);
    return ret;
}
