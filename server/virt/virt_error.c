/* virt_error: libvirt's thread-local last error → struct app_error.
 *
 * Runs on whichever thread made the failed libvirt call (worker, virt-events or
 * virt-connect); it keeps no state of its own. */
#include "virt/virt_error.h"

#include <libvirt/virterror.h>
#include <stddef.h>

void virt_error_map(int vir_code, int *status, const char **code)
{
    switch (vir_code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
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
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
        *status = 503;
        *code = APP_ERR_UNAVAILABLE;
        break;
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
    virt_error_map(last->code, &status, &code);
    app_error_set(err, status, code, "%s: %s", what,
                  last->message ? last->message : "unknown libvirt error");
    virResetLastError();
}
