/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_tokens: the API token table (see auth_tokens.h).
 *
 * Threads: lookup/alive/foreach run on the service thread and touch memory only under
 * `lock`, which is never held across a database call. create/revoke/sync/flush also
 * take `db_lock` (outermost) for their whole database work, so they never interleave:
 * a sync cannot read the table between create's INSERT and its entry reaching memory,
 * nor resurrect a token revoke has just removed.
 *
 * Invariants:
 * - Only SHA-256(secret) is kept, in memory and on disk. The secret exists only in
 *   auth_tokens_create's locals (wiped) and the caller's buffer, and in a request's
 *   header while it is checked.
 * - Each entry carries its user's role as of the last read; the effective right of a
 *   request is the lower of that role and the token's scope, decided at every lookup.
 *   A user who is gone from the database takes their tokens with them (ON DELETE
 *   CASCADE; the join drops them at the next sync).
 * - last-used time and address change in memory at each use and reach the disk at most
 *   once per flush (every 60 s), so a busy script does not turn requests into writes.
 * - The table is small (AUTH_TOKENS_PER_USER_MAX per user): lookups scan it. */
#include "auth_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define AUTH_TOKENS_ID_BYTES     9
#define AUTH_TOKENS_SECRET_BYTES 32
#define AUTH_TOKENS_HASH_BYTES   32
#define AUTH_TOKENS_PREFIX       "vdt_"

struct auth_tokens_entry {
    struct auth_token_info info;
    unsigned char hash[AUTH_TOKENS_HASH_BYTES];
    enum auth_role user_role; /* the user's role at the last read */
    bool dirty;               /* last-used changed since the last flush */
};

struct auth_tokens {
    sqlite3 *db;                       /* borrowed */
    pthread_mutex_t db_lock;           /* serialises create, revoke, sync, flush */
    pthread_mutex_t lock;              /* guards entries, count, cap */
    struct auth_tokens_entry *entries; /* owned; lock */
    size_t count, cap;                 /* lock */
};

/* A last-used value waiting to be written. */
struct auth_tokens_use {
    char id[AUTH_TOKEN_ID_LEN + 1];
    int64_t at;
    char from[64];
};

/* ---- pure helpers -------------------------------------------------------- */

