/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_create: a new VM from a checked request (see virt_domain_create.h for the
 * order and the rollback). Runs on a worker thread with the request's libvirt
 * connection. Invariant: on failure every volume this call made is deleted again (in
 * reverse order) and no definition is left behind. */
#include "virt/virt_domain_create.h"

#include <libvirt/virterror.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_clone.h"
#include "virt/virt_domain_template.h"
#include "virt/virt_error.h"
#include "virt/virt_osinfo.h"
#include "virt/virt_tree.h"
#include "virt/virt_tree_fetch.h"
#include "virt/virt_volume.h"
#include "virt/virt_xml.h"

#define CREATE_DEFAULT_MEMORY_MIB 1024
#define CREATE_DEFAULT_DISK_GIB   10
#define CREATE_MADE_MAX           (VIRT_CLONE_DISKS_MAX + 1) /* volumes: disks and a seed */
#define CREATE_NAME_TRIES         100
#define CREATE_UPLOAD_CHUNK       65536
#define CREATE_KERNEL_MAX         (64ULL << 20) /* a network install's kernel */
#define CREATE_INITRD_MAX         (1ULL << 30)  /* ... and its initrd */

/* What this call made so far, undone in reverse on failure. */
struct create_made {
    char pool[CREATE_MADE_MAX][VIRT_CREATE_NAME_MAX];
    char name[CREATE_MADE_MAX][UTF8_NAME_FILE_MAX + 1];
    size_t count;
    virDomainPtr dom; /* owned: the definition, once made */
};

/* Records a volume this call made (pool, name) for the rollback. */
static void create_made_add(struct create_made *made, const char *pool, const char *name)
{
    snprintf(made->pool[made->count], sizeof(made->pool[0]), "%s", pool);
    snprintf(made->name[made->count], sizeof(made->name[0]), "%s", name);
    made->count++;
}

/* The bus of the VM's disk: the request's, else the OS's, else virtio. */
static const char *create_bus(const struct virt_domain_create_req *req,
                              const struct virt_osinfo_os *os)
{
    return req->disk_bus[0] ? req->disk_bus : os ? os->disk_bus : "virtio";
}

/* Rewrites err (a 404 of a lookup) as a 400 at field: the request named something
 * that does not exist. */
static void create_at_field(struct app_error *err, const char *field)
{
    if (err->status == 404)
        err->status = 400, err->code = APP_ERR_BAD_REQUEST;
    app_error_at_field(err, "", field);
}

/* The osinfo entry of req->os into *os (NULL when req names none); 400 at "os". */
static int create_os(const struct virt_domain_create_req *req, const struct virt_osinfo_os **os,
                     struct app_error *err)
{
    const struct virt_osinfo_list *list;

    *os = NULL;
    if (!req->os[0])
        return 0;
    if (!(list = virt_osinfo_shared(err)))
        return -1;
    if (!(*os = virt_osinfo_list_find(list, req->os))) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" is no OS of the osinfo database",
                      req->os);
        app_error_at_field(err, "", "os");
        return -1;
    }
    return 0;
}

/* 400 at field unless pool names an active pool of conn. */
static int create_check_pool(virConnectPtr conn, const char *pool, const char *field,
                             struct app_error *err)
{
    virStoragePoolPtr p = virStoragePoolLookupByName(conn, pool);
    int active;

    if (!p) {
        virResetLastError();
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "no storage pool named \"%s\"", pool);
        app_error_at_field(err, "", field);
        return -1;
    }
    active = virStoragePoolIsActive(p);
    virStoragePoolFree(p);
    if (active != 1) {
        virResetLastError();
        app_error_set(err, 409, APP_ERR_CONFLICT, "storage pool \"%s\" is not active", pool);
        app_error_at_field(err, "", field);
        return -1;
    }
    return 0;
}

/* 400 at "network.network" unless the NIC's network exists. */
static int create_check_network(virConnectPtr conn, const struct virt_domain_create_req *req,
                                struct app_error *err)
{
    virNetworkPtr net;

    if (req->nic != VIRT_CREATE_NIC_NETWORK)
        return 0;
    if ((net = virNetworkLookupByName(conn, req->nic_source))) {
        virNetworkFree(net);
        return 0;
    }
    virResetLastError();
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "no virtual network named \"%s\"",
                  req->nic_source);
    app_error_at_field(err, "", "network.network");
    return -1;
}

/* The source volume of an iso or import request as a disk (path, format) of spec; 400
 * at "source.volume.*" when it does not exist or is of the wrong kind. */
static int create_source_disk(virConnectPtr conn, const struct virt_domain_create_req *req,
                              struct virt_create_disk *disk, struct app_error *err)
{
    struct json_object *vol, *v;
    const char *format, *type;
    virStorageVolPtr sv;
    int ret = -1, rc;

    if (create_check_pool(conn, req->source_pool, "source.volume.pool", err) < 0)
        return -1;
    /* a volume that leads out of its pool (a link to a host file or device) is never
     * attached: 403 outside_pool, as for POST .../disks */
    if (!(sv = virt_volume_lookup(conn, req->source_pool, req->source_volume, NULL, err))) {
        create_at_field(err, "source.volume.name");
        return -1;
    }
    rc = virt_volume_bounds_check(sv, "attach", false, err);
    virStorageVolFree(sv);
    if (rc < 0 || !(vol = virt_volume_get(conn, req->source_pool, req->source_volume, err))) {
        create_at_field(err, "source.volume.name");
        return -1;
    }
    json_object_object_get_ex(vol, "format", &v);
    format = json_object_get_string(v);
    json_object_object_get_ex(vol, "type", &v);
    type = json_object_get_string(v);
    if (req->source == VIRT_DOMAIN_CREATE_IMPORT && format && strcmp(format, "qcow2") &&
        strcmp(format, "raw")) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "volume \"%s\" is %s: only a qcow2 or raw volume can be imported",
                      req->source_volume, format);
        app_error_at_field(err, "", "source.volume.name");
        goto cleanup;
    }
    /* two VMs writing one disk corrupt it: an imported disk is no other VM's */
    json_object_object_get_ex(vol, "used_by", &v);
    if (req->source == VIRT_DOMAIN_CREATE_IMPORT && json_object_array_length(v) > 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "volume \"%s\" is the disk of another VM",
                      req->source_volume);
        app_error_at_field(err, "", "source.volume.name");
        goto cleanup;
    }
    json_object_object_get_ex(vol, "path", &v);
    snprintf(disk->path, sizeof(disk->path), "%s", json_object_get_string(v));
    snprintf(disk->format, sizeof(disk->format), "%s",
             format && !strcmp(format, "qcow2") ? "qcow2" : "raw");
    disk->block = type && !strcmp(type, "block");
    disk->cdrom = req->source == VIRT_DOMAIN_CREATE_ISO;
    ret = 0;

