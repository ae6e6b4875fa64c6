/* api_volumes: the storage volume endpoints (ROUTE_VOLUMES, ROUTE_VOLUME,
 * ROUTE_VOLUME_ACTION; the content route is api_transfer's).
 *
 * Service thread: checks the role (auth_policy_allows) first, then the pool and
 * volume names and the body (strict keys; a create request runs through the pure XML
 * builder), then submits a job. Workers run the libvirt side (virt/virt_volume.c).
 * Every change is audited with its outcome. */
#include "api/api_volumes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_job.h"
#include "api/api_json.h"
#include "app.h"
#include "auth_policy.h"
#include "store/store_uploads.h"
#include "util/xalloc.h"
#include "virt/virt_volume.h"
#include "virt/virt_volume_xml.h"

struct api_volume_job {
    struct api_job_base base;
    char pool[ROUTE_PARAM_MAX];
    char vol[ROUTE_PARAM_MAX];      /* "" for the list and create */
    char action[16];                /* read, create, delete, resize, clone, wipe */
    uint64_t capacity;              /* resize */
    bool shrink;                    /* resize */
    char new_name[ROUTE_PARAM_MAX]; /* clone */
    char body[];                    /* create: the request body, NUL-terminated */
};

static const char *const api_volumes_create_keys[] = {
    "name", "capacity_bytes", "format", "allocation_bytes", "backing", NULL};

static struct api_volume_job *api_volumes_job_new(struct app *app, const struct http_request *req,
                                                  const char *action, size_t body_len)
{
    struct api_volume_job *arg = xcalloc(1, sizeof(*arg) + body_len + 1);

    api_job_base_init(&arg->base, app, req);
    snprintf(arg->pool, sizeof(arg->pool), "%s", req->route.name);
    snprintf(arg->vol, sizeof(arg->vol), "%s", req->route.item);
    snprintf(arg->action, sizeof(arg->action), "%s", action);
    return arg;
}

static void api_volumes_audit(struct api_volume_job *arg, const char *vol,
                              const struct app_error *err)
{
    char action[32], name[2 * ROUTE_PARAM_MAX + 2];

    snprintf(action, sizeof(action), "volume-%s", arg->action);
    snprintf(name, sizeof(name), "%s/%s", arg->pool, vol);
    api_job_audit(&arg->base, action, arg->action, "volume", name, err);
}

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

static void api_volumes_read_run(struct work_job *job)
{
    struct api_volume_job *arg = job->arg;
    struct app_error err;
    struct json_object *out;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    out = arg->vol[0] ? virt_volume_get(conn, arg->pool, arg->vol, &err)
                      : virt_volume_list(conn, arg->pool, &err);
    if (out)
        api_volumes_add_upload_state(arg->base.app->db, arg->pool, out);
    if (out)
        http_response_json_take(&job->response, 200, out);
    else
        http_response_error(&job->response, &err);
    virConnectClose(conn);
}

static void api_volumes_change_run(struct work_job *job)
{
    struct api_volume_job *arg = job->arg;
    struct app_error err;
    struct json_object *req = NULL, *out = NULL, *v;
    const char *vol = arg->vol;
    int status = 200;
    virConnectPtr conn = api_job_connection(job);

    if (!conn)
        return;
    app_error_clear(&err);
    if (strcmp(arg->action, "create") == 0) {
        status = 201;
        /* checked on the service thread already; parse again for the worker's own copy */
        if ((req = api_json_parse_object(arg->body, strlen(arg->body), api_volumes_create_keys,
                                         false, &err))) {
            if (json_object_object_get_ex(req, "name", &v) &&
                json_object_is_type(v, json_type_string))
                vol = json_object_get_string(v);
            out = virt_volume_create(conn, arg->pool, req, &err);
        }
    } else if (strcmp(arg->action, "delete") == 0) {
        if (virt_volume_delete(conn, arg->pool, arg->vol, &err) == 0) {
            store_uploads_clear(arg->base.app->db, arg->pool, arg->vol);
            out = json_object_new_object();
            json_object_object_add(out, "name", json_object_new_string(arg->vol));
            json_object_object_add(out, "removed", json_object_new_boolean(1));
        }
    } else if (strcmp(arg->action, "resize") == 0) {
        out = virt_volume_resize(conn, arg->pool, arg->vol, arg->capacity, arg->shrink, &err);
    } else if (strcmp(arg->action, "clone") == 0) {
        status = 201;
        out = virt_volume_clone(conn, arg->pool, arg->vol, arg->new_name, &err);
    } else {
        out = virt_volume_wipe(conn, arg->pool, arg->vol, "zero", &err);
    }
    if (out) {
        api_volumes_add_upload_state(arg->base.app->db, arg->pool, out);
        http_response_json_take(&job->response, status, out);
    } else {
        http_response_error(&job->response, &err);
    }
    api_volumes_audit(arg, vol, &err);
    json_object_put(req);
    virConnectClose(conn);
}

/* Runs a create request through the builder with stand-ins for what only the worker
 * can resolve (the backing volume's path and format, the default capacity). */
