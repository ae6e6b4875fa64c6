/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume_bounds: where a volume's path leads, and refusing the ones that leave
 * their pool (see virt_volume_bounds.h for the rules and the race that remains).
 *
 * Workers and the transfers' pump threads only: lstat/realpath on the host's file system and
 * libvirt calls. */
#include "virt/virt_volume_bounds.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fspath.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"
#include "virt/virt_pool_policy.h"
#include "virt/virt_pool_xml.h"

/* pool types whose volumes are files in the pool's directory */
static const char *const bounds_dir_types[] = {"dir", "fs", "netfs", "vstorage", NULL};
/* pool types whose volumes have no host path */
static const char *const bounds_network_types[] = {"rbd", "gluster", "sheepdog", "iscsi-direct",
                                                   NULL};

static bool bounds_in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

int virt_volume_bounds_init(struct virt_volume_bounds *b, virStoragePoolPtr pool,
                            struct app_error *err)
{
    struct json_object *fields = json_object_new_object(), *v;
    char *xml = NULL;
    const char *type = NULL;
    int ret = -1;

    memset(b, 0, sizeof(*b));
    if (!(xml = virStoragePoolGetXMLDesc(pool, 0))) {
        virt_error_capture(err, "read pool");
        goto cleanup;
    }
    if (virt_pool_xml_read(xml, fields, err) < 0)
        goto cleanup;
    if (json_object_object_get_ex(fields, "type", &v))
        type = json_object_get_string(v);
    b->kind = bounds_in_list(type, bounds_dir_types)       ? VIRT_VOLUME_BOUNDS_DIR
              : bounds_in_list(type, bounds_network_types) ? VIRT_VOLUME_BOUNDS_NETWORK
                                                           : VIRT_VOLUME_BOUNDS_BLOCK;
    if (json_object_object_get_ex(fields, "target_path", &v) && v)
        b->target = xstrdup(json_object_get_string(v));
    b->pool = xstrdup(virStoragePoolGetName(pool));
    ret = 0;

cleanup:
    json_object_put(fields);
    free(xml);
    return ret;
}

void virt_volume_bounds_clear(struct virt_volume_bounds *b)
{
    if (!b)
        return;
    free(b->pool);
    free(b->target);
    memset(b, 0, sizeof(*b));
}

/* A directory pool: see the header. st is path's lstat. */
static enum virt_volume_place bounds_place_dir(const struct virt_volume_bounds *b, const char *path,
                                               const struct stat *st)
{
    enum virt_volume_place place = VIRT_VOLUME_OUTSIDE;
    const char *slash = strrchr(path, '/');
    char *target = NULL, *dir = NULL, *real = NULL;

    if (!b->target || !slash || slash == path || !(target = realpath(b->target, NULL)))
        goto cleanup;
    /* a pool directory reached through a link is only trusted inside pool_roots */
    if (strcmp(target, b->target) != 0 && !virt_pool_policy_in_roots(target))
        goto cleanup;
    /* the volume is an entry of that very directory */
    dir = xstrndup(path, (size_t)(slash - path));
    if (!(real = realpath(dir, NULL)) || strcmp(real, target) != 0)
        goto cleanup;
    free(real);
    real = realpath(path, NULL);
    if (real && fspath_within(real, target) && strcmp(real, target) != 0)
        place = VIRT_VOLUME_INSIDE;
    else if (S_ISLNK(st->st_mode))
        place = VIRT_VOLUME_LINK_OUT;

cleanup:
    free(target);
    free(dir);
    free(real);
    return place;
}

/* A block pool: below its /dev target, and a block device node under /dev. */
static enum virt_volume_place bounds_place_block(const struct virt_volume_bounds *b,
                                                 const char *path)
{
    enum virt_volume_place place = VIRT_VOLUME_OUTSIDE;
    char *real = NULL;
    struct stat st;

    if (b->target && fspath_within(path, b->target) && strcmp(path, b->target) != 0 &&
        (real = realpath(path, NULL)) && strncmp(real, "/dev/", 5) == 0 && stat(real, &st) == 0 &&
        S_ISBLK(st.st_mode))
        place = VIRT_VOLUME_INSIDE;
    free(real);
    return place;
}

enum virt_volume_place virt_volume_bounds_place(const struct virt_volume_bounds *b,
                                                const char *path)
{
    struct stat st;

    if (b->kind == VIRT_VOLUME_BOUNDS_NETWORK)
        return VIRT_VOLUME_INSIDE;
    if (!path || path[0] != '/')
        return VIRT_VOLUME_OUTSIDE;
    if (lstat(path, &st) < 0)
        return errno == ENOENT || errno == ENOTDIR ? VIRT_VOLUME_ABSENT : VIRT_VOLUME_OUTSIDE;
    return b->kind == VIRT_VOLUME_BOUNDS_DIR ? bounds_place_dir(b, path, &st)
                                             : bounds_place_block(b, path);
}

int virt_volume_bounds_allow(const struct virt_volume_bounds *b, const char *name, const char *path,
                             const char *what, bool entry_only, enum virt_volume_place *place_out,
                             struct app_error *err)
{
    enum virt_volume_place place = virt_volume_bounds_place(b, path);

    if (place_out)
        *place_out = place;
    if (place == VIRT_VOLUME_INSIDE || place == VIRT_VOLUME_ABSENT ||
        (entry_only && place == VIRT_VOLUME_LINK_OUT))
        return 0;
    if (place == VIRT_VOLUME_LINK_OUT)
        app_error_set(err, 403, APP_ERR_OUTSIDE_POOL,
                      "volume \"%s\" is a symbolic link that leads out of pool \"%s\"; refusing "
                      "to %s it (delete the link, or move the file into the pool)",
                      name, b->pool, what);
    else
        app_error_set(err, 403, APP_ERR_OUTSIDE_POOL,
                      "volume \"%s\" cannot be shown to stay inside pool \"%s\" (its path or the "
                      "pool's directory leads elsewhere); refusing to %s it",
                      name, b->pool, what);
    return -1;
}

int virt_volume_bounds_check(virStorageVolPtr vol, const char *what, bool entry_only,
                             struct app_error *err)
{
    struct virt_volume_bounds b = {0};
    virStoragePoolPtr pool = NULL;
    char *path = NULL;
    int ret = -1;

    if (!(pool = virStoragePoolLookupByVolume(vol)) || !(path = virStorageVolGetPath(vol))) {
        virt_error_capture(err, "read volume");
        goto cleanup;
    }
    if (virt_volume_bounds_init(&b, pool, err) < 0)
        goto cleanup;
    ret =
        virt_volume_bounds_allow(&b, virStorageVolGetName(vol), path, what, entry_only, NULL, err);

cleanup:
    virt_volume_bounds_clear(&b);
    if (pool)
        virStoragePoolFree(pool);
    free(path);
    return ret;
}

int virt_volume_bounds_check_new(const struct virt_volume_bounds *b, const char *name,
                                 struct app_error *err)
{
    char *path;
    struct stat st;
    int ret = 0;

    if (b->kind != VIRT_VOLUME_BOUNDS_DIR || !b->target)
        return 0;
    path = xasprintf("%s/%s", b->target, name);
    if (lstat(path, &st) == 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "pool \"%s\" already has an entry \"%s\" that libvirt does not list as a "
                      "volume (a dangling symbolic link?); remove it on the host first",
                      b->pool, name);
        ret = -1;
    }
    free(path);
    return ret;
}
