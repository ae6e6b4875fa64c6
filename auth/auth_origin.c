/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_origin: the Origin rule (see auth_origin.h).
 *
 * Pure string logic over the caller's buffers; any thread, no state. A browser
 * always sends Origin on websocket upgrades and cross-site requests, and a page
 * cannot forge it, so requiring it to name this server (https://<Host>) or an
 * allowed origin stops other sites from driving a logged-in browser. Origins are
 * compared whole: no prefix, suffix or wildcard matching ("https://host.evil"
 * and "https://host:1" are not "https://host"). Scheme and host are
 * case-insensitive (RFC 6454 serialises them in lower case, but Host may not be);
 * a port is digits, so comparing the rest case-insensitively keeps it exact. */
#include "auth_origin.h"

#include <string.h>
#include <strings.h>

#define AUTH_ORIGIN_SCHEME "https://"

/* True if origin equals "https://" + host. */
static bool auth_origin_is_self(const char *origin, const char *host)
{
    size_t scheme_len = strlen(AUTH_ORIGIN_SCHEME);

    if (!host || !host[0])
        return false;
    /* A Host with a path, credentials or spaces is no host; refuse rather than guess. */
    if (strpbrk(host, "/@ \t\\?#"))
        return false;
    if (strncasecmp(origin, AUTH_ORIGIN_SCHEME, scheme_len) != 0)
        return false;
    return strcasecmp(origin + scheme_len, host) == 0;
}

/* True if origin equals one of the comma-separated entries of allowed (each trimmed
 * of spaces and of one trailing '/'). */
static bool auth_origin_in_list(const char *origin, const char *allowed)
{
    size_t origin_len = strlen(origin);
    const char *p = allowed;

    while (p && *p) {
        const char *end = strchr(p, ',');
        const char *next = end ? end + 1 : NULL;
        size_t len;

        if (!end)
            end = p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > p && end[-1] == '/')
            end--;
        len = (size_t)(end - p);
        if (len > 0 && len == origin_len && strncasecmp(p, origin, len) == 0)
            return true;
        p = next;
    }
    return false;
}

bool auth_origin_allowed(const char *origin, const char *host, const char *allowed)
{
    if (!origin || !origin[0])
        return false;
    if (auth_origin_is_self(origin, host))
        return true;
    return auth_origin_in_list(origin, allowed);
}
