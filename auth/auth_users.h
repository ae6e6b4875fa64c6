/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_users: the user table in SQLite (name, role, password hash, disabled, created,
 * last login). Every way a password is set passes auth_password_policy_check; every
 * change of role, disabled state or existence keeps at least one enabled admin (one
 * conditional statement, so two admins demoting each other at once cannot both win).
 *
 * Functions take the shared database handle (opened by store_open with
 * SQLITE_OPEN_FULLMUTEX), so any thread may call them; they block on disk and are
 * for workers and the CLI, not the service thread. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth_policy.h"
#include "util/app_error.h"

#define AUTH_USERNAME_MAX 64

struct auth_user {
    char name[AUTH_USERNAME_MAX + 1];
    enum auth_role role;
    char *password_hash;  /* owned; "" for a system account (pam) */
    bool pam;             /* a system account that logs in through PAM (source 'pam') */
    bool disabled;        /* cannot log in; no sessions, no tokens */
    int64_t created_s;    /* wall clock */
    int64_t last_login_s; /* 0: never */
};

/* A change to a user (auth_users_update); what is NULL or has_* false stays. */
struct auth_user_change {
    bool has_role;
    enum auth_role role;
    bool has_disabled;
    bool disabled;
    const char *password; /* borrowed; NULL: keep */
};

/* User names: 1..64 of [A-Za-z0-9._-], not starting with '-' or '.'. */
bool auth_users_name_valid(const char *name);

/* Adds a user; hashes the password. 409 if the name exists, 400 for a bad name or a
 * password the policy refuses (err names the field). Returns 0 or -1 (err set). */
int auth_users_add(sqlite3 *db, const char *name, enum auth_role role, const char *password,
                   struct app_error *err) __attribute__((warn_unused_result));
/* Replaces the password (404 if no such user; 400 as for add). */
int auth_users_set_password(sqlite3 *db, const char *name, const char *password,
                            struct app_error *err) __attribute__((warn_unused_result));
/* Deletes the user and every session and token of theirs (404 if no such user; 409 if
 * they are the last enabled admin). */
int auth_users_delete(sqlite3 *db, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));
/* Applies change to name in one statement (the password hashed first): 404 if no such
 * user, 409 if it would leave no enabled admin, 400 for a refused password; nothing
 * changes on error. Returns 0 or -1 (err set). Worker or CLI. */
int auth_users_update(sqlite3 *db, const char *name, const struct auth_user_change *change,
                      struct app_error *err) __attribute__((warn_unused_result));
/* Records a successful login's time (best effort: a failure is logged). */
void auth_users_note_login(sqlite3 *db, const char *name, int64_t now_s);
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
