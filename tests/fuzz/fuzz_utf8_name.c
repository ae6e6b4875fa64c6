/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_utf8_name: libFuzzer target for the name rule (server/util/utf8_name.h) that
 * guards volume names, VM titles and descriptions, and for the download's
 * Content-Disposition built from a volume name (http_response_attachment). Runs on
 * libFuzzer's thread; no state.
 *
 * Input: any bytes, NULs included, checked with their exact length. Invariants checked
 * against this file's own reading of RFC 3629 (a table of the valid byte ranges, not
 * the decoder under test):
 *  - anything accepted, of any kind, is valid UTF-8 (no overlong form, surrogate or
 *    code point above U+10FFFF), holds no control character (C0 with NUL, DEL, C1; a
 *    description may hold LF and TAB), no U+FFFE/U+FFFF, and fits its bound in bytes;
 *  - a file name accepted is not empty, holds no '/', is not "." or "..", does not start
 *    with '-' and neither starts nor ends with white space;
 *  - a refusal names a fault that is really there, and valid UTF-8 within the bound is
 *    never refused as not UTF-8;
 *  - utf8_name_clip returns a prefix of whole valid characters within its bound, all of
 *    a valid text when the bound allows it;
 *  - a valid file name's Content-Disposition is one line of printable ASCII whose
 *    filename*= (or, without it, filename=) decodes back to exactly the name. */
#include <stdbool.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/response.h"
#include "util/hex.h"
#include "util/utf8_name.h"

/* The length of the valid UTF-8 sequence at s (RFC 3629's table), or 0. */
static size_t fuzz_name_seq(const unsigned char *s, size_t left)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;

    if (s[0] <= 0x7f)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (left < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

static bool fuzz_name_valid_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0, n; i < len; i += n)
        if (!(n = fuzz_name_seq(s + i, len - i)))
            return false;
    return true;
}

/* The UTF-8 forms of the white space a file name may not start or end with. */
static const char *const fuzz_name_spaces[] = {
    " ",
    "\xc2\xa0",
    "\xe1\x9a\x80",
    "\xe2\x80\x80",
    "\xe2\x80\x81",
    "\xe2\x80\x82",
    "\xe2\x80\x83",
    "\xe2\x80\x84",
    "\xe2\x80\x85",
    "\xe2\x80\x86",
    "\xe2\x80\x87",
    "\xe2\x80\x88",
    "\xe2\x80\x89",
    "\xe2\x80\x8a",
    "\xe2\x80\xa8",
    "\xe2\x80\xa9",
    "\xe2\x80\xaf",
    "\xe2\x81\x9f",
    "\xe3\x80\x80",
    "\xef\xbb\xbf",
};

static bool fuzz_name_edge_space(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(fuzz_name_spaces) / sizeof(fuzz_name_spaces[0]); i++) {
        size_t n = strlen(fuzz_name_spaces[i]);

        if (len >= n && (memcmp(s, fuzz_name_spaces[i], n) == 0 ||
                         memcmp(s + len - n, fuzz_name_spaces[i], n) == 0))
            return true;
    }
    return false;
}

/* True when valid UTF-8 s holds a control character (LF and TAB aside when breaks) or
 * U+FFFE/U+FFFF. */
