/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_audit_log: filtered pages of the audit log and its pruning (see
 * store_audit_log.h). Any thread but the service thread: every call blocks on SQLite. */
#include "store/store_audit_log.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

#define STORE_AUDIT_LOG_OBJECT_MAX 320

/* The row's VM, lower-cased, when its object is "domain:<uuid>" or "domain:<uuid>/...",
 * else NULL ("domain:<name>" of a create names no VM yet). */
#define STORE_AUDIT_LOG_ROW_VM                                                                     \
    "(CASE WHEN substr(object, 1, 7) = 'domain:' AND (length(object) = 43 OR "                     \
    "substr(object, 44, 1) = '/') AND substr(object, 16, 1) || substr(object, 21, 1) || "          \
    "substr(object, 26, 1) || substr(object, 31, 1) = '----' "                                     \
    "THEN lower(substr(object, 8, 36)) END)"

/* The reach's clause: what the reader may read at all. */
static const char *store_audit_log_reach_sql(enum store_audit_reach reach)
{
    switch (reach) {
    case STORE_AUDIT_ALL:
        return "";
    case STORE_AUDIT_EVERY_DOMAIN:
        return " AND (" STORE_AUDIT_LOG_ROW_VM " IS NOT NULL OR username = ?)";
    case STORE_AUDIT_DOMAINS_IN:
        return " AND (" STORE_AUDIT_LOG_ROW_VM " IN (SELECT value FROM json_each(?)) OR "
               "(" STORE_AUDIT_LOG_ROW_VM " IS NULL AND username = ?))";
    }
    return " AND 0"; /* deny by default */
}

int store_audit_log_sql(const struct store_audit_filter *filter, char *out, size_t outlen)
{
    int n =
        snprintf(out, outlen, "%s%s%s%s%s%s%s%s%s%s",
                 "SELECT id, at, username, address, action, object, outcome, message "
                 "FROM audit_log WHERE 1",
                 store_audit_log_reach_sql(filter->reach),
                 filter->vm ? " AND (object = ? OR (object >= ? AND object < ?))" : "",
                 filter->user ? " AND username = ?" : "", filter->action ? " AND action = ?" : "",
                 filter->result ? " AND outcome = ?" : "", filter->since_s ? " AND at >= ?" : "",
                 filter->until_s ? " AND at < ?" : "", filter->before_id ? " AND id < ?" : "",
                 " ORDER BY id DESC LIMIT ?");

    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static const char *store_audit_log_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);

    return text ? (const char *)text : "";
}

/* Binds filter's parameters in store_audit_log_sql's order. */
static void store_audit_log_bind(sqlite3_stmt *stmt, const struct store_audit_filter *filter,
                                 char objects[3][STORE_AUDIT_LOG_OBJECT_MAX])
{
    int i = 1;

    if (filter->reach == STORE_AUDIT_DOMAINS_IN)
        sqlite3_bind_text(stmt, i++, filter->domains ? filter->domains : "[]", -1, SQLITE_STATIC);
    if (filter->reach != STORE_AUDIT_ALL)
        sqlite3_bind_text(stmt, i++, filter->reader ? filter->reader : "", -1, SQLITE_STATIC);
    if (filter->vm) {
        /* "domain:<uuid>/" .. "domain:<uuid>0": '0' follows '/', so the range is exactly
         * the sub-objects, and an index on object serves it */
        snprintf(objects[0], STORE_AUDIT_LOG_OBJECT_MAX, "domain:%s", filter->vm);
        snprintf(objects[1], STORE_AUDIT_LOG_OBJECT_MAX, "domain:%s/", filter->vm);
        snprintf(objects[2], STORE_AUDIT_LOG_OBJECT_MAX, "domain:%s0", filter->vm);
        for (int k = 0; k < 3; k++)
            sqlite3_bind_text(stmt, i++, objects[k], -1, SQLITE_STATIC);
    }
    if (filter->user)
        sqlite3_bind_text(stmt, i++, filter->user, -1, SQLITE_STATIC);
    if (filter->action)
        sqlite3_bind_text(stmt, i++, filter->action, -1, SQLITE_STATIC);
    if (filter->result)
        sqlite3_bind_text(stmt, i++, filter->result, -1, SQLITE_STATIC);
    if (filter->since_s)
        sqlite3_bind_int64(stmt, i++, filter->since_s);
    if (filter->until_s)
        sqlite3_bind_int64(stmt, i++, filter->until_s);
    if (filter->before_id)
        sqlite3_bind_int64(stmt, i++, filter->before_id);
    sqlite3_bind_int(stmt, i, filter->limit);
}

int store_audit_log_query(sqlite3 *db, const struct store_audit_filter *filter,
                          void (*each)(const struct store_audit_row *row, void *ctx), void *ctx,
                          struct app_error *err)
{
    int ret = -1, count = 0, rc;
    sqlite3_stmt *stmt = NULL;
    char sql[1536];
    char objects[3][STORE_AUDIT_LOG_OBJECT_MAX];

    if (store_audit_log_sql(filter, sql, sizeof(sql)) < 0 ||
        sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    store_audit_log_bind(stmt, filter, objects);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct store_audit_row row = {
            .id = sqlite3_column_int64(stmt, 0),
            .at = sqlite3_column_int64(stmt, 1),
            .user = store_audit_log_text(stmt, 2),
            .address = store_audit_log_text(stmt, 3),
            .action = store_audit_log_text(stmt, 4),
            .object = store_audit_log_text(stmt, 5),
            .result = store_audit_log_text(stmt, 6),
            .message = store_audit_log_text(stmt, 7),
        };

        each(&row, ctx);
        count++;
    }
    if (rc != SQLITE_DONE) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    ret = count;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

/* Runs one DELETE with up to one integer parameter; returns the rows deleted or -1. */
static int store_audit_log_delete(sqlite3 *db, const char *sql, int64_t arg)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, arg);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = sqlite3_changes(db);

cleanup:
    if (ret < 0)
        log_error("store: audit prune: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

int store_audit_log_prune(sqlite3 *db, int64_t now_s, int max_days, int64_t max_rows)
{
    int aged = 0, counted = 0;

    if (max_days > 0 && (aged = store_audit_log_delete(db, "DELETE FROM audit_log WHERE at < ?",
                                                       now_s - (int64_t)max_days * 86400)) < 0)
        return -1;
    if (max_rows > 0 &&
        (counted = store_audit_log_delete(db,
                                          "DELETE FROM audit_log WHERE id <= (SELECT id FROM "
                                          "audit_log ORDER BY id DESC LIMIT 1 OFFSET ?)",
                                          max_rows)) < 0)
        return -1;
    return aged + counted;
}
