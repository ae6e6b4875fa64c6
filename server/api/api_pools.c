/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_pools: the pool handlers (see api_pools.h). Service thread for the create check;
 * workers for the runs. */
#include "api/api_pools.h"

#include <stdlib.h>

#include "api/api_self_service.h"
#include "virt/virt_pool.h"
#include "virt/virt_pool_xml.h"

static void api_pools_list_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(
        reply, 200,
        api_self_service_filter(call, AUTH_OBJECT_POOL, NULL, virt_pool_list(call->conn, &err)),
        &err);
}

const struct api_handler api_pools_list = {.run = api_pools_list_run};

static void api_pools_get_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200,
                     api_self_service_filter(call, AUTH_OBJECT_POOL, NULL,
                                             virt_pool_get(call->conn, call->name, &err)),
                     &err);
}

const struct api_handler api_pools_get = {.run = api_pools_get_run};

static int api_pools_create_check(struct api_call *call, const struct http_request *req,
                                  struct api_reply *reply)
{
    char *xml = NULL;

    if (virt_pool_xml_build(call->body, &xml, &reply->err) < 0)
        return -1;
    free(xml); /* the worker builds it again, with the roots' check */
    return 0;
}

static void api_pools_create_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");
    struct app_error err;

    app_error_clear(&err);
    api_reply_audit_object(reply, "pool:%s", name ? name : "");
    api_reply_result(reply, 201, virt_pool_create(call->conn, call->body, &err), &err);
}

const struct api_handler api_pools_create = {
    .check = api_pools_create_check,
    .run = api_pools_create_run,
};

static void api_pools_act_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200,
                     virt_pool_act(call->conn, call->name, call->action,
                                   api_call_bool(call, "enabled", false), &err),
                     &err);
}

const struct api_handler api_pools_act = {.run = api_pools_act_run};

static void api_pools_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out = NULL;
    struct app_error err;

    app_error_clear(&err);
    if (virt_pool_delete(call->conn, call->name, &err) == 0) {
        out = json_object_new_object();
        json_object_object_add(out, "name", json_object_new_string(call->name));
        json_object_object_add(out, "removed", json_object_new_boolean(1));
    }
    api_reply_result(reply, 200, out, &err);
}

const struct api_handler api_pools_delete = {.run = api_pools_delete_run};
