/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_watch: notices commits that other processes make to the database (`virtdeck
 * user passwd` / `user del` run while the daemon is up) within one interval.
 *
 * DESIGN (threads): one thread, "store-watch", reads store_data_version() on the
 * daemon's shared handle every interval and calls on_change(ctx) on that thread when
 * the number moved, at its first look, and when the last call asked for another.
 * SQLite moves the number only for commits of other connections, so the daemon's own
 * writes never wake anybody. It is a thread of its own rather than a job on the work
 * pool so that workers held by slow libvirt calls cannot delay it: a session ended by
 * the CLI must end even while the pool is busy (a console, which needs no worker once
 * open, would otherwise stay open). It blocks every signal (the service thread
 * handles them). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

struct store_watch;

/* Starts the thread. db is borrowed and must outlive the watch; interval_ms > 0.
 * on_change runs on the watch thread, one call at a time; it may block on SQLite but
 * must not call lws. It returns true to be called again at the next look even if
 * nothing changed (it failed, or its read raced with this process's own writes).
 * Returns NULL (logged) if the thread cannot be started. Main thread. */
struct store_watch *store_watch_new(sqlite3 *db, int interval_ms, bool (*on_change)(void *ctx),
                                    void *ctx);
/* Stops and joins the thread (after an on_change in progress returns). NULL-safe.
 * Main thread. */
void store_watch_free(struct store_watch *watch);
