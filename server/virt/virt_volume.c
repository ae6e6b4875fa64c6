/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume: storage volumes as JSON, and their lifecycle.
 *
 * Worker threads only (blocking libvirt calls). What we can decide from the state
 * (name taken, pool inactive, volume in use, shrink not asked for, not enough space)
 * is answered before calling libvirt, so those answers do not depend on the driver.
 *
 * Bounds (virt_volume_bounds.c): whatever reads or writes a volume's data (resize, clone,
 * wipe, a backing file) is refused with 403 outside_pool for a volume whose path leads
 * out of its pool; delete only removes the pool's entry, so a link out may be deleted.
 *
 * Space rule (507 insufficient_storage): a new volume needs
 * virt_volume_xml_needed_bytes() (allocation when given; raw: its capacity; qcow2: 0);
 * a clone needs the source's current allocation; a resize needs the growth (new −
 * old capacity). Each is compared with the pool's available bytes. */
#include "virt/virt_volume.h"

#include <inttypes.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_volume_bounds.h"
#include "virt/virt_volume_xml.h"
#include "virt/virt_xml.h"

int virt_volume_name_valid(const char *name)
{
    return virt_volume_xml_name_valid(name);
}

/* Checks that the pool is running: 409 otherwise. */
static int volume_pool_active(virStoragePoolPtr pool, struct app_error *err)
{
    int active = virStoragePoolIsActive(pool);

    if (active < 0) {
        virt_error_capture(err, "read pool state");
        return -1;
    }
    if (!active) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "pool \"%s\" is not active",
                      virStoragePoolGetName(pool));
        return -1;
    }
    return 0;
}

/* The active pool `name` (400/404/409). Free with virStoragePoolFree. */
static virStoragePoolPtr volume_pool_lookup(virConnectPtr conn, const char *name,
                                            struct app_error *err)
{
    virStoragePoolPtr pool = virt_pool_lookup(conn, name, err);

    if (pool && volume_pool_active(pool, err) < 0) {
        virStoragePoolFree(pool);
        pool = NULL;
    }
    return pool;
}

void virt_volume_absent(const char *pool, const char *vol, struct app_error *err)
{
    app_error_set(err, 404, APP_ERR_NOT_FOUND, "no volume \"%s\" in pool \"%s\"", vol, pool);
}

virStorageVolPtr virt_volume_lookup(virConnectPtr conn, const char *pool, const char *vol,
                                    virStoragePoolPtr *pool_out, struct app_error *err)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = NULL;

    if (pool_out)
        *pool_out = NULL;
    if (!virt_volume_name_valid(vol)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid volume name",
                      vol ? vol : "");
        return NULL;
    }
    if (!(p = volume_pool_lookup(conn, pool, err)))
        return NULL;
    if (!(v = virStorageVolLookupByName(p, vol))) {
        virt_error_capture(err, "find volume");
        if (err->status == 404)
            virt_volume_absent(pool, vol, err);
        virStoragePoolFree(p);
        return NULL;
    }
    if (pool_out)
        *pool_out = p;
    else
        virStoragePoolFree(p);
    return v;
}

static const char *volume_type_name(int type)
{
    switch (type) {
    case VIR_STORAGE_VOL_FILE:
        return "file";
    case VIR_STORAGE_VOL_BLOCK:
        return "block";
    case VIR_STORAGE_VOL_DIR:
        return "dir";
    case VIR_STORAGE_VOL_NETWORK:
        return "network";
    case VIR_STORAGE_VOL_NETDIR:
        return "netdir";
    case VIR_STORAGE_VOL_PLOOP:
        return "ploop";
    default:
        return "unknown";
    }
}

/* The domains using vol (path or pool/volume reference). New array or NULL with err. */
static struct json_object *volume_users(virStorageVolPtr vol, const char *path,
                                        const struct virt_usage *usage, bool *any_active,
                                        struct app_error *err)
{
    struct virt_usage *own = NULL;
    struct json_object *users;
    virStoragePoolPtr pool = NULL;

    if (!usage) {
        if (!(own = virt_usage_collect(virStorageVolGetConnect(vol), err)))
            return NULL;
        usage = own;
    }
    pool = virStoragePoolLookupByVolume(vol);
    users = virt_usage_volume_users(usage, path, pool ? virStoragePoolGetName(pool) : NULL,
                                    pool ? virStorageVolGetName(vol) : NULL, any_active);
    if (pool)
        virStoragePoolFree(pool);
    else
        virResetLastError();
    virt_usage_free(own);
    return users;
}

