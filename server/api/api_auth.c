/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_auth: login, logout and session (see api_auth.h).
 *
 * Service thread for the checks and the session answer; the login run on the password
 * lane, the logout run on a worker. Unknown user and wrong password give the same 401
 * after the same amount of hashing work. The throttle counts the attempt before it is
 * queued (auth_throttle_begin), so parallel guesses cannot pass its check together; the
 * lane's worker ends the attempt (success: take it back; unchecked: cancel; wrong
 * password: it stays counted). Login and logout write their own audit records: the
 * login's names the user who tried, not a session's. A disabled user who gives the right
 * password gets 401 "account is disabled" (only someone who knows the password learns
 * it, so it gives a prober nothing) and it counts as a failure; a wrong password gets the
 * usual message whether or not the account is disabled.
 *
 * A local user with TOTP on (auth_totp_store.h) also gives "totp" or "recovery_code":
 * without either, a right password gets 401 "totp_required" (not counted as a failure:
 * the UI asks for the code and posts again); a wrong or reused code gets the generic 401
 * and stays counted by the throttle. A local user who must have TOTP (PATCH
 * /api/users/{name} totp_required, or an admin under totp_required_for_admins) and has
 * none gets a session limited to enrolling it (auth_policy: enrol_only). System accounts
 * (PAM) have no TOTP here. */
#include "api/api_auth.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_auth_pam.h"
#include "auth_password.h"
#include "auth_sessions.h"
#include "auth_throttle.h"
#include "auth_totp_store.h"
#include "auth_users.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#define API_AUTH_BUSY_RETRY_S 1 /* Retry-After when the password lane is full */

static struct json_object *api_auth_session_json(const struct auth_session *session)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "username", json_object_new_string(session->username));
    json_object_object_add(obj, "role", json_object_new_string(auth_role_name(session->role)));
    json_object_object_add(obj, "csrf_token", json_object_new_string(session->csrf_token));
    json_object_object_add(obj, "expires_at", json_object_new_int64(session->expires_s));
    json_object_object_add(obj, "totp_enrolment_required",
                           json_object_new_boolean(session->totp_pending));
    return obj;
}

/* ---- login ---------------------------------------------------------------------------- */

struct api_auth_login_state {
    char username[AUTH_USERNAME_MAX + 1];
    char password[ROUTE_PASSWORD_MAX + 1];
    char totp[17];     /* "" when not given */
    char recovery[33]; /* "" when not given */
    char user_agent[AUTH_SESSION_AGENT_MAX];
};

static int api_auth_login_check(struct api_call *call, const struct http_request *req,
                                struct api_reply *reply)
{
    struct api_auth_login_state *login;
    const char *username = api_call_string(call, "username");
    int wait_s = auth_throttle_begin(call->throttle, call->peer, username, clock_mono_ms());

    if (wait_s > 0) {
        reply->retry_after_s = wait_s;
        app_error_set(&reply->err, 429, APP_ERR_TOO_MANY,
                      "too many failed logins; try again in %d s", wait_s);
        return -1;
    }
    login = api_call_state_new(call, sizeof(*login));
    snprintf(login->username, sizeof(login->username), "%s", username);
    snprintf(login->password, sizeof(login->password), "%s", api_call_string(call, "password"));
    if (api_call_string(call, "totp"))
        snprintf(login->totp, sizeof(login->totp), "%s", api_call_string(call, "totp"));
    if (api_call_string(call, "recovery_code"))
        snprintf(login->recovery, sizeof(login->recovery), "%s",
                 api_call_string(call, "recovery_code"));
    snprintf(login->user_agent, sizeof(login->user_agent), "%s",
             req->user_agent ? req->user_agent : "");
    return 0;
}

/* The lane is full (503): nothing was checked, so nothing is counted. */
static void api_auth_login_refused(struct api_call *call, struct api_reply *reply)
{
    const struct api_auth_login_state *login = call->state;

    auth_throttle_cancel(call->throttle, call->peer, login->username);
    reply->retry_after_s = API_AUTH_BUSY_RETRY_S;
}

