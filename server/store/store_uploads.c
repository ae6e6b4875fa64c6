/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_uploads: the incomplete_uploads table (see store_uploads.h). Any thread. */
#include "store/store_uploads.h"

#include <stddef.h>

#include "util/clock.h"
#include "util/log.h"

/* Runs sql with pool, volume and optionally (at, username) bound. For queries, *row
 * says whether a row came back. Returns 0 or -1 (logged). */
static int store_uploads_run(sqlite3 *db, const char *sql, const char *pool, const char *volume,
                             const char *username, bool *row)
{
    int ret = -1, rc;
    sqlite3_stmt *stmt = NULL;

    if (!db)
        goto cleanup;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, pool, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, volume, -1, SQLITE_TRANSIENT);
    if (username) {
        sqlite3_bind_int64(stmt, 3, clock_wall_s());
        sqlite3_bind_text(stmt, 4, username, -1, SQLITE_TRANSIENT);
    }
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        goto cleanup;
    if (row)
        *row = rc == SQLITE_ROW;
    ret = 0;

cleanup:
    if (ret < 0 && db)
        log_error("store: incomplete uploads: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

int store_uploads_mark(sqlite3 *db, const char *pool, const char *volume, const char *username)
{
    return store_uploads_run(db,
                             "INSERT OR REPLACE INTO incomplete_uploads (pool, volume, at, "
                             "username) VALUES (?, ?, ?, ?)",
                             pool, volume, username ? username : "", NULL);
}

int store_uploads_clear(sqlite3 *db, const char *pool, const char *volume)
{
    return store_uploads_run(db, "DELETE FROM incomplete_uploads WHERE pool = ? AND volume = ?",
                             pool, volume, NULL, NULL);
}

bool store_uploads_incomplete(sqlite3 *db, const char *pool, const char *volume)
{
    bool row = false;

    if (store_uploads_run(db, "SELECT 1 FROM incomplete_uploads WHERE pool = ? AND volume = ?",
                          pool, volume, NULL, &row) < 0)
        return false;
    return row;
}
