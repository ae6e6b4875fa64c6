/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_sessions: login sessions, kept in memory and persisted in SQLite so a restart
 * does not log everybody out.
 *
 * The cookie carries a random 256-bit token (64 hex chars); only its SHA-256 is kept
 * (memory and disk), so a leaked database holds no usable token. Each session also has
 * a CSRF token (64 hex chars). Thread-safe: one mutex guards the table; lookups are
 * O(1) (hash table) and never touch the disk, so the service thread may call
 * auth_sessions_lookup / auth_sessions_touch. Creation and deletion write to SQLite
 * (a few ms at most); persisting last-seen is batched (at most once a minute per
 * session). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_policy.h"
#include "auth_users.h"

#define AUTH_TOKEN_HEX_LEN 64
/* The cookie that carries a session's token (set at login, read on every request). */
#define AUTH_SESSION_COOKIE      "virtdeck_session"
#define AUTH_SESSION_ADDRESS_MAX 64
#define AUTH_SESSION_AGENT_MAX   160

struct auth_sessions;

/* A copy of one session, safe to keep after the lock is dropped. */
struct auth_session {
    char username[AUTH_USERNAME_MAX + 1];
    enum auth_role role;
    enum auth_scope scope; /* an API token's cap (auth_policy.h); AUTH_SCOPE_FULL for a login */
    char csrf_token[AUTH_TOKEN_HEX_LEN + 1];
    char id[17];       /* first 16 hex chars of the token hash: names the session in logs */
    int64_t created_s; /* wall clock */
    int64_t last_seen_s;
    int64_t expires_s; /* min(last_seen + idle, created + max) */
    char token_id[13]; /* an API token's id (auth_tokens.h) when the request carried one
                        * instead of a cookie; "" for a login session */
    char address[AUTH_SESSION_ADDRESS_MAX];  /* where it logged in from ("" if unknown) */
    char user_agent[AUTH_SESSION_AGENT_MAX]; /* its browser's User-Agent, cut ("" if none) */
    bool totp_pending; /* may only enrol a second factor first (auth_policy: enrol_only) */
};

/* Where a new session comes from (auth_sessions_create_from). */
struct auth_session_origin {
    const char *address;    /* borrowed; NULL: unknown */
    const char *user_agent; /* borrowed; NULL: none (cut to AUTH_SESSION_AGENT_MAX - 1) */
    bool totp_pending;      /* the user must enrol TOTP before anything else */
};

/* Loads unexpired sessions from db (borrowed; must outlive the table). idle_s and
 * max_s are the idle timeout and absolute lifetime. Returns NULL on database error. */
struct auth_sessions *auth_sessions_new(sqlite3 *db, int idle_s, int max_s);
void auth_sessions_free(struct auth_sessions *sessions);

/* Changes the idle timeout and absolute lifetime (values <= 0 are ignored); every
 * session, open or new, is judged by them from now on. Any thread (the SIGHUP reload). */
void auth_sessions_set_limits(struct auth_sessions *sessions, int idle_s, int max_s);

/* Creates a session. Writes the cookie token (64 hex + NUL) into token_out and the
 * session into out. Returns 0 or -1. */
int auth_sessions_create(struct auth_sessions *sessions, const char *username, enum auth_role role,
                         char token_out[AUTH_TOKEN_HEX_LEN + 1], struct auth_session *out)
    __attribute__((warn_unused_result));

/* As auth_sessions_create, remembering origin (may be NULL) with the session. */
int auth_sessions_create_from(struct auth_sessions *sessions, const char *username,
                              enum auth_role role, const struct auth_session_origin *origin,
                              char token_out[AUTH_TOKEN_HEX_LEN + 1], struct auth_session *out)
    __attribute__((warn_unused_result));

/* The live sessions of username, oldest first, into *out (caller frees; NULL when
 * none). Memory only: any thread. Returns how many. */
size_t auth_sessions_list_user(struct auth_sessions *sessions, const char *username,
                               struct auth_session **out);

/* Ends username's session id (a struct auth_session id). Returns true when it was
 * theirs and is gone, false when they have no such session. Writes SQLite: a worker. */
bool auth_sessions_destroy_id(struct auth_sessions *sessions, const char *username, const char *id);

/* Ends every session of username except keep_id (NULL or "": all). Returns how many it
 * ended. Writes SQLite: a worker. */
size_t auth_sessions_destroy_others(struct auth_sessions *sessions, const char *username,
                                    const char *keep_id);

/* username has enrolled a second factor: their sessions are no longer limited to it.
 * Writes SQLite: a worker. */
void auth_sessions_enrolled(struct auth_sessions *sessions, const char *username);

/* Finds the live session for a cookie token and refreshes its idle timer. Returns
 * true and fills out, or false (unknown, malformed or expired: an expired one is
 * removed). */
bool auth_sessions_lookup(struct auth_sessions *sessions, const char *token,
                          struct auth_session *out);

/* Login sessions held now (expired ones until the next expiry pass). Any thread. */
size_t auth_sessions_count(struct auth_sessions *sessions);
/* Finds a session by its id without refreshing it (for long-lived websockets that
 * must notice logout/expiry). True if it still exists and has not expired. */
bool auth_sessions_alive(struct auth_sessions *sessions, const char *id);

/* Ends the session for this cookie token (logout). Unknown tokens are ignored. */
void auth_sessions_destroy(struct auth_sessions *sessions, const char *token);

/* Ends every session of a user (password change, deletion). */
void auth_sessions_destroy_user(struct auth_sessions *sessions, const char *username);

/* Drops expired sessions, flushes batched last-seen times and, like
 * auth_sessions_sync, drops sessions whose rows are gone. Call every 30-60 s on a
 * worker. */
void auth_sessions_expire(struct auth_sessions *sessions);

/* Ends the sessions whose rows another process deleted (`virtdeck user passwd` and
 * `user del` while the daemon runs): reads the table's token hashes and drops every
 * entry that has no row, but never one created after the read began (its row may be
 * newer than the read). Their cookies fail from then on; their sockets close at the
 * next housekeeping tick (they are no longer auth_sessions_alive). Blocks on SQLite:
 * call it off the service thread (the store-watch thread does, whenever PRAGMA
 * data_version moved). Returns how many sessions it ended, or -1 on a database error
 * (logged). *recheck (may be NULL) is set when sessions were created during the read:
 * they were kept unchecked, so call again soon even if nothing else changes. */
int auth_sessions_sync(struct auth_sessions *sessions, bool *recheck);

/* Constant-time comparison of a presented CSRF token with the session's. */
bool auth_sessions_csrf_ok(const struct auth_session *session, const char *presented);
