/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log: one message per line on stderr, with time and level; or, when stderr is the
 * journal's stream (systemd's JOURNAL_STREAM), one native journal entry per message with
 * PRIORITY, MESSAGE (no time: the journal has one), SYSLOG_IDENTIFIER=virtdeck and the
 * VIRTDECK_USER/VM/ACTION fields of log_event's subject; if the journal cannot be reached,
 * "<N>message" lines on stderr (journald's priority prefix). Any thread.
 *
 * Never pass secrets (passwords, tokens, cookies) to these. */
#pragma once

#include "util/journal.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped (default LOG_INFO; VIRTDECK_DEBUG=1 sets LOG_DEBUG). */
void log_set_level(enum log_level level);

/* "debug", "info", "warn" or "error" into *out. Returns 0, or -1 for anything else. */
int log_level_parse(const char *name, enum log_level *out) __attribute__((warn_unused_result));

/* level's syslog priority: debug 7, info 6, warn 4, error 3. */
int log_priority(enum log_level level);

/* A message about a user, a VM and/or an action (subject may be NULL): the journal gets
 * them as fields; the plain line is the message alone. */
void log_event(enum log_level level, const struct log_subject *subject, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