cleanup:
    json_object_put(vol);
    return ret;
}

/* The domain_type config key: "auto", "kvm" or "qemu" (virt_domain_create_set_type). */
static const char *create_configured_type = "auto";

void virt_domain_create_set_type(const char *type)
{
    create_configured_type = !strcmp(type, "kvm") ? "kvm" : !strcmp(type, "qemu") ? "qemu" : "auto";
}

/* "test" on libvirt's test driver (its only domain type); else the configured type, or
 * for "auto" "kvm" when the host's QEMU has KVM and "qemu" without it. */
static void create_domain_type(virConnectPtr conn, char *out, size_t len)
{
    const char *driver = virConnectGetType(conn);
    char *caps;

    if (driver && !strcmp(driver, "Test")) {
        snprintf(out, len, "test");
        return;
    }
    if (strcmp(create_configured_type, "auto")) {
        snprintf(out, len, "%s", create_configured_type);
        return;
    }
    caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", NULL, "kvm", 0);
    if (!caps)
        virResetLastError();
    snprintf(out, len, "%s", caps ? "kvm" : "qemu");
    free(caps);
}

/* The next free target name for bus ("vd", "sd" or "hd" and a letter) given the counts
 * used so far. */
static void create_target(const char *bus, unsigned used[3], char out[8])
{
    unsigned i = !strcmp(bus, "virtio") ? 0 : !strcmp(bus, "ide") ? 2 : 1;
    static const char *const prefix[] = {"vd", "sd", "hd"};

    snprintf(out, 8, "%s%c", prefix[i], 'a' + (int)(used[i]++ % 26));
}

/* The defaults of req resolved with os (may be NULL) into spec: everything but the
 * disks' paths. */
static void create_resolve(const struct virt_domain_create_req *req,
                           const struct virt_osinfo_os *os, struct virt_create_spec *spec)
{
    snprintf(spec->name, sizeof(spec->name), "%s", req->name);
    snprintf(spec->title, sizeof(spec->title), "%s", req->title);
    snprintf(spec->description, sizeof(spec->description), "%s", req->description);
    snprintf(spec->os_id, sizeof(spec->os_id), "%s", os ? os->id : "");
    snprintf(spec->machine, sizeof(spec->machine), "%s", !os || os->q35 ? "q35" : "pc");
    spec->vcpus = req->vcpus ? req->vcpus : os && os->vcpus_rec > 0 ? (unsigned)os->vcpus_rec : 1;
    spec->memory_mib = req->memory_mib                ? req->memory_mib
                       : os && os->memory_rec_mib > 0 ? (unsigned long long)os->memory_rec_mib
                                                      : CREATE_DEFAULT_MEMORY_MIB;
    spec->uefi = req->firmware[0] ? !strcmp(req->firmware, "uefi") : os && os->uefi_required;
    spec->tpm = req->tpm >= 0 ? req->tpm == 1 : os && os->tpm_required;
    spec->virtio = !os || os->virtio_disk || os->virtio_net;
    spec->nic = req->nic;
    snprintf(spec->nic_source, sizeof(spec->nic_source), "%s", req->nic_source);
    snprintf(spec->nic_model, sizeof(spec->nic_model), "%s",
             req->nic_model[0] ? req->nic_model
             : os              ? os->nic_model
                               : "virtio");
}

/* Makes the new empty disk volume of req in req->disk_pool, named
 * "<vm>-<target>.<format>" (a free variant of it), and fills disk. */
static int create_new_volume(virConnectPtr conn, const struct virt_domain_create_req *req,
                             const char *pool_name, unsigned long long gib,
                             struct virt_create_disk *disk, struct create_made *made,
                             struct app_error *err)
{
    char name[UTF8_NAME_FILE_MAX + 1], src[16];
    struct json_object *vreq = NULL, *vol = NULL, *v;
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
    virStorageVolPtr other;
    unsigned n;
    int ret = -1;

    if (!pool) {
        virt_error_capture(err, "look up storage pool");
        return -1;
    }
    snprintf(src, sizeof(src), "disk.%s", disk->format);
    for (n = 1; n <= CREATE_NAME_TRIES; n++) {
        virt_domain_clone_volume_name(req->name, disk->target, src, n, name, sizeof(name));
        if (!(other = virStorageVolLookupByName(pool, name)))
            break;
        virStorageVolFree(other);
    }
    virResetLastError();
    if (n > CREATE_NAME_TRIES) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "pool \"%s\" has no free name for disk %s",
                      pool_name, disk->target);
        app_error_at_field(err, "", "disk.pool");
        goto cleanup;
    }
    vreq = json_object_new_object();
    json_object_object_add(vreq, "name", json_object_new_string(name));
    json_object_object_add(vreq, "capacity_bytes", json_object_new_int64((int64_t)(gib << 30)));
    json_object_object_add(vreq, "format", json_object_new_string(disk->format));
    if (!(vol = virt_volume_create(conn, pool_name, vreq, err))) {
        if (err->field[0])
            app_error_at_field(err, "", "disk.size_gib");
        goto cleanup;
    }
    create_made_add(made, pool_name, name);
    json_object_object_get_ex(vol, "path", &v);
    snprintf(disk->path, sizeof(disk->path), "%s", json_object_get_string(v));
    json_object_object_get_ex(vol, "type", &v);
    disk->block = !strcmp(json_object_get_string(v), "block");
    ret = 0;

cleanup:
    json_object_put(vreq);
    json_object_put(vol);
    virStoragePoolFree(pool);
    return ret;
}