struct json_object *virt_volume_to_json(virStorageVolPtr vol, const struct virt_usage *usage,
                                        const struct virt_volume_bounds *bounds,
                                        struct app_error *err)
{
    struct json_object *obj = NULL, *fields = NULL, *users, *v;
    virStoragePoolPtr pool = NULL;
    struct virt_volume_bounds own = {0};
    virStorageVolInfo info;
    enum virt_volume_place place;
    const char *name, *key;
    char *path = NULL, *xml = NULL;

    if (!(name = virStorageVolGetName(vol)) || !(key = virStorageVolGetKey(vol)) ||
        !(path = virStorageVolGetPath(vol)) || !(pool = virStoragePoolLookupByVolume(vol)) ||
        virStorageVolGetInfo(vol, &info) < 0 || !(xml = virStorageVolGetXMLDesc(vol, 0))) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    if (!bounds) {
        if (virt_volume_bounds_init(&own, pool, err) < 0)
            goto cleanup;
        bounds = &own;
    }
    fields = json_object_new_object();
    if (virt_volume_xml_read(xml, fields, err) < 0)
        goto cleanup;
    if (!(users = volume_users(vol, path, usage, NULL, err)))
        goto cleanup;
    place = virt_volume_bounds_place(bounds, path);
    obj = json_object_new_object();
    json_object_object_add(obj, "name", json_object_new_string(name));
    json_object_object_add(obj, "key", json_object_new_string(key));
    json_object_object_add(obj, "path", json_object_new_string(path));
    json_object_object_add(obj, "pool", json_object_new_string(virStoragePoolGetName(pool)));
    json_object_object_add(obj, "type", json_object_new_string(volume_type_name(info.type)));
    json_object_object_get_ex(fields, "format", &v);
    json_object_object_add(obj, "format", json_object_get(v));
    json_object_object_add(obj, "capacity_bytes", json_object_new_uint64(info.capacity));
    json_object_object_add(obj, "allocation_bytes", json_object_new_uint64(info.allocation));
    json_object_object_get_ex(fields, "backing", &v);
    json_object_object_add(obj, "backing", json_object_get(v));
    json_object_object_add(obj, "used_by", users);
    json_object_object_add(
        obj, "outside_pool",
        json_object_new_boolean(place == VIRT_VOLUME_LINK_OUT || place == VIRT_VOLUME_OUTSIDE));

cleanup:
    virt_volume_bounds_clear(&own);
    json_object_put(fields);
    if (pool)
        virStoragePoolFree(pool);
    free(path);
    free(xml);
    return obj;
}

struct json_object *virt_volume_list(virConnectPtr conn, const char *pool, struct app_error *err)
{
    struct json_object *out = NULL, *arr = NULL;
    virStoragePoolPtr p = NULL;
    virStorageVolPtr *vols = NULL;
    struct virt_usage *usage = NULL;
    struct virt_volume_bounds bounds = {0};
    int i, n = 0;

    if (!(p = volume_pool_lookup(conn, pool, err)) || virt_volume_bounds_init(&bounds, p, err) < 0)
        goto cleanup;
    if ((n = virStoragePoolListAllVolumes(p, &vols, 0)) < 0) {
        virt_error_capture(err, "list volumes");
        n = 0;
        goto cleanup;
    }
    if (!(usage = virt_usage_collect(conn, err)))
        goto cleanup;
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        if (virt_xml_json_list_add(arr, virt_volume_to_json(vols[i], usage, &bounds, err), err) < 0)
            goto cleanup;
    out = virt_xml_json_list_take(arr, "volumes");
    arr = NULL;

cleanup:
    json_object_put(arr);
    for (i = 0; i < n; i++)
        virStorageVolFree(vols[i]);
    free(vols);
    virt_usage_free(usage);
    virt_volume_bounds_clear(&bounds);
    if (p)
        virStoragePoolFree(p);
    return out;
}

struct json_object *virt_volume_get(virConnectPtr conn, const char *pool, const char *vol,
                                    struct app_error *err)
{
    struct json_object *obj;
    virStorageVolPtr v = virt_volume_lookup(conn, pool, vol, NULL, err);

    if (!v)
        return NULL;
    obj = virt_volume_to_json(v, NULL, NULL, err);
    virStorageVolFree(v);
    return obj;
}

