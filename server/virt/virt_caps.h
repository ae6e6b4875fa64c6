/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_caps: GET /api/host/capabilities — what the host and its hypervisor offer a new
 * VM (capabilities and the default emulator's domain capabilities, read by
 * virt_caps_xml.c), kept per connection: capabilities do not change while connected, so
 * the first answer is reused until the daemon's connection is a new one (a reconnect).
 * Workers only (blocking libvirt calls); the cache is guarded by its own mutex. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "util/app_error.h"

/* {"host": virt_caps_xml_host, "domain": virt_caps_xml_domain or null (the driver has
 * no domain capabilities, e.g. test:///), "cpu_models": the usable custom CPU models, or
 * when the driver has no domain capabilities the models libvirt knows for the host arch
 * (virConnectGetCPUModelNames)}. conn is borrowed. Returns a new object (the caller's),
 * or NULL with err (the libvirt error; 502 for unreadable XML). */
struct json_object *virt_caps_get(virConnectPtr conn, struct app_error *err)
    __attribute__((warn_unused_result));

/* Drops the cache and its connection reference (at shutdown, after the workers). */
void virt_caps_cache_free(void);