/* The size of the new empty disk of req (GiB): the request's, the OS's, or the default. */
static unsigned long long create_disk_gib(const struct virt_domain_create_req *req,
                                          const struct virt_osinfo_os *os)
{
    return req->disk_size_gib           ? req->disk_size_gib
           : os && os->disk_rec_gib > 0 ? (unsigned long long)os->disk_rec_gib
                                        : CREATE_DEFAULT_DISK_GIB;
}

/* The disks of spec: the source's volume (iso: a CD-ROM booted first; import: the
 * disk) and the new empty disk; boot order as an installer expects it. */
static int create_disks(virConnectPtr conn, const struct virt_domain_create_req *req,
                        const struct virt_osinfo_os *os, struct virt_create_spec *spec,
                        struct create_made *made, struct app_error *err)
{
    const char *bus = create_bus(req, os);
    const char *pool = req->disk_pool[0] ? req->disk_pool : "default";
    unsigned used[3] = {0, 0, 0}, order = 1;
    struct virt_create_disk *disk;
    unsigned long long gib;

    if (req->source == VIRT_DOMAIN_CREATE_IMPORT) {
        disk = &spec->disks[spec->disk_count++];
        snprintf(disk->bus, sizeof(disk->bus), "%s", bus);
        create_target(bus, used, disk->target);
        disk->boot_order = order++;
        return create_source_disk(conn, req, disk, err);
    }
    if (req->disk) {
        disk = &spec->disks[spec->disk_count++];
        snprintf(disk->bus, sizeof(disk->bus), "%s", bus);
        snprintf(disk->format, sizeof(disk->format), "%s",
                 req->disk_format[0] ? req->disk_format : "qcow2");
        create_target(bus, used, disk->target);
    }
    if (req->source == VIRT_DOMAIN_CREATE_ISO) {
        struct virt_create_disk *cd = &spec->disks[spec->disk_count++];
        const char *cd_bus = strcmp(spec->machine, "q35") ? "ide" : "sata";

        snprintf(cd->bus, sizeof(cd->bus), "%s", cd_bus);
        create_target(cd_bus, used, cd->target);
        cd->boot_order = order++;
        if (create_source_disk(conn, req, cd, err) < 0)
            return -1;
    }
    if (!req->disk)
        return 0;
    disk = &spec->disks[0];
    disk->boot_order = order++;
    gib = create_disk_gib(req, os);
    if (create_check_pool(conn, pool, "disk.pool", err) < 0)
        return -1;
    /* the last step before anything is made: every check above has passed */
    return create_new_volume(conn, req, pool, gib, disk, made, err);
}

/* Undoes what made holds, in reverse (best effort: the create failed already). */
static void create_rollback(virConnectPtr conn, struct create_made *made)
{
    struct app_error ignored;

    if (made->dom) {
        if (virDomainIsActive(made->dom) == 1 && virDomainDestroy(made->dom) < 0)
            virResetLastError();
        if (virDomainUndefineFlags(made->dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM) <
                0 &&
            virDomainUndefine(made->dom) < 0)
            virResetLastError();
        virResetLastError();
    }
    while (made->count > 0) {
        made->count--;
        app_error_clear(&ignored);
        if (virt_volume_delete(conn, made->pool[made->count], made->name[made->count], &ignored) <
            0)
            virResetLastError();
    }
}

/* ---- from a template ---------------------------------------------------------------- */

/* One disk of the template to copy or link. */
struct create_tdisk {
    xmlNodePtr disk;                 /* borrowed: its <disk> in the new definition */
    char pool[VIRT_CREATE_NAME_MAX]; /* its volume's pool and name */
    char volume[UTF8_NAME_FILE_MAX + 1];
    char format[16];             /* the volume's format */
    unsigned long long capacity; /* bytes */
    char target[8];
};

/* The template req names, shut off and marked; 400 at "source.template" otherwise. */
static virDomainPtr create_template_lookup(virConnectPtr conn,
                                           const struct virt_domain_create_req *req,
                                           struct app_error *err)
{
    virDomainPtr tmpl = virt_domain_lookup(conn, req->template_uuid, err);
    bool marked = false;

    if (!tmpl) {
        create_at_field(err, "source.template");
        return NULL;
    }
    if (virt_domain_template_get(tmpl, &marked, err) < 0) {
        virDomainFree(tmpl);
        return NULL;
    }
    if (!marked) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "domain %s is not a template",
                      req->template_uuid);
        app_error_at_field(err, "", "source.template");
        virDomainFree(tmpl);
        return NULL;
    }
    return tmpl;
}

/* Reads the pool volume behind disk into t; 409 when it is none (it cannot be copied). */
static int create_template_disk(virConnectPtr conn, xmlNodePtr disk, struct create_tdisk *t,
                                struct app_error *err)
{
    xmlNodePtr source = virt_domain_clone_xml_child(disk, "source");
    xmlChar *target = xmlGetProp(virt_domain_clone_xml_child(disk, "target"), BAD_CAST "dev");
    virStorageVolPtr vol = virt_domain_clone_disk_volume(conn, source);
    virStoragePoolPtr pool = vol ? virStoragePoolLookupByVolume(vol) : NULL;
    struct json_object *obj = NULL, *v;
    int ret = -1;

    snprintf(t->target, sizeof(t->target), "%s", target ? (const char *)target : "");
    if (!vol || !pool || !target) {
        virResetLastError();
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "the template's disk %s is no storage pool's volume: it cannot be copied",
                      t->target);
        app_error_at_field(err, "", "source.template");
        goto cleanup;
    }
    snprintf(t->pool, sizeof(t->pool), "%s", virStoragePoolGetName(pool));
    snprintf(t->volume, sizeof(t->volume), "%s", virStorageVolGetName(vol));
    if (!(obj = virt_volume_get(conn, t->pool, t->volume, err)))
        goto cleanup;
    json_object_object_get_ex(obj, "format", &v);
    snprintf(t->format, sizeof(t->format), "%s", json_object_get_string(v));
    json_object_object_get_ex(obj, "capacity_bytes", &v);
    t->capacity = (unsigned long long)json_object_get_int64(v);
    t->disk = disk;
    ret = 0;

