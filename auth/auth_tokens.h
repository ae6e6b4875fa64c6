/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_tokens: API tokens for scripts, kept in SQLite (`tokens`) and mirrored in memory.
 *
 * A token is "vdt_<id>_<secret>": id is 12 base64url chars (9 random bytes, public: it
 * names the token in lists, logs and the audit log), secret is 43 base64url chars (32
 * random bytes). Only SHA-256(secret) is stored: the secret is shown once, by
 * auth_tokens_create. A plain hash is right for 256 random bits (no salt, no slow hash);
 * the comparison is constant-time.
 *
 * Threads: auth_tokens_lookup/_alive/_foreach run on the service thread and touch memory
 * only (one short mutex section, never across a database call). The memory holds each
 * token's row joined with its user's CURRENT role: auth_tokens_sync re-reads both tables
 * (the store-watch thread calls it whenever another process committed, e.g. `virtdeck
 * user del` or a role changed in the database), so a deleted, disabled or demoted user's
 * tokens stop within one watch interval (the users API calls it at once). create/revoke/sync/flush
 * write or read SQLite: workers, the store-watch thread, the main thread. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_policy.h"
#include "auth_sessions.h"
#include "util/app_error.h"

#define AUTH_TOKEN_ID_LEN     12
#define AUTH_TOKEN_SECRET_LEN 43
/* "vdt_" id "_" secret */
#define AUTH_TOKEN_TEXT_LEN (4 + AUTH_TOKEN_ID_LEN + 1 + AUTH_TOKEN_SECRET_LEN)
#define AUTH_TOKEN_NAME_MAX 64
/* A session view of a token is named "tok-<id>" (struct auth_session.id). */
#define AUTH_TOKEN_SESSION_PREFIX "tok-"
/* Tokens one user may hold at once. */
#define AUTH_TOKENS_PER_USER_MAX 32
/* expires_in_days bounds (absent or null: never expires) */
#define AUTH_TOKEN_DAYS_MAX 3650

struct auth_tokens;

/* One token as lists show it (no secret, no hash). */
struct auth_token_info {
    char id[AUTH_TOKEN_ID_LEN + 1];
    char username[AUTH_USERNAME_MAX + 1];
    char name[AUTH_TOKEN_NAME_MAX + 1];
    enum auth_role scope;
    int64_t created_s;
    int64_t expires_s;   /* 0: never */
    int64_t last_used_s; /* 0: never used */
    char last_used_from[64];
};

/* Why a presented token was refused (the 401's message: auth_tokens_fault_message). */
enum auth_token_fault {
    AUTH_TOKEN_OK = 0,
    AUTH_TOKEN_MALFORMED,
    AUTH_TOKEN_UNKNOWN, /* no such id, wrong secret, revoked, or its user is gone */
    AUTH_TOKEN_EXPIRED,
};

/* Splits "vdt_<id>_<secret>" (exactly AUTH_TOKEN_TEXT_LEN bytes, base64url alphabet)
 * into id and secret. Pure, any thread; text is untrusted (fuzzed). Returns 0, or -1
 * for anything else (NULL included). */
int auth_tokens_parse(const char *text, char id[AUTH_TOKEN_ID_LEN + 1],
                      char secret[AUTH_TOKEN_SECRET_LEN + 1]) __attribute__((warn_unused_result));

/* The value of an Authorization header if it is "Bearer <token>" (scheme any case),
 * else NULL. Pure. */
const char *auth_tokens_bearer(const char *authorization);

/* A scope's name: "read", "operate", "admin" (the roles viewer, operator, admin). */
int auth_tokens_scope_parse(const char *text, enum auth_role *out)
    __attribute__((warn_unused_result));
const char *auth_tokens_scope_name(enum auth_role scope);

/* Loads every token of an existing, enabled user. db is borrowed and must outlive the table.
 * Returns NULL on a database error (logged). Main thread. */
struct auth_tokens *auth_tokens_new(sqlite3 *db);
/* Flushes last-used times and frees. NULL-safe. Main thread. */
void auth_tokens_free(struct auth_tokens *tokens);

/* Creates a token for username with scope (which the caller has checked against the
 * user's role: auth_policy_may_grant) and name; expires_s 0 is never. Writes the token
 * text (AUTH_TOKEN_TEXT_LEN + NUL) into text_out, the one time it exists, and the
 * token into out. Returns 0, or -1 with err (409 past AUTH_TOKENS_PER_USER_MAX, 404 for
 * an unknown user, 500). Worker. */
int auth_tokens_create(struct auth_tokens *tokens, const char *username, const char *name,
                       enum auth_role scope, int64_t expires_s,
                       char text_out[AUTH_TOKEN_TEXT_LEN + 1], struct auth_token_info *out,
                       struct app_error *err) __attribute__((warn_unused_result));

/* Deletes token id; owner NULL: anyone's (admins), else only owner's (another's is
 * 404, as if absent). Returns 0, or -1 with err (404, 500). Worker. */
int auth_tokens_revoke(struct auth_tokens *tokens, const char *id, const char *owner,
                       struct app_error *err) __attribute__((warn_unused_result));

/* Authenticates a presented token text: on success fills out as a session view
 * (username, role = the lower of the token's scope and its user's current role,
 * id "tok-<id>", token_id set, no CSRF token) and notes the use (time, peer) to be
 * written back by auth_tokens_flush. Memory only: service thread. */
enum auth_token_fault auth_tokens_lookup(struct auth_tokens *tokens, const char *text,
                                         const char *peer, struct auth_session *out);

/* For websockets opened with a token (their session id "tok-<id>"): true while the
 * token exists, is unexpired, its user exists and is not disabled, and the rights it
 * gives are still opened_role (the role the socket was opened with: a user demoted, or
 * promoted, reconnects with the new rights). Memory only. */
bool auth_tokens_alive(struct auth_tokens *tokens, const char *session_id,
                       enum auth_role opened_role);

/* Calls fn for each token (of username; NULL: every one), oldest first, under the
 * table's lock: fn must not block or call back in. Returns how many it visited. */
size_t auth_tokens_foreach(struct auth_tokens *tokens, const char *username,
                           void (*fn)(const struct auth_token_info *info, void *ctx), void *ctx);

/* Re-reads the tokens and their users' roles (another process committed). Keeps the
 * newer last-used values of memory. Returns 0, or -1 (logged). Store-watch thread. */
int auth_tokens_sync(struct auth_tokens *tokens);

/* Writes noted last-used times and addresses (each token at most once per call; the
 * expiry job calls it every 60 s). Worker. */
void auth_tokens_flush(struct auth_tokens *tokens);

/* The 401 message for a fault. */
const char *auth_tokens_fault_message(enum auth_token_fault fault);
