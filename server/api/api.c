/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api: the dispatcher's service-thread half (see api.h): finds the request's row and
 * handler, runs the row's checks in its order, then runs the handler inline or hands
 * the call to api_job.c. Service thread; no blocking call. */
#include "api/api.h"

#include <stdio.h>

#include "auth_approved.h"
#include "auth_owners.h"

#include "api/api_account.h"
#include "api/api_alerts.h"
#include "api/api_audit.h"
#include "api/api_auth.h"
#include "api/api_call.h"
#include "api/api_domain_clone.h"
#include "api/api_domain_create.h"
#include "api/api_domain_devices.h"
#include "api/api_domain_delete.h"
#include "api/api_domain_patch.h"
#include "api/api_domain_xml.h"
#include "api/api_domains.h"
#include "api/api_host.h"
#include "api/api_job.h"
#include "api/api_jobs.h"
#include "api/api_json.h"
#include "api/api_metrics.h"
#include "api/api_metrics_history.h"
#include "api/api_networks.h"
#include "api/api_os.h"
#include "api/api_owners.h"
#include "api/api_pools.h"
#include "api/api_self_service.h"
#include "api/api_quota.h"
#include "api/api_snapshots.h"
#include "api/api_tokens.h"
#include "api/api_users.h"
#include "api/api_volumes.h"
#include "virt/virt_device_xml.h"

static const struct api_handler *const api_handlers[ROUTE_ROW_COUNT] = {
#define ROUTE_ROW(n, handler, ...) [ROUTE_ROW_##n] = handler,
#include "http/route_table.def"
#undef ROUTE_ROW
};

const struct api_handler *api_handler_for(const struct route_row *row)
{
    return row ? api_handlers[row->row] : NULL;
}

/* True for the rows this dispatcher serves (not the UI's files, websockets, streams). */
static bool api_serves(const struct route_row *row)
{
    return row && row->route != ROUTE_STATIC && !row->websocket && !row->stream &&
           (api_handlers[row->row] || row->unknown);
}

/* The body as the row reads it, into call->body. Returns 0 or -1 with err. */
static int api_read_body(struct api_call *call, const struct http_request *req,
                         struct app_error *err)
{
    const struct route_row *row = call->row;
    const char *keys[API_BODY_KEYS_MAX + 1], *multiline[API_BODY_KEYS_MAX + 1];
    size_t n = 0, m = 0;

    if (row->body == ROUTE_BODY_IGNORED)
        return 0;
    if (row->body == ROUTE_BODY_REFUSED) {
        if (!req->body_len)
            return 0;
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s takes no request body",
                      route_method_name(req->method));
        return -1;
    }
    for (const char *const *k = row->keys; k && *k && n < API_BODY_KEYS_MAX; k++)
        keys[n++] = *k;
    for (const struct route_field *f = row->fields; f && f->key && n < API_BODY_KEYS_MAX; f++) {
        keys[n++] = f->key;
        if (f->multiline)
            multiline[m++] = f->key;
    }
    for (const char *const *p = row->multiline; p && *p && m < API_BODY_KEYS_MAX; p++)
        multiline[m++] = *p;
    keys[n] = multiline[m] = NULL;
    call->body =
        api_json_parse_body(req->body, req->body_len, row->any_keys ? api_json_any_keys : keys,
                            multiline, row->body == ROUTE_BODY_OPTIONAL, err);
    if (!call->body)
        return -1;
    return api_json_check_fields(call->body, row->fields, err);
}

/* The input step: an unknown {action}, the query, the body, the handler's check. */
static int api_prepare_input(struct api_call *call, const struct http_request *req,
                             struct api_reply *reply)
{
    const struct api_handler *handler = api_handlers[call->row->row];
    struct app_error err;

    app_error_clear(&err);
    if (route_check_action(call->row, &req->route, &err) < 0 ||
        route_check_query(call->row, req->query, &err) < 0 || api_read_body(call, req, &err) < 0) {
        api_reply_error(reply, &err);
        return -1;
    }
    return handler && handler->check ? handler->check(call, req, reply) : 0;
}

