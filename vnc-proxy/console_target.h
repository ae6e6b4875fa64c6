/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_target: finds a running domain's VNC server and connects to it.
 *
 * Blocking (libvirt, connect): worker threads only. The browser never names a host,
 * port or socket: the endpoint comes from libvirt alone — a file descriptor from
 * virDomainOpenGraphicsFD where the driver can pass one (local QEMU), else the live
 * domain XML's VNC listen address and port (or its unix socket). So the proxy reaches
 * only the display of the domain the caller was authorised for. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stddef.h>

#include "util/app_error.h"

/* Opens a connected, non-blocking, close-on-exec socket to the domain's VNC server.
 * name_out receives the domain's name (for logs). Returns the fd, or -1 with err:
 * 400 bad UUID, 404 unknown domain, 409 not running / no VNC display, 502 the server
 * cannot be reached, 503 libvirt unavailable. */
int console_target_open(virConnectPtr conn, const char *uuid, bool hidden, char *name_out,
                        size_t name_len, struct app_error *err) __attribute__((warn_unused_result));
