/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_device: attaching, changing and detaching a VM's disks and network interfaces,
 * changing cdrom media, and reading a running VM's IP addresses.
 *
 * Blocking libvirt calls: worker threads only, never the service thread. Requests
 * arrive already checked (virt_device_xml.h); the device XML comes from the pure
 * builders there. Which copies of the domain a change affects: the persistent
 * configuration when the domain has one, and the running guest when it runs (for a
 * detach or change: each copy that has the device). Every function answers the domain
 * detail (virt_domain_detail) afterwards, or NULL with err set. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"
#include "virt/virt_device_xml.h"

/* Attaches a disk or cdrom: resolves (or, for a "new" request, creates) the volume,
 * picks the first free target when none is given. 409 target in use or volume already
 * attached to this domain, 404 unknown pool/volume/domain. A volume created here is
 * deleted again when the attach fails. target_out receives the target used. */
struct json_object *virt_device_disk_attach(virConnectPtr conn, const char *uuid,
                                            const struct virt_device_disk_req *req,
                                            char target_out[VIRT_DEVICE_TARGET_MAX],
                                            struct app_error *err);

/* Detaches disk `target` (404 if no copy of the domain has it). *pending is set when
 * the running guest still has the device about a second after libvirt returned (a
 * guest that does not answer the unplug request; the hypervisor removes it when the
 * guest does). */
struct json_object *virt_device_disk_detach(virConnectPtr conn, const char *uuid,
                                            const char *target, bool *pending,
                                            struct app_error *err);

/* Changes cache/io/readonly of disk `target` in the persistent configuration (409 for
 * a transient domain, 404 no such disk there); it takes effect at the next boot, which
 * *next_boot reports (true while the domain runs). */
struct json_object *virt_device_disk_patch(virConnectPtr conn, const char *uuid, const char *target,
                                           const struct virt_device_disk_patch *patch,
                                           bool *next_boot, struct app_error *err);

/* Inserts volume pool/vol into cdrom/floppy `target`, or ejects its medium when vol is
 * NULL. 409 when the target is not a cdrom or floppy. */
struct json_object *virt_device_disk_media(virConnectPtr conn, const char *uuid, const char *target,
                                           const char *pool, const char *vol,
                                           struct app_error *err);

/* Attaches an interface (404 unknown network, 409 MAC already used by this domain). */
struct json_object *virt_device_nic_attach(virConnectPtr conn, const char *uuid,
                                           const struct virt_device_nic_req *req,
                                           struct app_error *err);

/* Changes interface `mac` (lower case): source, link, bandwidth and vlan in each copy
 * that has it; model in the persistent configuration only (*next_boot is set when the
 * running guest keeps its old model until it restarts). */
struct json_object *virt_device_nic_patch(virConnectPtr conn, const char *uuid, const char *mac,
                                          const struct virt_device_nic_req *req, bool *next_boot,
                                          struct app_error *err);

/* Detaches interface `mac`; *pending as for virt_device_disk_detach. */
struct json_object *virt_device_nic_detach(virConnectPtr conn, const char *uuid, const char *mac,
                                           bool *pending, struct app_error *err);

/* True for "lease", "agent", "arp". */
bool virt_device_address_source_valid(const char *source);

/* {"source","interfaces":[{"name","mac","addresses":[{"type","address","prefix"}]}]}
 * of a running domain (409 when it is not running; 501 when the driver cannot ask
 * this source). */
struct json_object *virt_device_addresses(virConnectPtr conn, const char *uuid, const char *source,
                                          struct app_error *err);
