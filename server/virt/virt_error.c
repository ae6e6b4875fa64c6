/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_error: libvirt's thread-local last error → struct app_error.
 *
 * Runs on whichever thread made the failed libvirt call (worker, virt-events or
 * virt-connect); it keeps no state of its own. */
#include "virt/virt_error.h"

#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stddef.h>

/* True when the error came from the link to libvirtd (its RPC layer or the remote
 * driver's side of it), not from a driver that answered. */
static bool virt_error_from_link(int vir_domain)
{
    return vir_domain == VIR_FROM_RPC || vir_domain == VIR_FROM_REMOTE;
}

void virt_error_map(int vir_domain, int vir_code, int *status, const char **code)
{
    switch (vir_code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_DOMAIN_SNAPSHOT:
        *status = 404;
        *code = APP_ERR_NOT_FOUND;
        break;
    case VIR_ERR_OPERATION_INVALID:
        *status = 409;
        *code = APP_ERR_CONFLICT;
        break;
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
    case VIR_ERR_OPERATION_UNSUPPORTED:
        *status = 501;
        *code = APP_ERR_UNSUPPORTED;
        break;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_RPC:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
        *status = 503;
        *code = APP_ERR_UNAVAILABLE;
        break;
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_INTERNAL_ERROR:
        /* a broken socket ("Cannot write data", "client socket is closed") is the link's;
         * a missing directory or a failed mkdir in a driver is that driver's error */
        if (virt_error_from_link(vir_domain)) {
            *status = 503;
            *code = APP_ERR_UNAVAILABLE;
            break;
        }
        /* fall through */
    default:
        *status = 502;
        *code = APP_ERR_LIBVIRT;
        break;
    }
}

void virt_error_capture(struct app_error *err, const char *what)
{
    virErrorPtr last = virGetLastError();
    int status;
    const char *code;

    if (!last) {
        /* A libvirt call failed without saying why: treat it as unexpected. */
        app_error_set(err, 502, APP_ERR_LIBVIRT, "%s: unknown libvirt error", what);
        return;
    }
    virt_error_map(last->domain, last->code, &status, &code);
    app_error_set(err, status, code, "%s: %s", what,
                  last->message ? last->message : "unknown libvirt error");
    virResetLastError();
}

int virt_error_capture_if_lost(struct app_error *err, const char *what)
{
    virErrorPtr last = virGetLastError();
    int status = 502;
    const char *code;

    if (last)
        virt_error_map(last->domain, last->code, &status, &code);
    if (status == 503) {
        virt_error_capture(err, what);
        return -1;
    }
    virResetLastError();
    return 0;
}
