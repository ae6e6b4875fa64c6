/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_users: the users admin API (rows USERS_LIST, USERS_CREATE, USER_PATCH,
 * USER_DELETE; admins only, AUTH_ACTION_USER_MANAGE): list, create, change (role,
 * password reset, disabled, group membership, a viewer's "viewer_sees") and delete local
 * users.
 *
 * Deleting, disabling, changing the role of or resetting the password of a user ends
 * their sessions and re-reads the API tokens on the worker, right when the change has
 * committed; the housekeeping timer (serve.c, every 250 ms) then closes their websockets,
 * those opened with a cookie and those opened with a token, through the session
 * registry. No change may leave virtdeck without an enabled admin (409). */
#pragma once

#include "api/api_call.h"

/* {"users":[...], "roles":[...], "password_min_length":N}; each user with its own
 * "quota" (api_quota.h). Worker (SQLite). */
extern const struct api_handler api_users_list;
/* Each user: {"name","role","disabled","created","last_login","source","groups":[names],
 * "viewer_sees":"all"|"shared"}. */
/* {"name","role","password","groups"?,"viewer_sees"?} -> 201 with the user; an unknown
 * group is 400 naming "groups[i]" and nothing is created. Checks on the service thread (400
 * naming the field); runs on a worker (yescrypt). */
extern const struct api_handler api_users_create;
/* {"role"?,"password"?,"disabled"?,"groups"?,"viewer_sees"?} -> 200 ("groups" replaces
 * the membership) with the user; 404, 409. Worker. */
extern const struct api_handler api_users_patch;
/* -> 204; 404, 409. Worker. */
extern const struct api_handler api_users_delete;
