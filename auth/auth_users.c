/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_users: the users table (see auth_users.h).
 *
 * Worker threads and the CLI call these; they block on SQLite and on yescrypt. The
 * shared handle is FULLMUTEX, and every statement here is prepared, stepped and
 * finalized within one call, so calls from several threads do not mix. "Did it
 * change a row" is answered with RETURNING rather than sqlite3_changes(), which
 * another thread's statement could overwrite in between. Password hashes are wiped
 * before they are freed and never logged.
 *
 * "At least one enabled admin" is a condition inside the very UPDATE or DELETE that
 * could break it (AUTH_USERS_KEEPS_AN_ADMIN), not a count read before: SQLite runs one
 * writing statement at a time, so two admins demoting each other at once cannot both
 * pass. When the statement changed nothing, a second look says 404 or 409. */
#include "auth_users.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "auth_password.h"
#include "auth_password_policy.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* The WHERE clause that keeps an enabled admin: the row (old values) is not an enabled
 * admin, or another enabled admin exists. ?1 is the name. */
#define AUTH_USERS_OTHER_ADMIN                                                                     \
    "EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND o.disabled = 0 AND "                 \
    "o.name <> ?1)"
#define AUTH_USERS_KEEPS_AN_ADMIN                                                                  \
    "(NOT (role = 'admin' AND disabled = 0) OR " AUTH_USERS_OTHER_ADMIN ")"
#define AUTH_USERS_COLUMNS "name, role, password_hash, disabled, created_at, last_login_at, source"

static void auth_users_db_error(sqlite3 *db, struct app_error *err)
{
    log_error("auth_users: database error: %s", sqlite3_errmsg(db));
    app_error_set(err, 500, APP_ERR_INTERNAL, "database error");
}

static void auth_users_free_hash(char *hash)
{
    if (!hash)
        return;
    OPENSSL_cleanse(hash, strlen(hash));
    free(hash);
}

bool auth_users_name_valid(const char *name)
{
    size_t len;

    if (!name)
        return false;
    len = strnlen(name, AUTH_USERNAME_MAX + 1);
    if (len == 0 || len > AUTH_USERNAME_MAX)
        return false;
    if (name[0] == '-' || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* Checks name and password and returns a fresh hash, or NULL with err set. */
static char *auth_users_prepare(const char *name, const char *password, struct app_error *err)
{
    char *hash = NULL;

    if (!auth_users_name_valid(name)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "invalid user name (1-64 of A-Z a-z 0-9 . _ -, not starting with . or -)");
        goto cleanup;
    }
    if (auth_password_policy_check(name, password, err) < 0)
        goto cleanup;
    hash = auth_password_hash(password);
    if (!hash)
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot hash the password");

cleanup:
    return hash;
}

int auth_users_add(sqlite3 *db, const char *name, enum auth_role role, const char *password,
                   struct app_error *err)
{
    static const char sql[] =
        "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    char *hash = NULL;
    enum auth_role check;
    int rc;

    if (auth_role_parse(auth_role_name(role), &check) < 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "invalid role");
        goto cleanup;
    }
    hash = auth_users_prepare(name, password, err);
    if (!hash)
        goto cleanup;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, auth_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, clock_wall_s());
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_CONSTRAINT) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "user %s already exists", name);
        goto cleanup;
    }
    if (rc != SQLITE_DONE) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    auth_users_free_hash(hash);
    return ret;
}

/* Runs a statement that binds name as ?1 and returns "RETURNING name": 1 if a row was
 * affected, 0 if none, -1 on error (err set). */
static int auth_users_change(sqlite3 *db, const char *sql, const char *name, struct app_error *err)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        ret = 1;
        /* Let the statement finish so the change is complete before finalize. */
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
    } else {
        ret = 0;
    }
    if (rc != SQLITE_DONE) {
        auth_users_db_error(db, err);
        ret = -1;
    }

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

int auth_users_set_password(sqlite3 *db, const char *name, const char *password,
                            struct app_error *err)
{
    struct auth_user_change change = {.password = password};

    if (!password)
        return auth_password_policy_check(name, password, err); /* -1: "is required" */
    return auth_users_update(db, name, &change, err);
}

/* After a guarded statement changed no row: 404 if name is not a user, else 409. */
static void auth_users_refusal(sqlite3 *db, const char *name, struct app_error *err)
{
    struct auth_user user;
    int found = auth_users_get(db, name, &user, err);

    if (found < 0)
        return;
    auth_user_clear(&user);
    if (found == 0)
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no user %s",
                      auth_users_name_valid(name) ? name : "with that name");
    else
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "%s is the last enabled admin; make another user an admin first", name);
}

int auth_users_update(sqlite3 *db, const char *name, const struct auth_user_change *change,
                      struct app_error *err)
{
    static const char sql[] =
        "UPDATE users SET role = coalesce(?2, role), disabled = coalesce(?3, disabled), "
        "password_hash = coalesce(?4, password_hash) WHERE name = ?1 AND ("
        "(coalesce(?2, role) = 'admin' AND coalesce(?3, disabled) = 0) "
        "OR " AUTH_USERS_KEEPS_AN_ADMIN ") RETURNING name";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    char *hash = NULL;
    int rc;

