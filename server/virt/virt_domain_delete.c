/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_delete: deletes a shut-off persistent domain and the pool volumes chosen
 * (see virt_domain_delete.h for the order and why). The body parser is pure; the rest
 * runs on a worker thread with the request's libvirt connection. Invariant: nothing
 * changes before every check passed, and a volume some other domain uses is never
 * deleted (virt_volume_delete checks the users again after the undefine). */
#include "virt/virt_domain_delete.h"

#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"
#include "virt/virt_usage.h"
#include "virt/virt_volume.h"

#define DELETE_VOLUMES_WRONG                                                                       \
    "field \"volumes\" must be \"all\", \"none\" or a list of {\"pool\", \"name\"}"

static int delete_refuse(struct app_error *err, const char *msg, size_t i)
{
    if (i == (size_t)-1)
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s", msg);
    else
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "volumes[%zu]: %s", i, msg);
    app_error_at_field(err, "", "volumes");
    return -1;
}

/* Copies member key of entry (a non-empty string of at most max bytes that
 * utf8_name_file_valid accepts) into out. */
static int delete_parse_name(struct json_object *entry, const char *key, char *out, size_t max)
{
    struct json_object *v;
    const char *s;

    if (!json_object_object_get_ex(entry, key, &v) || !json_object_is_type(v, json_type_string))
        return -1;
    s = json_object_get_string(v);
    if (!s[0] || strlen(s) > max || !utf8_name_file_valid(s))
        return -1;
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int delete_parse_entry(struct json_object *entry, struct virt_delete_choice *out, size_t i,
                              struct app_error *err)
{
    struct virt_delete_volume *vol = &out->volumes[out->count];

    if (!json_object_is_type(entry, json_type_object) || json_object_object_length(entry) != 2)
        return delete_refuse(err, "each entry must be {\"pool\", \"name\"} and nothing else", i);
    if (delete_parse_name(entry, "pool", vol->pool, VIRT_DELETE_POOL_MAX) < 0)
        return delete_refuse(err, "\"pool\" must be a pool name", i);
    if (delete_parse_name(entry, "name", vol->name, UTF8_NAME_FILE_MAX) < 0)
        return delete_refuse(err, "\"name\" must be a volume name", i);
    for (size_t j = 0; j < out->count; j++)
        if (!strcmp(out->volumes[j].pool, vol->pool) && !strcmp(out->volumes[j].name, vol->name))
            return delete_refuse(err, "this volume is listed twice", i);
    out->count++;
    return 0;
}

int virt_domain_delete_parse(struct json_object *body, struct virt_delete_choice *out,
                             struct app_error *err)
{
    struct json_object *v;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!body || !json_object_object_get_ex(body, "volumes", &v))
        return 0;
    if (json_object_is_type(v, json_type_string)) {
        if (!strcmp(json_object_get_string(v), "none"))
            return 0;
        if (!strcmp(json_object_get_string(v), "all")) {
            out->mode = VIRT_DELETE_ALL;
            return 0;
        }
        return delete_refuse(err, DELETE_VOLUMES_WRONG, (size_t)-1);
    }
    if (!json_object_is_type(v, json_type_array))
        return delete_refuse(err, DELETE_VOLUMES_WRONG, (size_t)-1);
    n = json_object_array_length(v);
    if (n > VIRT_DELETE_VOLUMES_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "field \"volumes\" lists %zu volumes; at most %d may be listed", n,
                      VIRT_DELETE_VOLUMES_MAX);
        app_error_at_range(err, "", "volumes", 0, VIRT_DELETE_VOLUMES_MAX);
        return -1;
    }
    out->mode = VIRT_DELETE_LIST;
    for (size_t i = 0; i < n; i++)
        if (delete_parse_entry(json_object_array_get_idx(v, i), out, i, err) < 0)
            return -1;
    return 0;
}

/* The pool volume behind one disk of the usage index, or NULL (libvirt's error reset)
 * when the disk is no pool's volume. */