cleanup:
    json_object_put(obj);
    if (pool)
        virStoragePoolFree(pool);
    if (vol)
        virStorageVolFree(vol);
    xmlFree(target);
    return ret;
}

/* Checks the request's "disk" against the template's first disk t (the only one it may
 * change): the pool is the source's (a linked clone's backing file and a copy stay in
 * it), the format what the kind makes, the size never smaller. */
static int create_template_check_disk(const struct virt_domain_create_req *req,
                                      const struct create_tdisk *t, struct app_error *err)
{
    const char *format = req->linked ? "qcow2" : t->format;

    if (req->disk_pool[0] && strcmp(req->disk_pool, t->pool)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "the new disk stays in the template's pool \"%s\"", t->pool);
        app_error_at_field(err, "", "disk.pool");
        return -1;
    }
    if (req->disk_format[0] && strcmp(req->disk_format, format)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the new disk is %s here", format);
        app_error_at_field(err, "", "disk.format");
        return -1;
    }
    if (req->disk_size_gib && (unsigned long long)req->disk_size_gib << 30 < t->capacity) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "the template's disk has %llu bytes: a disk is never shrunk", t->capacity);
        app_error_at_range(err, "", "disk.size_gib",
                           (long long)((t->capacity + (1ULL << 30) - 1) >> 30),
                           VIRT_DOMAIN_CREATE_DISK_GIB_MAX);
        return -1;
    }
    return 0;
}

/* The bytes t's volume holds (its allocation; 0 when it cannot be read: progress only). */
static unsigned long long create_allocation(virStoragePoolPtr pool, const struct create_tdisk *t)
{
    virStorageVolPtr vol = virStorageVolLookupByName(pool, t->volume);
    virStorageVolInfo info;
    unsigned long long bytes = 0;

    if (vol && virStorageVolGetInfo(vol, &info) == 0)
        bytes = info.allocation;
    else
        virResetLastError();
    if (vol)
        virStorageVolFree(vol);
    return bytes;
}

/* Makes the new volume of t for the VM (a qcow2 overlay backed by t's volume when
 * req->linked, else a whole copy), at least bytes large, named "<vm>-<target>.qcow2" or
 * "<vm>-<target><ext>" (a free variant); its path into path. */
static int create_derived_volume(virConnectPtr conn, const struct virt_domain_create_req *req,
                                 const struct create_tdisk *t, unsigned long long bytes,
                                 struct create_made *made, char *path, size_t path_len,
                                 struct app_error *err)
{
    char name[UTF8_NAME_FILE_MAX + 1];
    struct json_object *vreq = NULL, *vol = NULL, *backing, *v;
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, t->pool);
    virStorageVolPtr other;
    unsigned n;
    int ret = -1;

    if (!pool) {
        virt_error_capture(err, "look up storage pool");
        return -1;
    }
    for (n = 1; n <= CREATE_NAME_TRIES; n++) {
        virt_domain_clone_volume_name(req->name, t->target, req->linked ? "d.qcow2" : t->volume, n,
                                      name, sizeof(name));
        if (!(other = virStorageVolLookupByName(pool, name)))
            break;
        virStorageVolFree(other);
    }
    virResetLastError();
    if (n > CREATE_NAME_TRIES) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "pool \"%s\" has no free name for disk %s",
                      t->pool, t->target);
        goto cleanup;
    }
    if (req->linked) {
        vreq = json_object_new_object();
        json_object_object_add(vreq, "name", json_object_new_string(name));
        json_object_object_add(
            vreq, "capacity_bytes",
            json_object_new_int64((int64_t)(bytes > t->capacity ? bytes : t->capacity)));
        json_object_object_add(vreq, "format", json_object_new_string("qcow2"));
        backing = json_object_new_object();
        json_object_object_add(backing, "volume", json_object_new_string(t->volume));
        json_object_object_add(vreq, "backing", backing);
        vol = virt_volume_create(conn, t->pool, vreq, err);
    } else {
        if (req->progress && req->progress->copying)
            req->progress->copying(req->progress->ctx, t->pool, name, create_allocation(pool, t));
        vol = virt_volume_clone(conn, t->pool, t->volume, name, err);
    }
    if (!vol)
        goto cleanup;
    create_made_add(made, t->pool, name);
    if (!req->linked && bytes > t->capacity) {
        json_object_put(vol);
        if (!(vol = virt_volume_resize(conn, t->pool, name, bytes, false, err)))
            goto cleanup;
    }
    json_object_object_get_ex(vol, "path", &v);
    snprintf(path, path_len, "%s", json_object_get_string(v));
    ret = 0;

cleanup:
    json_object_put(vreq);
    json_object_put(vol);
    virStoragePoolFree(pool);
    return ret;
}

/* Makes t's new volume (create_derived_volume) and points t's <disk> at it. */
static int create_template_volume(virConnectPtr conn, const struct virt_domain_create_req *req,
                                  const struct create_tdisk *t, unsigned long long bytes,
                                  struct create_made *made, struct app_error *err)
{
    xmlNodePtr source = virt_domain_clone_xml_child(t->disk, "source");
    xmlNodePtr driver = virt_domain_clone_xml_child(t->disk, "driver");
    char path[VIRT_CREATE_PATH_MAX];
    const char *name;

    if (create_derived_volume(conn, req, t, bytes, made, path, sizeof(path), err) < 0)
        return -1;
    name = made->name[made->count - 1];
    if (xmlHasProp(source, BAD_CAST "volume"))
        xmlSetProp(source, BAD_CAST "volume", BAD_CAST name);
    else if (xmlHasProp(source, BAD_CAST "file"))
        xmlSetProp(source, BAD_CAST "file", BAD_CAST path);
    else
        xmlSetProp(source, BAD_CAST "dev", BAD_CAST path);
    if (driver && req->linked)
        xmlSetProp(driver, BAD_CAST "type", BAD_CAST "qcow2");
    virt_domain_clone_xml_drop(t->disk, "backingStore"); /* libvirt reads the new chain */
    return 0;
}

/* Moves disk to bus: its target becomes the first free name of the bus's prefix among
 * the definition's disks and its <address> goes (libvirt assigns one). */