static bool auth_tokens_is_b64url(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

int auth_tokens_parse(const char *text, char id[AUTH_TOKEN_ID_LEN + 1],
                      char secret[AUTH_TOKEN_SECRET_LEN + 1])
{
    static const size_t id_at = sizeof(AUTH_TOKENS_PREFIX) - 1;
    static const size_t secret_at = id_at + AUTH_TOKEN_ID_LEN + 1;

    if (!text || strnlen(text, AUTH_TOKEN_TEXT_LEN + 1) != AUTH_TOKEN_TEXT_LEN)
        return -1;
    if (memcmp(text, AUTH_TOKENS_PREFIX, id_at) != 0 || text[secret_at - 1] != '_')
        return -1;
    if (!auth_tokens_is_b64url(text + id_at, AUTH_TOKEN_ID_LEN) ||
        !auth_tokens_is_b64url(text + secret_at, AUTH_TOKEN_SECRET_LEN))
        return -1;
    memcpy(id, text + id_at, AUTH_TOKEN_ID_LEN);
    id[AUTH_TOKEN_ID_LEN] = '\0';
    memcpy(secret, text + secret_at, AUTH_TOKEN_SECRET_LEN);
    secret[AUTH_TOKEN_SECRET_LEN] = '\0';
    return 0;
}

const char *auth_tokens_bearer(const char *authorization)
{
    static const char scheme[] = "bearer ";

    if (!authorization || strncasecmp(authorization, scheme, sizeof(scheme) - 1) != 0)
        return NULL;
    authorization += sizeof(scheme) - 1;
    while (*authorization == ' ')
        authorization++;
    return authorization;
}

const char *auth_tokens_fault_message(enum auth_token_fault fault)
{
    switch (fault) {
    case AUTH_TOKEN_OK:
        return "ok";
    case AUTH_TOKEN_MALFORMED:
        return "malformed API token (expected Bearer vdt_<id>_<secret>)";
    case AUTH_TOKEN_UNKNOWN:
        return "unknown or revoked API token";
    case AUTH_TOKEN_EXPIRED:
        return "API token expired";
    }
    return "not logged in";
}

/* n random bytes as base64url without padding, into out (4 * ceil(n / 3) + 1 bytes). */
static int auth_tokens_random_b64url(size_t n, char *out)
{
    int ret = -1;
    unsigned char bytes[AUTH_TOKENS_SECRET_BYTES];
    int len;

    if (n > sizeof(bytes) || RAND_bytes(bytes, (int)n) != 1) {
        log_error("auth_tokens: RAND_bytes failed");
        goto cleanup;
    }
    len = EVP_EncodeBlock((unsigned char *)out, bytes, (int)n);
    while (len > 0 && out[len - 1] == '=')
        out[--len] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    ret = 0;

cleanup:
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return ret;
}

static int auth_tokens_hash(const char *secret, unsigned char out[AUTH_TOKENS_HASH_BYTES])
{
    unsigned int len = 0;

    if (EVP_Digest(secret, strlen(secret), out, &len, EVP_sha256(), NULL) != 1 ||
        len != AUTH_TOKENS_HASH_BYTES) {
        log_error("auth_tokens: SHA-256 failed");
        return -1;
    }
    return 0;
}

int auth_tokens_scope_parse(const char *text, enum auth_role *out)
{
    static const char *const names[] = {"read", "operate", "admin"};

    for (int i = 0; i < 3; i++) {
        if (text && !strcmp(text, names[i])) {
            *out = (enum auth_role)i;
            return 0;
        }
    }
    return -1;
}

const char *auth_tokens_scope_name(enum auth_role scope)
{
    switch (scope) {
    case AUTH_ROLE_VIEWER:
        return "read";
    case AUTH_ROLE_OPERATOR:
        return "operate";
    case AUTH_ROLE_ADMIN:
        return "admin";
    case AUTH_ROLE_USER:
        break;
    }
    return "unknown";
}

/* ---- the memory table (caller holds lock) ------------------------------- */

/* The rights a token gives: the lower of its scope and its user's role. */
static struct auth_tokens_entry *auth_tokens_find(struct auth_tokens *tokens, const char *id)
{
    for (size_t i = 0; i < tokens->count; i++)
        if (!strcmp(tokens->entries[i].info.id, id))
            return &tokens->entries[i];
    return NULL;
}

static void auth_tokens_append(struct auth_tokens_entry **entries, size_t *count, size_t *cap,
                               const struct auth_tokens_entry *e)
{
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *entries = xrealloc(*entries, *cap * sizeof(**entries));
    }
    (*entries)[(*count)++] = *e;
}

static void auth_tokens_entries_free(struct auth_tokens_entry *entries, size_t count)
{
    if (!entries)
        return;
    OPENSSL_cleanse(entries, count * sizeof(*entries));
    free(entries);
}

static bool auth_tokens_expired(const struct auth_token_info *info, int64_t now)
{
    return info->expires_s && now >= info->expires_s;
}

/* ---- the database ------------------------------------------------------- */

static void auth_tokens_text_col(sqlite3_stmt *stmt, int col, char *out, size_t outlen)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);

    snprintf(out, outlen, "%s", text ? (const char *)text : "");
}

/* Reads every token of an existing user into *out (owned by the caller). */
static int auth_tokens_db_load(sqlite3 *db, struct auth_tokens_entry **out, size_t *count)
{
    static const char sql[] =
        "SELECT t.id, t.username, t.name, t.scope, t.secret_hash, t.created_at, t.expires_at, "
        "t.last_used_at, t.last_used_from, u.role FROM tokens t JOIN users u ON "
        "u.name = t.username WHERE u.disabled = 0 ORDER BY t.created_at, t.id";
    sqlite3_stmt *stmt = NULL;
    struct auth_tokens_entry *entries = NULL;
    size_t n = 0, cap = 0;
    int ret = -1, rc;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct auth_tokens_entry e = {0};
        char scope[16], role[16];

        auth_tokens_text_col(stmt, 0, e.info.id, sizeof(e.info.id));
        auth_tokens_text_col(stmt, 1, e.info.username, sizeof(e.info.username));
        auth_tokens_text_col(stmt, 2, e.info.name, sizeof(e.info.name));
        auth_tokens_text_col(stmt, 3, scope, sizeof(scope));
        auth_tokens_text_col(stmt, 9, role, sizeof(role));
        if (sqlite3_column_bytes(stmt, 4) != AUTH_TOKENS_HASH_BYTES ||
            auth_tokens_scope_parse(scope, &e.info.scope) < 0 ||
            auth_role_parse(role, &e.user_role) < 0) {
            log_warn("auth_tokens: token %s has a malformed row; ignored", e.info.id);
            continue;
        }
        memcpy(e.hash, sqlite3_column_blob(stmt, 4), AUTH_TOKENS_HASH_BYTES);
        e.info.created_s = sqlite3_column_int64(stmt, 5);
        e.info.expires_s = sqlite3_column_int64(stmt, 6);
        e.info.last_used_s = sqlite3_column_int64(stmt, 7);
        auth_tokens_text_col(stmt, 8, e.info.last_used_from, sizeof(e.info.last_used_from));
        auth_tokens_append(&entries, &n, &cap, &e);
        OPENSSL_cleanse(&e, sizeof(e));
    }
    if (rc != SQLITE_DONE)
        goto cleanup;
    *out = entries;
    *count = n;
    entries = NULL;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("auth_tokens: cannot read tokens: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    auth_tokens_entries_free(entries, n);
    return ret;
}