static virStorageVolPtr delete_disk_volume(virConnectPtr conn, struct json_object *disk)
{
    struct json_object *path, *pool, *volume;
    virStoragePoolPtr p = NULL;
    virStorageVolPtr vol = NULL;

    if (json_object_object_get_ex(disk, "pool", &pool) &&
        json_object_object_get_ex(disk, "volume", &volume)) {
        if ((p = virStoragePoolLookupByName(conn, json_object_get_string(pool))))
            vol = virStorageVolLookupByName(p, json_object_get_string(volume));
    } else if (json_object_object_get_ex(disk, "path", &path)) {
        vol = virStorageVolLookupByPath(conn, json_object_get_string(path));
    }
    if (p)
        virStoragePoolFree(p);
    if (!vol)
        virResetLastError();
    return vol;
}

/* The users of vol other than the domain uuid: a new array of {"uuid","name","active"}. */
static struct json_object *delete_others(const struct virt_usage *usage, const char *uuid,
                                         const char *path, const char *pool, const char *name)
{
    struct json_object *users = virt_usage_volume_users(usage, path, pool, name, NULL);
    struct json_object *others = json_object_new_array();
    struct json_object *v;

    for (size_t i = 0; i < json_object_array_length(users); i++) {
        struct json_object *u = json_object_array_get_idx(users, i), *o;
        bool seen = false;

        json_object_object_get_ex(u, "uuid", &v);
        if (!strcmp(json_object_get_string(v), uuid))
            continue;
        for (size_t j = 0; j < json_object_array_length(others); j++) {
            json_object_object_get_ex(json_object_array_get_idx(others, j), "uuid", &o);
            seen = seen || !strcmp(json_object_get_string(o), json_object_get_string(v));
        }
        if (seen)
            continue; /* one domain with the volume on two targets */
        o = json_object_new_object();
        json_object_object_add(o, "uuid", json_object_get(v));
        json_object_object_get_ex(u, "name", &v);
        json_object_object_add(o, "name", json_object_get(v));
        json_object_object_get_ex(u, "active", &v);
        json_object_object_add(o, "active", json_object_get(v));
        json_object_array_add(others, o);
    }
    json_object_put(users);
    return others;
}

/* Appends vol's entry to list unless it is there (a volume on two targets). */
static int delete_volume_add(struct json_object *list, virStorageVolPtr vol,
                             const struct virt_usage *usage, const char *uuid,
                             struct json_object *disk, struct app_error *err)
{
    virStoragePoolPtr pool = NULL;
    virStorageVolInfo info;
    const char *name = virStorageVolGetName(vol);
    char *path = virStorageVolGetPath(vol);
    struct json_object *obj, *v;
    int ret = -1;

    if (!name || !path || !(pool = virStoragePoolLookupByVolume(vol)) ||
        virStorageVolGetInfo(vol, &info) < 0) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        struct json_object *o = json_object_array_get_idx(list, i), *p, *n;
        json_object_object_get_ex(o, "pool", &p);
        json_object_object_get_ex(o, "name", &n);
        if (!strcmp(json_object_get_string(p), virStoragePoolGetName(pool)) &&
            !strcmp(json_object_get_string(n), name)) {
            ret = 0;
            goto cleanup;
        }
    }
    obj = json_object_new_object();
    json_object_object_add(obj, "pool", json_object_new_string(virStoragePoolGetName(pool)));
    json_object_object_add(obj, "name", json_object_new_string(name));
    json_object_object_add(obj, "path", json_object_new_string(path));
    json_object_object_get_ex(disk, "target", &v);
    json_object_object_add(obj, "target", json_object_get(v));
    json_object_object_get_ex(disk, "device", &v);
    json_object_object_add(obj, "device", json_object_get(v));
    json_object_object_add(obj, "capacity_bytes", json_object_new_int64((int64_t)info.capacity));
    json_object_object_add(obj, "shared_with",
                           delete_others(usage, uuid, path, virStoragePoolGetName(pool), name));
    json_object_array_add(list, obj);
    ret = 0;

