/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tuning: the libvirt side of the tuning members of PATCH /api/domains/{uuid}
 * (virt_tuning_xml.h has the checks, the definition's edits and the reader): the host
 * facts the checks need, and applying the members to a running VM.
 *
 * Workers only (blocking libvirt calls). */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "util/app_error.h"
#include "virt/virt_tuning_xml.h"

/* Fills out with the host's CPU count (the highest CPU id of the capabilities' NUMA
 * cells + 1, or virNodeGetInfo's count when they list none), NUMA node count (at least
 * 1) and huge page sizes, from virt_caps_get (its cached, parsed capabilities). conn is
 * borrowed. Returns 0 (free out with virt_tuning_host_free), or -1 with err (the
 * libvirt error); out is then empty. */
int virt_tuning_host_get(virConnectPtr conn, struct virt_host_cpus *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* Frees what virt_tuning_host_get allocated in host and empties it (NULL-safe). */
void virt_tuning_host_free(struct virt_host_cpus *host);

/* Applies the tuning members of patch (checked by virt_tuning_xml_check) to the RUNNING
 * dom (borrowed), all with VIR_DOMAIN_AFFECT_LIVE: vcpupin (virDomainPinVcpuFlags; a
 * vCPU the list leaves out is pinned to every online host CPU), emulatorpin
 * (virDomainPinEmulator; null: every online CPU), numatune (virDomainSetNumaParameters),
 * cputune (virDomainSetSchedulerParametersFlags), blkiotune (virDomainSetBlkioParameters),
 * iotune (virDomainSetBlockIoTune, 0 = no limit), memtune (virDomainSetMemoryParameters,
 * null = unlimited). Appends to next_boot (a JSON array of strings, each name once) the
 * members that did not take effect live: numa_cells and hugepages always, numatune,
 * cputune and blkiotune when null (nothing live removes them), vcpupin when a listed vCPU
 * is not online, and any member libvirt or the hypervisor refuses to change live (the
 * operation is invalid or unsupported in this state). Returns 0, or -1 with err for
 * any other libvirt failure (a lost connection, a host error); members applied before
 * it stay applied. */
int virt_tuning_apply_live(virDomainPtr dom, struct json_object *patch,
                           struct json_object *next_boot, struct app_error *err)
    __attribute__((warn_unused_result));
