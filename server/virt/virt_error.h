/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_error: turns libvirt's last error into an app_error.
 *
 * libvirt errors are thread-local, so call this on the thread whose call failed,
 * right after the failure. Mapping: no domain/network/pool → 404; operation invalid
 * (wrong state) → 409; no support / argument unsupported → 501; connection, RPC and
 * authentication errors, and system or internal errors raised by the link to libvirtd
 * (VIR_FROM_RPC, VIR_FROM_REMOTE) → 503 libvirt_unavailable; anything else, a driver's
 * system error included (a pool whose directory is gone) → 502 libvirt_error. */
#pragma once

#include "util/app_error.h"

/* Fills err from virGetLastError(); what names the failed operation ("start domain").
 * Resets libvirt's last error. */
void virt_error_capture(struct app_error *err, const char *what);

/* For a call whose failure the caller can live with (an answer left unknown): when the
 * last error means the link to libvirtd is lost (503), fills err like
 * virt_error_capture and returns -1; otherwise forgets the error and returns 0. */
int virt_error_capture_if_lost(struct app_error *err, const char *what)
    __attribute__((warn_unused_result));

/* Pure mapping used by virt_error_capture (exposed for tests): where the error came from
 * (virErrorDomain) and what it is (virErrorNumber) → HTTP status and code. */
void virt_error_map(int vir_domain, int vir_code, int *status, const char **code);