cleanup:
    if (pool)
        virStoragePoolFree(pool);
    free(path);
    return ret;
}

struct json_object *virt_domain_delete_volumes(virDomainPtr dom, struct app_error *err)
{
    virConnectPtr conn = virDomainGetConnect(dom);
    char uuid[VIR_UUID_STRING_BUFLEN];
    struct virt_usage *usage = NULL;
    struct json_object *disks = NULL, *list = json_object_new_array();
    virStorageVolPtr vol;

    if (virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "read domain");
        goto fail;
    }
    if (!(usage = virt_usage_collect(conn, err)))
        goto fail;
    disks = virt_usage_domain_disks(usage, uuid);
    for (size_t i = 0; i < json_object_array_length(disks); i++) {
        struct json_object *disk = json_object_array_get_idx(disks, i);
        int rc;

        if (!(vol = delete_disk_volume(conn, disk)))
            continue;
        rc = delete_volume_add(list, vol, usage, uuid, disk, err);
        virStorageVolFree(vol);
        if (rc < 0)
            goto fail;
    }
    json_object_put(disks);
    virt_usage_free(usage);
    return list;

fail:
    json_object_put(disks);
    virt_usage_free(usage);
    json_object_put(list);
    return NULL;
}

static const char *delete_str(struct json_object *obj, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(obj, key, &v) ? json_object_get_string(v) : "";
}

/* The entry of vols for pool/name, or NULL. */
static struct json_object *delete_find(struct json_object *vols, const char *pool, const char *name)
{
    for (size_t i = 0; i < json_object_array_length(vols); i++) {
        struct json_object *o = json_object_array_get_idx(vols, i);
        if (!strcmp(delete_str(o, "pool"), pool) && !strcmp(delete_str(o, "name"), name))
            return o;
    }
    return NULL;
}

/* 400 unless every listed volume is one of vols. */
static int delete_check_choice(const struct virt_delete_choice *choice, struct json_object *vols,
                               struct app_error *err)
{
    for (size_t i = 0; choice->mode == VIRT_DELETE_LIST && i < choice->count; i++) {
        const struct virt_delete_volume *v = &choice->volumes[i];
        if (!delete_find(vols, v->pool, v->name)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "volumes[%zu]: \"%s/%s\" is not a disk of this domain", i, v->pool,
                          v->name);
            app_error_at_field(err, "", "volumes");
            return -1;
        }
    }
    return 0;
}

/* The undefine flags, most wanted first; the later ones are dropped first when the
 * driver refuses a flag it does not know (libvirt's test driver has no checkpoints). */
static const struct {
    unsigned int flag;
    const char *name;
} delete_flags[] = {
    {VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, "snapshots_metadata"},
    {VIR_DOMAIN_UNDEFINE_MANAGED_SAVE, "managed_save"},
    {VIR_DOMAIN_UNDEFINE_NVRAM, "nvram"},
    {VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, "checkpoints_metadata"},
};
#define DELETE_NFLAGS (sizeof(delete_flags) / sizeof(delete_flags[0]))

/* Undefines dom with as many of delete_flags as the driver takes; adds their names to
 * used. */
static int delete_undefine(virDomainPtr dom, struct json_object *used, struct app_error *err)
{
    size_t n = DELETE_NFLAGS;

    for (;;) {
        unsigned int flags = 0;
        virErrorPtr e;

        for (size_t i = 0; i < n; i++)
            flags |= delete_flags[i].flag;
        if (virDomainUndefineFlags(dom, flags) == 0)
            break;
        e = virGetLastError();
        if (n == 0 || !e || (e->code != VIR_ERR_INVALID_ARG && e->code != VIR_ERR_NO_SUPPORT)) {
            virt_error_capture(err, "undefine domain");
            return -1;
        }
        virResetLastError();
        n--;
    }
    for (size_t i = 0; i < n; i++)
        json_object_array_add(used, json_object_new_string(delete_flags[i].name));
    return 0;
}

