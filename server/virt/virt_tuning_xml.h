/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tuning_xml: the tuning members of PATCH /api/domains/{uuid} (docs/api.md,
 * "Tuning members"): vcpupin, emulatorpin, numatune, numa_cells, hugepages, cputune,
 * blkiotune, iotune, memtune. Checks them against the host's CPUs, NUMA cells and page
 * sizes, edits a persistent <domain> definition for them, and reads them back into the
 * detail's "config".
 *
 * Pure (libxml2 through virt_xml, json-c; no libvirt calls), any thread; fuzzed
 * (tests/fuzz/fuzz_tuning_xml.c). Every cpuset written is the canonical form of the one
 * asked for ("0-3,^2" is written "0-1,3", as libvirt formats it), so what a client sends,
 * what libvirt keeps and what the detail reads back compare equal. */
#pragma once

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"

/* Bounds: CPU ids (host or guest) below VIRT_TUNING_MAX_CPUS; at most
 * VIRT_TUNING_MAX_ITEMS entries in vcpupin and iotune, VIRT_TUNING_MAX_CELLS guest NUMA
 * cells; a cpuset string at most VIRT_TUNING_MAX_CPUSET bytes. */
#define VIRT_TUNING_MAX_CPUS   16384
#define VIRT_TUNING_MAX_ITEMS  4096
#define VIRT_TUNING_MAX_CELLS  128
#define VIRT_TUNING_MAX_CPUSET 1024

/* What the host offers (virt_tuning_host_get fills it from the capabilities):
 * cpu_count CPUs numbered 0..cpu_count-1, numa_cells NUMA nodes 0..numa_cells-1 and the
 * huge page sizes in KiB (the 4 KiB base page is not one). */
struct virt_host_cpus {
    int cpu_count;
    int numa_cells;
    const long long *page_sizes_kib; /* borrowed: page_size_count sizes */
    size_t page_size_count;
};

/* True if key is one of the tuning members (the PATCH parser's unknown-member check). */
bool virt_tuning_member(const char *key);

/* Checks the tuning members of patch (other members are ignored) against host: their
 * types, ranges and cpuset syntax; a host CPU the host lacks (vcpupin[i].cpuset,
 * emulatorpin), a NUMA node it lacks (numatune.nodeset), a huge page size it lacks
 * (hugepages.size_kib). A vcpu id (vcpupin[i].vcpu, numa_cells[i].cpus) is checked
 * against patch's "max_vcpus" when the patch has one; virt_tuning_xml_apply checks it
 * against the definition's <vcpu> as well. Returns 0, or -1 with err 400 naming the
 * member (dotted: "vcpupin[0].cpuset"; min/max for a number outside its range). */
int virt_tuning_xml_check(struct json_object *patch, const struct virt_host_cpus *host,
                          struct app_error *err) __attribute__((warn_unused_result));

/* Edits domain (the root <domain> of a persistent definition) for the tuning members of
 * patch, which virt_tuning_xml_check accepted. Refuses (400, nothing edited) a vcpu id
 * not below the definition's <vcpu> count (vcpupin[i].vcpu, numa_cells[i].cpus) and an
 * iotune target the definition has no disk for (iotune[i].target). Returns 0 or -1. */
int virt_tuning_xml_apply(xmlNodePtr domain, struct json_object *patch, struct app_error *err)
    __attribute__((warn_unused_result));

/* Adds the tuning members, read from domain, to config, under the PATCH names (see
 * docs/api.md). Returns 0 (-1 with err is reserved for a definition it cannot read). */
int virt_tuning_xml_read(xmlNodePtr domain, struct json_object *config, struct app_error *err)
    __attribute__((warn_unused_result));

/* Parses a cpuset ("0-3,^2,5": ids, ranges, exclusions, in order; no spaces) whose ids
 * must be below limit (at most VIRT_TUNING_MAX_CPUS) into the libvirt CPU map map
 * (bit i of byte i / 8 = CPU i; map_len bytes, zeroed first; may be NULL to only check).
 * Returns 0; -1 for bad syntax or an empty set; -2 for an id not below limit (the first
 * such id in *bad when bad is set). */
int virt_tuning_xml_cpuset(const char *text, int limit, unsigned char *map, size_t map_len,
                           long long *bad) __attribute__((warn_unused_result));
