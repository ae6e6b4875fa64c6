/* app_error: the user-facing error value (see app_error.h). Any thread. */
#include "util/app_error.h"

#include <stdarg.h>
#include <stdio.h>

void app_error_set(struct app_error *err, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    err->status = status;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void app_error_clear(struct app_error *err)
{
    err->status = 0;
    err->code = NULL;
    err->message[0] = '\0';
}