static void create_template_bus(xmlNodePtr devices, xmlNodePtr disk, const char *bus)
{
    const char *prefix = !strcmp(bus, "virtio") ? "vd" : !strcmp(bus, "ide") ? "hd" : "sd";
    xmlNodePtr target = virt_domain_clone_xml_child(disk, "target");
    char dev[8];

    for (char c = 'a'; c <= 'z'; c++) {
        bool used = false;

        snprintf(dev, sizeof(dev), "%s%c", prefix, c);
        for (xmlNodePtr d = devices->children; d && !used; d = d->next) {
            xmlChar *name;

            if (d == disk || d->type != XML_ELEMENT_NODE || !xmlStrEqual(d->name, BAD_CAST "disk"))
                continue;
            name = xmlGetProp(virt_domain_clone_xml_child(d, "target"), BAD_CAST "dev");
            used = name && !strcmp((const char *)name, dev);
            xmlFree(name);
        }
        if (!used)
            break;
    }
    xmlSetProp(target, BAD_CAST "dev", BAD_CAST dev);
    xmlSetProp(target, BAD_CAST "bus", BAD_CAST bus);
    virt_domain_clone_xml_drop(disk, "address");
}

/* Sets the text of root's child name (made when absent) to n, with unit when given. */
static void create_template_number(xmlNodePtr root, const char *name, unsigned long long n,
                                   const char *unit)
{
    xmlNodePtr node = virt_domain_clone_xml_child(root, name);
    char text[24];

    if (!node)
        node = virt_xml_add(root, name);
    snprintf(text, sizeof(text), "%llu", n);
    xmlNodeSetContent(node, NULL);
    xmlNodeAddContent(node, BAD_CAST text);
    if (unit)
        xmlSetProp(node, BAD_CAST "unit", BAD_CAST unit);
    xmlUnsetProp(node, BAD_CAST "current");
}

/* The template's definition as the new VM's: a new identity, no template mark, the
 * request's description, vCPUs, memory and NIC. */
static void create_template_rewrite(xmlNodePtr root, const struct virt_domain_create_req *req)
{
    xmlNodePtr metadata = virt_domain_clone_xml_child(root, "metadata");
    xmlNodePtr devices = virt_domain_clone_xml_child(root, "devices"), next;

    virt_domain_clone_rewrite_identity(root, req->name, req->title);
    virt_domain_clone_xml_drop(root, "description");
    if (req->description[0])
        virt_xml_add_text(root, "description", req->description);
    for (xmlNodePtr c = metadata ? metadata->children : NULL; c; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && c->ns &&
            xmlStrEqual(c->ns->href, BAD_CAST VIRT_DOMAIN_TEMPLATE_NS)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    if (req->vcpus)
        create_template_number(root, "vcpu", req->vcpus, NULL);
    if (req->memory_mib) {
        create_template_number(root, "memory", req->memory_mib, "MiB");
        create_template_number(root, "currentMemory", req->memory_mib, "MiB");
    }
    if (req->has_network && devices) {
        struct virt_create_spec *nic = xcalloc(1, sizeof(*nic));

        virt_domain_clone_xml_drop(devices, "interface");
        nic->nic = req->nic;
        snprintf(nic->nic_source, sizeof(nic->nic_source), "%s", req->nic_source);
        snprintf(nic->nic_model, sizeof(nic->nic_model), "%s",
                 req->nic_model[0] ? req->nic_model : "virtio");
        virt_create_xml_add_nic(devices, nic);
        free(nic);
    }
}

/* The new VM's definition from the template req names: its disks linked or copied (see
 * virt_domain_create.h), defined into made->dom. */
static int create_from_template(virConnectPtr conn, const struct virt_domain_create_req *req,
                                struct create_made *made, struct app_error *err)
{
    struct create_tdisk *disks = xcalloc(VIRT_CLONE_DISKS_MAX, sizeof(*disks));
    virDomainPtr tmpl = NULL;
    xmlDocPtr doc = NULL;
    xmlNodePtr root, devices;
    char *xml = NULL, *text = NULL;
    size_t count = 0;
    int ret = -1;

    if (!(tmpl = create_template_lookup(conn, req, err)))
        goto cleanup;
    if (!(xml = virDomainGetXMLDesc(tmpl, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE))) {
        virt_error_capture(err, "read the template's XML");
        goto cleanup;
    }
    if (!(doc = virt_xml_read(xml, "domain", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    devices = virt_domain_clone_xml_child(root, "devices");
    /* every check first: nothing is made until each disk can be */
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        xmlChar *device;
        bool media;

        if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "disk") ||
            !virt_domain_clone_xml_child(c, "source"))
            continue;
        device = xmlGetProp(c, BAD_CAST "device");
        media = device && !xmlStrEqual(device, BAD_CAST "disk");
        xmlFree(device);
        if (media)
            continue; /* install media stay shared */
        if (count == VIRT_CLONE_DISKS_MAX) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "the template has more than %d disks",
                          VIRT_CLONE_DISKS_MAX);
            goto cleanup;
        }
        if (create_template_disk(conn, c, &disks[count++], err) < 0)
            goto cleanup;
    }
    if ((req->disk_pool[0] || req->disk_format[0] || req->disk_size_gib || req->disk_bus[0]) &&
        count == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the template has no disk to change");
        app_error_at_field(err, "", "disk");
        goto cleanup;
    }
    if (count && create_template_check_disk(req, &disks[0], err) < 0)
        goto cleanup;
    if (virt_domain_clone_check_name(conn, req->name, err) < 0 ||
        create_check_network(conn, req, err) < 0)
        goto cleanup;
    create_template_rewrite(root, req);
    for (size_t i = 0; i < count; i++)
        if (create_template_volume(conn, req, &disks[i],
                                   i == 0 ? (unsigned long long)req->disk_size_gib << 30 : 0, made,
                                   err) < 0)
            goto cleanup;
    if (count && req->disk_bus[0])
        create_template_bus(devices, disks[0].disk, req->disk_bus);
    text = virt_xml_doc_string(doc, false);
    if (!(made->dom = virDomainDefineXMLFlags(conn, text, VIR_DOMAIN_DEFINE_VALIDATE))) {
        virt_error_capture(err, "define the new domain");
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (tmpl)
        virDomainFree(tmpl);
    xmlFreeDoc(doc);
    free(xml);
    free(text);
    free(disks);
    return ret;
}

