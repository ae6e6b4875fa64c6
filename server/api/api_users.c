/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_users: the users admin API (see api_users.h). check runs on the service thread
 * (memory only: the name's and role's rules, the password policy); run on a worker
 * (SQLite, yescrypt). A password reaches only auth_users (hashed there) and is never in
 * an answer, a log line or an audit row: the audit object is "user:<name>". */
#include "api/api_users.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_quota.h"
#include "auth_owners.h"
#include "auth_password_policy.h"
#include "auth_sessions.h"
#include "auth_tokens.h"
#include "auth_totp_store.h"
#include "auth_users.h"
#include "util/log.h"
#include "util/xalloc.h"

/* user's row with its groups, what a viewer sees, and its second factor's state (read
 * from db: both off when it cannot). */
static struct json_object *api_users_json(sqlite3 *db, struct auth_owners *owners,
                                          const struct auth_user *user)
{
    struct json_object *obj = json_object_new_object();
    struct auth_totp_state totp;
    struct app_error err;

    if (auth_totp_store_get(db, user->name, &totp, &err) < 0)
        memset(&totp, 0, sizeof(totp));

    json_object_object_add(obj, "name", json_object_new_string(user->name));
    json_object_object_add(obj, "role", json_object_new_string(auth_role_name(user->role)));
    json_object_object_add(obj, "disabled", json_object_new_boolean(user->disabled));
    json_object_object_add(obj, "created", json_object_new_int64(user->created_s));
    json_object_object_add(obj, "last_login",
                           user->last_login_s ? json_object_new_int64(user->last_login_s) : NULL);
    json_object_object_add(obj, "source", json_object_new_string(user->pam ? "pam" : "local"));
    json_object_object_add(obj, "groups", auth_owners_user_groups(owners, user->name));
    json_object_object_add(
        obj, "viewer_sees",
        json_object_new_string(auth_owners_shared_only(owners, user->name) ? "shared" : "all"));
    json_object_object_add(obj, "totp_enabled", json_object_new_boolean(totp.enabled));
    json_object_object_add(obj, "totp_required", json_object_new_boolean(totp.required));
    OPENSSL_cleanse(&totp, sizeof(totp));
    return obj;
}

/* 400 naming field. */
static int api_users_bad(struct api_reply *reply, const char *field, const char *message)
{
    app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST, "%s", message);
    app_error_at_field(&reply->err, "", field);
    return -1;
}

/* The body's "groups" (checked against the index: 400 naming groups[i]) and
 * "viewer_sees" ("all" or "shared", into *shared_only). Returns 0 or -1 (400). */
static int api_users_membership(struct api_call *call, struct api_reply *reply, bool *has_shared,
                                bool *shared_only)
{
    struct json_object *groups = NULL;
    const char *sees = api_call_string(call, "viewer_sees");
    struct json_object *v = NULL;

    if (json_object_object_get_ex(call->body, "groups", &groups) &&
        auth_owners_groups_check(call->owners, groups, &reply->err) < 0)
        return -1;
    *has_shared = json_object_object_get_ex(call->body, "viewer_sees", &v);
    if (*has_shared && (!sees || (strcmp(sees, "all") && strcmp(sees, "shared"))))
        return api_users_bad(reply, "viewer_sees", "field \"viewer_sees\" must be all or shared");
    *shared_only = *has_shared && strcmp(sees, "shared") == 0;
    return 0;
}

/* Applies the body's "groups" and "viewer_sees" (checked) to name. Returns 0 or -1. */
static int api_users_apply_membership(struct api_call *call, const char *name, bool has_shared,
                                      bool shared_only, struct app_error *err)
{
    struct json_object *groups = NULL;

    if (json_object_object_get_ex(call->body, "groups", &groups) &&
        auth_owners_user_set_groups(call->owners, name, groups, err) < 0)
        return -1;
    if (has_shared && auth_owners_user_set_shared_only(call->owners, name, shared_only, err) < 0)
        return -1;
    return 0;
}

/* The body's "role", if present, into *role. Returns 1 present, 0 absent, -1 (400). */
static int api_users_role(struct api_call *call, struct api_reply *reply, enum auth_role *role)
{
    const char *name = api_call_string(call, "role");

    if (!name)
        return 0;
    if (auth_role_parse(name, role) < 0)
        return api_users_bad(reply, "role", "field \"role\" is not a role (see \"roles\")");
    return 1;
}

