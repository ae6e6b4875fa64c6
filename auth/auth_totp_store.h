/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_totp_store: what the TOTP second factor remembers per local user, in SQLite
 * (tables user_totp, totp_recovery and users.totp_required; migration 9): the secret
 * (base32, unencrypted in the 0600 database, as Cockpit's and most servers' are: whoever
 * reads the file can read the password hashes too), whether enrolment was confirmed, the
 * last time step accepted (so a code works once), and the hashes of the unused recovery
 * codes.
 *
 * Functions take the shared database handle (SQLITE_OPEN_FULLMUTEX) and block on disk:
 * workers, the password lane and the CLI, never the service thread. Each change is one
 * statement or one transaction, so two logins racing with one code cannot both win. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth_totp.h"
#include "util/app_error.h"

/* One user's second factor as stored. */
struct auth_totp_state {
    bool pending;  /* a secret was issued but not yet confirmed with a code */
    bool enabled;  /* confirmed: logins need a code */
    bool required; /* an admin requires TOTP of this user (users.totp_required) */
    uint64_t last_step;
    int recovery_left;                  /* unused recovery codes */
    char secret[AUTH_TOTP_B32_LEN + 1]; /* base32 ("" when none); wipe after use */
};

/* Reads name's state (all false/zero when the user has none). Returns 0, or -1 with err
 * (500). */
int auth_totp_store_get(sqlite3 *db, const char *name, struct auth_totp_state *out,
                        struct app_error *err) __attribute__((warn_unused_result));

/* Stores a new unconfirmed secret for name, replacing an unconfirmed one. 409 when TOTP
 * is already enabled. Returns 0 or -1 (err set). */
int auth_totp_store_begin(sqlite3 *db, const char *name, const char *secret_b32,
                          struct app_error *err) __attribute__((warn_unused_result));

/* Confirms name's pending secret (the code of step was checked by the caller): enables
 * it with last_step = step and replaces the recovery codes with the n hashes given, in
 * one transaction. 409 when nothing is pending. Returns 0 or -1 (err set). */
int auth_totp_store_enable(sqlite3 *db, const char *name, uint64_t step,
                           char (*hashes)[AUTH_TOTP_HASH_HEX + 1], size_t n, struct app_error *err)
    __attribute__((warn_unused_result));

/* Removes name's secret and recovery codes (TOTP off). Returns 0 or -1 (err set). */
int auth_totp_store_disable(sqlite3 *db, const char *name, struct app_error *err)
    __attribute__((warn_unused_result));

/* Sets whether an admin requires TOTP of name. 404 when no such user. Returns 0 or -1. */
int auth_totp_store_set_required(sqlite3 *db, const char *name, bool required,
                                 struct app_error *err) __attribute__((warn_unused_result));

/* The second factor of a login or a confirmation: code (six digits) against the enabled
 * secret, or else recovery (a recovery code, consumed). The accepted step is recorded
 * in the same statement that checks it is newer than the last, so a code is accepted
 * once even by two racing requests. Returns 1 accepted, 0 refused (wrong, reused, or
 * TOTP not enabled), -1 database error (err set). */
int auth_totp_store_check(sqlite3 *db, const char *name, const char *code, const char *recovery,
                          int64_t now_s, struct app_error *err) __attribute__((warn_unused_result));
