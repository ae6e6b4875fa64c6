/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log: timestamped lines on stderr (any thread; stdio locks each line). */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static _Atomic int log_threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
    atomic_store(&log_threshold, (int)level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    char line[1024];
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    if ((int)level < atomic_load(&log_threshold))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s.%03ldZ virtdeck[%s] %s\n", stamp, ts.tv_nsec / 1000000L, names[level],
            line);
}