/* Refuses a login (401 with code and message), audited with reason. */
static void api_auth_login_refuse(struct api_call *call, const char *name, const char *code,
                                  const char *message, const char *reason, struct api_reply *reply)
{
    struct app_error err;

    store_audit_result(call->db, name, call->peer, "login", "", "unauthorized", reason);
    log_event(LOG_WARN, &(struct log_subject){.user = name, .action = "login"},
              "auth: login of %s from %s refused: %s", name, call->peer, reason ? reason : message);
    app_error_set(&err, 401, code, "%s", message);
    api_reply_error(reply, &err);
}

/* The login could not be checked (a database error): not counted, err answered. */
static void api_auth_login_unchecked(struct api_call *call, const char *name,
                                     const struct app_error *err, struct api_reply *reply)
{
    auth_throttle_cancel(call->throttle, call->peer, name);
    api_reply_error(reply, err);
}

/* A local user's second factor, after the right password. Returns 1 to go on (*origin's
 * totp_pending set when the session may only enrol TOTP; *recovered when a recovery code
 * was used), or 0 when it answered (a refusal or an error). */
static int api_auth_second_factor(struct api_call *call, const struct api_auth_login_state *login,
                                  const struct auth_user *user, struct auth_session_origin *origin,
                                  bool *recovered, struct api_reply *reply)
{
    struct auth_totp_state state;
    struct app_error err;
    int ret = 0, ok;

    app_error_clear(&err);
    if (auth_totp_store_get(call->db, user->name, &state, &err) < 0) {
        api_auth_login_unchecked(call, login->username, &err, reply);
        goto cleanup;
    }
    if (!state.enabled) {
        origin->totp_pending =
            state.required || (call->totp_required_for_admins && user->role == AUTH_ROLE_ADMIN);
        ret = 1;
        goto cleanup;
    }
    if (!login->totp[0] && !login->recovery[0]) {
        /* the password was right: not a failed guess; the UI asks for the code */
        auth_throttle_cancel(call->throttle, call->peer, login->username);
        api_auth_login_refuse(call, user->name, APP_ERR_TOTP_NEEDED,
                              "a two-factor code is required", "totp: no code", reply);
        goto cleanup;
    }
    ok = auth_totp_store_check(call->db, user->name, login->totp, login->recovery, clock_wall_s(),
                               &err);
    if (ok < 0) {
        api_auth_login_unchecked(call, login->username, &err, reply);
        goto cleanup;
    }
    if (ok == 0) {
        /* auth_throttle_begin counted this failure already */
        api_auth_login_refuse(
            call, user->name, APP_ERR_UNAUTHORIZED, "invalid username, password or code",
            login->totp[0] ? "totp: wrong or used code" : "totp: wrong or used recovery code",
            reply);
        goto cleanup;
    }
    *recovered = !login->totp[0];
    ret = 1;

cleanup:
    OPENSSL_cleanse(&state, sizeof(state));
    return ret;
}

