/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serial_target: opens a running domain's first serial console on a libvirt stream.
 *
 * Blocking (libvirt): the console's pump thread (virt_pump.h) only. Like console_target,
 * the browser names only the domain; libvirt picks the device (the first <console>, else
 * the first <serial>), so the bridge reaches nothing but the console of the domain the
 * caller was authorised for. The console is opened without VIR_DOMAIN_CONSOLE_FORCE: a session
 * that already holds it (another browser, `virsh console`) is never taken over; the
 * newcomer is refused with 409 "serial console in use". */
#pragma once

#include <libvirt/libvirt.h>
#include <stddef.h>

#include "util/app_error.h"

/* Opens the console on a new VIR_STREAM_NONBLOCK stream. name_out receives the domain's
 * name (for logs). Returns the stream (the caller owns it: virStreamAbort +
 * virStreamFree), or NULL with err: 400 bad UUID, 404 unknown domain, 409 not running /
 * no usable serial console / console in use, 502 other libvirt failures, 503 libvirt
 * unavailable. */
virStreamPtr serial_target_open(virConnectPtr conn, const char *uuid, bool hidden, char *name_out,
                                size_t name_len, struct app_error *err)
    __attribute__((warn_unused_result));