/* The user's sessions end and the tokens are re-read (a disabled, demoted or deleted
 * user's stop; an enabled one's work again): the next housekeeping tick closes their
 * websockets. */
static void api_users_revoke(struct api_call *call, const char *name, bool end_sessions)
{
    if (end_sessions)
        auth_sessions_destroy_user(call->sessions, name);
    if (auth_tokens_sync(call->tokens) < 0)
        log_warn("users: the tokens were not re-read after a change to %s", name);
}

/* Answers with name's row (status), or the error of reading it. */
static void api_users_answer(struct api_call *call, struct api_reply *reply, const char *name,
                             int status)
{
    struct auth_user user;
    int found = auth_users_get(call->db, name, &user, &reply->err);

    if (found == 0)
        app_error_set(&reply->err, 404, APP_ERR_NOT_FOUND, "no user %s", name);
    if (found == 1)
        api_reply_json(reply, status, api_users_json(call->db, call->owners, &user));
    auth_user_clear(&user);
}

/* ---- list ----------------------------------------------------------------------------- */

/* What api_users_add fills. */
struct api_users_listing {
    sqlite3 *db;                /* borrowed */
    struct auth_owners *owners; /* borrowed */
    struct json_object *list;   /* borrowed */
};

/* Each user with the quota set on it ("quota": {"vms": n|null, ...}, api_quota.h). */
static void api_users_add(const struct auth_user *user, void *ctx)
{
    struct api_users_listing *l = ctx;
    struct json_object *obj = api_users_json(l->db, l->owners, user);

    json_object_object_add(obj, "quota", api_quota_set_json(l->db, false, user->name));
    json_object_array_add(l->list, obj);
}

static void api_users_list_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *list = json_object_new_array();
    struct json_object *roles = json_object_new_array();
    struct api_users_listing listing = {call->db, call->owners, list};
    struct json_object *out;

    if (auth_users_foreach(call->db, api_users_add, &listing) < 0) {
        json_object_put(list);
        json_object_put(roles);
        app_error_set(&reply->err, 500, APP_ERR_INTERNAL, "cannot list users (database error)");
        return;
    }
    for (int i = 0; i < auth_role_count(); i++)
        json_object_array_add(roles, json_object_new_string(auth_role_name((enum auth_role)i)));
    out = json_object_new_object();
    json_object_object_add(out, "users", list);
    json_object_object_add(out, "roles", roles);
    json_object_object_add(out, "password_min_length",
                           json_object_new_int(auth_password_policy_min()));
    api_reply_json(reply, 200, out);
}

const struct api_handler api_users_list = {.run = api_users_list_run};

/* ---- create --------------------------------------------------------------------------- */

struct api_users_create_state {
    enum auth_role role;
    bool has_shared;
    bool shared_only;
};

static int api_users_create_check(struct api_call *call, const struct http_request *req,
                                  struct api_reply *reply)
{
    struct api_users_create_state *state = api_call_state_new(call, sizeof(*state));
    const char *name = api_call_string(call, "name");

    api_reply_audit_object(reply, "user:%.64s", name);
    if (!auth_users_name_valid(name))
        return api_users_bad(reply, "name",
                             "field \"name\" must be 1-64 of A-Z a-z 0-9 . _ -, not starting "
                             "with . or -");
    if (api_users_role(call, reply, &state->role) < 0 ||
        api_users_membership(call, reply, &state->has_shared, &state->shared_only) < 0)
        return -1;
    return auth_password_policy_check(name, api_call_string(call, "password"), &reply->err);
}

static void api_users_create_run(struct api_call *call, struct api_reply *reply)
{
    const struct api_users_create_state *state = call->state;
    const char *name = api_call_string(call, "name");

    struct app_error undo;

    api_reply_audit_object(reply, "user:%s", name);
    if (auth_users_add(call->db, name, state->role, api_call_string(call, "password"),
                       &reply->err) < 0)
        return;
    if (api_users_apply_membership(call, name, state->has_shared, state->shared_only, &reply->err) <
        0) {
        /* a group went between the check and now: the user goes too (all or nothing) */
        app_error_clear(&undo);
        if (auth_users_delete(call->db, name, &undo) < 0 || auth_owners_sync(call->owners) < 0)
            log_warn("users: %s was made without its groups and stays: %s", name, undo.message);
        return;
    }
    api_users_answer(call, reply, name, 201);
}

