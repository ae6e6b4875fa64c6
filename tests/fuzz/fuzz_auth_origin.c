/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_auth_origin: libFuzzer target for auth_origin_allowed (auth/auth_origin.h), which
 * judges the Origin and Host headers of every websocket upgrade and mutating request.
 * Runs on libFuzzer's thread; no state between inputs.
 *
 * Input: "ORIGIN\nHOST\nALLOWED" (a missing part is NULL; each part ends at its first
 * NUL). Invariants beyond "no crash": a NULL or empty Origin is never accepted; without
 * an allowed list only "https://" + Host is, and only for a Host without '/', '@',
 * blanks, '\\', '?' or '#'; the answer equals an independent reading of the rule
 * (whole, case-insensitive comparisons; list entries trimmed of blanks and one '/');
 * and adding a Host or a list can only widen what is accepted. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "auth_origin.h"
#include "fuzz_input.h"

static bool fuzz_origin_self(const char *origin, const char *host)
{
    return host && host[0] && !strpbrk(host, "/@ \t\\?#") && strlen(origin) >= 8 &&
           strncasecmp(origin, "https://", 8) == 0 && strcasecmp(origin + 8, host) == 0;
}

static bool fuzz_origin_listed(const char *origin, const char *allowed)
{
    bool hit = false;
    char *copy = allowed ? xstrdup(allowed) : NULL;
    char *entry = copy;

    while (entry && !hit) {
        char *comma = strchr(entry, ',');
        char *end;

        if (comma)
            *comma = '\0';
        while (*entry == ' ' || *entry == '\t')
            entry++;
        end = entry + strlen(entry);
        while (end > entry && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (end > entry && end[-1] == '/')
            *--end = '\0';
        hit = entry[0] != '\0' && strcasecmp(entry, origin) == 0;
        entry = comma ? comma + 1 : NULL;
    }
    free(copy);
    return hit;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int found = 0;
    char *origin = fuzz_input_take(&data, &size, '\n', &found);
    char *host = found ? fuzz_input_take(&data, &size, '\n', &found) : NULL;
    char *allowed = found ? fuzz_input_cstr(data, size) : NULL;
    bool got = auth_origin_allowed(origin, host, allowed);
    bool want = origin[0] != '\0' &&
                (fuzz_origin_self(origin, host) || fuzz_origin_listed(origin, allowed));

    FUZZ_ASSERT(got == want);
    FUZZ_ASSERT(!auth_origin_allowed(NULL, host, allowed));
    FUZZ_ASSERT(!auth_origin_allowed("", host, allowed));
    if (auth_origin_allowed(origin, host, NULL)) {
        /* The security property: on its own, only this server's https origin passes. */
        FUZZ_ASSERT(host && strncasecmp(origin, "https://", 8) == 0);
        FUZZ_ASSERT(!strpbrk(host, "/@"));
        FUZZ_ASSERT(strcasecmp(origin + 8, host) == 0);
        FUZZ_ASSERT(got);
        FUZZ_ASSERT(auth_origin_allowed(origin, host, ""));
    }
    if (auth_origin_allowed(origin, NULL, allowed))
        FUZZ_ASSERT(got);
    if (!got)
        FUZZ_ASSERT(!auth_origin_allowed(origin, NULL, NULL));
    free(origin);
    free(host);
    free(allowed);
    return 0;
}
