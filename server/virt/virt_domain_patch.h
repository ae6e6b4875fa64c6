/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_patch: PATCH /api/domains/{uuid} (docs/api.md): a VM's basic
 * configuration changed in its persistent definition and, while it runs, live where
 * libvirt and the guest allow. The members are checked and the XML edited by
 * virt_domain_config (pure); this file makes the libvirt calls.
 *
 * Blocking libvirt calls: worker threads only. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "util/app_error.h"

/* Applies patch (a body object) to dom: reads the persistent definition
 * (VIR_DOMAIN_XML_INACTIVE | SECURE), checks every member (virt_domain_config_check; a
 * rename or a firmware change of a running or transient domain and a name in use are
 * 409 at that member), edits it and defines it (VIR_DOMAIN_DEFINE_VALIDATE); nothing is
 * changed when a check fails. Then renames (virDomainRename), sets autostart, and while
 * dom runs applies vcpus (virDomainSetVcpusFlags LIVE, up to the running maximum),
 * memory_mib (the balloon, virDomainSetMemoryFlags LIVE), title and description, and the
 * VNC password (virDomainUpdateDeviceFlags LIVE) to the running VM.
 * Returns {"detail": the domain detail, "next_boot": [the request's members whose live
 * value still differs from the persistent one]} ([] for a shut-off domain), or NULL with
 * err set. */
struct json_object *virt_domain_patch_apply(virDomainPtr dom, struct json_object *patch,
                                            struct app_error *err);
