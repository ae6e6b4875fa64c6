/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_origin: the Origin rule for websocket upgrades and mutating requests.
 *
 * Pure string logic, any thread. An Origin is accepted if it equals
 * "https://" + Host (case-insensitive scheme and host, exact port), or one of the
 * configured allowed origins. */
#pragma once

#include <stdbool.h>

/* origin: the Origin header (may be NULL: not accepted). host: the Host header.
 * allowed: comma-separated list of extra origins (may be NULL or ""). */
bool auth_origin_allowed(const char *origin, const char *host, const char *allowed);
