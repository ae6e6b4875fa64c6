/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_volumes: the volume handlers (see api_volumes.h). Service thread for the create
 * check; workers for the runs. */
#include "api/api_volumes.h"

#include <stdint.h>
#include <stdlib.h>

#include "api/api_self_service.h"
#include "store/store_uploads.h"
#include "virt/virt_volume.h"
#include "virt/virt_volume_xml.h"

/* Adds "upload_incomplete" (store_uploads) to a volume object, or to each volume of a
 * {"volumes":[...]} list. */
static void api_volumes_add_upload_state(sqlite3 *db, const char *pool, struct json_object *out)
{
    struct json_object *list, *name;

    if (json_object_object_get_ex(out, "volumes", &list)) {
        for (size_t i = 0; i < json_object_array_length(list); i++)
            api_volumes_add_upload_state(db, pool, json_object_array_get_idx(list, i));
        return;
    }
    if (!json_object_object_get_ex(out, "name", &name) ||
        json_object_object_get_ex(out, "removed", NULL))
        return;
    json_object_object_add(
        out, "upload_incomplete",
        json_object_new_boolean(store_uploads_incomplete(db, pool, json_object_get_string(name))));
}

/* The end of every volume run: out (with its upload state) or the error. */
static void api_volumes_answer(struct api_call *call, struct api_reply *reply, int status,
                               struct json_object *out, const struct app_error *err)
{
    if (out)
        api_volumes_add_upload_state(call->db, call->name, out);
    api_reply_result(reply, status,
                     api_self_service_filter(call, AUTH_OBJECT_POOL, call->name, out), err);
}

static void api_volumes_list_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_volumes_answer(call, reply, 200, virt_volume_list(call->conn, call->name, &err), &err);
}

const struct api_handler api_volumes_list = {.run = api_volumes_list_run};

static void api_volumes_get_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_volumes_answer(call, reply, 200, virt_volume_get(call->conn, call->name, call->item, &err),
                       &err);
}

const struct api_handler api_volumes_get = {.run = api_volumes_get_run};

/* ---- create --------------------------------------------------------------------------- */

/* Runs a create request through the builder with stand-ins for what only the worker
 * can resolve (the backing volume's path and format, the default capacity). */
static int api_volumes_create_check(struct api_call *call, const struct http_request *req,
                                    struct api_reply *reply)
{
    struct json_object *copy = NULL;
    bool backing = json_object_object_get_ex(call->body, "backing", NULL);
    char *xml = NULL;
    int ret;

    if (json_object_deep_copy(call->body, &copy, NULL) < 0) {
        app_error_set(&reply->err, 500, APP_ERR_INTERNAL, "cannot copy the request");
        return -1;
    }
    if (backing && !json_object_object_get_ex(copy, "capacity_bytes", NULL))
        json_object_object_add(copy, "capacity_bytes",
                               json_object_new_int64((int64_t)VIRT_VOLUME_MAX_CAPACITY));
    ret = virt_volume_xml_build(copy, backing ? "/backing" : NULL, backing ? "qcow2" : NULL, &xml,
                                &reply->err);
    free(xml);
    json_object_put(copy);
    return ret;
}

static void api_volumes_create_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");
    struct app_error err;

    app_error_clear(&err);
    api_reply_audit_object(reply, "volume:%s/%s", call->name, name ? name : "");
    api_volumes_answer(call, reply, 201,
                       virt_volume_create(call->conn, call->name, call->body, &err), &err);
}

const struct api_handler api_volumes_create = {
    .check = api_volumes_create_check,
    .run = api_volumes_create_run,
};

/* ---- changes -------------------------------------------------------------------------- */

static void api_volumes_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *out = NULL;
    struct app_error err;

    app_error_clear(&err);
    if (virt_volume_delete(call->conn, call->name, call->item, &err) == 0) {
        store_uploads_clear(call->db, call->name, call->item);
        out = json_object_new_object();
        json_object_object_add(out, "name", json_object_new_string(call->item));
        json_object_object_add(out, "removed", json_object_new_boolean(1));
    }
    api_volumes_answer(call, reply, 200, out, &err);
}

const struct api_handler api_volumes_delete = {.run = api_volumes_delete_run};

static void api_volumes_resize_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_volumes_answer(call, reply, 200,
                       virt_volume_resize(call->conn, call->name, call->item,
                                          (uint64_t)api_call_int64(call, "capacity_bytes", 0),
                                          api_call_bool(call, "shrink", false), &err),
                       &err);
}

const struct api_handler api_volumes_resize = {.run = api_volumes_resize_run};

static void api_volumes_clone_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_volumes_answer(
        call, reply, 201,
        virt_volume_clone(call->conn, call->name, call->item, api_call_string(call, "name"), &err),
        &err);
}

const struct api_handler api_volumes_clone = {.run = api_volumes_clone_run};

static void api_volumes_wipe_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_volumes_answer(call, reply, 200,
                       virt_volume_wipe(call->conn, call->name, call->item, "zero", &err), &err);
}

const struct api_handler api_volumes_wipe = {.run = api_volumes_wipe_run};