/* 409 if a volume `name` exists in pool. */
static int volume_name_free(virStoragePoolPtr pool, const char *name, struct app_error *err)
{
    virStorageVolPtr v = virStorageVolLookupByName(pool, name);

    if (v) {
        virStorageVolFree(v);
        app_error_set(err, 409, APP_ERR_CONFLICT, "a volume \"%s\" already exists in pool \"%s\"",
                      name, virStoragePoolGetName(pool));
        app_error_at_field(err, "", "name");
        return -1;
    }
    virResetLastError();
    return 0;
}

/* 507 if the pool has fewer than needed bytes available. */
static int volume_space_check(virStoragePoolPtr pool, uint64_t needed, struct app_error *err)
{
    virStoragePoolInfo info;

    if (virStoragePoolGetInfo(pool, &info) < 0) {
        virt_error_capture(err, "read pool space");
        return -1;
    }
    if (needed > info.available) {
        app_error_set(err, 507, APP_ERR_NO_SPACE,
                      "pool \"%s\" has %llu bytes available, the volume needs %" PRIu64,
                      virStoragePoolGetName(pool), info.available, needed);
        app_error_at_field(err, "", "capacity_bytes");
        return -1;
    }
    return 0;
}

/* The format of vol from its XML ("raw" when it has none). Caller frees. */
static char *volume_format(virStorageVolPtr vol, struct app_error *err)
{
    struct json_object *fields = json_object_new_object(), *v;
    char *xml = virStorageVolGetXMLDesc(vol, 0);
    char *format = NULL;

    if (!xml) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    if (virt_volume_xml_read(xml, fields, err) < 0)
        goto cleanup;
    json_object_object_get_ex(fields, "format", &v);
    format = xstrdup(json_object_get_string(v));

cleanup:
    json_object_put(fields);
    free(xml);
    return format;
}

/* Resolves req's "backing" in pool: its path, format and capacity. 0 when req has none,
 * 1 when resolved, -1 with err (400 malformed, 404 unknown volume). */
static int volume_backing_resolve(virStoragePoolPtr pool, struct json_object *req, char **path,
                                  char **format, uint64_t *capacity, struct app_error *err)
{
    struct json_object *backing, *v;
    virStorageVolPtr vol = NULL;
    virStorageVolInfo info;
    const char *name;
    int ret = -1;

    if (!json_object_object_get_ex(req, "backing", &backing))
        return 0;
    if (!json_object_is_type(backing, json_type_object) ||
        !json_object_object_get_ex(backing, "volume", &v) ||
        !json_object_is_type(v, json_type_string) ||
        !virt_volume_name_valid(name = json_object_get_string(v))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"backing\" must be {\"volume\": <name of a volume in the same pool>}");
        app_error_at_field(err, "", "backing");
        return -1;
    }
    if (!(vol = virStorageVolLookupByName(pool, name))) {
        virResetLastError();
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no backing volume \"%s\" in pool \"%s\"", name,
                      virStoragePoolGetName(pool));
        app_error_at_field(err, "", "backing");
        return -1;
    }
    if (virt_volume_bounds_check(vol, "back a new volume with", false, err) < 0)
        goto cleanup;
    if (!(*path = virStorageVolGetPath(vol)) || virStorageVolGetInfo(vol, &info) < 0) {
        virt_error_capture(err, "read backing volume");
        goto cleanup;
    }
    if (!(*format = volume_format(vol, err)))
        goto cleanup;
    *capacity = info.capacity;
    ret = 1;

cleanup:
    virStorageVolFree(vol);
    return ret;
}

/* Creates the volume xml describes in p, as a copy of from when from is not NULL, once
 * its name is free and needed bytes fit. Its object, or NULL with err. */
static struct json_object *volume_create_in(virStoragePoolPtr p, const char *xml, const char *name,
                                            uint64_t needed, virStorageVolPtr from,
                                            struct app_error *err)
{
    struct virt_volume_bounds bounds = {0};
    virStorageVolPtr vol = NULL;
    struct json_object *out = NULL;

    if (volume_name_free(p, name, err) < 0 || volume_space_check(p, needed, err) < 0 ||
        virt_volume_bounds_init(&bounds, p, err) < 0 ||
        virt_volume_bounds_check_new(&bounds, name, err) < 0)
        goto cleanup;
    vol = from ? virStorageVolCreateXMLFrom(p, xml, from, 0) : virStorageVolCreateXML(p, xml, 0);
    if (!vol) {
        virt_error_capture(err, from ? "clone volume" : "create volume");
        goto cleanup;
    }
    out = virt_volume_to_json(vol, NULL, &bounds, err);

cleanup:
    if (vol)
        virStorageVolFree(vol);
    virt_volume_bounds_clear(&bounds);
    return out;
}