static bool fuzz_name_bad_char(const unsigned char *s, size_t len, bool breaks)
{
    for (size_t i = 0; i < len; i++) {
        if ((s[i] < 0x20 && !(breaks && (s[i] == '\n' || s[i] == '\t'))) || s[i] == 0x7f)
            return true;
        if (i + 1 < len && s[i] == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
            return true;
        if (i + 2 < len && s[i] == 0xef && s[i + 1] == 0xbf && (s[i + 2] & 0xfe) == 0xbe)
            return true;
    }
    return false;
}

static size_t fuzz_name_max(enum utf8_name_kind kind)
{
    return kind == UTF8_NAME_FILE    ? UTF8_NAME_FILE_MAX
           : kind == UTF8_NAME_TITLE ? UTF8_NAME_TITLE_MAX
                                     : UTF8_NAME_DESCRIPTION_MAX;
}

static void fuzz_name_check_kind(const unsigned char *s, size_t len, enum utf8_name_kind kind)
{
    enum utf8_name_fault fault = utf8_name_check((const char *)s, len, kind);
    bool valid = fuzz_name_valid_utf8(s, len);
    bool file = kind == UTF8_NAME_FILE;

    FUZZ_ASSERT(utf8_name_fault_text(fault, kind)[0] != '\0' || fault == UTF8_NAME_OK);
    switch (fault) {
    case UTF8_NAME_OK:
        FUZZ_ASSERT(valid && len <= fuzz_name_max(kind));
        FUZZ_ASSERT(!fuzz_name_bad_char(s, len, kind == UTF8_NAME_DESCRIPTION));
        if (file) {
            FUZZ_ASSERT(len > 0 && !memchr(s, '/', len) && s[0] != '-');
            FUZZ_ASSERT(!(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.'));
            FUZZ_ASSERT(!fuzz_name_edge_space(s, len));
        }
        break;
    case UTF8_NAME_EMPTY:
        FUZZ_ASSERT(file && len == 0);
        break;
    case UTF8_NAME_TOO_LONG:
        FUZZ_ASSERT(len > fuzz_name_max(kind));
        break;
    case UTF8_NAME_NOT_UTF8:
        FUZZ_ASSERT(!valid);
        break;
    case UTF8_NAME_CONTROL:
    case UTF8_NAME_NONCHAR:
        FUZZ_ASSERT(valid && fuzz_name_bad_char(s, len, kind == UTF8_NAME_DESCRIPTION));
        break;
    case UTF8_NAME_SLASH:
        FUZZ_ASSERT(file && memchr(s, '/', len));
        break;
    case UTF8_NAME_DOTS:
        FUZZ_ASSERT(file && len <= 2 && s[0] == '.');
        break;
    case UTF8_NAME_DASH:
        FUZZ_ASSERT(file && s[0] == '-');
        break;
    case UTF8_NAME_SPACE:
        FUZZ_ASSERT(file && fuzz_name_edge_space(s, len));
        break;
    }
    if (valid && len <= fuzz_name_max(kind) && (len > 0 || !file))
        FUZZ_ASSERT(fault != UTF8_NAME_NOT_UTF8);
}

static void fuzz_name_check_clip(const unsigned char *s, size_t len)
{
    size_t bounds[] = {0, 1, 2, 3, len / 2, len, len + 1};

    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        size_t cut = utf8_name_clip((const char *)s, len, bounds[i]);

        FUZZ_ASSERT(cut <= bounds[i] && cut <= len);
        FUZZ_ASSERT(fuzz_name_valid_utf8(s, cut));
        if (bounds[i] >= len && fuzz_name_valid_utf8(s, len))
            FUZZ_ASSERT(cut == len);
    }
}

/* The value of the Content-Disposition line in headers, decoded back to the name. */
static void fuzz_name_check_attachment(const char *name)
{
    static const char prefix[] = "Content-Disposition: attachment; filename=\"";
    struct http_response resp;
    const char *line, *star, *end;
    char decoded[3 * UTF8_NAME_FILE_MAX + 1];
    size_t used = 0;

    http_response_init(&resp);
    http_response_attachment(&resp, name);
    line = resp.headers.data;
    FUZZ_ASSERT(line && strncmp(line, prefix, sizeof(prefix) - 1) == 0);
    end = strstr(line, "\r\n");
    FUZZ_ASSERT(end && end[2] == '\0');
    for (const char *p = line; p < end; p++)
        FUZZ_ASSERT(*p >= 0x20 && *p < 0x7f);
    /* the fallback is quoted and never holds '"': what follows its closing quote */
    star = strchr(line + sizeof(prefix) - 1, '"');
    FUZZ_ASSERT(star && star < end);
    star++;
    if (star == end) {
        star = NULL;
    } else {
        FUZZ_ASSERT(strncmp(star, "; filename*=UTF-8''", strlen("; filename*=UTF-8''")) == 0);
        /* the fallback holds no '\\' either: nothing in it is an escape */
        for (const char *p = line + sizeof(prefix) - 1; p < star - 1; p++)
            FUZZ_ASSERT(*p != '\\');
    }
    if (!star) {
        /* the plain form is the name itself */
        FUZZ_ASSERT((size_t)(end - line) == sizeof(prefix) - 1 + strlen(name) + 1);
        FUZZ_ASSERT(strncmp(line + sizeof(prefix) - 1, name, strlen(name)) == 0);
    } else {
        for (const char *p = star + strlen("; filename*=UTF-8''"); p < end; p++) {
            if (*p == '%') {
                FUZZ_ASSERT(p + 2 < end);
                decoded[used++] = (char)(hex_digit_value(p[1]) * 16 + hex_digit_value(p[2]));
                p += 2;
            } else {
                FUZZ_ASSERT(!strchr(" \"';\\%,", *p));
                decoded[used++] = *p;
            }
            FUZZ_ASSERT(used < sizeof(decoded));
        }
        decoded[used] = '\0';
        FUZZ_ASSERT(strcmp(decoded, name) == 0);
    }
    http_response_free(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cstr = fuzz_input_cstr(data, size);

    fuzz_name_check_kind(data, size, UTF8_NAME_FILE);
    fuzz_name_check_kind(data, size, UTF8_NAME_TITLE);
    fuzz_name_check_kind(data, size, UTF8_NAME_DESCRIPTION);
    fuzz_name_check_clip(data, size);
    FUZZ_ASSERT(utf8_name_file_valid(cstr) ==
                (utf8_name_check(cstr, strlen(cstr), UTF8_NAME_FILE) == UTF8_NAME_OK));
    if (utf8_name_file_valid(cstr))
        fuzz_name_check_attachment(cstr);
    free(cstr);
    return 0;
}
