/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_clone: a full clone of a shut-off persistent domain
 * (POST /api/domains/{uuid}/clone).
 *
 * Order: the source's state and the new name are checked first; then its inactive XML
 * is rewritten (new name, no <uuid>, no interface <mac>: libvirt generates new ones;
 * the NVRAM path dropped so libvirt makes the clone its own), each disk that is a pool
 * volume is copied into a new volume of the same pool (virStorageVolCreateXMLFrom, via
 * virt_volume_clone) and the disk pointed at the copy; then the new domain is defined.
 * A failure at any step removes what was made (the copies, the definition): nothing is
 * left half made. CD-ROMs and floppies keep their media (shared, read-only); a disk that
 * is no pool's volume cannot be copied and refuses the clone (409) before anything is
 * made.
 *
 * virt_domain_clone_volume_name is pure (any thread); virt_domain_clone calls libvirt:
 * workers only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libxml/tree.h>
#include <stddef.h>

#include "util/app_error.h"

#define VIRT_CLONE_DISKS_MAX 64 /* disks a clone copies */

/* The name of the n-th candidate (n >= 1) for the copy of volume src (its name) on
 * disk target of the domain named vm: "<vm>-<target>[-<n>]<ext>", ext being src's
 * extension (".qcow2", ".img": a '.' after the first byte, at most 8 bytes) or "".
 * vm is cut at a character boundary so the whole fits UTF8_NAME_FILE_MAX bytes.
 * Writes out (outlen > UTF8_NAME_FILE_MAX). Pure; any thread. */
void virt_domain_clone_volume_name(const char *vm, const char *target, const char *src, unsigned n,
                                   char *out, size_t outlen);

/* Pure: removes every child element of parent (may be NULL) named name. */
void virt_domain_clone_xml_drop(xmlNodePtr parent, const char *name);

/* Pure: the first child element of parent (may be NULL) named name, or NULL. */
xmlNodePtr virt_domain_clone_xml_child(xmlNodePtr parent, const char *name);

/* Pure: gives the <domain> root a new identity: sets <name>, drops <uuid>, sets title
 * (NULL keeps it, "" drops it), empties <os><nvram> (libvirt makes the copy its own) and
 * drops every interface's <mac> (libvirt generates new ones). */
void virt_domain_clone_rewrite_identity(xmlNodePtr root, const char *name, const char *title);

/* The pool volume behind a disk's <source> (pool+volume, file or dev), or NULL when it
 * is no pool's volume (libvirt's error reset). Free with virStorageVolFree. Workers. */
virStorageVolPtr virt_domain_clone_disk_volume(virConnectPtr conn, xmlNodePtr source);

/* 0 when no domain called name exists; else -1 with err: 409 conflict at field "name",
 * or the libvirt error of the lookup. Workers only. */
int virt_domain_clone_check_name(virConnectPtr conn, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));

/* What a clone's caller hears while the disks are copied (all optional, NULL: nothing).
 * copying(ctx, pool, name, bytes) runs before each copy with the copy's pool and name
 * and the source's allocation; copying(ctx, NULL, NULL, 0) once the copies are made
 * (the definition follows). Runs on the clone's thread. */
struct virt_clone_progress {
    void (*copying)(void *ctx, const char *pool, const char *name, unsigned long long bytes);
    void *ctx;
};

/* The checks of virt_domain_clone (the state, the name, every disk a pool volume) with
 * nothing made; on success *bytes is the sum of the disks' allocations (what the copy
 * writes). Returns 0, or -1 with err as virt_domain_clone would fail. Workers only. */
int virt_domain_clone_check(virDomainPtr dom, const char *name, unsigned long long *bytes,
                            struct app_error *err) __attribute__((warn_unused_result));

/* Clones dom as described above into a domain named name (checked by the caller with
 * the volume-name rule), with title when not NULL ("" removes it). 409 while dom runs
 * or is paused, when it is transient, when a disk is no pool volume; 409 field "name"
 * when a domain of that name exists. progress may be NULL. Returns a new {"domain":
 * detail of the clone, "copies": [{"target","pool","name","path","capacity_bytes",
 * "from"}]} or NULL with err set (then nothing is left changed). Workers only. */
struct json_object *virt_domain_clone(virDomainPtr dom, const char *name, const char *title,
                                      const struct virt_clone_progress *progress,
                                      struct app_error *err);