static int api_volumes_create_check(struct json_object *body, struct app_error *err)
{
    struct json_object *copy = NULL;
    bool backing = json_object_object_get_ex(body, "backing", NULL);
    char *xml = NULL;
    int ret;

    if (json_object_deep_copy(body, &copy, NULL) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot copy the request");
        return -1;
    }
    if (backing && !json_object_object_get_ex(copy, "capacity_bytes", NULL))
        json_object_object_add(copy, "capacity_bytes",
                               json_object_new_int64((int64_t)VIRT_VOLUME_MAX_CAPACITY));
    ret = virt_volume_xml_build(copy, backing ? "/backing" : NULL, backing ? "qcow2" : NULL, &xml,
                                err);
    free(xml);
    json_object_put(copy);
    return ret;
}

static enum api_result api_volumes_create(struct app *app, const struct http_request *req,
                                          struct http_response *resp)
{
    struct api_volume_job *arg;
    struct json_object *body;
    struct app_error err;

    app_error_clear(&err);
    if (!(body = api_json_parse_object(req->body, req->body_len, api_volumes_create_keys, false,
                                       &err)) ||
        api_volumes_create_check(body, &err) < 0) {
        json_object_put(body);
        http_response_error(resp, &err);
        return API_DONE;
    }
    json_object_put(body);
    arg = api_volumes_job_new(app, req, "create", req->body_len);
    memcpy(arg->body, req->body, req->body_len);
    return api_job_submit(app, req, api_volumes_change_run, arg, resp);
}

/* Reads an action's body into arg: resize {"capacity_bytes","shrink"}, clone {"name"},
 * wipe {"algorithm"}. */
static int api_volumes_action_body(const struct http_request *req, struct api_volume_job *arg,
                                   struct app_error *err)
{
    static const char *const resize_keys[] = {"capacity_bytes", "shrink", NULL};
    static const char *const clone_keys[] = {"name", NULL};
    static const char *const wipe_keys[] = {"algorithm", NULL};
    const char *action = req->route.action;
    const char *const *keys = strcmp(action, "resize") == 0  ? resize_keys
                              : strcmp(action, "clone") == 0 ? clone_keys
                                                             : wipe_keys;
    struct json_object *body, *v;
    const char *s;
    int ret = -1;

    if (!(body = api_json_parse_object(req->body, req->body_len, keys, keys == wipe_keys, err)))
        return -1;
    if (keys == resize_keys) {
        int64_t n;

        if (!json_object_object_get_ex(body, "capacity_bytes", &v) ||
            !json_object_is_type(v, json_type_int) || (n = json_object_get_int64(v)) < 1 ||
            (uint64_t)n > VIRT_VOLUME_MAX_CAPACITY) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "\"capacity_bytes\" must be an integer from 1 to %llu",
                          VIRT_VOLUME_MAX_CAPACITY);
            goto cleanup;
        }
        arg->capacity = (uint64_t)n;
        if (api_json_get_bool(body, "shrink", false, &arg->shrink, err) < 0)
            goto cleanup;
    } else if (keys == clone_keys) {
        if (!(s = api_json_get_string(body, "name", 127, err)))
            goto cleanup;
        if (!virt_volume_name_valid(s)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid volume name", s);
            goto cleanup;
        }
        snprintf(arg->new_name, sizeof(arg->new_name), "%s", s);
    } else if (json_object_object_get_ex(body, "algorithm", &v) &&
               (!json_object_is_type(v, json_type_string) ||
                strcmp(json_object_get_string(v), "zero") != 0)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"algorithm\" must be \"zero\"");
        goto cleanup;
    }
    ret = 0;

cleanup:
    json_object_put(body);
    return ret;
}

static enum api_result api_volumes_change(struct app *app, const struct http_request *req,
                                          struct http_response *resp)
{
    struct api_volume_job *arg;
    struct app_error err;
    bool del = req->route.id == ROUTE_VOLUME;
    const char *action = del ? "delete" : req->route.action;

    if (!del && strcmp(action, "resize") != 0 && strcmp(action, "clone") != 0 &&
        strcmp(action, "wipe") != 0) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST,
                             "unknown volume action \"%.32s\" (resize, clone, wipe)", action);
        return API_DONE;
    }
    arg = api_volumes_job_new(app, req, action, 0);
    app_error_clear(&err);
    if (!del && api_volumes_action_body(req, arg, &err) < 0) {
        free(arg);
        http_response_error(resp, &err);
        return API_DONE;
    }
    return api_job_submit(app, req, api_volumes_change_run, arg, resp);
}

enum api_result api_volumes_handle(struct app *app, const struct http_request *req,
                                   struct http_response *resp)
{
    bool read = req->method == HTTP_GET || req->method == HTTP_HEAD;
    bool has_item = req->route.id != ROUTE_VOLUMES;

    if (!api_job_allowed(req, read ? AUTH_ACTION_STORAGE_READ : AUTH_ACTION_STORAGE_MANAGE,
                         AUTH_OBJECT_POOL, req->route.name, resp,
                         "role %s may not %s storage volumes", auth_role_name(req->session.role),
                         read ? "see" : "change"))
        return API_DONE;
    if (!virt_pool_name_valid(req->route.name)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid pool name",
                             req->route.name);
        return API_DONE;
    }
    if (has_item && !virt_volume_name_valid(req->route.item)) {
        http_response_errorf(resp, 400, APP_ERR_BAD_REQUEST, "\"%.64s\" is not a valid volume name",
                             req->route.item);
        return API_DONE;
    }
    if (read)
        return api_job_submit(app, req, api_volumes_read_run,
                              api_volumes_job_new(app, req, "read", 0), resp);
    if (req->route.id == ROUTE_VOLUMES)
        return api_volumes_create(app, req, resp);
    return api_volumes_change(app, req, resp);
}
