/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_call: a handler's view of one request (see api_call.h): filling it from the
 * request, reading the checked body and query, releasing it. Pure; whichever thread
 * holds the call. */
#include "api/api_call.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_owners.h"
#include "util/xalloc.h"

void api_call_init(struct api_call *call, const struct route_row *row,
                   const struct http_request *req)
{
    memset(call, 0, sizeof(*call));
    call->row = row;
    call->method = req->method;
    call->conn_id = req->conn_id;
    snprintf(call->uuid, sizeof(call->uuid), "%s", req->route.uuid);
    snprintf(call->name, sizeof(call->name), "%s", req->route.name);
    snprintf(call->item, sizeof(call->item), "%s", req->route.item);
    snprintf(call->action, sizeof(call->action), "%s", req->route.action);
    call->query = xstrdup(req->query ? req->query : "");
    call->has_session = req->has_session;
    if (req->has_session)
        call->session = req->session;
    snprintf(call->peer, sizeof(call->peer), "%s", req->peer ? req->peer : "");
    call->prefer_async = req->prefer_async;
    call->accept_ndjson = req->accept_ndjson;
}

void *api_call_state_new(struct api_call *call, size_t size)
{
    call->state = xcalloc(1, size);
    call->state_size = size;
    return call->state;
}

void api_call_clear(struct api_call *call)
{
    if (!call)
        return;
    json_object_put(call->body);
    free(call->query);
    if (call->state && call->state_size)
        OPENSSL_cleanse(call->state, call->state_size);
    free(call->state);
    OPENSSL_cleanse(&call->session, sizeof(call->session));
    call->body = NULL;
    call->query = NULL;
    call->state = NULL;
}

static struct json_object *api_call_member(const struct api_call *call, const char *key)
{
    struct json_object *v = NULL;

    if (!call->body || !json_object_object_get_ex(call->body, key, &v))
        return NULL;
    return v;
}

bool api_call_bool(const struct api_call *call, const char *key, bool def)
{
    struct json_object *v = api_call_member(call, key);

    return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) != 0 : def;
}

int64_t api_call_int64(const struct api_call *call, const char *key, int64_t def)
{
    struct json_object *v = api_call_member(call, key);

    return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}

const char *api_call_string(const struct api_call *call, const char *key)
{
    struct json_object *v = api_call_member(call, key);

    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *api_call_query(const struct api_call *call, const char *name, char *out, size_t outlen)
{
    return route_query_get(call->query, name, out, outlen) == 1 ? out : NULL;
}

struct auth_subject api_call_subject(const struct api_call *call)
{
    return auth_owners_subject(call->owners, &call->session);
}
