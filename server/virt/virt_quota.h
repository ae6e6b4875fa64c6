/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_quota: what a VM counts against its owner's quota (auth/auth_quota.h), read from
 * libvirt: 1 VM, its vCPUs (the <vcpu> count it runs with: the "current" attribute, else
 * the element's maximum), its maximum memory (<memory>, MiB rounded up) and the total
 * capacity of the volumes its disks use (device "disk"; CD-ROMs and floppies are shared
 * media and do not count), GiB rounded up per VM. A disk whose source is no volume of a
 * pool libvirt knows (a bare host path, a network disk) counts 0.
 *
 * The XML reading is pure (virt_quota_parse: any thread, unit-tested); the rest makes
 * blocking libvirt calls: worker threads only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stddef.h>

#include "util/app_error.h"

struct virt_quota_use {
    unsigned long long vms, vcpus, memory_mib, disk_gib;
};

/* Reads a domain XML: vCPUs and memory (MiB, rounded up) into out (vms 1, disk_gib 0),
 * and the disks that count into *disks (a new array of {"path"} or {"pool","volume"}).
 * Returns 0, or -1 with err (502, malformed XML). Pure. */
int virt_quota_parse(const char *xml, struct virt_quota_use *out, struct json_object **disks,
                     struct app_error *err) __attribute__((warn_unused_result));

/* Adds the capacity (bytes) of the volume a disk of virt_quota_parse names to *bytes
 * (nothing when it is no known volume). */
void virt_quota_disk_bytes(virConnectPtr conn, struct json_object *disk, unsigned long long *bytes);

/* What dom counts (its persistent definition when it has one, else the live one).
 * Returns 0, or -1 with err. */
int virt_quota_domain(virDomainPtr dom, struct virt_quota_use *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* The sum of what the domains uuids[0..n) count, added to *out; a UUID no domain has
 * any more counts nothing. Returns 0, or -1 with err (a libvirt failure). */
int virt_quota_domains(virConnectPtr conn, const char (*uuids)[37], size_t n,
                       struct virt_quota_use *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* GiB, rounded up, of bytes. Pure. */
unsigned long long virt_quota_gib(unsigned long long bytes);
