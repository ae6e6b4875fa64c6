/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_auth_pam: a system account's login (see api_auth_pam.h).
 *
 * Password lane only (auth_pam_check starts the helper and waits for it). Every refusal
 * answers the client as a wrong password does, except the two a caller can reach only
 * with the right password (an expired account, no mapped group), which say why; the
 * audit row names the reason in its message either way. */
#include "api/api_auth_pam.h"

#include <stdio.h>

#include "auth_pam.h"
#include "auth_sessions.h"
#include "auth_throttle.h"
#include "auth_tokens.h"
#include "store/store.h"
#include "util/log.h"

bool api_auth_pam_applies(const struct api_call *call, const struct auth_user *user)
{
    return call->pam && (!user || user->pam);
}

/* Answers a refused login with 401 and message, audited with reason. */
static void api_auth_pam_refuse(struct api_call *call, const char *name, const char *message,
                                const char *reason, struct api_reply *reply)
{
    struct app_error err;

    store_audit_result(call->db, name, call->peer, "login", "", "unauthorized", reason);
    app_error_set(&err, 401, APP_ERR_UNAUTHORIZED, "%s", message);
    api_reply_error(reply, &err);
}

int api_auth_pam_verify(struct api_call *call, const char *name, const char *password,
                        struct auth_user *user, struct api_reply *reply)
{
    static const char wrong[] = "invalid username or password";
    struct app_error err;
    enum auth_role role = AUTH_ROLE_VIEWER;
    bool had_row = user->name[0] != '\0';
    int stored;

    app_error_clear(&err);
    switch (auth_pam_check(call->pam, name, password, &role, &err)) {
    case AUTH_PAM_OK:
        break;
    case AUTH_PAM_DENIED:
        api_auth_pam_refuse(call, name, wrong, "pam: denied", reply);
        return 0;
    case AUTH_PAM_EXPIRED:
        api_auth_pam_refuse(call, name, "the account or its password has expired", "pam: expired",
                            reply);
        return 0;
    case AUTH_PAM_NO_ROLE:
        api_auth_pam_refuse(call, name, "the account is in no group that gives a virtdeck role",
                            "pam: no role group", reply);
        return 0;
    default:
        auth_throttle_cancel(call->throttle, call->peer, name);
        api_reply_error(reply, &err);
        return -1;
    }
    stored = auth_users_put_pam(call->db, name, role, &err);
    if (stored == 0) /* a local user of this name was added meanwhile: theirs wins */
        app_error_set(&err, 409, APP_ERR_CONFLICT, "user %s is a local user", name);
    if (stored <= 0) {
        auth_throttle_cancel(call->throttle, call->peer, name);
        api_reply_error(reply, &err);
        return -1;
    }
    if (had_row && user->role != role) {
        /* Sessions and tokens carry the old role: end them (a demotion takes effect now). */
        log_info("auth: %s's role is now %s (Unix groups)", name, auth_role_name(role));
        auth_sessions_destroy_user(call->sessions, name);
        if (auth_tokens_sync(call->tokens) < 0)
            log_warn("auth: the tokens of %s keep their old role until the next sync", name);
    }
    snprintf(user->name, sizeof(user->name), "%s", name);
    user->role = role;
    user->pam = true;
    return 1;
}
