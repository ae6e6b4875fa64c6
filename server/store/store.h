/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store: the SQLite database at STATE_DIR/virtdeck.db.
 *
 * Opens it in WAL mode with SQLITE_OPEN_FULLMUTEX (one handle shared by all threads;
 * SQLite serialises calls), busy timeout 5 s, foreign keys on, and applies the schema
 * migrations in order (PRAGMA user_version). Tables: users, sessions, audit_log,
 * incomplete_uploads (store_uploads.h), tokens (auth_tokens.h). */
#pragma once

#include <sqlite3.h>
#include <stdint.h>

#include "util/app_error.h"

/* Creates state_dir (0700) if needed and opens/migrates the database. Returns the
 * handle (close with store_close) or NULL with err set. */
sqlite3 *store_open(const char *state_dir, struct app_error *err);
void store_close(sqlite3 *db);
/* Opens (creating it 0600) the SQLite file at path the way store_open does (WAL,
 * FULLMUTEX, busy timeout, foreign keys, synchronous = NORMAL) and applies migrations[i]
 * for each user_version i below count, each in its own transaction. Its directory must
 * exist. For a database of its own beside virtdeck.db (metrics/metrics_history.c).
 * Returns the handle (close with store_close) or NULL with err set. Main thread. */
sqlite3 *store_open_file(const char *path, const char *const *migrations, int count,
                         struct app_error *err) __attribute__((warn_unused_result));

/* Reads PRAGMA data_version of db into *out. SQLite changes that number on a
 * connection only when ANOTHER connection (another process: `virtdeck user ...`)
 * commits; this connection's own commits leave it alone. Any thread (it takes db's
 * mutex and starts a read transaction: a few microseconds, no write lock). Returns 0
 * or -1 (not logged: a caller that polls decides how often to say so). */
int store_data_version(sqlite3 *db, int64_t *out) __attribute__((warn_unused_result));

/* Appends one audit record: who did what to which object from where, and the
 * outcome ("ok" or an error code). Never fails the caller; errors are logged. */
void store_audit(sqlite3 *db, const char *username, const char *address, const char *action,
                 const char *object, const char *outcome);
/* The same for a request made with an API token: via names it ("token:<id>"; NULL or ""
 * for a login session), in the row's via column. */
void store_audit_via(sqlite3 *db, const char *username, const char *via, const char *address,
                     const char *action, const char *object, const char *outcome);
/* store_audit with the error's message (NULL or "": none): what a refusal or a failure
 * said to the client. Never pass a secret. */
void store_audit_result(sqlite3 *db, const char *username, const char *address, const char *action,
                        const char *object, const char *outcome, const char *message);
/* The row with every column: via (the API token, "token:<id>") and message (the
 * error's), each NULL or "" for none. Never pass a secret. */
void store_audit_full(sqlite3 *db, const char *username, const char *via, const char *address,
                      const char *action, const char *object, const char *outcome,
                      const char *message);