/* ---- from a cloud image ------------------------------------------------------------- */

static const char *create_ci_string(struct json_object *ci, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(ci, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

void virt_domain_create_seed(struct json_object *cloud_init, const char *instance_id,
                             const char **keys, struct virt_nocloud_seed *seed)
{
    struct json_object *v;

    memset(seed, 0, sizeof(*seed));
    seed->instance_id = instance_id;
    seed->hostname = create_ci_string(cloud_init, "hostname");
    seed->user = create_ci_string(cloud_init, "user");
    seed->password_hash = create_ci_string(cloud_init, "password_hash");
    seed->user_data = create_ci_string(cloud_init, "user_data");
    if (json_object_object_get_ex(cloud_init, "ssh_keys", &v) &&
        json_object_is_type(v, json_type_array))
        for (size_t i = 0; i < json_object_array_length(v) && i < VIRT_NOCLOUD_SSH_KEYS_MAX; i++)
            keys[seed->ssh_key_count++] = json_object_get_string(json_object_array_get_idx(v, i));
    seed->ssh_keys = keys;
}

/* The image volume of a cloud_image request into t (pool, name, format, capacity);
 * 400 at "source.image.*" when it does not exist or is no qcow2/raw disk, 403 when it
 * leads out of its pool. */
static int create_cloud_image(virConnectPtr conn, const struct virt_domain_create_req *req,
                              struct create_tdisk *t, struct app_error *err)
{
    struct json_object *vol = NULL, *v;
    virStorageVolPtr sv;
    int rc;

    if (create_check_pool(conn, req->source_pool, "source.image.pool", err) < 0)
        return -1;
    if (!(sv = virt_volume_lookup(conn, req->source_pool, req->source_volume, NULL, err))) {
        create_at_field(err, "source.image.name");
        return -1;
    }
    rc = virt_volume_bounds_check(sv, "back a new volume with", false, err);
    virStorageVolFree(sv);
    if (rc < 0 || !(vol = virt_volume_get(conn, req->source_pool, req->source_volume, err))) {
        create_at_field(err, "source.image.name");
        return -1;
    }
    snprintf(t->pool, sizeof(t->pool), "%s", req->source_pool);
    snprintf(t->volume, sizeof(t->volume), "%s", req->source_volume);
    json_object_object_get_ex(vol, "format", &v);
    snprintf(t->format, sizeof(t->format), "%s", json_object_get_string(v));
    json_object_object_get_ex(vol, "capacity_bytes", &v);
    t->capacity = (unsigned long long)json_object_get_int64(v);
    json_object_put(vol);
    if (strcmp(t->format, "qcow2") && strcmp(t->format, "raw")) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "volume \"%s\" is %s: a cloud image is a qcow2 or raw disk",
                      req->source_volume, t->format);
        app_error_at_field(err, "", "source.image.name");
        return -1;
    }
    return 0;
}

/* Uploads len bytes into the volume name of pool (virStorageVolUpload): from data, or
 * when data is NULL from the start of fd. what names the bytes in an error. */
static int create_upload(virConnectPtr conn, const char *pool, const char *name,
                         const unsigned char *data, int fd, size_t len, const char *what,
                         struct app_error *err)
{
    virStorageVolPtr vol = virt_volume_lookup(conn, pool, name, NULL, err);
    unsigned char *chunk = data ? NULL : xmalloc(CREATE_UPLOAD_CHUNK);
    virStreamPtr st = NULL;
    size_t done = 0;
    int ret = -1;

    if (!vol)
        goto cleanup;
    if (!(st = virStreamNew(conn, 0)) || virStorageVolUpload(vol, st, 0, len, 0) < 0) {
        virt_error_capture(err, what);
        goto cleanup;
    }
    while (done < len) {
        size_t want = len - done > CREATE_UPLOAD_CHUNK ? CREATE_UPLOAD_CHUNK : len - done;
        const unsigned char *from = data ? data + done : chunk;
        ssize_t got = data ? (ssize_t)want : pread(fd, chunk, want, (off_t)done);
        int n;

        if (got <= 0) {
            app_error_set(err, 500, APP_ERR_INTERNAL, "cannot %s: the file ended early", what);
            virStreamAbort(st);
            goto cleanup;
        }
        if ((n = virStreamSend(st, (const char *)from, (size_t)got)) < 0) {
            virt_error_capture(err, what);
            virStreamAbort(st);
            goto cleanup;
        }
        done += (size_t)n;
    }
    if (virStreamFinish(st) < 0) {
        virt_error_capture(err, what);
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (st)
        virStreamFree(st);
    if (vol)
        virStorageVolFree(vol);
    free(chunk);
    return ret;
}

/* A new raw volume of pool named after the VM and tag ("<vm>-<tag><ext>", ext taken from
 * like: "<vm>-seed.iso", "<vm>-kernel"), recorded in made, filled with len bytes from data
 * or (data NULL) fd; its path into path. what names the upload in an error. */
static int create_raw_volume(virConnectPtr conn, const struct virt_domain_create_req *req,
                             const char *pool, const char *tag, const char *like,
                             const unsigned char *data, int fd, size_t len, const char *what,
                             char *path, size_t path_len, struct create_made *made,
                             struct app_error *err)
{
    char name[UTF8_NAME_FILE_MAX + 1];
    struct json_object *vreq = json_object_new_object(), *vol, *v;
    int ret = -1;

