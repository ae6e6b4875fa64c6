/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_host: the host summary of GET /api/host. Blocking: worker threads only. */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "util/app_error.h"

/* {"hostname","hypervisor","driver","limits","libvirt_version","hypervisor_version","uri",
 *  "cpu_model","cpus","cpu_mhz","memory_kib","free_memory_kib","connected":true}: "driver" is
 * the connection's driver ("test", "qemu", ...), "limits" what the UI offers that this driver
 * cannot do ("console", "serial", "upload", "download", "resize", "attach",
 * "network-start"; [] when none is known). NULL + err on failure. Worker threads (blocks
 * in libvirt). */
struct json_object *virt_host_info(virConnectPtr conn, struct app_error *err);

/* True if uri (virConnectGetURI's answer) names an unprivileged per-user daemon: its
 * path is exactly "/session" ("qemu:///session", "qemu+unix:///session?socket=..."), the
 * rule libvirt itself uses to choose session mode. Pure; any thread. */
bool virt_host_uri_is_session(const char *uri);