/* The object step; a MAC {item} is kept in lower case. */
static int api_prepare_object(struct api_call *call, const struct http_request *req,
                              struct app_error *err)
{
    char mac[VIRT_DEVICE_MAC_LEN];

    if (route_check_object(call->row, &req->route, err) < 0)
        return -1;
    if (call->row->item == ROUTE_ITEM_MAC && virt_device_xml_mac_parse(call->item, mac) == 0)
        snprintf(call->item, sizeof(call->item), "%s", mac);
    return 0;
}

/* What subject holds on the path's object: a domain's level from the ownership index;
 * a network's, pool's or volume's from the self-service set. */
static enum auth_level api_prepare_level(const struct api_call *call,
                                         const struct auth_subject *subject,
                                         const struct http_request *req)
{
    switch (call->row->object) {
    case ROUTE_OBJECT_NETWORK:
        return auth_approved_level(call->approved, AUTH_OBJECT_NETWORK, req->route.name, NULL);
    case ROUTE_OBJECT_POOL:
        return auth_approved_level(call->approved, AUTH_OBJECT_POOL, req->route.name, NULL);
    case ROUTE_OBJECT_VOLUME:
        return auth_approved_level(call->approved, AUTH_OBJECT_POOL, req->route.name,
                                   req->route.item);
    default:
        return auth_owners_level(call->owners, req->route.uuid, subject->username);
    }
}

int api_prepare(struct api_call *call, const struct http_request *req, struct api_reply *reply)
{
    enum api_step { API_RIGHT, API_OBJECT, API_INPUT };
    static const enum api_step orders[][3] = {
        [ROUTE_ORDER_RIGHT_OBJECT_INPUT] = {API_RIGHT, API_OBJECT, API_INPUT},
        [ROUTE_ORDER_OBJECT_RIGHT_INPUT] = {API_OBJECT, API_RIGHT, API_INPUT},
        [ROUTE_ORDER_INPUT_RIGHT_OBJECT] = {API_INPUT, API_RIGHT, API_OBJECT},
        [ROUTE_ORDER_RIGHT_INPUT_OBJECT] = {API_RIGHT, API_INPUT, API_OBJECT},
    };
    const struct route_row *row = call->row;
    struct auth_subject subject = api_call_subject(call);
    enum auth_level level = api_prepare_level(call, &subject, req);
    struct app_error err;

    for (size_t i = 0; i < 3; i++) {
        int rc = 0;

        app_error_clear(&err);
        switch (orders[row->order][i]) {
        case API_RIGHT:
            rc = route_check_right(row, &req->route, call->has_session ? &subject : NULL, level,
                                   &call->hidden, &err);
            break;
        case API_OBJECT:
            rc = api_prepare_object(call, req, &err);
            break;
        case API_INPUT:
            if (api_prepare_input(call, req, reply) < 0)
                return -1;
            break;
        }
        if (rc < 0) {
            api_reply_error(reply, &err);
            return -1;
        }
    }
    return 0;
}

enum api_result api_handle(const struct api_services *services, const struct http_request *req,
                           struct http_response *resp)
{
    const struct route_row *row = route_row_for(&req->route, req->method);
    const struct api_handler *handler = api_handler_for(row);
    struct api_call *call;
    struct api_reply reply;

    if (!api_serves(row)) {
        http_response_errorf(resp, 404, APP_ERR_NOT_FOUND, "no such API endpoint");
        return API_DONE;
    }
    api_reply_init(&reply);
    call = api_job_call_new(services, row, req);
    if (api_prepare(call, req, &reply) == 0) {
        if (row->run != ROUTE_RUN_INLINE) {
            if (api_job_submit(call, handler, &reply) == 0)
                return API_PENDING; /* the job owns call now */
        } else {
            handler->run(call, &reply);
        }
    } else if (api_job_submit_refusal(call, &reply) == 0) {
        return API_PENDING; /* a refused change: recorded on a worker, then answered */
    }
    api_reply_to_response(&reply, resp);
    api_reply_clear(&reply);
    api_job_call_free(call);
    return API_DONE;
}
