/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* utf8_name: the name rule for volume names, VM titles and descriptions (see
 * utf8_name.h). Pure; any thread. One pass over the bytes collects every fault as a bit;
 * the lowest one is the answer, so the result does not depend on where in the text a
 * fault sits. */
#include "util/utf8_name.h"

#include <string.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

size_t utf8_name_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
    size_t n;
    uint32_t min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, *cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, *cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, *cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3fu);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

bool utf8_name_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* White space as JavaScript's trim() sees it, controls left out (they are refused). */
static bool utf8_name_is_space(uint32_t cp)
{
    return cp == 0x20 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
           cp == 0xfeff;
}

static size_t utf8_name_max(enum utf8_name_kind kind)
{
    switch (kind) {
    case UTF8_NAME_FILE:
        return UTF8_NAME_FILE_MAX;
    case UTF8_NAME_TITLE:
        return UTF8_NAME_TITLE_MAX;
    default:
        return UTF8_NAME_DESCRIPTION_MAX;
    }
}

/* The faults of one code point (bits of 1 << fault). */
static unsigned utf8_name_char_faults(uint32_t cp, enum utf8_name_kind kind)
{
    unsigned faults = 0;

    if (utf8_name_is_control(cp) && !(kind == UTF8_NAME_DESCRIPTION && (cp == '\n' || cp == '\t')))
        faults |= 1u << UTF8_NAME_CONTROL;
    if (cp == 0xfffe || cp == 0xffff)
        faults |= 1u << UTF8_NAME_NONCHAR;
    if (kind == UTF8_NAME_FILE && cp == '/')
        faults |= 1u << UTF8_NAME_SLASH;
    return faults;
}

enum utf8_name_fault utf8_name_check(const char *s, size_t len, enum utf8_name_kind kind)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned faults = 0;
    uint32_t cp = 0;
    size_t n;

    if (len == 0)
        return kind == UTF8_NAME_FILE ? UTF8_NAME_EMPTY : UTF8_NAME_OK;
    if (len > utf8_name_max(kind))
        return UTF8_NAME_TOO_LONG;
    for (size_t i = 0; i < len; i += n) {
        if (!(n = utf8_name_decode(p + i, len - i, &cp))) {
            faults |= 1u << UTF8_NAME_NOT_UTF8;
            n = 1;
            continue;
        }
        faults |= utf8_name_char_faults(cp, kind);
        if (kind == UTF8_NAME_FILE && (i == 0 || i + n == len) && utf8_name_is_space(cp))
            faults |= 1u << UTF8_NAME_SPACE;
    }
    if (kind == UTF8_NAME_FILE) {
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            faults |= 1u << UTF8_NAME_DOTS;
        if (s[0] == '-')
            faults |= 1u << UTF8_NAME_DASH;
    }
    for (unsigned f = UTF8_NAME_EMPTY; f <= UTF8_NAME_SPACE; f++)
        if (faults & (1u << f))
            return (enum utf8_name_fault)f;
    return UTF8_NAME_OK;
}

bool utf8_name_file_valid(const char *s)
{
    return s && utf8_name_check(s, strlen(s), UTF8_NAME_FILE) == UTF8_NAME_OK;
}

const char *utf8_name_fault_text(enum utf8_name_fault fault, enum utf8_name_kind kind)
{
    static const char *const too_long[] = {
        [UTF8_NAME_FILE] = "is longer than " STR(UTF8_NAME_FILE_MAX) " bytes",
        [UTF8_NAME_TITLE] = "is longer than " STR(UTF8_NAME_TITLE_MAX) " bytes",
        [UTF8_NAME_DESCRIPTION] = "is longer than " STR(UTF8_NAME_DESCRIPTION_MAX) " bytes",
    };

    switch (fault) {
    case UTF8_NAME_OK:
        return "";
    case UTF8_NAME_EMPTY:
        return "is empty";
    case UTF8_NAME_TOO_LONG:
        return too_long[kind];
    case UTF8_NAME_NOT_UTF8:
        return "is not valid UTF-8";
    case UTF8_NAME_CONTROL:
        return kind == UTF8_NAME_DESCRIPTION
                   ? "holds a control character (only line breaks and tabs are allowed)"
                   : "holds a control character (one line, no tabs)";
    case UTF8_NAME_NONCHAR:
        return "holds U+FFFE or U+FFFF, which XML cannot hold";
    case UTF8_NAME_SLASH:
        return "holds a \"/\"";
    case UTF8_NAME_DOTS:
        return "is \".\" or \"..\"";
    case UTF8_NAME_DASH:
        return "starts with \"-\"";
    case UTF8_NAME_SPACE:
        return "starts or ends with white space";
    }
    return "is not allowed";
}

const char *utf8_name_explain(const char *s, enum utf8_name_kind kind)
{
    enum utf8_name_fault fault = utf8_name_check(s, strlen(s), kind);

    return fault ? utf8_name_fault_text(fault, kind) : NULL;
}

size_t utf8_name_clip(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;

    while (i < len && (n = utf8_name_decode(p + i, len - i, &cp)) != 0 && i + n <= max)
        i += n;
    return i;
}
