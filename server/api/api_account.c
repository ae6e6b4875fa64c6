/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_account: the caller's own account (see api_account.h).
 *
 * Threads: sessions (the list) runs inline on the service thread (memory only); every
 * other handler on a worker (SQLite, yescrypt). The checks that guard a secret (the
 * current password, a TOTP code to turn it off) count for the login throttle like a
 * login, so a stolen session cannot guess the password faster than a login could. A
 * session's websockets close when it ends: the housekeeping timer closes the sockets of
 * every session that is no longer auth_sessions_alive (serve.c, within 250 ms). */
#include "api/api_account.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_password.h"
#include "auth_password_policy.h"
#include "auth_sessions.h"
#include "auth_throttle.h"
#include "auth_totp.h"
#include "auth_totp_store.h"
#include "auth_users.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define API_ACCOUNT_ISSUER "virtdeck"

/* 400 naming field. */
static void api_account_bad(struct api_reply *reply, const char *field, const char *message)
{
    app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST, "%s", message);
    app_error_at_field(&reply->err, "", field);
}

/* Reads the caller's user row into user. Returns 1, or 0 with reply's error set (a user
 * deleted meanwhile is 404; a system account, when local_only, 400). */
static int api_account_user(struct api_call *call, struct auth_user *user, bool local_only,
                            struct api_reply *reply)
{
    int found = auth_users_get(call->db, call->session.username, user, &reply->err);

    if (found == 0)
        app_error_set(&reply->err, 404, APP_ERR_NOT_FOUND, "no user %s", call->session.username);
    if (found == 1 && local_only && user->pam) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "%s is a system account: its password and sign-in are managed on the host",
                      user->name);
        found = 0;
    }
    return found == 1;
}

/* Whether TOTP is required of user (per user, or for admins by configuration). */
static bool api_account_totp_required(const struct api_call *call, const struct auth_user *user,
                                      const struct auth_totp_state *state)
{
    return !user->pam &&
           (state->required || (call->totp_required_for_admins && user->role == AUTH_ROLE_ADMIN));
}

/* A check that guards a secret: the login throttle for the caller (429 while it waits). */
static int api_account_throttle_check(struct api_call *call, const struct http_request *req,
                                      struct api_reply *reply)
{
    int wait_s =
        auth_throttle_begin(call->throttle, call->peer, call->session.username, clock_mono_ms());

    if (wait_s <= 0)
        return 0;
    reply->retry_after_s = wait_s;
    app_error_set(&reply->err, 429, APP_ERR_TOO_MANY, "too many failed attempts; try again in %d s",
                  wait_s);
    return -1;
}

static void api_account_throttle_refused(struct api_call *call, struct api_reply *reply)
{
    auth_throttle_cancel(call->throttle, call->peer, call->session.username);
}

/* ---- the account ---------------------------------------------------------------------- */

static void api_account_get_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_user user = {0};
    struct auth_totp_state state = {0};
    struct json_object *out;

    if (!api_account_user(call, &user, false, reply) ||
        auth_totp_store_get(call->db, user.name, &state, &reply->err) < 0)
        goto cleanup;
    out = json_object_new_object();
    json_object_object_add(out, "username", json_object_new_string(user.name));
    json_object_object_add(out, "role", json_object_new_string(auth_role_name(user.role)));
    json_object_object_add(out, "source", json_object_new_string(user.pam ? "pam" : "local"));
    json_object_object_add(out, "totp_enabled", json_object_new_boolean(state.enabled));
    json_object_object_add(out, "totp_required",
                           json_object_new_boolean(api_account_totp_required(call, &user, &state)));
    json_object_object_add(out, "recovery_codes_left", json_object_new_int(state.recovery_left));
    json_object_object_add(out, "password_min_length",
                           json_object_new_int(auth_password_policy_min()));
    json_object_object_add(out, "totp_enrolment_required",
                           json_object_new_boolean(call->session.totp_pending));
    api_reply_json(reply, 200, out);

cleanup:
    OPENSSL_cleanse(&state, sizeof(state));
    auth_user_clear(&user);
}

const struct api_handler api_account_get = {.run = api_account_get_run};

/* ---- password ------------------------------------------------------------------------- */

static int api_account_password_check(struct api_call *call, const struct http_request *req,
                                      struct api_reply *reply)
{
    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (auth_password_policy_check(call->session.username, api_call_string(call, "new"),
                                   &reply->err) < 0) {
        app_error_at_field(&reply->err, "", "new");
        return -1;
    }
    return api_account_throttle_check(call, req, reply);
}