struct json_object *virt_volume_create(virConnectPtr conn, const char *pool,
                                       struct json_object *req, struct app_error *err)
{
    struct json_object *copy = NULL, *out = NULL, *v;
    virStoragePoolPtr p = NULL;
    char *bpath = NULL, *bformat = NULL, *xml = NULL;
    uint64_t bcapacity = 0, capacity, allocation = 0;
    int has_backing, has_alloc;
    const char *name;

    if (!(p = volume_pool_lookup(conn, pool, err)))
        goto cleanup;
    copy = json_object_get(req);
    if ((has_backing = volume_backing_resolve(p, req, &bpath, &bformat, &bcapacity, err)) < 0)
        goto cleanup;
    if (has_backing && !json_object_object_get_ex(req, "capacity_bytes", NULL)) {
        /* the capacity defaults to the backing volume's */
        json_object_put(copy);
        copy = NULL;
        if (json_object_deep_copy(req, &copy, NULL) < 0) {
            app_error_set(err, 500, APP_ERR_INTERNAL, "cannot copy the request");
            goto cleanup;
        }
        json_object_object_add(copy, "capacity_bytes", json_object_new_int64((int64_t)bcapacity));
    }
    if (virt_volume_xml_build(copy, bpath, bformat, &xml, err) < 0)
        goto cleanup;
    /* the builder checked these */
    json_object_object_get_ex(copy, "name", &v);
    name = json_object_get_string(v);
    json_object_object_get_ex(copy, "capacity_bytes", &v);
    capacity = (uint64_t)json_object_get_int64(v);
    if ((has_alloc = json_object_object_get_ex(copy, "allocation_bytes", &v)))
        allocation = (uint64_t)json_object_get_int64(v);
    json_object_object_get_ex(copy, "format", &v);
    out = volume_create_in(
        p, xml, name,
        virt_volume_xml_needed_bytes(json_object_get_string(v), capacity, has_alloc, allocation),
        NULL, err);

cleanup:
    json_object_put(copy);
    if (p)
        virStoragePoolFree(p);
    free(bpath);
    free(bformat);
    free(xml);
    return out;
}

/* 409 naming the domains that use vol (running ones only when active_only). */
static int volume_unused(virStorageVolPtr vol, bool active_only, const char *what,
                         struct app_error *err)
{
    struct json_object *users = NULL;
    char *path = virStorageVolGetPath(vol);
    char names[160];
    bool any_active = false;
    int ret = -1;

    if (!path) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    if (!(users = volume_users(vol, path, NULL, &any_active, err)))
        goto cleanup;
    if (active_only ? any_active : json_object_array_length(users) > 0) {
        virt_usage_names(users, active_only, names, sizeof(names));
        app_error_set(err, 409, APP_ERR_CONFLICT, "cannot %s volume \"%s\": used by %s%s", what,
                      virStorageVolGetName(vol), active_only ? "running domain(s) " : "domain(s) ",
                      names);
        goto cleanup;
    }
    ret = 0;

cleanup:
    json_object_put(users);
    free(path);
    return ret;
}

int virt_volume_delete(virConnectPtr conn, const char *pool, const char *vol, struct app_error *err)
{
    virStorageVolPtr v = virt_volume_lookup(conn, pool, vol, NULL, err);
    int ret = -1;

    if (!v)
        return -1;
    if (volume_unused(v, false, "delete", err) < 0 ||
        virt_volume_bounds_check(v, "delete", true, err) < 0)
        goto cleanup;
    if (virStorageVolDelete(v, 0) < 0) {
        virt_error_capture(err, "delete volume");
        goto cleanup;
    }
    ret = 0;

cleanup:
    virStorageVolFree(v);
    return ret;
}

/* virt_volume_lookup, with the volume's info in *info. NULL (and *pool_out NULL) with err. */
static virStorageVolPtr volume_lookup_info(virConnectPtr conn, const char *pool, const char *vol,
                                           virStoragePoolPtr *pool_out, virStorageVolInfo *info,
                                           struct app_error *err)
{
    virStorageVolPtr v = virt_volume_lookup(conn, pool, vol, pool_out, err);

    if (v && virStorageVolGetInfo(v, info) < 0) {
        virt_error_capture(err, "read volume");
        virStorageVolFree(v);
        virStoragePoolFree(*pool_out);
        *pool_out = NULL;
        v = NULL;
    }
    return v;
}

