/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_create: a new VM (POST /api/domains), from a checked request to a defined
 * (and maybe started) domain.
 *
 * Order: the facts only libvirt knows are checked first (the OS id in the osinfo
 * database, the name not in use, the pools, the source volume or image, the network,
 * the template), nothing made yet (a cloud image's password hash and seed ISO are made
 * in memory here too); then the defaults are resolved (virt_osinfo: memory, vCPUs, disk
 * size and bus, NIC model, firmware, TPM, machine), the volumes are made (a new empty
 * disk; a qcow2 overlay on, or a copy of, a template's or cloud image's volume; the
 * seed ISO volume, uploaded), the domain XML built (virt_create_xml.c; a template's is
 * its own definition rewritten) and defined (VIR_DOMAIN_DEFINE_VALIDATE), autostart
 * set, the domain started. A failure at any step undoes every earlier one in reverse (the
 * definition with its NVRAM and TPM state, then the volumes this call made): nothing is
 * left half made.
 *
 * Blocking libvirt calls: worker threads only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"
#include "virt/virt_create_xml.h"
#include "virt/virt_nocloud.h"
#include "virt/virt_tree.h"

struct virt_clone_progress; /* virt_domain_clone.h */

enum virt_domain_create_source {
    VIRT_DOMAIN_CREATE_NONE,
    VIRT_DOMAIN_CREATE_ISO,
    VIRT_DOMAIN_CREATE_IMPORT,
    VIRT_DOMAIN_CREATE_URL,
    VIRT_DOMAIN_CREATE_CLOUD_IMAGE,
    VIRT_DOMAIN_CREATE_TEMPLATE,
};

#define VIRT_DOMAIN_CREATE_DISK_GIB_MAX 16384 /* 16 TiB, VIRT_VOLUME_MAX_CAPACITY */

/* A checked POST /api/domains body (api_domain_create.c). Plain value: the job copies
 * it. "" or 0 where the request left a default to resolve. */
struct virt_domain_create_req {
    char name[UTF8_NAME_FILE_MAX + 1];
    char title[UTF8_NAME_TITLE_MAX + 1];
    char description[UTF8_NAME_DESCRIPTION_MAX + 1];
    char os[64];                   /* libosinfo short id; "" none */
    unsigned vcpus;                /* 0: the OS's recommendation, else 1 */
    unsigned long long memory_mib; /* 0: the OS's recommendation, else 1024 */
    char firmware[8];              /* "bios", "uefi"; "": the OS's need, else bios */
    int tpm;                       /* 1, 0; -1: the OS's need */
    enum virt_domain_create_source source;
    char source_pool[VIRT_CREATE_NAME_MAX]; /* iso, import: the volume; cloud_image: the image */
    char source_volume[UTF8_NAME_FILE_MAX + 1];
    char template_uuid[40];                 /* template */
    char source_url[VIRT_TREE_URL_MAX + 1]; /* url: the install tree (virt_tree_url_check) */
    /* cloud_image: source.cloud_init, borrowed from the call's body (alive until the
     * call is cleared, after the run): its strings reach the seed as they are */
    struct json_object *cloud_init;
    bool linked; /* template: qcow2 overlays on the template's volumes (default), else copies */
    /* told before each whole copy (linked false); NULL: nobody (borrowed) */
    const struct virt_clone_progress *progress;
    bool disk;                            /* false: "disk": null (no new disk) */
    char disk_pool[VIRT_CREATE_NAME_MAX]; /* "": "default" (template: the source's pool) */
    unsigned disk_size_gib;               /* 0: the OS's recommendation, else 10 */
    char disk_format[8];                  /* "qcow2", "raw"; "": qcow2 (template: the source's) */
    char disk_bus[8];                     /* "": the OS's bus, else virtio */
    bool has_network; /* "network" was given (null included): a template's NICs are replaced */
    enum virt_create_nic nic;
    char nic_source[VIRT_CREATE_NAME_MAX];
    char nic_model[16]; /* "": the OS's model, else virtio */
    bool autostart;
    bool start;
};

/* The NoCloud seed of a cloud_image request: cloud_init's members (checked by
 * api_domain_create_parse for their types; NULL where absent or null) into seed, with
 * instance_id, the keys into keys (VIRT_NOCLOUD_SSH_KEYS_MAX entries). Every pointer is
 * borrowed from cloud_init and instance_id. A "password" is not read here: the create
 * hashes it. Pure; any thread. */
void virt_domain_create_seed(struct json_object *cloud_init, const char *instance_id,
                             const char **keys, struct virt_nocloud_seed *seed);

/* The sizes a create of req gives the new VM, as far as the request and the osinfo
 * database say (virt_domain_create resolves them the same way): vCPUs and memory (0 for
 * a template source that keeps the template's), the new empty disk's GiB (0: none, or
 * the source's volume: an import's, a cloud image's or a template's, which the caller
 * measures). For quotas (api_quota.h). Returns 0, or -1 with err (400 at "os"). */
struct virt_domain_create_sizes {
    unsigned long long vcpus, memory_mib, disk_gib;
};
int virt_domain_create_sizes(const struct virt_domain_create_req *req,
                             struct virt_domain_create_sizes *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* Creates the VM req describes on conn (see the order above). Returns a new domain
 * detail (virt_domain_detail) of the new domain, or NULL with err: 400 naming the
 * member (unknown OS, pool, volume or network, a volume of the wrong kind, an OS without
 * a known install-tree layout at "os"), 409 conflict at "name" when the name is in use,
 * 502/504 fetch_failed at "source.url" when a tree's kernel or initrd cannot be fetched
 * (virt_tree_fetch), else libvirt's error; then nothing is left made. Workers only. */
struct json_object *virt_domain_create(virConnectPtr conn, const struct virt_domain_create_req *req,
                                       struct app_error *err) __attribute__((warn_unused_result));

/* Sets the libvirt domain type of the VMs virt_domain_create makes, from the domain_type
 * config key: "kvm", "qemu" (TCG: for a host whose KVM cannot run the guests, such as a
 * nested one that fails real-mode firmware code) or "auto" (kvm when the host's QEMU
 * offers it, else qemu). libvirt's test driver always gets "test". Call before any
 * worker starts; read-only afterwards. */
void virt_domain_create_set_type(const char *type);
