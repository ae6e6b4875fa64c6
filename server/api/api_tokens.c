/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_tokens: the API token routes (see api_tokens.h). check and list run on the
 * service thread (memory only); create and delete on a worker (SQLite). */
#include "api/api_tokens.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth_tokens.h"
#include "util/clock.h"

#define API_TOKENS_DAY_S 86400

struct api_tokens_create_state {
    enum auth_role scope;
    int64_t expires_s; /* 0: never */
};

static struct json_object *api_tokens_json(const struct auth_token_info *info)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "id", json_object_new_string(info->id));
    json_object_object_add(obj, "user", json_object_new_string(info->username));
    json_object_object_add(obj, "name", json_object_new_string(info->name));
    json_object_object_add(obj, "scope",
                           json_object_new_string(auth_tokens_scope_name(info->scope)));
    json_object_object_add(obj, "created", json_object_new_int64(info->created_s));
    json_object_object_add(obj, "expires",
                           info->expires_s ? json_object_new_int64(info->expires_s) : NULL);
    json_object_object_add(obj, "last_used",
                           info->last_used_s ? json_object_new_int64(info->last_used_s) : NULL);
    json_object_object_add(obj, "last_used_from",
                           info->last_used_from[0] ? json_object_new_string(info->last_used_from)
                                                   : NULL);
    return obj;
}

static bool api_tokens_admin(const struct api_call *call)
{
    struct auth_subject subject = api_call_subject(call);

    return auth_policy_allows(&subject, AUTH_ACTION_USER_MANAGE, NULL);
}

/* ---- create --------------------------------------------------------------------------- */

static int api_tokens_create_check(struct api_call *call, const struct http_request *req,
                                   struct api_reply *reply)
{
    struct api_tokens_create_state *state = api_call_state_new(call, sizeof(*state));
    struct auth_subject subject = api_call_subject(call);
    struct json_object *scope = NULL, *days = NULL;
    const char *name = api_call_string(call, "name");

    if (call->session.token_id[0]) {
        app_error_set(&reply->err, 403, APP_ERR_FORBIDDEN,
                      "an API token cannot create tokens; log in to create one");
        return -1;
    }
    if (!name || !name[0]) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST, "field \"name\" must not be empty");
        return -1;
    }
    if (!json_object_object_get_ex(call->body, "scope", &scope) ||
        !json_object_is_type(scope, json_type_string) ||
        auth_tokens_scope_parse(json_object_get_string(scope), &state->scope) < 0) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "field \"scope\" must be read, operate or admin");
        return -1;
    }
    if (!auth_policy_may_grant(&subject, state->scope)) {
        app_error_set(&reply->err, 403, APP_ERR_FORBIDDEN,
                      "field \"scope\": role %s may not create %s tokens",
                      auth_role_name(subject.role), auth_tokens_scope_name(state->scope));
        return -1;
    }
    if (json_object_object_get_ex(call->body, "expires_in_days", &days) && days) {
        int64_t n = json_object_get_int64(days);
        if (!json_object_is_type(days, json_type_int) || n < 1 || n > AUTH_TOKEN_DAYS_MAX) {
            app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                          "field \"expires_in_days\" must be a whole number from 1 to %d, or "
                          "null (never)",
                          AUTH_TOKEN_DAYS_MAX);
            return -1;
        }
        state->expires_s = clock_wall_s() + n * API_TOKENS_DAY_S;
    }
    return 0;
}

static void api_tokens_create_run(struct api_call *call, struct api_reply *reply)
{
    const struct api_tokens_create_state *state = call->state;
    char text[AUTH_TOKEN_TEXT_LEN + 1];
    struct auth_token_info info;
    struct json_object *out;

    if (auth_tokens_create(call->tokens, call->session.username, api_call_string(call, "name"),
                           state->scope, state->expires_s, text, &info, &reply->err) < 0)
        return;
    api_reply_audit_object(reply, "token:%s", info.id);
    out = api_tokens_json(&info);
    json_object_object_add(out, "token", json_object_new_string(text));
    OPENSSL_cleanse(text, sizeof(text));
    api_reply_json(reply, 201, out);
}

const struct api_handler api_tokens_create = {
    .check = api_tokens_create_check,
    .run = api_tokens_create_run,
};

/* ---- list ----------------------------------------------------------------------------- */

static void api_tokens_add(const struct auth_token_info *info, void *ctx)
{
    json_object_array_add(ctx, api_tokens_json(info));
}

static void api_tokens_list_run(struct api_call *call, struct api_reply *reply)
{
    char all[8];
    const char *arg = api_call_query(call, "all", all, sizeof(all));
    bool everyone = arg && (!strcmp(arg, "true") || !arg[0]);
    struct json_object *list, *out;

    if (everyone && !api_tokens_admin(call)) {
        app_error_set(&reply->err, 403, APP_ERR_FORBIDDEN,
                      "role %s may not list other users' tokens",
                      auth_role_name(call->session.role));
        return;
    }
    list = json_object_new_array();
    auth_tokens_foreach(call->tokens, everyone ? NULL : call->session.username, api_tokens_add,
                        list);
    out = json_object_new_object();
    json_object_object_add(out, "tokens", list);
    api_reply_json(reply, 200, out);
}

const struct api_handler api_tokens_list = {.run = api_tokens_list_run};

/* ---- delete --------------------------------------------------------------------------- */

static void api_tokens_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *ok;

    api_reply_audit_object(reply, "token:%.*s", AUTH_TOKEN_ID_LEN, call->name);
    if (auth_tokens_revoke(call->tokens, call->name,
                           api_tokens_admin(call) ? NULL : call->session.username, &reply->err) < 0)
        return;
    ok = json_object_new_object();
    json_object_object_add(ok, "ok", json_object_new_boolean(1));
    api_reply_json(reply, 200, ok);
}

const struct api_handler api_tokens_delete = {.run = api_tokens_delete_run};