    if (!auth_users_name_valid(name)) {
        auth_users_refusal(db, name, err);
        goto cleanup;
    }
    if (change->password && !(hash = auth_users_prepare(name, change->password, err)))
        goto cleanup;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (change->has_role)
        sqlite3_bind_text(stmt, 2, auth_role_name(change->role), -1, SQLITE_STATIC);
    if (change->has_disabled)
        sqlite3_bind_int(stmt, 3, change->disabled ? 1 : 0);
    if (hash)
        sqlite3_bind_text(stmt, 4, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(stmt); /* one row at most (name is the key): finish it */
    else if (rc == SQLITE_DONE) {
        auth_users_refusal(db, name, err);
        goto cleanup;
    }
    if (rc != SQLITE_DONE) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    auth_users_free_hash(hash);
    return ret;
}

void auth_users_note_login(sqlite3 *db, const char *name, int64_t now_s)
{
    static const char sql[] = "UPDATE users SET last_login_at = ?2 WHERE name = ?1";
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, now_s);
    }
    if (!stmt || sqlite3_step(stmt) != SQLITE_DONE)
        log_warn("auth_users: cannot record the login of %s: %s", name, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
}

int auth_users_delete(sqlite3 *db, const char *name, struct app_error *err)
{
    /* The sessions rows go with it (ON DELETE CASCADE; store_open turns foreign keys on). */
    static const char sql[] =
        "DELETE FROM users WHERE name = ?1 AND " AUTH_USERS_KEEPS_AN_ADMIN " RETURNING name";
    int ret = -1;
    int found = 0;

    if (auth_users_name_valid(name)) {
        found = auth_users_change(db, sql, name, err);
        if (found < 0)
            goto cleanup;
    }
    if (found == 0) {
        auth_users_refusal(db, name, err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    return ret;
}

int auth_users_put_pam(sqlite3 *db, const char *name, enum auth_role role, struct app_error *err)
{
    static const char sql[] = "INSERT INTO users (name, role, password_hash, created_at, source)"
                              " VALUES (?1, ?2, '', ?3, 'pam') ON CONFLICT(name) DO UPDATE"
                              " SET role = excluded.role WHERE users.source = 'pam'"
                              " RETURNING name";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, auth_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, clock_wall_s());
    rc = sqlite3_step(stmt);
    ret = rc == SQLITE_ROW ? 1 : 0;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        auth_users_db_error(db, err);
        ret = -1;
    }

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

/* Fills user from a row (AUTH_USERS_COLUMNS). Returns 0, or -1 if the row is not a
 * valid user (logged). */
static int auth_users_from_row(sqlite3_stmt *stmt, struct auth_user *user)
{
    int ret = -1;
    const char *name = (const char *)sqlite3_column_text(stmt, 0);
    const char *role = (const char *)sqlite3_column_text(stmt, 1);
    const char *hash = (const char *)sqlite3_column_text(stmt, 2);
    const char *source = (const char *)sqlite3_column_text(stmt, 6);

    memset(user, 0, sizeof(*user));
    if (!auth_users_name_valid(name) || !hash) {
        log_warn("auth_users: skipping a malformed row in the users table");
        goto cleanup;
    }
    if (auth_role_parse(role, &user->role) < 0) {
        log_warn("auth_users: user %s has an unknown role", name);
        goto cleanup;
    }
    memcpy(user->name, name, strlen(name) + 1);
    user->password_hash = xstrdup(hash);
    user->disabled = sqlite3_column_int(stmt, 3) != 0;
    user->created_s = sqlite3_column_int64(stmt, 4);
    user->last_login_s = sqlite3_column_int64(stmt, 5);
    user->pam = source && strcmp(source, "pam") == 0;
    ret = 0;

cleanup:
    return ret;
}

int auth_users_get(sqlite3 *db, const char *name, struct auth_user *out, struct app_error *err)
{
    static const char sql[] = "SELECT " AUTH_USERS_COLUMNS " FROM users WHERE name = ?";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!auth_users_name_valid(name)) {
        ret = 0;
        goto cleanup;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        ret = 0;
        goto cleanup;
    }
    if (rc != SQLITE_ROW) {
        auth_users_db_error(db, err);
        goto cleanup;
    }
    if (auth_users_from_row(stmt, out) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "user record for %s is corrupt", name);
        goto cleanup;
    }
    ret = 1;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

int auth_users_count(sqlite3 *db)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW) {
        log_error("auth_users: database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    ret = sqlite3_column_int(stmt, 0);

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

int auth_users_foreach(sqlite3 *db, void (*fn)(const struct auth_user *user, void *ctx), void *ctx)
{
    static const char sql[] = "SELECT " AUTH_USERS_COLUMNS " FROM users ORDER BY name";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    struct auth_user user;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        log_error("auth_users: database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (auth_users_from_row(stmt, &user) < 0)
            continue;
        fn(&user, ctx);
        auth_user_clear(&user);
    }
    if (rc != SQLITE_DONE) {
        log_error("auth_users: database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

void auth_user_clear(struct auth_user *user)
{
    if (!user)
        return;
    auth_users_free_hash(user->password_hash);
    memset(user, 0, sizeof(*user));
}
