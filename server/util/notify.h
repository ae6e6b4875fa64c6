/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify: the service manager's notification protocol (sd_notify(3)): READY=1, RELOADING=1,
 * STOPPING=1, STATUS=, WATCHDOG=1 as one datagram each to $NOTIFY_SOCKET. Without
 * NOTIFY_SOCKET (not run by systemd as Type=notify) every call does nothing.
 *
 * notify_init runs once on the main thread before any other thread starts; after it,
 * notify_send may be called from any thread (one sendto per message). */
#pragma once

#include <stdint.h>

/* Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then removes them from the
 * environment so that programs the daemon starts (the PAM helper, sendmail) do not talk
 * to the manager in its name. */
void notify_init(void);

/* Sends one state message ("READY=1\nSTATUS=..."), printf-style. Returns 0 when sent or
 * when there is no socket; -1 when sending failed (logged). */
int notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* RELOADING=1 with MONOTONIC_USEC= (the CLOCK_MONOTONIC now, as systemd >= 253 wants for
 * Type=notify-reload; older managers ignore it). */
int notify_reloading(void);

/* The watchdog period the manager asked for (WATCHDOG_USEC), 0 when there is none. The
 * daemon sends WATCHDOG=1 at half of it. */
int64_t notify_watchdog_usec(void);
