/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_caps_xml: pure readers of libvirt's capabilities XML (virConnectGetCapabilities)
 * and domain capabilities XML (virConnectGetDomainCapabilities) into the JSON of
 * GET /api/host/capabilities (docs/api.md). No libvirt calls; any thread; fuzzed
 * (tests/fuzz/fuzz_caps_xml.c): any input gives JSON or an error, never a crash. */
#pragma once

#include <json-c/json.h>

#include "util/app_error.h"

/* Bounds on what one document may list (a real host has far fewer): NUMA cells, CPUs
 * per cell, machine types per guest arch, and values of one enum or list. */
#define VIRT_CAPS_XML_MAX_ITEMS 4096

/* capabilities XML → {"arch","cpu":{"model","vendor","sockets","dies","cores","threads"},
 * "numa":[{"id","memory_kib","cpus":[ids]}], "huge_pages_kib":[sizes > 4],
 * "page_sizes_kib":[every size], "guests":[{"os_type","arch","emulator","machines":[names],
 * "domains":[types]}]}. Returns a new object, or NULL with err (502 "malformed
 * <capabilities> XML"). */
struct json_object *virt_caps_xml_host(const char *xml, struct app_error *err)
    __attribute__((warn_unused_result));

/* domainCapabilities XML → {"emulator","domain","machine","arch","vcpu_max",
 * "cpu_modes":[supported modes], "cpu_models":[usable custom models],
 * "firmware":{"bios","uefi","secure_boot","loaders":[paths]},
 * "disk_buses":[...], "nic_models":[...] or null (libvirt lists none),
 * "tpm":{"supported","models":[...],"backends":[...]}}. Returns a new object, or NULL
 * with err (502 "malformed <domainCapabilities> XML"). */
struct json_object *virt_caps_xml_domain(const char *xml, struct app_error *err)
    __attribute__((warn_unused_result));