static void delete_keep(struct json_object *kept, struct json_object *vol, const char *reason,
                        const char *message)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "pool", json_object_new_string(delete_str(vol, "pool")));
    json_object_object_add(o, "name", json_object_new_string(delete_str(vol, "name")));
    json_object_object_add(o, "reason", json_object_new_string(reason));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_array_add(kept, o);
}

/* Deletes vol (an entry of virt_domain_delete_volumes) when chosen and no other domain
 * uses it; records it in removed or kept. */
static void delete_one(virConnectPtr conn, const struct virt_delete_choice *choice,
                       struct json_object *vol, struct json_object *removed,
                       struct json_object *kept)
{
    const char *pool = delete_str(vol, "pool"), *name = delete_str(vol, "name");
    struct json_object *shared = NULL, *o;
    bool chosen = choice->mode == VIRT_DELETE_ALL;
    struct app_error err;
    char names[160], message[200];

    for (size_t i = 0; choice->mode == VIRT_DELETE_LIST && i < choice->count; i++)
        chosen = chosen ||
                 (!strcmp(choice->volumes[i].pool, pool) && !strcmp(choice->volumes[i].name, name));
    /* shared first: a volume another domain uses is reported so whether chosen or not */
    json_object_object_get_ex(vol, "shared_with", &shared);
    if (json_object_array_length(shared) > 0) {
        virt_usage_names(shared, false, names, sizeof(names));
        snprintf(message, sizeof(message), "also used by %s", names);
        delete_keep(kept, vol, "shared", message);
        return;
    }
    if (!chosen) {
        delete_keep(kept, vol, "not_chosen", "not chosen for deletion");
        return;
    }
    if (choice->mode == VIRT_DELETE_ALL && strcmp(delete_str(vol, "device"), "disk")) {
        delete_keep(kept, vol, "not_a_disk",
                    "install media and floppies are kept by \"all\": list them to delete them");
        return;
    }
    app_error_clear(&err);
    if (virt_volume_delete(conn, pool, name, &err) < 0) {
        delete_keep(kept, vol, "delete_failed", err.message);
        return;
    }
    o = json_object_new_object();
    json_object_object_add(o, "pool", json_object_new_string(pool));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_array_add(removed, o);
}

struct json_object *virt_domain_delete(virDomainPtr dom, const struct virt_delete_choice *choice,
                                       struct app_error *err)
{
    struct json_object *vols = NULL, *out = NULL, *used, *removed, *kept;
    char uuid[VIR_UUID_STRING_BUFLEN];
    char *name = NULL;

    if (virt_domain_require_shutoff(
            dom, "it has no definition to delete and vanishes when it is shut down or forced off",
            "force it off first", err) < 0)
        return NULL;
    if (!(vols = virt_domain_delete_volumes(dom, err)) ||
        delete_check_choice(choice, vols, err) < 0)
        goto cleanup;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "read domain");
        goto cleanup;
    }
    name = xstrdup(virDomainGetName(dom));
    used = json_object_new_array();
    if (delete_undefine(dom, used, err) < 0) {
        json_object_put(used);
        goto cleanup;
    }
    /* the domain is gone: from here on, nothing fails the request */
    removed = json_object_new_array();
    kept = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(vols); i++)
        delete_one(virDomainGetConnect(dom), choice, json_object_array_get_idx(vols, i), removed,
                   kept);
    out = json_object_new_object();
    json_object_object_add(out, "uuid", json_object_new_string(uuid));
    json_object_object_add(out, "name", json_object_new_string(name));
    json_object_object_add(out, "undefine_flags", used);
    json_object_object_add(out, "removed", removed);
    json_object_object_add(out, "kept", kept);

cleanup:
    json_object_put(vols);
    free(name);
    return out;
}
