/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cookie: Cookie header parsing (pure; any thread). */
#include "http/cookie.h"

#include <string.h>

int cookie_find(const char *header, const char *name, char *out, size_t outlen)
{
    size_t name_len = strlen(name);
    const char *p = header;

    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t pair_len = end ? (size_t)(end - p) : strlen(p);
        if (pair_len > name_len && !strncmp(p, name, name_len) && p[name_len] == '=') {
            const char *value = p + name_len + 1;
            size_t value_len = pair_len - name_len - 1;
            while (value_len && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
                value_len--;
            if (value_len >= outlen)
                return -1;
            memcpy(out, value, value_len);
            out[value_len] = '\0';
            return (int)value_len;
        }
        p = end;
    }
    return -1;
}
