/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_cookie: libFuzzer target for cookie_find (server/http/cookie.h), which reads the
 * session cookie out of every request's Cookie header. Runs on libFuzzer's thread; no
 * state between inputs.
 *
 * Input: "NAME\nHEADER" (without a newline the whole input is the header and the name is
 * the daemon's "virtdeck_session"). Invariants checked beyond "no crash": a value is
 * returned only if it fits, its length equals strlen, it holds no ';' and no trailing
 * blank, the header really contains "NAME=VALUE"; the answer matches an independent
 * split-on-';' reading of the header; and it does not depend on the buffer size beyond
 * "fits or -1". */
#include <stdbool.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/cookie.h"

#define FUZZ_COOKIE_DEFAULT_NAME "virtdeck_session"

/* Reference reading: split on ';', trim blanks around each pair, first "name=" wins.
 * Returns the value's start and sets *len, or NULL if absent. */
static const char *fuzz_cookie_reference(const char *header, const char *name, size_t *len)
{
    size_t name_len = strlen(name);
    const char *pair = header;

    for (;;) {
        const char *semi = strchr(pair, ';');
        const char *end = semi ? semi : pair + strlen(pair);
        const char *start = pair;

        while (start < end && (*start == ' ' || *start == '\t'))
            start++;
        if ((size_t)(end - start) > name_len && memcmp(start, name, name_len) == 0 &&
            start[name_len] == '=') {
            const char *value = start + name_len + 1;

            while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            *len = (size_t)(end - value);
            return value;
        }
        if (!semi)
            return NULL;
        pair = semi + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t outlens[] = {1, 2, 8, 33, 65, 4097};
    int found = 0;
    char *name = fuzz_input_take(&data, &size, '\n', &found);
    char *header = NULL;
    char *pattern = NULL;
    const char *ref;
    size_t ref_len = 0;

    if (found) {
        header = fuzz_input_cstr(data, size);
    } else {
        header = name;
        name = xstrdup(FUZZ_COOKIE_DEFAULT_NAME);
    }
    ref = fuzz_cookie_reference(header, name, &ref_len);
    for (size_t i = 0; i < sizeof(outlens) / sizeof(outlens[0]); i++) {
        size_t outlen = outlens[i];
        char *out = xmalloc(outlen);
        int n;

        memset(out, 0x5a, outlen);
        n = cookie_find(header, name, out, outlen);
        if (!ref || ref_len >= outlen) {
            FUZZ_ASSERT(n == -1);
        } else {
            FUZZ_ASSERT(n >= 0 && (size_t)n == ref_len);
            FUZZ_ASSERT(strlen(out) == (size_t)n);
            FUZZ_ASSERT(memcmp(out, ref, ref_len) == 0);
            FUZZ_ASSERT(!strchr(out, ';'));
            FUZZ_ASSERT(n == 0 || (out[n - 1] != ' ' && out[n - 1] != '\t'));
            pattern = xasprintf("%s=%s", name, out);
            FUZZ_ASSERT(strstr(header, pattern) != NULL);
            free(pattern);
            pattern = NULL;
        }
        free(out);
    }
    free(name);
    free(header);
    return 0;
}