    virt_domain_clone_volume_name(req->name, tag, like, 1, name, sizeof(name));
    json_object_object_add(vreq, "name", json_object_new_string(name));
    json_object_object_add(vreq, "capacity_bytes", json_object_new_int64((int64_t)len));
    json_object_object_add(vreq, "format", json_object_new_string("raw"));
    if (!(vol = virt_volume_create(conn, pool, vreq, err)))
        goto cleanup;
    create_made_add(made, pool, name);
    json_object_object_get_ex(vol, "path", &v);
    snprintf(path, path_len, "%s", json_object_get_string(v));
    json_object_put(vol);
    ret = create_upload(conn, pool, name, data, fd, len, what, err);

cleanup:
    json_object_put(vreq);
    return ret;
}

/* The disks of a cloud_image request: the image linked or copied as the VM's disk
 * (booted), the NoCloud seed as a CD-ROM. Every check and the seed's hash and image come
 * first; then the volumes are made. */
static int create_cloud_disks(virConnectPtr conn, const struct virt_domain_create_req *req,
                              const struct virt_osinfo_os *os, struct virt_create_spec *spec,
                              struct create_made *made, struct app_error *err)
{
    const char *bus = create_bus(req, os);
    const char *keys[VIRT_NOCLOUD_SSH_KEYS_MAX], *password;
    struct virt_create_disk *disk = &spec->disks[0], *cd = &spec->disks[1];
    unsigned used[3] = {0, 0, 0};
    unsigned char *iso = NULL, id[8];
    char instance_id[32], *hash = NULL;
    struct virt_nocloud_seed seed;
    struct create_tdisk t;
    size_t iso_len = 0;
    int ret = -1;

    memset(&t, 0, sizeof(t));
    snprintf(disk->bus, sizeof(disk->bus), "%s", bus);
    create_target(bus, used, disk->target);
    snprintf(t.target, sizeof(t.target), "%s", disk->target);
    if (create_cloud_image(conn, req, &t, err) < 0 || create_template_check_disk(req, &t, err) < 0)
        goto cleanup;
    if (RAND_bytes(id, sizeof(id)) != 1) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "no random bytes for the instance id");
        goto cleanup;
    }
    snprintf(instance_id, sizeof(instance_id), "iid-%02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1],
             id[2], id[3], id[4], id[5], id[6], id[7]);
    virt_domain_create_seed(req->cloud_init, instance_id, keys, &seed);
    if ((password = create_ci_string(req->cloud_init, "password"))) {
        if (!(hash = virt_nocloud_hash_password(password, err)))
            goto cleanup;
        seed.password_hash = hash;
    }
    if (virt_nocloud_build_iso(&seed, &iso, &iso_len, err) < 0)
        goto cleanup;
    /* everything is checked: the volumes */
    spec->disk_count = 2;
    disk->boot_order = 1;
    snprintf(disk->format, sizeof(disk->format), "%s",
             req->linked || !strcmp(t.format, "qcow2") ? "qcow2" : "raw");
    if (create_derived_volume(conn, req, &t, (unsigned long long)req->disk_size_gib << 30, made,
                              disk->path, sizeof(disk->path), err) < 0)
        goto cleanup;
    cd->cdrom = true;
    snprintf(cd->bus, sizeof(cd->bus), "scsi");
    snprintf(cd->format, sizeof(cd->format), "raw");
    create_target("scsi", used, cd->target);
    /* a read-only CD-ROM on bus scsi: virtio-scsi, which every virtio kernel sees, unlike
     * AHCI (see virt_nocloud.h) */
    ret = create_raw_volume(conn, req, t.pool, "seed", "s.iso", iso, -1, iso_len,
                            "upload the cloud-init seed", cd->path, sizeof(cd->path), made, err);

cleanup:
    if (hash) {
        OPENSSL_cleanse(hash, strlen(hash));
        free(hash);
    }
    free(iso);
    return ret;
}

/* ---- from a network install tree -------------------------------------------------- */

/* The tree's kernel and initrd fetched into private files: the layouts of os tried in
 * turn (virt_tree_layouts), the first whose kernel the server has wins (its layout into
 * *used). 400 at "os" when os has no known layout; else virt_tree_fetch's errors, the
 * last layout's when none had a kernel. Nothing is made in libvirt. */
static int create_tree_fetch(const struct virt_domain_create_req *req,
                             const struct virt_osinfo_os *os, struct virt_tree_file *kernel,
                             struct virt_tree_file *initrd, struct virt_tree_layout *used,
                             struct app_error *err)
{
    struct virt_tree_layout layouts[VIRT_TREE_LAYOUTS_MAX];
    size_t count = virt_tree_layouts(os, layouts), i;
    char url[VIRT_TREE_URL_MAX + 128];

    if (count == 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "OS \"%s\" has no known install-tree layout: the osinfo database gives no "
                      "x86_64 tree with a kernel and initrd for it",
                      req->os);
        app_error_at_field(err, "", "os");
        return -1;
    }
    for (i = 0; i < count; i++) {
        if (virt_tree_join(req->source_url, layouts[i].kernel, url, sizeof(url)) < 0) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the tree's URL is too long");
            app_error_at_field(err, "", "source.url");
            return -1;
        }
        app_error_clear(err);
        if (virt_tree_fetch(url, CREATE_KERNEL_MAX, kernel, err) == 0)
            break;
        if (err->status != 502)
            return -1; /* a timeout or a host that cannot run qemu-img: no other layout helps */
    }
    if (i == count)
        return -1;
    *used = layouts[i];
    if (virt_tree_join(req->source_url, used->initrd, url, sizeof(url)) < 0 ||
        virt_tree_fetch(url, CREATE_INITRD_MAX, initrd, err) < 0) {
        if (!err->status) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the tree's URL is too long");
            app_error_at_field(err, "", "source.url");
        }
        virt_tree_fetch_clear(kernel);
        return -1;
    }
    return 0;
}

/* The fetched kernel and initrd as raw volumes "<vm>-kernel" and "<vm>-initrd" of the
 * disk pool (recorded in made), and spec's first boot from them with the installer's
 * command line for the tree. */
static int create_tree_volumes(virConnectPtr conn, const struct virt_domain_create_req *req,
                               const struct virt_tree_file *kernel,
                               const struct virt_tree_file *initrd,
                               const struct virt_tree_layout *layout, struct virt_create_spec *spec,
                               struct create_made *made, struct app_error *err)
{
    const char *pool = req->disk_pool[0] ? req->disk_pool : "default";

    if (create_raw_volume(conn, req, pool, "kernel", "kernel", NULL, kernel->fd,
                          (size_t)kernel->size, "upload the installer's kernel", spec->kernel,
                          sizeof(spec->kernel), made, err) < 0 ||
        create_raw_volume(conn, req, pool, "initrd", "initrd", NULL, initrd->fd,
                          (size_t)initrd->size, "upload the installer's initrd", spec->initrd,
                          sizeof(spec->initrd), made, err) < 0)
        return -1;
    virt_tree_cmdline(layout, req->source_url, spec->cmdline, sizeof(spec->cmdline));
    return 0;
}

