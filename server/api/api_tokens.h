/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_tokens: POST /api/tokens, GET /api/tokens, DELETE /api/tokens/{id} (rows
 * TOKENS_CREATE, TOKENS_LIST, TOKEN_DELETE). Any logged-in user keeps their own API
 * tokens; a scope never exceeds the user's role (auth_policy_may_grant); an admin may
 * list (?all=true) and revoke anyone's. A token cannot create tokens: only a login
 * session can, so a leaked token cannot mint longer-lived ones. */
#pragma once

#include "api/api_call.h"

/* Checks name, scope and expires_in_days on the service thread (400 naming the field,
 * 403 naming scope when it exceeds the role, 403 for a request made with a token);
 * runs on a worker: creates the token, 201 with its secret (the only time it is
 * shown). */
extern const struct api_handler api_tokens_create;
/* The caller's tokens (an admin with ?all=true: everyone's), from memory: inline. */
extern const struct api_handler api_tokens_list;
/* Revokes one (the caller's own; an admin: anyone's); another's is 404. Worker. */
extern const struct api_handler api_tokens_delete;
