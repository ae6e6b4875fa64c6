/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_auth_tokens: libFuzzer target for auth_tokens_parse and auth_tokens_bearer
 * (auth/auth_tokens.h), which read the Authorization header of every request that sends
 * one, before any lookup. Runs on libFuzzer's thread; no state between inputs.
 *
 * Input: the header's value (one C string; bytes after a NUL are ignored). Invariants
 * beyond "no crash": bearer answers exactly for a case-insensitive "Bearer " prefix and
 * points into the input past it and its blanks; parse accepts exactly the strings of an
 * independent reading of the format (60 bytes: "vdt_", 12 base64url, "_", 43 base64url),
 * its id and secret are those slices, and writing them back gives the input again. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_tokens.h"
#include "fuzz_input.h"

static bool fuzz_tokens_b64url(const char *s, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(alphabet, s[i]))
            return false;
    return true;
}

static bool fuzz_tokens_reference(const char *s)
{
    return strlen(s) == 60 && !strncmp(s, "vdt_", 4) && s[16] == '_' &&
           fuzz_tokens_b64url(s + 4, 12) && fuzz_tokens_b64url(s + 17, 43);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_input_cstr(data, size);
    char id[AUTH_TOKEN_ID_LEN + 1], secret[AUTH_TOKEN_SECRET_LEN + 1];
    const char *bearer = auth_tokens_bearer(text);
    bool prefixed = strncasecmp(text, "bearer ", 7) == 0;

    FUZZ_ASSERT((bearer != NULL) == prefixed);
    if (bearer) {
        FUZZ_ASSERT(bearer >= text + 7 && bearer <= text + strlen(text));
        FUZZ_ASSERT(*bearer != ' ');
    }
    if (auth_tokens_parse(text, id, secret) == 0) {
        char *again = xasprintf("vdt_%s_%s", id, secret);

        FUZZ_ASSERT(fuzz_tokens_reference(text));
        FUZZ_ASSERT(strlen(id) == AUTH_TOKEN_ID_LEN && strlen(secret) == AUTH_TOKEN_SECRET_LEN);
        FUZZ_ASSERT(strcmp(again, text) == 0);
        free(again);
    } else {
        FUZZ_ASSERT(!fuzz_tokens_reference(text));
    }
    FUZZ_ASSERT(auth_tokens_parse(NULL, id, secret) == -1);
    free(text);
    return 0;
}
