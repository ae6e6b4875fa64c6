/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_static_files: libFuzzer target for static_files_sanitize
 * (server/http/static_files.h), which turns every non-API URL path into a file path under
 * the web root. Runs on libFuzzer's thread; no state between inputs.
 *
 * Input: the URL path (bytes up to the first NUL). Invariants beyond "no crash": an
 * accepted path is a terminated relative path that never has a ".." segment, a leading
 * '/', a '\\', a control byte or a NUL before its terminator; every segment is non-empty
 * and does not start with '.'; its '/'s are the URL's literal ones; it is exactly the
 * input's percent-decoding (plus "index.html" for a directory); a refusal leaves "" in
 * out; a small buffer never overflows and never changes the answer except by refusing. */
#include <stdbool.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/static_files.h"

#define FUZZ_STATIC_OUT_MAX 4200

static int fuzz_static_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes path after its leading '/' into a new buffer (caller frees); *len is
 * the decoded length. NULL if a '%' is not followed by two hex digits. */
static char *fuzz_static_decode(const char *path, size_t *len)
{
    char *out = xmalloc(strlen(path) + 1);
    size_t o = 0;

    for (const char *p = path + 1; *p; p++) {
        if (*p == '%') {
            int hi = fuzz_static_hex(p[1]);
            int lo = hi < 0 ? -1 : fuzz_static_hex(p[2]);

            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            p += 2;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static size_t fuzz_static_count(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

static void fuzz_static_check_safe(const char *out, size_t outlen)
{
    const char *nul = memchr(out, '\0', outlen);
    size_t len;
    const char *seg;

    FUZZ_ASSERT(nul != NULL);
    len = (size_t)(nul - out);
    FUZZ_ASSERT(len > 0);
    FUZZ_ASSERT(out[0] != '/');
    /* No ".." segment ("a..b" is a plain name); the segment rule below also implies it. */
    FUZZ_ASSERT(strncmp(out, "..", 2) != 0 && !strstr(out, "/.."));
    FUZZ_ASSERT(!strchr(out, '\\'));
    for (size_t i = 0; i < len; i++)
        FUZZ_ASSERT((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
    for (seg = out;; seg++) {
        const char *slash = strchr(seg, '/');
        size_t seg_len = slash ? (size_t)(slash - seg) : strlen(seg);

        FUZZ_ASSERT(seg_len > 0);
        FUZZ_ASSERT(seg[0] != '.');
        if (!slash)
            break;
        seg = slash;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_input_cstr(data, size);
    char *decoded = NULL;
    char *expected = NULL;
    char *out = xmalloc(FUZZ_STATIC_OUT_MAX);
    size_t decoded_len = 0;
    size_t small = 1 + size % 64;
    int r;

    memset(out, 0x5a, FUZZ_STATIC_OUT_MAX);
    r = static_files_sanitize(path, out, FUZZ_STATIC_OUT_MAX);
    FUZZ_ASSERT(r == 0 || r == -1);
    if (r < 0) {
        FUZZ_ASSERT(out[0] == '\0');
    } else {
        fuzz_static_check_safe(out, FUZZ_STATIC_OUT_MAX);
        FUZZ_ASSERT(path[0] == '/');
        decoded = fuzz_static_decode(path, &decoded_len);
        FUZZ_ASSERT(decoded != NULL);
        /* The decoded path has no NUL ('%00' would cut it short here). */
        FUZZ_ASSERT(strlen(decoded) == decoded_len);
        expected = (decoded_len == 0 || decoded[decoded_len - 1] == '/')
                       ? xasprintf("%sindex.html", decoded)
                       : xstrdup(decoded);
        FUZZ_ASSERT(strcmp(out, expected) == 0);
        /* Every '/' in the answer was a literal '/' of the URL (a decoded "%2f" is refused). */
        FUZZ_ASSERT(fuzz_static_count(out, '/') + 1 == fuzz_static_count(path, '/'));
    }

    /* The same input into a small exact-size buffer: refused or the same answer. */
    {
        char *tight = xmalloc(small);
        int r2 = static_files_sanitize(path, tight, small);

        FUZZ_ASSERT(r2 == 0 || r2 == -1);
        if (r2 == 0) {
            FUZZ_ASSERT(r == 0);
            FUZZ_ASSERT(memchr(tight, '\0', small) != NULL);
            FUZZ_ASSERT(strcmp(tight, out) == 0);
        } else {
            FUZZ_ASSERT(tight[0] == '\0');
            FUZZ_ASSERT(r < 0 || strlen(out) + 1 > small);
        }
        free(tight);
    }

    free(expected);
    free(decoded);
    free(out);
    free(path);
    return 0;
}
