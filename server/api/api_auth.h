/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_auth: POST /api/login, POST /api/logout, GET /api/session (rows LOGIN, LOGOUT,
 * SESSION). The login check runs on the password lane (its own thread and short queue),
 * so logins, however many, never hold up the libvirt workers. */
#pragma once

#include "api/api_call.h"

/* Counts the attempt in the throttle before it is queued (429 with Retry-After while a
 * backoff runs); its run checks the password and creates the session and its cookie. */
extern const struct api_handler api_auth_login;
/* Ends the session (a SQLite write, on a worker) and clears the cookie. */
extern const struct api_handler api_auth_logout;
/* The session itself, answered at once. */
extern const struct api_handler api_auth_session;
