/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_password_policy: the one password policy, for every way a password is set (the
 * CLI's `user add|passwd`, POST and PATCH /api/users, a user changing their own).
 *
 * auth_users_add and auth_users_set_password apply it, so no caller can skip it. The
 * minimum is a process-wide setting (the config file's password_min_length): set once by
 * the main thread before any other thread starts, read-only afterwards, so any thread may
 * check. Pure otherwise; unit-tested (test_auth_password_policy.c). */
#pragma once

#include "util/app_error.h"

#define AUTH_PASSWORD_MIN_DEFAULT 12   /* characters */
#define AUTH_PASSWORD_MIN_LOWEST  8    /* the smallest minimum the config file may set */
#define AUTH_PASSWORD_MAX_BYTES   1024 /* the login form's bound (ROUTE_PASSWORD_MAX) */

/* Sets the minimum length in characters (clamped to AUTH_PASSWORD_MIN_LOWEST..
 * AUTH_PASSWORD_MAX_BYTES). Main thread, before other threads start. */
void auth_password_policy_set_min(int min_chars);
/* The minimum length in characters now in force. */
int auth_password_policy_min(void);

/* Checks password (for user name, which it must not equal): valid UTF-8 without control
 * characters (so no line breaks: the CLI reads one line), at least the minimum of
 * characters, at most AUTH_PASSWORD_MAX_BYTES bytes. Returns 0, or -1 with a 400 in err
 * whose message names the field ("password must be at least 12 characters"). name may
 * be NULL. */
int auth_password_policy_check(const char *name, const char *password, struct app_error *err)
    __attribute__((warn_unused_result));
