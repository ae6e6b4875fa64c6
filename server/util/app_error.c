/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* app_error: the user-facing error value (see app_error.h). Any thread. */
#include "util/app_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8_name.h"

void app_error_set(struct app_error *err, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!err)
        return;
    err->status = status;
    err->code = code;
    err->field[0] = '\0';
    err->has_limits = false;
    err->min = err->max = 0;
    va_start(ap, fmt);
    n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(err->message)) {
        /* cut: never in the middle of a UTF-8 character (a name in any script) */
        size_t len = strlen(err->message);

        err->message[utf8_name_clip(err->message, len, len)] = '\0';
    }
}

void app_error_clear(struct app_error *err)
{
    err->status = 0;
    err->code = NULL;
    err->message[0] = '\0';
    err->field[0] = '\0';
    err->has_limits = false;
    err->min = err->max = 0;
}

void app_error_at_field(struct app_error *err, const char *prefix, const char *key)
{
    if (err)
        snprintf(err->field, sizeof(err->field), "%s%s", prefix, key);
}

void app_error_at_range(struct app_error *err, const char *prefix, const char *key, long long min,
                        long long max)
{
    if (!err)
        return;
    app_error_at_field(err, prefix, key);
    err->has_limits = true;
    err->min = min;
    err->max = max;
}
