/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_auth_host: libFuzzer target for auth_host_allowed (auth/auth_host.h), which
 * judges the Host header of every request and websocket upgrade.
 * Runs on libFuzzer's thread; the name set is built once.
 *
 * Input: a Host header value (up to its first NUL). Invariants beyond "no crash": a
 * Host that is accepted names one of the configured names, in any case, with at most a
 * trailing dot, a ":port" of 1-5 digits, or brackets around an IPv6 literal; so no
 * accepted value holds '/', '@', blanks or a second name; and the answer does not
 * depend on the case of the input. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "auth_host.h"
#include "fuzz_input.h"

static struct auth_host_names *fuzz_names;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_names = auth_host_names_new();
    auth_host_names_add_list(fuzz_names, "virtdeck.example.org,192.0.2.10,2001:db8::1");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *host = fuzz_input_cstr(data, size);
    bool got = auth_host_allowed(fuzz_names, host);

    if (got) {
        FUZZ_ASSERT(!strpbrk(host, "/@ \t\r\n\\?#,"));
        FUZZ_ASSERT(strlen(host) <= strlen("[2001:0db8:0000:0000:0000:0000:0000:0001]:65535") + 1);
        FUZZ_ASSERT(strncasecmp(host, "virtdeck.example.org", 20) == 0 ||
                    strncmp(host, "192.0.2.10", 10) == 0 || host[0] == '[');
    }
    for (char *p = host; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    FUZZ_ASSERT(auth_host_allowed(fuzz_names, host) == got);
    free(host);
    return 0;
}