static void api_account_password_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_user user = {0};
    struct json_object *out;
    size_t ended;

    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (!api_account_user(call, &user, true, reply)) {
        auth_throttle_cancel(call->throttle, call->peer, call->session.username);
        goto cleanup;
    }
    if (!auth_password_verify(api_call_string(call, "current"), user.password_hash)) {
        /* auth_throttle_begin counted it */
        api_account_bad(reply, "current", "the current password is wrong");
        goto cleanup;
    }
    auth_throttle_success(call->throttle, call->peer, call->session.username);
    if (auth_users_set_password(call->db, user.name, api_call_string(call, "new"), &reply->err) <
        0) {
        app_error_at_field(&reply->err, "", "new");
        goto cleanup;
    }
    ended = auth_sessions_destroy_others(call->sessions, user.name, call->session.id);
    log_info("account: %s changed their password; %zu other session(s) ended", user.name, ended);
    out = json_object_new_object();
    json_object_object_add(out, "ok", json_object_new_boolean(1));
    json_object_object_add(out, "sessions_ended", json_object_new_int64((int64_t)ended));
    api_reply_json(reply, 200, out);

cleanup:
    auth_user_clear(&user);
}

const struct api_handler api_account_password = {
    .check = api_account_password_check,
    .run = api_account_password_run,
    .refused = api_account_throttle_refused,
};

/* ---- TOTP ----------------------------------------------------------------------------- */

static void api_account_totp_begin_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_user user = {0};
    char secret[AUTH_TOTP_B32_LEN + 1] = "";
    char uri[512];
    struct json_object *out;

    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (!api_account_user(call, &user, true, reply))
        goto cleanup;
    if (auth_totp_secret_new(secret) < 0 ||
        auth_totp_uri(API_ACCOUNT_ISSUER, user.name, secret, uri, sizeof(uri)) < 0) {
        app_error_set(&reply->err, 500, APP_ERR_INTERNAL, "cannot make a TOTP secret");
        goto cleanup;
    }
    if (auth_totp_store_begin(call->db, user.name, secret, &reply->err) < 0)
        goto cleanup;
    out = json_object_new_object();
    json_object_object_add(out, "secret", json_object_new_string(secret));
    json_object_object_add(out, "otpauth_uri", json_object_new_string(uri));
    json_object_object_add(out, "digits", json_object_new_int(AUTH_TOTP_DIGITS));
    json_object_object_add(out, "period", json_object_new_int(AUTH_TOTP_STEP_S));
    json_object_object_add(out, "algorithm", json_object_new_string("SHA1"));
    api_reply_json(reply, 200, out);

cleanup:
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(uri, sizeof(uri));
    auth_user_clear(&user);
}

const struct api_handler api_account_totp_begin = {.run = api_account_totp_begin_run};

/* Makes the recovery codes: their text into out (a JSON array) and their hashes. */
static int api_account_recovery_codes(struct json_object *out,
                                      char (*hashes)[AUTH_TOTP_HASH_HEX + 1])
{
    char code[AUTH_TOTP_RECOVERY_LEN + 1];
    int ret = -1;

    for (size_t i = 0; i < AUTH_TOTP_RECOVERY_N; i++) {
        if (auth_totp_recovery_new(code) < 0 || auth_totp_recovery_hash(code, hashes[i]) < 0)
            goto cleanup;
        json_object_array_add(out, json_object_new_string(code));
    }
    ret = 0;

cleanup:
    OPENSSL_cleanse(code, sizeof(code));
    return ret;
}

static void api_account_totp_confirm_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_totp_state state = {0};
    unsigned char key[AUTH_TOTP_SECRET_BYTES + 8];
    char hashes[AUTH_TOTP_RECOVERY_N][AUTH_TOTP_HASH_HEX + 1];
    struct json_object *codes = NULL, *out;
    int keylen;
    uint64_t step;

    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (auth_totp_store_get(call->db, call->session.username, &state, &reply->err) < 0)
        goto cleanup;
    if (!state.pending) {
        app_error_set(&reply->err, 409, APP_ERR_CONFLICT,
                      state.enabled ? "two-factor authentication is already on"
                                    : "begin the enrolment first (POST /api/account/totp)");
        goto cleanup;
    }
    keylen = auth_totp_base32_decode(state.secret, key, sizeof(key));
    step = keylen > 0 ? auth_totp_verify(key, (size_t)keylen, api_call_string(call, "code"),
                                         clock_wall_s(), 0)
                      : 0;
    if (!step) {
        api_account_bad(reply, "code",
                        "the code is wrong: type the 6 digits the app shows now (check its clock)");
        goto cleanup;
    }
    codes = json_object_new_array();
    if (api_account_recovery_codes(codes, hashes) < 0) {
        app_error_set(&reply->err, 500, APP_ERR_INTERNAL, "cannot make recovery codes");
        goto cleanup;
    }
    if (auth_totp_store_enable(call->db, call->session.username, step, hashes, AUTH_TOTP_RECOVERY_N,
                               &reply->err) < 0)
        goto cleanup;
    auth_sessions_enrolled(call->sessions, call->session.username);
    log_info("account: %s turned two-factor authentication on", call->session.username);
    out = json_object_new_object();
    json_object_object_add(out, "recovery_codes", codes);
    codes = NULL;
    api_reply_json(reply, 200, out);

cleanup:
    json_object_put(codes);
    OPENSSL_cleanse(&state, sizeof(state));
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(hashes, sizeof(hashes));
}

const struct api_handler api_account_totp_confirm = {.run = api_account_totp_confirm_run};

