/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_audit: the consoles' audit records (a console or serial console opened, refused or
 * closed), written on a worker because an SQLite write may block.
 *
 * Service thread posts; the worker writes. The job copies what it records, so the
 * console may be gone before the row is written. */
#pragma once

#include <sqlite3.h>

struct work_pool;

/* Queues the record (username, peer, action, object "domain:<uuid>", outcome: "ok" or
 * an error code, message: the error's, or NULL) on pool. A full queue drops it (logged).
 * Service thread. */
void console_audit_post(struct work_pool *pool, sqlite3 *db, const char *username, const char *peer,
                        const char *action, const char *uuid, const char *outcome,
                        const char *message);
