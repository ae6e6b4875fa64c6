/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log: one line per message on stderr, with time and level. Any thread.
 *
 * Never pass secrets (passwords, tokens, cookies) to these. */
#pragma once

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped (default LOG_INFO; VIRTDECK_DEBUG=1 sets LOG_DEBUG). */
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
