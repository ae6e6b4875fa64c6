/* auth_users: the user table in SQLite (name, role, password hash).
 *
 * Functions take the shared database handle (opened by store_open with
 * SQLITE_OPEN_FULLMUTEX), so any thread may call them; they block on disk and are
 * for workers and the CLI, not the service thread. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

#include "auth_policy.h"
#include "util/app_error.h"

#define AUTH_USERNAME_MAX 64

struct auth_user {
    char name[AUTH_USERNAME_MAX + 1];
    enum auth_role role;
    char *password_hash; /* owned; "" for a system account (pam) */
    bool pam;            /* a system account that logs in through PAM (source 'pam') */
};

/* User names: 1..64 of [A-Za-z0-9._-], not starting with '-' or '.'. */
bool auth_users_name_valid(const char *name);

/* Adds a user; hashes the password. 409 if the name exists, 400 for a bad name or
 * password. Returns 0 or -1 (err set). */
int auth_users_add(sqlite3 *db, const char *name, enum auth_role role, const char *password,
                   struct app_error *err) __attribute__((warn_unused_result));
/* Replaces the password (404 if no such user). */
int auth_users_set_password(sqlite3 *db, const char *name, const char *password,
                            struct app_error *err) __attribute__((warn_unused_result));
/* Deletes the user and every session of theirs (404 if no such user). */
int auth_users_delete(sqlite3 *db, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));
/* Looks a user up. Returns 1 found (out filled; free with auth_user_clear), 0 not
 * found, -1 database error (err set). */
int auth_users_get(sqlite3 *db, const char *name, struct auth_user *out, struct app_error *err)
    __attribute__((warn_unused_result));
/* Records a system account's login through PAM: inserts its row (source 'pam', no
 * password hash) or updates its role. A local user of that name is left alone (local
 * users win). Returns 1 stored, 0 the name belongs to a local user, -1 database error
 * (err set). */
int auth_users_put_pam(sqlite3 *db, const char *name, enum auth_role role, struct app_error *err)
    __attribute__((warn_unused_result));
/* Number of users, or -1. */
int auth_users_count(sqlite3 *db);
/* Calls fn for every user, sorted by name. Returns 0 or -1. */
int auth_users_foreach(sqlite3 *db, void (*fn)(const struct auth_user *user, void *ctx), void *ctx);
void auth_user_clear(struct auth_user *user);
