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
}
