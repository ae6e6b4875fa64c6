/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* byte_range: parsing "bytes=first-last", "bytes=first-" and "bytes=-suffix"
 * (see byte_range.h). Pure; any thread. */
#include "http/byte_range.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* Reads decimal digits at *p into *out. False if there are none or they overflow. */
static bool byte_range_number(const char **p, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;

    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

static const char *byte_range_skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int byte_range_parse(const char *header, uint64_t size, struct byte_range *out)
{
    const char *p = header;
    uint64_t first = 0, last = 0;
    bool has_first, has_last;

    if (!p || strncmp(p, "bytes=", 6) != 0)
        return 0;
    p = byte_range_skip_spaces(p + 6);
    has_first = byte_range_number(&p, &first);
    if (*p != '-')
        return 0;
    p++;
    has_last = byte_range_number(&p, &last);
    if (*byte_range_skip_spaces(p) != '\0')
        return 0; /* several ranges, or junk: serve the whole resource */
    if (!has_first && !has_last)
        return 0;
    if (has_first && has_last && last < first)
        return 0; /* invalid, so ignored (RFC 9110 §14.1.1) */
    if (!has_first) {
        /* the last `last` bytes */
        if (last == 0 || size == 0)
            return -1;
        out->length = last < size ? last : size;
        out->start = size - out->length;
        return 1;
    }
    if (first >= size)
        return -1;
    if (!has_last || last >= size)
        last = size - 1;
    out->start = first;
    out->length = last - first + 1;
    return 1;
}