const struct api_handler api_users_create = {
    .check = api_users_create_check,
    .run = api_users_create_run,
};

/* ---- change --------------------------------------------------------------------------- */

/* A change of the user row, its groups and what it sees (auth_owners), and whether TOTP
 * is required of the user (auth_totp_store). */
struct api_users_patch_state {
    struct auth_user_change change;
    bool has_shared;
    bool shared_only;
    bool has_totp_required;
    bool totp_required;
    bool totp_reset; /* turn the user's TOTP off (a lost phone and recovery codes) */
};

static int api_users_patch_check(struct api_call *call, const struct http_request *req,
                                 struct api_reply *reply)
{
    struct api_users_patch_state *state = api_call_state_new(call, sizeof(*state));
    struct auth_user_change *change = &state->change;
    struct json_object *disabled = NULL, *groups = NULL, *required = NULL;
    int has_role;

    api_reply_audit_object(reply, "user:%.64s", call->name);
    if ((has_role = api_users_role(call, reply, &change->role)) < 0)
        return -1;
    change->has_role = has_role == 1;
    change->has_disabled = json_object_object_get_ex(call->body, "disabled", &disabled);
    change->disabled = api_call_bool(call, "disabled", false);
    state->has_totp_required = json_object_object_get_ex(call->body, "totp_required", &required);
    state->totp_required = api_call_bool(call, "totp_required", false);
    state->totp_reset = api_call_bool(call, "totp_reset", false);
    if (api_call_string(call, "password") &&
        auth_password_policy_check(call->name, api_call_string(call, "password"), &reply->err) < 0)
        return -1;
    if (api_users_membership(call, reply, &state->has_shared, &state->shared_only) < 0)
        return -1;
    if (!change->has_role && !change->has_disabled && !api_call_string(call, "password") &&
        !state->has_shared && !json_object_object_get_ex(call->body, "groups", &groups) &&
        !state->has_totp_required && !state->totp_reset) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "nothing to change: give \"role\", \"password\", \"disabled\", "
                      "\"groups\", \"viewer_sees\", \"totp_required\" or \"totp_reset\"");
        return -1;
    }
    return 0;
}

static void api_users_patch_run(struct api_call *call, struct api_reply *reply)
{
    struct api_users_patch_state *state = call->state;
    struct auth_user_change *change = &state->change;

    api_reply_audit_object(reply, "user:%.64s", call->name);
    change->password = api_call_string(call, "password"); /* borrowed from the body */
    if (auth_users_update(call->db, call->name, change, &reply->err) < 0 ||
        api_users_apply_membership(call, call->name, state->has_shared, state->shared_only,
                                   &reply->err) < 0)
        return;
    /* takes effect at the user's next login (auth_totp_store.h) */
    if (state->has_totp_required &&
        auth_totp_store_set_required(call->db, call->name, state->totp_required, &reply->err) < 0)
        return;
    if (state->totp_reset && auth_totp_store_disable(call->db, call->name, &reply->err) < 0)
        return;
    api_users_revoke(call, call->name,
                     change->has_role || change->password ||
                         (change->has_disabled && change->disabled));
    api_users_answer(call, reply, call->name, 200);
}

const struct api_handler api_users_patch = {
    .check = api_users_patch_check,
    .run = api_users_patch_run,
};

/* ---- delete --------------------------------------------------------------------------- */

static void api_users_delete_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_audit_object(reply, "user:%.64s", call->name);
    if (auth_users_delete(call->db, call->name, &reply->err) < 0)
        return;
    api_users_revoke(call, call->name, true);
    if (auth_owners_sync(call->owners) < 0) /* its VMs, shares and memberships went with it */
        log_warn("users: the owners were not re-read after deleting %s", call->name);
    api_reply_text(reply, 204, "text/plain; charset=utf-8", xstrdup(""), 0);
}

const struct api_handler api_users_delete = {.run = api_users_delete_run};