static int auth_tokens_db_insert(sqlite3 *db, const struct auth_tokens_entry *e)
{
    static const char sql[] = "INSERT INTO tokens (id, username, name, scope, secret_hash, "
                              "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, e->info.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, e->info.username, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, e->info.name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, auth_tokens_scope_name(e->info.scope), -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 5, e->hash, AUTH_TOKENS_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 6, e->info.created_s);
    if (e->info.expires_s)
        sqlite3_bind_int64(stmt, 7, e->info.expires_s);
    else
        sqlite3_bind_null(stmt, 7);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("auth_tokens: cannot store token %s: %s", e->info.id, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* Runs sql with id bound to ?1 and, if from is not NULL, at/from to ?2/?3. */
static int auth_tokens_db_row(sqlite3 *db, const char *sql, const char *id, int64_t at,
                              const char *from)
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (from) {
        sqlite3_bind_int64(stmt, 2, at);
        sqlite3_bind_text(stmt, 3, from, -1, SQLITE_STATIC);
    }
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("auth_tokens: token %s: %s", id, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* The user's role, from the database. 1 found, 0 no such user, -1 error. */
static int auth_tokens_db_role(sqlite3 *db, const char *username, enum auth_role *role)
{
    sqlite3_stmt *stmt = NULL;
    int ret = -1, rc;

    if (sqlite3_prepare_v2(db, "SELECT role FROM users WHERE name = ? AND disabled = 0", -1, &stmt,
                           NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, username, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE)
        ret = 0;
    else if (rc == SQLITE_ROW)
        ret = auth_role_parse((const char *)sqlite3_column_text(stmt, 0), role) < 0 ? -1 : 1;

cleanup:
    if (ret < 0)
        log_error("auth_tokens: cannot read user %s: %s", username, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* ---- public ------------------------------------------------------------- */

struct auth_tokens *auth_tokens_new(sqlite3 *db)
{
    struct auth_tokens *tokens = xcalloc(1, sizeof(*tokens));

    tokens->db = db;
    pthread_mutex_init(&tokens->db_lock, NULL);
    pthread_mutex_init(&tokens->lock, NULL);
    if (auth_tokens_db_load(db, &tokens->entries, &tokens->count) < 0) {
        auth_tokens_free(tokens);
        return NULL;
    }
    tokens->cap = tokens->count;
    return tokens;
}

void auth_tokens_free(struct auth_tokens *tokens)
{
    if (!tokens)
        return;
    auth_tokens_flush(tokens);
    auth_tokens_entries_free(tokens->entries, tokens->count);
    pthread_mutex_destroy(&tokens->lock);
    pthread_mutex_destroy(&tokens->db_lock);
    free(tokens);
}

static size_t auth_tokens_count_of(struct auth_tokens *tokens, const char *username)
{
    size_t n = 0;

    pthread_mutex_lock(&tokens->lock);
    for (size_t i = 0; i < tokens->count; i++)
        n += !strcmp(tokens->entries[i].info.username, username);
    pthread_mutex_unlock(&tokens->lock);
    return n;
}

int auth_tokens_create(struct auth_tokens *tokens, const char *username, const char *name,
                       enum auth_role scope, int64_t expires_s,
                       char text_out[AUTH_TOKEN_TEXT_LEN + 1], struct auth_token_info *out,
                       struct app_error *err)
{
    struct auth_tokens_entry e = {0};
    char secret[AUTH_TOKEN_SECRET_LEN + 2] = "";
    int ret = -1, found;

    pthread_mutex_lock(&tokens->db_lock);
    if (auth_tokens_count_of(tokens, username) >= AUTH_TOKENS_PER_USER_MAX) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "at most %d API tokens per user; revoke one",
                      AUTH_TOKENS_PER_USER_MAX);
        goto cleanup;
    }
    if ((found = auth_tokens_db_role(tokens->db, username, &e.user_role)) <= 0) {
        if (found == 0)
            app_error_set(err, 404, APP_ERR_NOT_FOUND, "no such user");
        else
            app_error_set(err, 500, APP_ERR_INTERNAL, "database error");
        goto cleanup;
    }
    if (auth_tokens_random_b64url(AUTH_TOKENS_ID_BYTES, e.info.id) < 0 ||
        auth_tokens_random_b64url(AUTH_TOKENS_SECRET_BYTES, secret) < 0 ||
        auth_tokens_hash(secret, e.hash) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot make a token");
        goto cleanup;
    }
    snprintf(e.info.username, sizeof(e.info.username), "%s", username);
    snprintf(e.info.name, sizeof(e.info.name), "%s", name);
    e.info.scope = scope;
    e.info.created_s = clock_wall_s();
    e.info.expires_s = expires_s;
    if (auth_tokens_db_insert(tokens->db, &e) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error");
        goto cleanup;
    }
    pthread_mutex_lock(&tokens->lock);
    auth_tokens_append(&tokens->entries, &tokens->count, &tokens->cap, &e);
    pthread_mutex_unlock(&tokens->lock);
    snprintf(text_out, AUTH_TOKEN_TEXT_LEN + 1, AUTH_TOKENS_PREFIX "%.*s_%.*s", AUTH_TOKEN_ID_LEN,
             e.info.id, AUTH_TOKEN_SECRET_LEN, secret);
    *out = e.info;
    ret = 0;

cleanup:
    pthread_mutex_unlock(&tokens->db_lock);
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(&e, sizeof(e));
    return ret;
}

int auth_tokens_revoke(struct auth_tokens *tokens, const char *id, const char *owner,
                       struct app_error *err)
{
    struct auth_tokens_entry *e;
    int ret = -1;

    pthread_mutex_lock(&tokens->db_lock);
    pthread_mutex_lock(&tokens->lock);
    e = auth_tokens_find(tokens, id);
    if (e && owner && strcmp(e->info.username, owner) != 0)
        e = NULL;
    if (e) { /* keeps the order (oldest first) */
        size_t after = tokens->count - (size_t)(e - tokens->entries) - 1;
        OPENSSL_cleanse(e, sizeof(*e));
        memmove(e, e + 1, after * sizeof(*e));
        tokens->count--;
        OPENSSL_cleanse(&tokens->entries[tokens->count], sizeof(*e)); /* the moved-out copy */
    }
    pthread_mutex_unlock(&tokens->lock);
    if (!e) {
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no such API token");
        goto cleanup;
    }
    if (auth_tokens_db_row(tokens->db, "DELETE FROM tokens WHERE id = ?", id, 0, NULL) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error");
        goto cleanup;
    }
    ret = 0;

cleanup:
    pthread_mutex_unlock(&tokens->db_lock);
    return ret;
}

enum auth_token_fault auth_tokens_lookup(struct auth_tokens *tokens, const char *text,
                                         const char *peer, struct auth_session *out)
{
    char id[AUTH_TOKEN_ID_LEN + 1], secret[AUTH_TOKEN_SECRET_LEN + 1];
    unsigned char hash[AUTH_TOKENS_HASH_BYTES];
    enum auth_token_fault fault = AUTH_TOKEN_MALFORMED;
    struct auth_tokens_entry *e;
    int64_t now = clock_wall_s();

    if (auth_tokens_parse(text, id, secret) < 0)
        goto cleanup;
    fault = AUTH_TOKEN_UNKNOWN;
    if (auth_tokens_hash(secret, hash) < 0)
        goto cleanup;
    pthread_mutex_lock(&tokens->lock);
    e = auth_tokens_find(tokens, id);
    if (e && CRYPTO_memcmp(e->hash, hash, sizeof(hash)) == 0) {
        fault = auth_tokens_expired(&e->info, now) ? AUTH_TOKEN_EXPIRED : AUTH_TOKEN_OK;
    }
    if (fault == AUTH_TOKEN_OK) {
        memset(out, 0, sizeof(*out));
        memcpy(out->username, e->info.username, sizeof(out->username));
        out->role = e->user_role; /* capped by the scope: a token never exceeds its user */
        out->scope = auth_policy_token_scope(e->info.scope);
        snprintf(out->id, sizeof(out->id), AUTH_TOKEN_SESSION_PREFIX "%s", e->info.id);
        memcpy(out->token_id, e->info.id, sizeof(out->token_id));
        out->created_s = e->info.created_s;
        out->last_seen_s = now;
        out->expires_s = e->info.expires_s;
        e->info.last_used_s = now;
        snprintf(e->info.last_used_from, sizeof(e->info.last_used_from), "%s", peer ? peer : "");
        e->dirty = true;
    }
    pthread_mutex_unlock(&tokens->lock);

cleanup:
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(hash, sizeof(hash));
    return fault;
}

bool auth_tokens_alive(struct auth_tokens *tokens, const char *session_id,
                       enum auth_role opened_role)
{
    static const size_t prefix = sizeof(AUTH_TOKEN_SESSION_PREFIX) - 1;
    const struct auth_tokens_entry *e;
    bool alive;

    if (!session_id || strncmp(session_id, AUTH_TOKEN_SESSION_PREFIX, prefix) != 0)
        return false;
    pthread_mutex_lock(&tokens->lock);
    e = auth_tokens_find(tokens, session_id + prefix);
    alive = e && !auth_tokens_expired(&e->info, clock_wall_s()) && e->user_role == opened_role;
    pthread_mutex_unlock(&tokens->lock);
    return alive;
}

size_t auth_tokens_foreach(struct auth_tokens *tokens, const char *username,
                           void (*fn)(const struct auth_token_info *info, void *ctx), void *ctx)
{
    size_t n = 0;

    pthread_mutex_lock(&tokens->lock);
    for (size_t i = 0; i < tokens->count; i++) {
        if (username && strcmp(tokens->entries[i].info.username, username) != 0)
            continue;
        fn(&tokens->entries[i].info, ctx);
        n++;
    }
    pthread_mutex_unlock(&tokens->lock);
    return n;
}

int auth_tokens_sync(struct auth_tokens *tokens)
{
    struct auth_tokens_entry *fresh = NULL, *stale;
    size_t n = 0, stale_n;
    int ret = -1;

    pthread_mutex_lock(&tokens->db_lock);
    if (auth_tokens_db_load(tokens->db, &fresh, &n) < 0)
        goto cleanup;
    pthread_mutex_lock(&tokens->lock);
    for (size_t i = 0; i < n; i++) {
        const struct auth_tokens_entry *old = auth_tokens_find(tokens, fresh[i].info.id);
        if (old && old->info.last_used_s > fresh[i].info.last_used_s) {
            fresh[i].info.last_used_s = old->info.last_used_s;
            memcpy(fresh[i].info.last_used_from, old->info.last_used_from,
                   sizeof(fresh[i].info.last_used_from));
            fresh[i].dirty = old->dirty;
        }
    }
    stale = tokens->entries;
    stale_n = tokens->count;
    tokens->entries = fresh;
    tokens->count = tokens->cap = n;
    pthread_mutex_unlock(&tokens->lock);
    auth_tokens_entries_free(stale, stale_n);
    ret = 0;

cleanup:
    pthread_mutex_unlock(&tokens->db_lock);
    return ret;
}

void auth_tokens_flush(struct auth_tokens *tokens)
{
    static const char sql[] = "UPDATE tokens SET last_used_at = ?2, last_used_from = ?3 "
                              "WHERE id = ?1";
    struct auth_tokens_use *uses = NULL;
    size_t n = 0;

    pthread_mutex_lock(&tokens->db_lock);
    pthread_mutex_lock(&tokens->lock);
    if (tokens->count)
        uses = xcalloc(tokens->count, sizeof(*uses));
    for (size_t i = 0; i < tokens->count; i++) {
        struct auth_tokens_entry *e = &tokens->entries[i];
        if (!e->dirty)
            continue;
        e->dirty = false;
        memcpy(uses[n].id, e->info.id, sizeof(uses[n].id));
        uses[n].at = e->info.last_used_s;
        memcpy(uses[n].from, e->info.last_used_from, sizeof(uses[n].from));
        n++;
    }
    pthread_mutex_unlock(&tokens->lock);
    for (size_t i = 0; i < n; i++)
        (void)auth_tokens_db_row(tokens->db, sql, uses[i].id, uses[i].at, uses[i].from);
    pthread_mutex_unlock(&tokens->db_lock);
    free(uses);
}
