/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_totp_store: the second factor's rows (see auth_totp_store.h).
 *
 * Workers, the password lane and the CLI (blocking SQLite calls on the shared handle).
 * Invariants: a user has at most one user_totp row; enabled = 1 only after a code of its
 * secret was checked; last_step only grows (the UPDATE that records a step says
 * "last_step < ?"), which is what makes a code single-use; recovery codes are stored as
 * SHA-256 only and a used one is deleted by the statement that accepts it. */
#include "auth_totp_store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"

/* Sets err to a 500 naming db's error. Returns -1. */
static int auth_totp_store_fail(sqlite3 *db, struct app_error *err)
{
    app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s", sqlite3_errmsg(db));
    return -1;
}

int auth_totp_store_get(sqlite3 *db, const char *name, struct auth_totp_state *out,
                        struct app_error *err)
{
    static const char sql[] =
        "SELECT u.totp_required, t.secret, t.enabled, t.last_step,"
        " (SELECT count(*) FROM totp_recovery r WHERE r.username = u.name)"
        " FROM users u LEFT JOIN user_totp t ON t.username = u.name WHERE u.name = ?";
    sqlite3_stmt *stmt = NULL;
    int ret = -1, rc;

    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *secret = (const char *)sqlite3_column_text(stmt, 1);

        out->required = sqlite3_column_int(stmt, 0) != 0;
        if (secret) {
            snprintf(out->secret, sizeof(out->secret), "%s", secret);
            out->enabled = sqlite3_column_int(stmt, 2) != 0;
            out->pending = !out->enabled;
            out->last_step = (uint64_t)sqlite3_column_int64(stmt, 3);
        }
        out->recovery_left = sqlite3_column_int(stmt, 4);
    } else if (rc != SQLITE_DONE) {
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (ret < 0)
        auth_totp_store_fail(db, err);
    sqlite3_finalize(stmt);
    return ret;
}

int auth_totp_store_begin(sqlite3 *db, const char *name, const char *secret_b32,
                          struct app_error *err)
{
    /* an enabled row is left alone (changes() = 0 tells) */
    static const char sql[] =
        "INSERT INTO user_totp (username, secret, enabled, last_step, created_at)"
        " VALUES (?1, ?2, 0, 0, ?3) ON CONFLICT(username) DO UPDATE SET secret = ?2,"
        " created_at = ?3 WHERE enabled = 0";
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_totp_store_fail(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, secret_b32, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, clock_wall_s());
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        auth_totp_store_fail(db, err);
        goto cleanup;
    }
    if (sqlite3_changes(db) == 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "two-factor authentication is already on");
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

/* Runs sql with name as ?1 (and, when step > 0, step as ?2). Returns changes or -1. */
static int auth_totp_store_run(sqlite3 *db, const char *sql, const char *name, uint64_t step,
                               const char *text)
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (step)
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)step);
    if (text)
        sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = sqlite3_changes(db);

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

int auth_totp_store_enable(sqlite3 *db, const char *name, uint64_t step,
                           char (*hashes)[AUTH_TOTP_HASH_HEX + 1], size_t n, struct app_error *err)
{
    int ret = -1, changed;
    bool began = false, stored = true;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        auth_totp_store_fail(db, err);
        goto cleanup;
    }
    began = true;
    changed = auth_totp_store_run(db,
                                  "UPDATE user_totp SET enabled = 1, last_step = ?2"
                                  " WHERE username = ?1 AND enabled = 0",
                                  name, step, NULL);
    if (changed == 0) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "no two-factor enrolment is waiting for a code; begin again");
        goto cleanup;
    }
    stored = changed > 0 && auth_totp_store_run(db, "DELETE FROM totp_recovery WHERE username = ?1",
                                                name, 0, NULL) >= 0;
    for (size_t i = 0; stored && i < n; i++)
        stored = auth_totp_store_run(db,
                                     "INSERT OR IGNORE INTO totp_recovery (username, code_hash)"
                                     " VALUES (?1, ?2)",
                                     name, 0, hashes[i]) >= 0;
    if (!stored || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        auth_totp_store_fail(db, err);
        goto cleanup;
    }
    began = false;
    ret = 0;

cleanup:
    if (began)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return ret;
}

int auth_totp_store_disable(sqlite3 *db, const char *name, struct app_error *err)
{
    if (auth_totp_store_run(db, "DELETE FROM user_totp WHERE username = ?1", name, 0, NULL) < 0 ||
        auth_totp_store_run(db, "DELETE FROM totp_recovery WHERE username = ?1", name, 0, NULL) < 0)
        return auth_totp_store_fail(db, err);
    return 0;
}

int auth_totp_store_set_required(sqlite3 *db, const char *name, bool required,
                                 struct app_error *err)
{
    int changed =
        auth_totp_store_run(db,
                            required ? "UPDATE users SET totp_required = 1 WHERE name = ?1"
                                     : "UPDATE users SET totp_required = 0 WHERE name = ?1",
                            name, 0, NULL);

    if (changed < 0)
        return auth_totp_store_fail(db, err);
    if (changed == 0) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no user %s", name);
        return -1;
    }
    return 0;
}

int auth_totp_store_check(sqlite3 *db, const char *name, const char *code, const char *recovery,
                          int64_t now_s, struct app_error *err)
{
    struct auth_totp_state state;
    unsigned char key[AUTH_TOTP_SECRET_BYTES + 8];
    char hash[AUTH_TOTP_HASH_HEX + 1];
    int keylen, changed, ret = -1;
    uint64_t step;

    if (auth_totp_store_get(db, name, &state, err) < 0)
        goto cleanup;
    ret = 0;
    if (!state.enabled)
        goto cleanup;
    if (code && code[0]) {
        keylen = auth_totp_base32_decode(state.secret, key, sizeof(key));
        if (keylen <= 0) {
            log_warn("auth_totp_store: %s's secret is not base32", name);
            goto cleanup;
        }
        step = auth_totp_verify(key, (size_t)keylen, code, now_s, state.last_step);
        if (!step)
            goto cleanup;
        changed = auth_totp_store_run(db,
                                      "UPDATE user_totp SET last_step = ?2"
                                      " WHERE username = ?1 AND enabled = 1 AND last_step < ?2",
                                      name, step, NULL);
    } else if (recovery && recovery[0]) {
        if (auth_totp_recovery_hash(recovery, hash) < 0)
            goto cleanup;
        changed = auth_totp_store_run(
            db, "DELETE FROM totp_recovery WHERE username = ?1 AND code_hash = ?2", name, 0, hash);
    } else {
        goto cleanup;
    }
    if (changed < 0) {
        ret = auth_totp_store_fail(db, err);
        goto cleanup;
    }
    ret = changed > 0 ? 1 : 0;

cleanup:
    OPENSSL_cleanse(&state, sizeof(state));
    OPENSSL_cleanse(key, sizeof(key));
    return ret;
}
