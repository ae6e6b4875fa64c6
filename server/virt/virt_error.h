/* virt_error: turns libvirt's last error into an app_error.
 *
 * libvirt errors are thread-local, so call this on the thread whose call failed,
 * right after the failure. Mapping: no domain/network/pool → 404; operation invalid
 * (wrong state) → 409; no support / argument unsupported → 501; connection, RPC and
 * system errors → 503; anything else → 502. */
#pragma once

#include "util/app_error.h"

/* Fills err from virGetLastError(); what names the failed operation ("start domain").
 * Resets libvirt's last error. */
void virt_error_capture(struct app_error *err, const char *what);

/* Pure mapping used by virt_error_capture (exposed for tests): virErrorNumber →
 * HTTP status and code. */
void virt_error_map(int vir_code, int *status, const char **code);
