/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log: timestamped lines on stderr, or native journal entries when stderr is the journal
 * (any thread; stdio locks each line; the mode is decided once, by log_mode_once). */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_threshold = LOG_INFO;
static pthread_once_t log_mode_once = PTHREAD_ONCE_INIT;
static bool log_to_journal; /* written once under log_mode_once */

void log_set_level(enum log_level level)
{
    atomic_store(&log_threshold, (int)level);
}

int log_level_parse(const char *name, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (name && strcmp(name, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int log_priority(enum log_level level)
{
    static const int priorities[] = {7, 6, 4, 3};

    return (int)level >= 0 && (int)level < 4 ? priorities[level] : 3;
}

static void log_mode_init(void)
{
    log_to_journal = journal_stream_is(STDERR_FILENO);
}

static void log_vevent(enum log_level level, const struct log_subject *subject, const char *fmt,
                       va_list ap)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    char line[1024];
    char stamp[32];
    struct timespec ts;
    struct tm tm;

    if ((int)level < atomic_load(&log_threshold))
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    pthread_once(&log_mode_once, log_mode_init);
    if (log_to_journal) {
        struct journal_fields fields;

        journal_fields(&fields, log_priority(level), line, subject);
        if (journal_send_to(JOURNAL_SOCKET_PATH, &fields) < 0)
            fprintf(stderr, "<%d>%s\n", log_priority(level), line);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ virtdeck[%s] %s\n", stamp, ts.tv_nsec / 1000000L, names[level],
            line);
}

void log_event(enum log_level level, const struct log_subject *subject, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vevent(level, subject, fmt, ap);
    va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vevent(level, NULL, fmt, ap);
    va_end(ap);
}
