/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_auth_pam: the system-account half of POST /api/login (pam = on).
 *
 * Runs on the password lane, inside api_auth.c's login run. */
#pragma once

#include <stdbool.h>

#include "api/api_call.h"
#include "auth_users.h"

/* True when this login is PAM's: pam is on and the name is no local user's (local users
 * win; user is NULL when the name has no row, else the row found). */
bool api_auth_pam_applies(const struct api_call *call, const struct auth_user *user);

/* Checks name and password through PAM. On success records the account's row (source
 * 'pam', the role its groups give now), fills user (name and role; a role that changed
 * since the last login ends the account's older sessions and re-reads the tokens) and
 * returns 1. On a refusal writes the audit record and the 401 and returns 0 (the
 * throttle keeps the attempt); on an error cancels the attempt, answers and returns -1. */
int api_auth_pam_verify(struct api_call *call, const char *name, const char *password,
                        struct auth_user *user, struct api_reply *reply);