static void api_auth_login_run(struct api_call *call, struct api_reply *reply)
{
    struct api_auth_login_state *login = call->state;
    struct auth_user user = {0};
    struct auth_session session;
    struct auth_session_origin origin = {call->peer, login->user_agent, false};
    struct app_error err;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    bool recovered = false;
    int found;

    app_error_clear(&err);
    found = auth_users_get(call->db, login->username, &user, &err);
    if (found < 0) {
        auth_throttle_cancel(call->throttle, call->peer, login->username);
        api_reply_error(reply, &err);
        goto cleanup;
    }
    if (api_auth_pam_applies(call, found ? &user : NULL)) {
        /* A system account (pam = on): it answers refusals and errors itself. */
        if (api_auth_pam_verify(call, login->username, login->password, &user, reply) <= 0)
            goto cleanup;
    } else if (!auth_password_verify(login->password, found ? user.password_hash : NULL)) {
        /* auth_throttle_begin counted this failure already. */
        store_audit(call->db, login->username, call->peer, "login", "", "unauthorized");
        log_event(LOG_WARN, &(struct log_subject){.user = login->username, .action = "login"},
                  "auth: login of %s from %s failed: invalid username or password", login->username,
                  call->peer);
        app_error_set(&err, 401, APP_ERR_UNAUTHORIZED, "invalid username or password");
        api_reply_error(reply, &err);
        goto cleanup;
    }
    if (user.disabled) {
        store_audit(call->db, user.name, call->peer, "login", "", "unauthorized");
        log_event(LOG_WARN, &(struct log_subject){.user = user.name, .action = "login"},
                  "auth: login of %s from %s refused: account is disabled", user.name, call->peer);
        app_error_set(&err, 401, APP_ERR_UNAUTHORIZED, "account is disabled");
        api_reply_error(reply, &err);
        goto cleanup;
    }
    if (!user.pam && api_auth_second_factor(call, login, &user, &origin, &recovered, reply) == 0)
        goto cleanup;
    auth_throttle_success(call->throttle, call->peer, login->username);
    if (auth_sessions_create_from(call->sessions, user.name, user.role, &origin, token, &session) <
        0) {
        app_error_set(&err, 500, APP_ERR_INTERNAL, "cannot create a session");
        api_reply_error(reply, &err);
        goto cleanup;
    }
    log_event(LOG_INFO, &(struct log_subject){.user = user.name, .action = "login"},
              "auth: %s logged in from %s%s", user.name, call->peer,
              origin.totp_pending ? " (limited to enrolling TOTP)" : "");
    store_audit_result(call->db, user.name, call->peer, "login", "", "ok",
                       recovered             ? "with a recovery code"
                       : origin.totp_pending ? "limited to enrolling TOTP"
                                             : NULL);
    auth_users_note_login(call->db, user.name, clock_wall_s());
    snprintf(reply->cookie, sizeof(reply->cookie),
             "%s=%s; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=%d", AUTH_SESSION_COOKIE,
             token, call->session_max_s);
    api_reply_json(reply, 200, api_auth_session_json(&session));
    OPENSSL_cleanse(token, sizeof(token));

cleanup:
    OPENSSL_cleanse(login->password, sizeof(login->password));
    OPENSSL_cleanse(login->totp, sizeof(login->totp));
    OPENSSL_cleanse(login->recovery, sizeof(login->recovery));
    auth_user_clear(&user);
}

const struct api_handler api_auth_login = {
    .check = api_auth_login_check,
    .run = api_auth_login_run,
    .refused = api_auth_login_refused,
};

/* ---- logout --------------------------------------------------------------------------- */

struct api_auth_logout_state {
    char token[AUTH_TOKEN_HEX_LEN + 1];
};

static int api_auth_logout_check(struct api_call *call, const struct http_request *req,
                                 struct api_reply *reply)
{
    struct api_auth_logout_state *logout = api_call_state_new(call, sizeof(*logout));

    snprintf(logout->token, sizeof(logout->token), "%s", req->session_token);
    return 0;
}

/* The session ends on a worker (SQLite write); its websockets, of every kind, are then
 * closed by the housekeeping timer's session check (serve.c, within 250 ms), the one
 * path for every way a session ends. */
static void api_auth_logout_run(struct api_call *call, struct api_reply *reply)
{
    struct api_auth_logout_state *logout = call->state;
    struct json_object *ok = json_object_new_object();

    auth_sessions_destroy(call->sessions, logout->token);
    OPENSSL_cleanse(logout->token, sizeof(logout->token));
    store_audit(call->db, call->session.username, call->peer, "logout", "", "ok");
    log_event(LOG_INFO, &(struct log_subject){.user = call->session.username, .action = "logout"},
              "auth: %s logged out (session %s) from %s", call->session.username, call->session.id,
              call->peer);
    snprintf(reply->cookie, sizeof(reply->cookie), "%s",
             AUTH_SESSION_COOKIE "=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    json_object_object_add(ok, "ok", json_object_new_boolean(1));
    api_reply_json(reply, 200, ok);
}

const struct api_handler api_auth_logout = {
    .check = api_auth_logout_check,
    .run = api_auth_logout_run,
};

/* ---- session -------------------------------------------------------------------------- */

static void api_auth_session_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_json(reply, 200, api_auth_session_json(&call->session));
}

const struct api_handler api_auth_session = {.run = api_auth_session_run};
