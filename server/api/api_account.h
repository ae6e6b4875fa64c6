/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_account: "my account", the routes a logged-in person uses on their own account
 * (rows ACCOUNT_*): GET /api/account, POST /api/account/password, POST|DELETE
 * /api/account/totp, POST /api/account/totp/confirm, GET /api/account/sessions, DELETE
 * /api/account/sessions/{id}, POST /api/account/logout-all.
 *
 * A login session only, never an API token (ROUTE_ACCESS_ACCOUNT), so a leaked token
 * cannot change the password or the second factor; a session limited to enrolling TOTP
 * may use them all. A password, a code or a secret is never logged or audited. */
#pragma once

#include "api/api_call.h"

/* The caller's account: name, role, source, TOTP state, recovery codes left. Worker. */
extern const struct api_handler api_account_get;
/* {"current","new"}: a local user's new password (auth_password_policy), after the
 * current one (a wrong one counts for the login throttle); ends the user's other
 * sessions, keeps this one. Worker. */
extern const struct api_handler api_account_password;
/* Begins TOTP enrolment: a new secret, {secret, otpauth_uri}; 409 when TOTP is on. */
extern const struct api_handler api_account_totp_begin;
/* {"code"}: a code of the new secret turns TOTP on; answers the recovery codes, once. */
extern const struct api_handler api_account_totp_confirm;
/* {"code"} or {"password"}: TOTP off (409 when it is required of the user). */
extern const struct api_handler api_account_totp_disable;
/* The caller's live sessions (memory): inline. */
extern const struct api_handler api_account_sessions;
/* Ends one of the caller's sessions by id (404 for any other). Worker. */
extern const struct api_handler api_account_session_end;
/* {"keep_current": true (default)}: ends every other session of the caller (and this
 * one when keep_current is false). Worker. */
extern const struct api_handler api_account_logout_all;
