/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serial_target: from a domain UUID to an open serial console stream.
 * The console's pump thread only (blocking libvirt calls). */
#include "serial_target.h"

#include <libvirt/virterror.h>
#include <stdio.h>

#include "virt/virt_domain.h"
#include "virt/virt_error.h"

/* libvirt's reason for a failed virDomainOpenConsole → err. The QEMU driver says
 * OPERATION_FAILED ("Active console session exists") when another client holds the
 * console, and INTERNAL_ERROR when there is no such device or it is not a pty. */
static void serial_target_open_failed(struct app_error *err)
{
    int code = virGetLastErrorCode();

    if (code == VIR_ERR_OPERATION_FAILED) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "serial console in use");
        virResetLastError();
    } else if (code == VIR_ERR_INTERNAL_ERROR) {
        virt_error_capture(err, "open serial console");
        err->status = 409;
        err->code = APP_ERR_CONFLICT;
    } else {
        virt_error_capture(err, "open serial console");
    }
}

virStreamPtr serial_target_open(virConnectPtr conn, const char *uuid, bool hidden, char *name_out,
                                size_t name_len, struct app_error *err)
{
    virDomainPtr dom = NULL;
    virStreamPtr st = NULL;
    virStreamPtr ret = NULL;

    if (!(dom = virt_domain_lookup_active(conn, uuid, hidden, name_out, name_len, err)))
        goto cleanup;
    if (!(st = virStreamNew(conn, VIR_STREAM_NONBLOCK))) {
        virt_error_capture(err, "new stream");
        goto cleanup;
    }
    if (virDomainOpenConsole(dom, NULL, st, 0) < 0) {
        serial_target_open_failed(err);
        goto cleanup;
    }
    ret = st;
    st = NULL;

cleanup:
    if (st)
        virStreamFree(st); /* never opened: nothing to abort */
    if (dom)
        virDomainFree(dom);
    return ret;
}
