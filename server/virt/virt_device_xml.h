/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_device_xml: a VM's disks and network interfaces as libvirt device XML. Parses
 * and checks the JSON requests of the device endpoints (docs/api.md "Disks and
 * interfaces"), builds <disk> and <interface> elements, and reads, finds and modifies
 * them in a domain's XML.
 *
 * Pure (no libvirt calls), any thread; fuzzed by tests/fuzz/fuzz_device_xml.c. XML is
 * built and read with libxml2 only (tree API, XPath; no network, no entities), never by
 * pasting strings. A builder emits only what the request asked for: <bandwidth> only
 * with "bandwidth", <vlan> only with "vlan", <link> only with "link", cache/io
 * attributes only when given and not "default". Every string that reaches a document is
 * first checked against a conservative character set. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/app_error.h"
#include "util/utf8_name.h"

#define VIRT_DEVICE_TARGET_MAX 8  /* "sdabc" + NUL fits */
#define VIRT_DEVICE_MAC_LEN    18 /* "52:54:00:12:34:56" + NUL */
#define VIRT_DEVICE_NAME_MAX   128

/* Where an attached disk's bytes come from. */
enum virt_device_disk_source {
    VIRT_DEVICE_SOURCE_NONE,   /* an empty cdrom drive */
    VIRT_DEVICE_SOURCE_VOLUME, /* an existing volume: pool + volume */
    VIRT_DEVICE_SOURCE_NEW,    /* a volume to create first: pool + volume + capacity + format */
};

/* A checked POST /disks body. Plain value (no pointers): jobs copy it. */
struct virt_device_disk_req {
    enum virt_device_disk_source source;
    char pool[VIRT_DEVICE_NAME_MAX];
    char volume[UTF8_NAME_FILE_MAX + 1]; /* a volume name (util/utf8_name.h) */
    uint64_t capacity;                   /* NEW only */
    char new_format[8];                  /* NEW only: "qcow2" or "raw" */
    char device[8];                      /* "disk" or "cdrom" */
    char bus[8];                         /* "virtio", "sata" or "scsi" */
    char target[VIRT_DEVICE_TARGET_MAX]; /* "" = choose the first free name */
    char cache[16];                      /* "" = hypervisor default */
    char io[16];                         /* "" = hypervisor default */
    bool readonly;                       /* always true for a cdrom */
};

/* A checked PATCH /disks/{target} body: each field is set only when given. */
struct virt_device_disk_patch {
    bool has_cache, has_io, has_readonly;
    char cache[16]; /* "default" removes the attribute */
    char io[16];
    bool readonly;
};

/* The volume a disk is built on, as resolved by the caller (borrowed strings). */
struct virt_device_volume {
    const char *path;   /* file path or block device */
    bool block;         /* true: <disk type='block'><source dev=...> */
    const char *format; /* the volume's format ("qcow2", "raw", "iso", ...); NULL = raw */
};

/* One direction of a <bandwidth>: KiB/s and KiB; 0 = not given (average is required). */
struct virt_device_rate {
    bool given;
    uint32_t average, peak, burst;
};

/* A checked POST /interfaces or PATCH /interfaces/{mac} body. */
struct virt_device_nic_req {
    bool has_network, has_bridge, has_model, has_mac, has_link, has_bandwidth, has_vlan;
    bool user; /* "user": true — QEMU's user-mode network (SLIRP), no source */
    char network[VIRT_DEVICE_NAME_MAX];
    char bridge[16];
    char model[16];
    char mac[VIRT_DEVICE_MAC_LEN]; /* lower case */
    char link[8];                  /* "up" or "down" */
    bool bandwidth_null;           /* PATCH: "bandwidth": null removes it */
    struct virt_device_rate inbound, outbound;
    bool vlan_null; /* PATCH: "vlan": null removes it */
    int vlan;       /* 1..4094 */
};

/* True if s is a disk target name: 3 to 6 lower-case letters (vda, sdb, hdc, vdaa). */
bool virt_device_xml_target_valid(const char *s);

/* Parses a MAC address (six hex pairs separated by ':', any case) into out in lower
 * case. Refuses multicast (and so broadcast) and all-zero addresses. Returns 0 or -1. */
int virt_device_xml_mac_parse(const char *s, char out[VIRT_DEVICE_MAC_LEN])
    __attribute__((warn_unused_result));

/* Checks a POST /disks body (keys "source", "new", "device", "bus", "target", "cache",
 * "io", "readonly"; nothing else) into out. 400 with a message naming the field. */
int virt_device_xml_disk_parse(struct json_object *body, struct virt_device_disk_req *out,
                               struct app_error *err) __attribute__((warn_unused_result));

/* Builds the <disk> element of req on vol (NULL exactly when req has no source) with
 * target dev=target (req->target when that is set; else target must be given).
 * Returns 0 with *xml (free()) or -1 with err (400 bad target, 409 a volume format
 * that cannot be attached). */
int virt_device_xml_disk_build(const struct virt_device_disk_req *req, const char *target,
                               const struct virt_device_volume *vol, char **xml,
                               struct app_error *err) __attribute__((warn_unused_result));

/* virt_device_xml_disk_parse + virt_device_xml_disk_build in one (tests, fuzzing). */
int virt_device_xml_disk(struct json_object *body, const struct virt_device_volume *vol,
                         const char *target, char **xml, struct app_error *err)
    __attribute__((warn_unused_result)); /* for tests */

/* Checks a PATCH /disks/{target} body ("cache", "io", "readonly"; at least one). */
int virt_device_xml_disk_patch_parse(struct json_object *body, struct virt_device_disk_patch *out,
                                     struct app_error *err) __attribute__((warn_unused_result));

/* Checks a POST /interfaces body (patch false: exactly one of "network"/"bridge"/
 * "user" (true only); "model", "mac", "link", "bandwidth", "vlan") or a PATCH body
 * (patch true: any of "network", "bridge", "user", "model", "link", "bandwidth", "vlan",
 * at least one, at most one of network/bridge/user; "bandwidth" and "vlan" may be null
 * to remove them). */
int virt_device_xml_nic_parse(struct json_object *body, bool patch, struct virt_device_nic_req *out,
                              struct app_error *err) __attribute__((warn_unused_result));

/* Builds the <interface> element of a POST request. Returns 0 with *xml or -1. */
int virt_device_xml_nic_build(const struct virt_device_nic_req *req, char **xml,
                              struct app_error *err) __attribute__((warn_unused_result));

/* virt_device_xml_nic_parse(patch false) + virt_device_xml_nic_build (tests, fuzzing). */
int virt_device_xml_interface(struct json_object *body, char **xml, struct app_error *err)
    __attribute__((warn_unused_result)); /* for tests */

/* Finds the <disk> whose target is `target` (or the <interface> whose MAC is `mac`,
 * compared case-insensitively) in a domain XML document. Returns 1 with *elem (the
 * element serialized, free(); may be NULL if not wanted) and *device (disk only: its
 * device attribute, "disk" when absent; may be NULL), 0 when absent, -1 with err (502)
 * for malformed XML. strip: leave out <address> and <alias> (for detaching: libvirt then
 * matches disks by target and interfaces by MAC alone). */
int virt_device_xml_disk_find(const char *domain_xml, const char *target, bool strip, char **elem,
                              char *device, size_t device_len, struct app_error *err)
    __attribute__((warn_unused_result));
int virt_device_xml_nic_find(const char *domain_xml, const char *mac, bool strip, char **elem,
                             struct app_error *err) __attribute__((warn_unused_result));

/* Chooses the first disk target "<prefix>a", "<prefix>b", ..., "<prefix>zz" not used by
 * any disk of the n domain XML documents (NULL entries are skipped). prefix: "vd", "sd".
 * Returns 0 with out, or -1 with err (409 when all are taken, 502 malformed XML). */
int virt_device_xml_free_target(const char *const *domain_xmls, size_t n, const char *prefix,
                                char out[VIRT_DEVICE_TARGET_MAX], struct app_error *err)
    __attribute__((warn_unused_result));

/* Returns 1 if a disk of the domain XML has `path` as its file/dev source, or
 * <source pool=pool volume=volume>; 0 if none; -1 with err for malformed XML. */
int virt_device_xml_disk_uses(const char *domain_xml, const char *path, const char *pool,
                              const char *volume, struct app_error *err)
    __attribute__((warn_unused_result));

/* The <disk> `target` of domain_xml with patch applied (cache/io on <driver>,
 * <readonly/>). 404 no such disk, 400 io native without cache none/directsync or a
 * cdrom made writable. Returns 0 with *xml or -1 with err. */
int virt_device_xml_disk_patch(const char *domain_xml, const char *target,
                               const struct virt_device_disk_patch *patch, char **xml,
                               struct app_error *err) __attribute__((warn_unused_result));

/* The cdrom/floppy `target` of domain_xml with vol as its medium (type file/block,
 * <source>, <driver type>), or without <source> when vol is NULL (eject). 404 no such
 * disk, 409 when it is not a cdrom or floppy. Returns 0 with *xml or -1 with err. */
int virt_device_xml_disk_media(const char *domain_xml, const char *target,
                               const struct virt_device_volume *vol, char **xml,
                               struct app_error *err) __attribute__((warn_unused_result));

/* The <interface> `mac` of domain_xml with a PATCH request applied: source
 * (network/bridge/user, which also sets the type; user has no <source>), model (skipped when live:
 * a running guest keeps its model until it restarts), link, bandwidth, vlan. 404 no such MAC.
 * *changed says whether anything differs from the original. Returns 0 or -1. */
int virt_device_xml_nic_patch(const char *domain_xml, const char *mac,
                              const struct virt_device_nic_req *req, bool live, char **xml,
                              bool *changed, struct app_error *err)
    __attribute__((warn_unused_result));

/* The qemu <driver type> for a volume format: qcow2, raw, qed, vmdk, vpc, vdi, vhdx as
 * they are; iso, none, "" and NULL → raw; anything else NULL (cannot be attached). */
const char *virt_device_xml_driver_type(const char *format); /* for tests */
