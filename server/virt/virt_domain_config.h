/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain_config: a VM's basic configuration (docs/api.md "PATCH
 * /api/domains/{uuid}"): the members of a PATCH body checked, a persistent definition's
 * <domain> edited for them, and the same members read back from a domain's XML for the
 * detail's "config" and "pending".
 *
 * Pure (libxml2 through virt_xml, no libvirt calls), any thread; fuzzed by
 * tests/fuzz/fuzz_domain_config.c. Every value that reaches a document is first checked
 * against a fixed list or a range, or (title, description, VNC password) escaped by the
 * tree API: a body cannot add an element or attribute it does not name. */
#pragma once

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "util/app_error.h"

#define VIRT_DOMAIN_CONFIG_VCPUS_MAX      4096
#define VIRT_DOMAIN_CONFIG_MEMORY_MIB_MIN 16
#define VIRT_DOMAIN_CONFIG_MEMORY_MIB_MAX (16LL * 1024 * 1024) /* 16 TiB */
/* QEMU's VNC authentication (RFB "VNC auth", a DES challenge) keys DES with the first 8
 * bytes of the password and ignores the rest, so a longer one would only seem stronger. */
#define VIRT_DOMAIN_CONFIG_VNC_PASSWORD_MAX 8

/* True if key is one of the basic PATCH members (name, title, description, vcpus,
 * max_vcpus, memory_mib, max_memory_mib, cpu, boot, autostart, firmware, watchdog, rng,
 * tpm, video, vnc). */
bool virt_domain_config_member(const char *key);

/* Checks every member of patch (an object with at least one member) against the
 * persistent definition's root domain (for the bounds that depend on it: vcpus within
 * max_vcpus, the CPU topology's product, memory within its maximum, a VNC display to
 * change). Returns 0, or -1 with err: 400 bad_request naming the member (dotted:
 * "cpu.topology", "vnc.password"; min/max for a range); an unknown member is a 400 at
 * that member. Nothing is changed. */
int virt_domain_config_check(struct json_object *patch, xmlNodePtr domain, struct app_error *err)
    __attribute__((warn_unused_result));

/* Edits the persistent definition's root domain for the members of patch (checked by
 * virt_domain_config_check against the same domain). name and autostart are not in the
 * XML (the caller renames and sets autostart through libvirt). */
void virt_domain_config_apply(xmlNodePtr domain, struct json_object *patch);

/* Reads the members from domain into config (an object): title, description, vcpus,
 * max_vcpus, memory_mib, max_memory_mib, cpu, boot, firmware, watchdog, rng, tpm, video
 * and vnc ({"password_set","keymap"}, or null without a VNC display). With secret, vnc
 * holds "password" (the password or null) instead of "password_set": for comparisons
 * only, never for an answer. */
void virt_domain_config_read(xmlNodePtr domain, bool secret, struct json_object *config);

/* The names of the members (as virt_domain_config_read gives them) whose value in the
 * live definition differs from the persistent one: a new array. A live CPU of mode
 * host-model is the persistent one expanded at start, so it counts as equal. */
struct json_object *virt_domain_config_pending(xmlNodePtr live, xmlNodePtr persistent);

/* Adds to detail "config" (the persistent definition's members, without those the
 * summary has: title, description, vcpus, memory_mib) and "pending"
 * (virt_domain_config_pending when active, else []). live_xml and persistent_xml are
 * the domain's XML read with its secrets (the password is read, never copied). Returns
 * 0, or -1 with err (502 for XML that does not parse). */
int virt_domain_config_detail(const char *live_xml, const char *persistent_xml, bool active,
                              struct json_object *detail, struct app_error *err)
    __attribute__((warn_unused_result));