struct json_object *virt_volume_resize(virConnectPtr conn, const char *pool, const char *vol,
                                       uint64_t capacity, bool shrink, struct app_error *err)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = NULL;
    virStorageVolInfo info;
    struct json_object *out = NULL;
    unsigned int flags = 0;

    if (capacity == 0 || capacity > VIRT_VOLUME_MAX_CAPACITY) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "\"capacity_bytes\" must be between 1 and %llu", VIRT_VOLUME_MAX_CAPACITY);
        app_error_at_range(err, "", "capacity_bytes", 1, (long long)VIRT_VOLUME_MAX_CAPACITY);
        return NULL;
    }
    if (!(v = volume_lookup_info(conn, pool, vol, &p, &info, err)))
        return NULL;
    if (virt_volume_bounds_check(v, "resize", false, err) < 0)
        goto cleanup;
    if (capacity < info.capacity) {
        if (!shrink) {
            app_error_set(err, 409, APP_ERR_CONFLICT,
                          "%" PRIu64 " bytes is smaller than the volume (%llu bytes); shrinking "
                          "loses data and needs \"shrink\": true",
                          capacity, info.capacity);
            app_error_at_field(err, "", "capacity_bytes");
            goto cleanup;
        }
        flags |= VIR_STORAGE_VOL_RESIZE_SHRINK;
    } else if (volume_space_check(p, capacity - info.capacity, err) < 0) {
        goto cleanup;
    }
    if (capacity != info.capacity && virStorageVolResize(v, capacity, flags) < 0) {
        virt_error_capture(err, "resize volume");
        goto cleanup;
    }
    out = virt_volume_to_json(v, NULL, NULL, err);

cleanup:
    virStorageVolFree(v);
    virStoragePoolFree(p);
    return out;
}

struct json_object *virt_volume_clone(virConnectPtr conn, const char *pool, const char *vol,
                                      const char *name, struct app_error *err)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = NULL;
    virStorageVolInfo info;
    struct json_object *req = NULL, *out = NULL;
    char *format = NULL, *xml = NULL;

    if (!virt_volume_name_valid(name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid volume name",
                      name ? name : "");
        app_error_at_field(err, "", "name");
        return NULL;
    }
    if (!(v = volume_lookup_info(conn, pool, vol, &p, &info, err)))
        return NULL;
    if (virt_volume_bounds_check(v, "clone", false, err) < 0 || !(format = volume_format(v, err)))
        goto cleanup;
    if (strcmp(format, "qcow2") != 0 && strcmp(format, "raw") != 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "only qcow2 and raw volumes can be cloned (\"%s\" is %s)", vol, format);
        goto cleanup;
    }
    req = json_object_new_object();
    json_object_object_add(req, "name", json_object_new_string(name));
    json_object_object_add(req, "capacity_bytes", json_object_new_int64((int64_t)info.capacity));
    json_object_object_add(req, "format", json_object_new_string(format));
    /* An allocation below the source's capacity makes libvirt copy sparsely (zero blocks
     * skipped) instead of preallocating the whole copy first: the copy holds what the
     * source holds, and its allocation grows as it is written, which is what a clone
     * job's progress reads (virt_copy_watch.h). */
    json_object_object_add(req, "allocation_bytes", json_object_new_int64(0));
    if (virt_volume_xml_build(req, NULL, NULL, &xml, err) == 0)
        out = volume_create_in(p, xml, name, info.allocation, v, err);

cleanup:
    json_object_put(req);
    virStorageVolFree(v);
    virStoragePoolFree(p);
    free(format);
    free(xml);
    return out;
}

struct json_object *virt_volume_wipe(virConnectPtr conn, const char *pool, const char *vol,
                                     const char *algorithm, struct app_error *err)
{
    virStorageVolPtr v = NULL;
    struct json_object *out = NULL;

    if (algorithm && strcmp(algorithm, "zero") != 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"algorithm\" must be \"zero\"");
        return NULL;
    }
    if (!(v = virt_volume_lookup(conn, pool, vol, NULL, err)))
        return NULL;
    if (volume_unused(v, true, "wipe", err) < 0 ||
        virt_volume_bounds_check(v, "wipe", false, err) < 0)
        goto cleanup;
    if (virStorageVolWipePattern(v, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0) < 0) {
        virt_error_capture(err, "wipe volume");
        goto cleanup;
    }
    out = virt_volume_to_json(v, NULL, NULL, err);

cleanup:
    virStorageVolFree(v);
    return out;
}