/* Starts the defined made->dom for its install: the running VM gets install's definition
 * (made->dom's UUID, the direct kernel boot, on_reboot destroy) while the persistent one
 * stays as defined (virDomainCreateXML on a defined, inactive domain of the same name
 * and UUID, as virt-install does). QEMU has read the kernel and initrd once it runs, so
 * their volumes, the last two of made, are removed then (best effort). */
static int create_tree_start(virConnectPtr conn, struct virt_create_spec *install,
                             struct create_made *made, struct app_error *err)
{
    virDomainPtr live;
    char *xml;

    if (virDomainGetUUIDString(made->dom, install->uuid) < 0) {
        virt_error_capture(err, "read the new domain's UUID");
        return -1;
    }
    if (!(xml = virt_create_xml_build(install, err)))
        return -1;
    live = virDomainCreateXML(conn, xml, 0);
    free(xml);
    if (!live) {
        virt_error_capture(err, "start the install");
        return -1;
    }
    virDomainFree(live);
    for (int i = 0; i < 2; i++) {
        struct app_error ignored;

        app_error_clear(&ignored);
        if (virt_volume_delete(conn, made->pool[made->count - 1], made->name[made->count - 1],
                               &ignored) < 0) {
            log_error("virt_domain_create: cannot remove %s: %s", made->name[made->count - 1],
                      ignored.message);
            break;
        }
        made->count--;
    }
    return 0;
}

int virt_domain_create_sizes(const struct virt_domain_create_req *req,
                             struct virt_domain_create_sizes *out, struct app_error *err)
{
    struct virt_create_spec *spec = NULL;
    const struct virt_osinfo_os *os = NULL;
    int ret = -1;

    memset(out, 0, sizeof(*out));
    if (req->source == VIRT_DOMAIN_CREATE_TEMPLATE) {
        out->vcpus = req->vcpus;
        out->memory_mib = req->memory_mib;
        out->disk_gib = req->disk_size_gib;
        return 0;
    }
    if (create_os(req, &os, err) < 0)
        goto cleanup;
    spec = xcalloc(1, sizeof(*spec));
    create_resolve(req, os, spec);
    out->vcpus = spec->vcpus;
    out->memory_mib = spec->memory_mib;
    if (req->source == VIRT_DOMAIN_CREATE_CLOUD_IMAGE)
        out->disk_gib = req->disk_size_gib; /* at least the image's own size */
    else if (req->disk && req->source != VIRT_DOMAIN_CREATE_IMPORT)
        out->disk_gib = create_disk_gib(req, os);
    ret = 0;

cleanup:
    free(spec);
    return ret;
}

struct json_object *virt_domain_create(virConnectPtr conn, const struct virt_domain_create_req *req,
                                       struct app_error *err)
{
    struct virt_create_spec *spec = xcalloc(1, sizeof(*spec));
    struct create_made *made = xcalloc(1, sizeof(*made));
    const struct virt_osinfo_os *os = NULL;
    struct virt_tree_file kernel = {.fd = -1}, initrd = {.fd = -1};
    struct virt_create_spec *install = NULL;
    struct virt_tree_layout layout;
    struct json_object *out = NULL;
    char *xml = NULL;

    if (req->source == VIRT_DOMAIN_CREATE_TEMPLATE) {
        if (create_from_template(conn, req, made, err) < 0)
            goto cleanup;
        goto defined;
    }
    if (create_os(req, &os, err) < 0 || virt_domain_clone_check_name(conn, req->name, err) < 0 ||
        create_check_network(conn, req, err) < 0)
        goto cleanup;
    create_resolve(req, os, spec);
    create_domain_type(conn, spec->domain_type, sizeof(spec->domain_type));
    if (req->source == VIRT_DOMAIN_CREATE_NONE && spec->nic != VIRT_CREATE_NIC_NONE)
        spec->nic_boot_order = req->disk ? 2 : 1; /* network install (PXE) after an empty disk */
    /* a tree's files first: a URL that fails leaves nothing made */
    if (req->source == VIRT_DOMAIN_CREATE_URL &&
        (create_check_pool(conn, req->disk_pool[0] ? req->disk_pool : "default", "disk.pool", err) <
             0 ||
         create_tree_fetch(req, os, &kernel, &initrd, &layout, err) < 0))
        goto cleanup;
    if ((req->source == VIRT_DOMAIN_CREATE_CLOUD_IMAGE
             ? create_cloud_disks(conn, req, os, spec, made, err)
             : create_disks(conn, req, os, spec, made, err)) < 0)
        goto cleanup;
    if (req->source == VIRT_DOMAIN_CREATE_URL) {
        if (create_tree_volumes(conn, req, &kernel, &initrd, &layout, spec, made, err) < 0)
            goto cleanup;
        /* the persistent definition boots from its disk; only the install boots the kernel */
        install = xmalloc(sizeof(*install));
        memcpy(install, spec, sizeof(*install));
        spec->kernel[0] = spec->initrd[0] = spec->cmdline[0] = '\0';
    }
    if (!(xml = virt_create_xml_build(spec, err)))
        goto cleanup;
    if (!(made->dom = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE))) {
        virt_error_capture(err, "define the new domain");
        goto cleanup;
    }
    if (install && create_tree_start(conn, install, made, err) < 0)
        goto cleanup;

defined:
    if (req->autostart && virDomainSetAutostart(made->dom, 1) < 0) {
        virt_error_capture(err, "set autostart");
        goto cleanup;
    }
    if (req->start && !install && virDomainCreate(made->dom) < 0) {
        virt_error_capture(err, "start the new domain");
        goto cleanup;
    }
    out = virt_domain_detail(made->dom, err);

cleanup:
    if (!out)
        create_rollback(conn, made);
    if (made->dom)
        virDomainFree(made->dom);
    virt_tree_fetch_clear(&kernel);
    virt_tree_fetch_clear(&initrd);
    free(made);
    free(xml);
    free(install);
    free(spec);
    return out;
}
