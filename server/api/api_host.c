/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_host: the host summary and its capabilities (see api_host.h). Worker. */
#include "api/api_host.h"

#include "virt/virt_caps.h"
#include "virt/virt_host.h"

static void api_host_get_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200, virt_host_info(call->conn, &err), &err);
}

const struct api_handler api_host_get = {.run = api_host_get_run};

static void api_host_capabilities_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200, virt_caps_get(call->conn, &err), &err);
}

const struct api_handler api_host_capabilities = {.run = api_host_capabilities_run};