static int api_account_totp_disable_check(struct api_call *call, const struct http_request *req,
                                          struct api_reply *reply)
{
    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (!api_call_string(call, "code") && !api_call_string(call, "password")) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "give \"code\" (a current code) or \"password\"");
        return -1;
    }
    return api_account_throttle_check(call, req, reply);
}

static void api_account_totp_disable_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_user user = {0};
    struct auth_totp_state state = {0};
    const char *code = api_call_string(call, "code");
    struct json_object *out;
    bool proven;
    int rc;

    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    if (!api_account_user(call, &user, true, reply) ||
        auth_totp_store_get(call->db, user.name, &state, &reply->err) < 0) {
        auth_throttle_cancel(call->throttle, call->peer, call->session.username);
        goto cleanup;
    }
    if (!state.enabled && !state.pending) {
        auth_throttle_cancel(call->throttle, call->peer, call->session.username);
        app_error_set(&reply->err, 409, APP_ERR_CONFLICT, "two-factor authentication is off");
        goto cleanup;
    }
    if (code && state.enabled) {
        if ((rc = auth_totp_store_check(call->db, user.name, code, NULL, clock_wall_s(),
                                        &reply->err)) < 0)
            goto cleanup;
        proven = rc == 1;
    } else {
        proven = auth_password_verify(api_call_string(call, "password"), user.password_hash);
    }
    if (!proven) {
        /* auth_throttle_begin counted it */
        api_account_bad(reply, code ? "code" : "password",
                        code ? "the code is wrong or was used already" : "the password is wrong");
        goto cleanup;
    }
    auth_throttle_success(call->throttle, call->peer, user.name);
    if (state.enabled && api_account_totp_required(call, &user, &state)) {
        app_error_set(&reply->err, 409, APP_ERR_CONFLICT,
                      "two-factor authentication is required for this account");
        goto cleanup;
    }
    if (auth_totp_store_disable(call->db, user.name, &reply->err) < 0)
        goto cleanup;
    log_info("account: %s turned two-factor authentication off", user.name);
    out = json_object_new_object();
    json_object_object_add(out, "ok", json_object_new_boolean(1));
    api_reply_json(reply, 200, out);

cleanup:
    OPENSSL_cleanse(&state, sizeof(state));
    auth_user_clear(&user);
}

const struct api_handler api_account_totp_disable = {
    .check = api_account_totp_disable_check,
    .run = api_account_totp_disable_run,
    .refused = api_account_throttle_refused,
};

/* ---- sessions ------------------------------------------------------------------------- */

static void api_account_sessions_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_session *list = NULL;
    size_t n = auth_sessions_list_user(call->sessions, call->session.username, &list);
    struct json_object *out = json_object_new_object(), *arr = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        struct json_object *obj = json_object_new_object();
        const struct auth_session *s = &list[i];

        json_object_object_add(obj, "id", json_object_new_string(s->id));
        json_object_object_add(obj, "created", json_object_new_int64(s->created_s));
        json_object_object_add(obj, "last_seen", json_object_new_int64(s->last_seen_s));
        json_object_object_add(obj, "expires_at", json_object_new_int64(s->expires_s));
        json_object_object_add(obj, "address", json_object_new_string(s->address));
        json_object_object_add(obj, "user_agent", json_object_new_string(s->user_agent));
        json_object_object_add(obj, "current",
                               json_object_new_boolean(strcmp(s->id, call->session.id) == 0));
        json_object_array_add(arr, obj);
    }
    json_object_object_add(out, "sessions", arr);
    api_reply_json(reply, 200, out);
    if (list)
        OPENSSL_cleanse(list, n * sizeof(*list)); /* they hold CSRF tokens */
    free(list);
}

const struct api_handler api_account_sessions = {.run = api_account_sessions_run};

static void api_account_session_end_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_audit_object(reply, "session:%.16s", call->name);
    if (!auth_sessions_destroy_id(call->sessions, call->session.username, call->name)) {
        app_error_set(&reply->err, 404, APP_ERR_NOT_FOUND, "no such session");
        return;
    }
    log_info("account: %s ended their session %.16s", call->session.username, call->name);
    api_reply_text(reply, 204, "text/plain; charset=utf-8", xstrdup(""), 0);
}

const struct api_handler api_account_session_end = {.run = api_account_session_end_run};

static void api_account_logout_all_run(struct api_call *call, struct api_reply *reply)
{
    bool keep = api_call_bool(call, "keep_current", true);
    size_t ended = auth_sessions_destroy_others(call->sessions, call->session.username,
                                                keep ? call->session.id : NULL);
    struct json_object *out = json_object_new_object();

    api_reply_audit_object(reply, "user:%.64s", call->session.username);
    log_info("account: %s logged out %zu session(s)", call->session.username, ended);
    if (!keep)
        snprintf(reply->cookie, sizeof(reply->cookie), "%s",
                 AUTH_SESSION_COOKIE "=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    json_object_object_add(out, "sessions_ended", json_object_new_int64((int64_t)ended));
    api_reply_json(reply, 200, out);
}

const struct api_handler api_account_logout_all = {.run = api_account_logout_all_run};
