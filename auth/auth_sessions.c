/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_sessions: the session table (see auth_sessions.h).
 *
 * Threads: lookup/alive/csrf_ok run on the service thread and touch memory only;
 * create/destroy/destroy_user/expire/new/free also write SQLite and belong on workers
 * (or the main thread); sync reads SQLite on the store-watch thread. `lock` guards the
 * hash table and every entry in it; it is never held across a database call, so the
 * service thread never waits on the disk.
 *
 * Invariants:
 * - Only SHA-256(token) (hex) is stored, in memory and on disk. The raw token exists
 *   only in auth_sessions_create's locals (wiped) and the caller's buffer.
 * - The table is keyed by that hash; its first 16 hex chars are the session id and
 *   also pick the bucket (they are uniformly random), so lookups by token and by id
 *   are both O(1) without a second index.
 * - A row is written before its entry becomes visible in memory, and a destroyed
 *   entry leaves memory before its row is deleted.
 * - last_seen is written back at most once a minute per session (and on free), so a
 *   busy UI does not turn every request into a disk write. Database expiry therefore
 *   allows that minute of slack on the idle timeout.
 * - Rows that vanish from the database behind our back (`virtdeck user del/passwd`
 *   run while the daemon is up) are dropped from memory by auth_sessions_sync (the
 *   store-watch thread calls it within 250 ms of the other process's commit) and, as
 *   a backstop, by auth_sessions_expire. An entry inserted after the row query began
 *   is never dropped by it (`gen`): its row may be newer than the query. */
#include "auth_sessions.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define AUTH_SESSIONS_TOKEN_BYTES  32
#define AUTH_SESSIONS_ID_LEN       16
#define AUTH_SESSIONS_FLUSH_S      60
#define AUTH_SESSIONS_PER_USER_MAX 64
#define AUTH_SESSIONS_MIN_BUCKETS  64

struct auth_sessions_entry {
    struct auth_sessions_entry *next; /* owned by the bucket chain */
    char token_hash[AUTH_TOKEN_HEX_LEN + 1];
    char username[AUTH_USERNAME_MAX + 1];
    enum auth_role role;
    char csrf_token[AUTH_TOKEN_HEX_LEN + 1];
    int64_t created_s;
    int64_t last_seen_s;
    int64_t persisted_s; /* last_seen as the database has it */
    char address[AUTH_SESSION_ADDRESS_MAX];
    char user_agent[AUTH_SESSION_AGENT_MAX];
    bool totp_pending;
    uint64_t gen; /* insertion order, for auth_sessions_reconcile */
};

struct auth_sessions {
    pthread_mutex_t lock;
    sqlite3 *db;        /* borrowed */
    _Atomic int idle_s; /* any thread; auth_sessions_set_limits changes them (SIGHUP) */
    _Atomic int max_s;
    struct auth_sessions_entry **buckets; /* owned; guarded by lock */
    size_t nbuckets;                      /* power of two; guarded by lock */
    size_t count;                         /* guarded by lock */
    uint64_t gen;                         /* guarded by lock */
};

/* A last_seen update waiting to be written. */
struct auth_sessions_flush {
    char token_hash[AUTH_TOKEN_HEX_LEN + 1];
    int64_t last_seen_s;
};

/* ---- small helpers ------------------------------------------------------ */

static bool auth_sessions_is_hex(const char *s, size_t len)
{
    if (!s)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return s[len] == '\0';
}

static void auth_sessions_to_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

static int auth_sessions_hash_token(const char *token, char out[AUTH_TOKEN_HEX_LEN + 1])
{
    int ret = -1;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(token, strlen(token), md, &md_len, EVP_sha256(), NULL) != 1 ||
        md_len * 2 != AUTH_TOKEN_HEX_LEN) {
        log_error("auth_sessions: SHA-256 failed");
        goto cleanup;
    }
    auth_sessions_to_hex(md, md_len, out);
    ret = 0;

cleanup:
    OPENSSL_cleanse(md, sizeof(md));
    return ret;
}

static int auth_sessions_random_hex(char out[AUTH_TOKEN_HEX_LEN + 1])
{
    int ret = -1;
    unsigned char bytes[AUTH_SESSIONS_TOKEN_BYTES];

    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        log_error("auth_sessions: RAND_bytes failed");
        goto cleanup;
    }
    auth_sessions_to_hex(bytes, sizeof(bytes), out);
    ret = 0;

cleanup:
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return ret;
}

/* The bucket for a hash or an id: its first 16 hex chars, read as a number. */
static size_t auth_sessions_bucket(const struct auth_sessions *sessions, const char *hex)
{
    uint64_t v = 0;

    for (int i = 0; i < AUTH_SESSIONS_ID_LEN; i++) {
        char c = hex[i];
        v = (v << 4) | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return (size_t)(v & (sessions->nbuckets - 1));
}

static int64_t auth_sessions_expires(const struct auth_sessions *sessions,
                                     const struct auth_sessions_entry *e)
{
    int64_t idle = e->last_seen_s + sessions->idle_s;
    int64_t max = e->created_s + sessions->max_s;

    return idle < max ? idle : max;
}

static void auth_sessions_entry_free(struct auth_sessions_entry *e)
{
    if (!e)
        return;
    OPENSSL_cleanse(e, sizeof(*e));
    free(e);
}

static void auth_sessions_copy_out(const struct auth_sessions *sessions,
                                   const struct auth_sessions_entry *e, struct auth_session *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    memcpy(out->username, e->username, sizeof(out->username));
    out->role = e->role;
    memcpy(out->csrf_token, e->csrf_token, sizeof(out->csrf_token));
    memcpy(out->id, e->token_hash, AUTH_SESSIONS_ID_LEN);
    out->id[AUTH_SESSIONS_ID_LEN] = '\0';
    out->created_s = e->created_s;
    out->last_seen_s = e->last_seen_s;
    out->expires_s = auth_sessions_expires(sessions, e);
    memcpy(out->address, e->address, sizeof(out->address));
    memcpy(out->user_agent, e->user_agent, sizeof(out->user_agent));
    out->totp_pending = e->totp_pending;
}

/* ---- the hash table (caller holds lock) --------------------------------- */

static struct auth_sessions_entry *auth_sessions_find(struct auth_sessions *sessions,
                                                      const char *token_hash)
{
    struct auth_sessions_entry *e = sessions->buckets[auth_sessions_bucket(sessions, token_hash)];

    while (e && strcmp(e->token_hash, token_hash) != 0)
        e = e->next;
    return e;
}

/* Unlinks and returns the entry for token_hash, or NULL. */
static struct auth_sessions_entry *auth_sessions_unlink(struct auth_sessions *sessions,
                                                        const char *token_hash)
{
    struct auth_sessions_entry **pp =
        &sessions->buckets[auth_sessions_bucket(sessions, token_hash)];
    struct auth_sessions_entry *e;

    while ((e = *pp)) {
        if (strcmp(e->token_hash, token_hash) == 0) {
            *pp = e->next;
            e->next = NULL;
            sessions->count--;
            return e;
        }
        pp = &e->next;
    }
    return NULL;
}

static void auth_sessions_grow(struct auth_sessions *sessions)
{
    struct auth_sessions_entry **old = sessions->buckets;
    size_t old_n = sessions->nbuckets;

    sessions->nbuckets = old_n * 2;
    sessions->buckets = xcalloc(sessions->nbuckets, sizeof(*sessions->buckets));
    for (size_t i = 0; i < old_n; i++) {
        struct auth_sessions_entry *e = old[i];
        while (e) {
            struct auth_sessions_entry *next = e->next;
            size_t b = auth_sessions_bucket(sessions, e->token_hash);
            e->next = sessions->buckets[b];
            sessions->buckets[b] = e;
            e = next;
        }
    }
    free(old);
}

static void auth_sessions_insert(struct auth_sessions *sessions, struct auth_sessions_entry *e)
{
    size_t b;

    if (sessions->count >= sessions->nbuckets)
        auth_sessions_grow(sessions);
    b = auth_sessions_bucket(sessions, e->token_hash);
    e->gen = ++sessions->gen;
    e->next = sessions->buckets[b];
    sessions->buckets[b] = e;
    sessions->count++;
}

/* Removes every entry for which drop(e, ctx) is true. */
static void auth_sessions_remove_if(struct auth_sessions *sessions,
                                    bool (*drop)(const struct auth_sessions_entry *e, void *ctx),
                                    void *ctx)
{
    for (size_t i = 0; i < sessions->nbuckets; i++) {
        struct auth_sessions_entry **pp = &sessions->buckets[i];
        struct auth_sessions_entry *e;
        while ((e = *pp)) {
            if (drop(e, ctx)) {
                *pp = e->next;
                sessions->count--;
                auth_sessions_entry_free(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

/* ---- database ----------------------------------------------------------- */

/* Finalizes stmt, logging db's error first when ret < 0. Returns ret. */
static int auth_sessions_db_end(sqlite3 *db, sqlite3_stmt *stmt, int ret)
{
    if (ret < 0)
        log_error("auth_sessions: database error: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ret;
}

/* Runs sql with one text parameter. Returns 0 or -1 (logged). */
static int auth_sessions_db_run(sqlite3 *db, const char *sql, const char *text)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    if (text)
        sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    return auth_sessions_db_end(db, stmt, ret);
}

/* Deletes the rows whose session is over at now. slack_s widens the idle timeout to
 * cover last_seen values not yet written back. */
static int auth_sessions_db_expire(struct auth_sessions *sessions, int64_t now, int slack_s)
{
    static const char sql[] = "DELETE FROM sessions WHERE last_seen + ?1 <= ?3 "
                              "OR created_at + ?2 <= ?3";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(sessions->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, (int64_t)sessions->idle_s + slack_s);
    sqlite3_bind_int64(stmt, 2, sessions->max_s);
    sqlite3_bind_int64(stmt, 3, now);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    return auth_sessions_db_end(sessions->db, stmt, ret);
}

static int auth_sessions_db_insert(struct auth_sessions *sessions,
                                   const struct auth_sessions_entry *e)
{
    static const char sql[] = "INSERT INTO sessions (token_hash, username, role, csrf_token, "
                              "created_at, last_seen, address, user_agent, totp_pending) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(sessions->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_bind_text(stmt, 1, e->token_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, e->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, auth_role_name(e->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, e->csrf_token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 5, e->created_s);
    sqlite3_bind_int64(stmt, 6, e->last_seen_s);
    sqlite3_bind_text(stmt, 7, e->address, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 8, e->user_agent, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 9, e->totp_pending);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    if (ret < 0)
        log_error("auth_sessions: cannot store a session for %s: %s", e->username,
                  sqlite3_errmsg(sessions->db));
    sqlite3_finalize(stmt);
    return ret;
}

static void auth_sessions_db_flush(struct auth_sessions *sessions,
                                   const struct auth_sessions_flush *items, size_t n)
{
    static const char sql[] = "UPDATE sessions SET last_seen = ? WHERE token_hash = ?";
    sqlite3_stmt *stmt = NULL;

    if (n == 0)
        return;
    if (sqlite3_prepare_v2(sessions->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    sqlite3_exec(sessions->db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(stmt, 1, items[i].last_seen_s);
        sqlite3_bind_text(stmt, 2, items[i].token_hash, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            log_warn("auth_sessions: cannot save last-seen: %s", sqlite3_errmsg(sessions->db));
        sqlite3_reset(stmt);
    }
    sqlite3_exec(sessions->db, "COMMIT", NULL, NULL, NULL);

cleanup:
    sqlite3_finalize(stmt);
}

/* Copies a session's origin into e: the address as given, the User-Agent cut to fit
 * and to its printable ASCII (it is shown in the UI as text). */
static void auth_sessions_set_origin(struct auth_sessions_entry *e, const char *address,
                                     const char *user_agent, bool totp_pending)
{
    size_t n = 0;

    snprintf(e->address, sizeof(e->address), "%s", address ? address : "");
    for (const char *p = user_agent; p && *p && n + 1 < sizeof(e->user_agent); p++)
        e->user_agent[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
    e->user_agent[n] = '\0';
    e->totp_pending = totp_pending;
}

/* Drops expired rows and loads the live ones. Called before the table is shared. */
static int auth_sessions_load(struct auth_sessions *sessions)
{
    static const char sql[] = "SELECT token_hash, username, role, csrf_token, created_at, "
                              "last_seen, address, user_agent, totp_pending FROM sessions";
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    int64_t now = clock_wall_s();
    int rc;

    /* With the write-back slack: a running daemon (when this is the CLI) may have
     * seen these sessions more recently than their rows say. */
    if (auth_sessions_db_expire(sessions, now, AUTH_SESSIONS_FLUSH_S) < 0)
        goto cleanup;
    if (sqlite3_prepare_v2(sessions->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        log_error("auth_sessions: database error: %s", sqlite3_errmsg(sessions->db));
        goto cleanup;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(stmt, 0);
        const char *user = (const char *)sqlite3_column_text(stmt, 1);
        const char *role = (const char *)sqlite3_column_text(stmt, 2);
        const char *csrf = (const char *)sqlite3_column_text(stmt, 3);
        struct auth_sessions_entry *e;
        enum auth_role r;

        if (!auth_sessions_is_hex(hash, AUTH_TOKEN_HEX_LEN) ||
            !auth_sessions_is_hex(csrf, AUTH_TOKEN_HEX_LEN) || !auth_users_name_valid(user) ||
            auth_role_parse(role, &r) < 0) {
            log_warn("auth_sessions: skipping a malformed session row");
            continue;
        }
        if (auth_sessions_find(sessions, hash))
            continue;
        e = xcalloc(1, sizeof(*e));
        memcpy(e->token_hash, hash, AUTH_TOKEN_HEX_LEN + 1);
        memcpy(e->username, user, strlen(user) + 1);
        e->role = r;
        memcpy(e->csrf_token, csrf, AUTH_TOKEN_HEX_LEN + 1);
        e->created_s = sqlite3_column_int64(stmt, 4);
        e->last_seen_s = sqlite3_column_int64(stmt, 5);
        e->persisted_s = e->last_seen_s;
        auth_sessions_set_origin(e, (const char *)sqlite3_column_text(stmt, 6),
                                 (const char *)sqlite3_column_text(stmt, 7),
                                 sqlite3_column_int(stmt, 8) != 0);
        if (now >= auth_sessions_expires(sessions, e)) {
            auth_sessions_entry_free(e); /* its row goes at a later expire */
            continue;
        }
        auth_sessions_insert(sessions, e);
    }
    if (rc != SQLITE_DONE) {
        log_error("auth_sessions: database error: %s", sqlite3_errmsg(sessions->db));
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

/* ---- public API --------------------------------------------------------- */

struct auth_sessions *auth_sessions_new(sqlite3 *db, int idle_s, int max_s)
{
    struct auth_sessions *sessions = NULL;
    struct auth_sessions *out = NULL;

    if (!db || idle_s <= 0 || max_s <= 0) {
        log_error("auth_sessions: invalid arguments");
        goto cleanup;
    }
    sessions = xcalloc(1, sizeof(*sessions));
    pthread_mutex_init(&sessions->lock, NULL);
    sessions->db = db;
    sessions->idle_s = idle_s;
    sessions->max_s = max_s;
    sessions->nbuckets = AUTH_SESSIONS_MIN_BUCKETS;
    sessions->buckets = xcalloc(sessions->nbuckets, sizeof(*sessions->buckets));
    if (auth_sessions_load(sessions) < 0)
        goto cleanup;
    log_debug("auth_sessions: %zu sessions loaded", sessions->count);
    out = sessions;
    sessions = NULL;

cleanup:
    auth_sessions_free(sessions);
    return out;
}

static bool auth_sessions_drop_all(const struct auth_sessions_entry *e, void *ctx)
{
    return true;
}

/* Collects (and marks as written) last_seen values that differ from the database by
 * at least min_age_s. Caller holds lock; *n_out items, caller frees the array. */
static struct auth_sessions_flush *auth_sessions_collect_flush(struct auth_sessions *sessions,
                                                               int64_t min_age_s, size_t *n_out)
{
    struct auth_sessions_flush *items = xcalloc(sessions->count + 1, sizeof(*items));
    size_t n = 0;

    for (size_t i = 0; i < sessions->nbuckets; i++) {
        for (struct auth_sessions_entry *e = sessions->buckets[i]; e; e = e->next) {
            if (e->last_seen_s == e->persisted_s || e->last_seen_s - e->persisted_s < min_age_s)
                continue;
            memcpy(items[n].token_hash, e->token_hash, sizeof(items[n].token_hash));
            items[n].last_seen_s = e->last_seen_s;
            e->persisted_s = e->last_seen_s;
            n++;
        }
    }
    *n_out = n;
    return items;
}

void auth_sessions_set_limits(struct auth_sessions *sessions, int idle_s, int max_s)
{
    if (idle_s > 0)
        sessions->idle_s = idle_s;
    if (max_s > 0)
        sessions->max_s = max_s;
}

void auth_sessions_free(struct auth_sessions *sessions)
{
    struct auth_sessions_flush *items;
    size_t n = 0;

    if (!sessions)
        return;
    /* No other thread may use the table any more; the lock is taken for form. */
    pthread_mutex_lock(&sessions->lock);
    items = auth_sessions_collect_flush(sessions, 0, &n);
    pthread_mutex_unlock(&sessions->lock);
    auth_sessions_db_flush(sessions, items, n);
    free(items);
    auth_sessions_remove_if(sessions, auth_sessions_drop_all, NULL);
    free(sessions->buckets);
    pthread_mutex_destroy(&sessions->lock);
    free(sessions);
}

/* Keeps a user under AUTH_SESSIONS_PER_USER_MAX sessions: if they are at the limit,
 * unlinks and returns their least recently seen one (caller frees it and deletes its
 * row), else NULL. Caller holds lock. */
static struct auth_sessions_entry *auth_sessions_make_room(struct auth_sessions *sessions,
                                                           const char *username)
{
    struct auth_sessions_entry *oldest = NULL;
    size_t count = 0;

    for (size_t i = 0; i < sessions->nbuckets; i++) {
        for (struct auth_sessions_entry *e = sessions->buckets[i]; e; e = e->next) {
            if (strcmp(e->username, username) != 0)
                continue;
            count++;
            if (!oldest || e->last_seen_s < oldest->last_seen_s)
                oldest = e;
        }
    }
    if (count < AUTH_SESSIONS_PER_USER_MAX)
        return NULL;
    return auth_sessions_unlink(sessions, oldest->token_hash);
}

int auth_sessions_create(struct auth_sessions *sessions, const char *username, enum auth_role role,
                         char token_out[AUTH_TOKEN_HEX_LEN + 1], struct auth_session *out)
{
    return auth_sessions_create_from(sessions, username, role, NULL, token_out, out);
}

int auth_sessions_create_from(struct auth_sessions *sessions, const char *username,
                              enum auth_role role, const struct auth_session_origin *origin,
                              char token_out[AUTH_TOKEN_HEX_LEN + 1], struct auth_session *out)
{
    int ret = -1;
    struct auth_sessions_entry *e = NULL;
    struct auth_sessions_entry *evicted = NULL;
    char token[AUTH_TOKEN_HEX_LEN + 1];

    if (!sessions || !auth_users_name_valid(username) ||
        strcmp(auth_role_name(role), "unknown") == 0) {
        log_error("auth_sessions: invalid session arguments");
        goto cleanup;
    }
    e = xcalloc(1, sizeof(*e));
    if (auth_sessions_random_hex(token) < 0 || auth_sessions_random_hex(e->csrf_token) < 0 ||
        auth_sessions_hash_token(token, e->token_hash) < 0)
        goto cleanup;
    memcpy(e->username, username, strlen(username) + 1);
    e->role = role;
    e->created_s = clock_wall_s();
    e->last_seen_s = e->created_s;
    e->persisted_s = e->created_s;
    if (origin)
        auth_sessions_set_origin(e, origin->address, origin->user_agent, origin->totp_pending);
    if (auth_sessions_db_insert(sessions, e) < 0)
        goto cleanup;

    pthread_mutex_lock(&sessions->lock);
    evicted = auth_sessions_make_room(sessions, username);
    auth_sessions_insert(sessions, e);
    auth_sessions_copy_out(sessions, e, out);
    pthread_mutex_unlock(&sessions->lock);
    e = NULL;

    if (evicted) {
        log_info("auth_sessions: user %s has too many sessions; ending session %.16s", username,
                 evicted->token_hash);
        auth_sessions_db_run(sessions->db, "DELETE FROM sessions WHERE token_hash = ?",
                             evicted->token_hash);
    }
    memcpy(token_out, token, sizeof(token));
    ret = 0;

cleanup:
    OPENSSL_cleanse(token, sizeof(token));
    auth_sessions_entry_free(e);
    auth_sessions_entry_free(evicted);
    return ret;
}

bool auth_sessions_lookup(struct auth_sessions *sessions, const char *token,
                          struct auth_session *out)
{
    char hash[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_sessions_entry *e;
    struct auth_sessions_entry *expired = NULL;
    bool found = false;
    int64_t now;

    if (!sessions || !auth_sessions_is_hex(token, AUTH_TOKEN_HEX_LEN) ||
        auth_sessions_hash_token(token, hash) < 0)
        goto cleanup;
    now = clock_wall_s();
    pthread_mutex_lock(&sessions->lock);
    e = auth_sessions_find(sessions, hash);
    if (e && now >= auth_sessions_expires(sessions, e)) {
        /* Its row goes at the next auth_sessions_expire: no disk I/O here. */
        expired = auth_sessions_unlink(sessions, hash);
    } else if (e) {
        if (now > e->last_seen_s)
            e->last_seen_s = now;
        auth_sessions_copy_out(sessions, e, out);
        found = true;
    }
    pthread_mutex_unlock(&sessions->lock);

cleanup:
    auth_sessions_entry_free(expired);
    return found;
}

size_t auth_sessions_count(struct auth_sessions *sessions)
{
    size_t n;

    pthread_mutex_lock(&sessions->lock);
    n = sessions->count;
    pthread_mutex_unlock(&sessions->lock);
    return n;
}

bool auth_sessions_alive(struct auth_sessions *sessions, const char *id)
{
    bool alive = false;
    int64_t now;

    if (!sessions || !auth_sessions_is_hex(id, AUTH_SESSIONS_ID_LEN))
        goto cleanup;
    now = clock_wall_s();
    pthread_mutex_lock(&sessions->lock);
    for (struct auth_sessions_entry *e = sessions->buckets[auth_sessions_bucket(sessions, id)]; e;
         e = e->next) {
        if (memcmp(e->token_hash, id, AUTH_SESSIONS_ID_LEN) == 0 &&
            now < auth_sessions_expires(sessions, e)) {
            alive = true;
            break;
        }
    }
    pthread_mutex_unlock(&sessions->lock);

cleanup:
    return alive;
}

void auth_sessions_destroy(struct auth_sessions *sessions, const char *token)
{
    char hash[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_sessions_entry *e;

    if (!sessions || !auth_sessions_is_hex(token, AUTH_TOKEN_HEX_LEN) ||
        auth_sessions_hash_token(token, hash) < 0)
        return;
    pthread_mutex_lock(&sessions->lock);
    e = auth_sessions_unlink(sessions, hash);
    pthread_mutex_unlock(&sessions->lock);
    auth_sessions_entry_free(e);
    auth_sessions_db_run(sessions->db, "DELETE FROM sessions WHERE token_hash = ?", hash);
}

static bool auth_sessions_drop_user(const struct auth_sessions_entry *e, void *ctx)
{
    return strcmp(e->username, (const char *)ctx) == 0;
}

void auth_sessions_destroy_user(struct auth_sessions *sessions, const char *username)
{
    if (!sessions || !username)
        return;
    pthread_mutex_lock(&sessions->lock);
    auth_sessions_remove_if(sessions, auth_sessions_drop_user, (void *)username);
    pthread_mutex_unlock(&sessions->lock);
    auth_sessions_db_run(sessions->db, "DELETE FROM sessions WHERE username = ?", username);
}

static int auth_sessions_created_cmp(const void *a, const void *b)
{
    const struct auth_session *x = a, *y = b;

    if (x->created_s != y->created_s)
        return x->created_s < y->created_s ? -1 : 1;
    return strcmp(x->id, y->id);
}

size_t auth_sessions_list_user(struct auth_sessions *sessions, const char *username,
                               struct auth_session **out)
{
    size_t n = 0, cap = 0;
    int64_t now = clock_wall_s();

    *out = NULL;
    if (!sessions || !username)
        return 0;
    pthread_mutex_lock(&sessions->lock);
    for (size_t i = 0; i < sessions->nbuckets; i++) {
        for (struct auth_sessions_entry *e = sessions->buckets[i]; e; e = e->next) {
            if (strcmp(e->username, username) != 0 || now >= auth_sessions_expires(sessions, e))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                *out = xrealloc(*out, cap * sizeof(**out));
            }
            auth_sessions_copy_out(sessions, e, &(*out)[n++]);
        }
    }
    pthread_mutex_unlock(&sessions->lock);
    if (n)
        qsort(*out, n, sizeof(**out), auth_sessions_created_cmp);
    return n;
}

/* The hashes auth_sessions_destroy_others ends: username's, but not keep (an id). */
struct auth_sessions_others {
    const char *username;                   /* borrowed */
    const char *keep;                       /* borrowed: an id, or "" */
    char (*hashes)[AUTH_TOKEN_HEX_LEN + 1]; /* owned: what was dropped */
    size_t n;
};

static bool auth_sessions_drop_other(const struct auth_sessions_entry *e, void *ctx)
{
    struct auth_sessions_others *o = ctx;

    if (strcmp(e->username, o->username) != 0 ||
        (o->keep[0] && memcmp(e->token_hash, o->keep, AUTH_SESSIONS_ID_LEN) == 0))
        return false;
    o->hashes = xrealloc(o->hashes, (o->n + 1) * sizeof(*o->hashes));
    memcpy(o->hashes[o->n++], e->token_hash, AUTH_TOKEN_HEX_LEN + 1);
    return true;
}

size_t auth_sessions_destroy_others(struct auth_sessions *sessions, const char *username,
                                    const char *keep_id)
{
    struct auth_sessions_others o = {username, keep_id ? keep_id : "", NULL, 0};

    if (!sessions || !username)
        return 0;
    if (o.keep[0] && !auth_sessions_is_hex(o.keep, AUTH_SESSIONS_ID_LEN))
        return 0;
    pthread_mutex_lock(&sessions->lock);
    auth_sessions_remove_if(sessions, auth_sessions_drop_other, &o);
    pthread_mutex_unlock(&sessions->lock);
    for (size_t i = 0; i < o.n; i++)
        auth_sessions_db_run(sessions->db, "DELETE FROM sessions WHERE token_hash = ?",
                             o.hashes[i]);
    free(o.hashes);
    return o.n;
}

bool auth_sessions_destroy_id(struct auth_sessions *sessions, const char *username, const char *id)
{
    struct auth_sessions_entry *e;
    char hash[AUTH_TOKEN_HEX_LEN + 1] = "";

    if (!sessions || !username || !auth_sessions_is_hex(id, AUTH_SESSIONS_ID_LEN))
        return false;
    pthread_mutex_lock(&sessions->lock);
    for (e = sessions->buckets[auth_sessions_bucket(sessions, id)]; e; e = e->next) {
        if (memcmp(e->token_hash, id, AUTH_SESSIONS_ID_LEN) == 0 &&
            strcmp(e->username, username) == 0)
            break;
    }
    if (e) {
        memcpy(hash, e->token_hash, sizeof(hash));
        e = auth_sessions_unlink(sessions, hash);
    }
    pthread_mutex_unlock(&sessions->lock);
    if (!e)
        return false;
    auth_sessions_entry_free(e);
    auth_sessions_db_run(sessions->db, "DELETE FROM sessions WHERE token_hash = ?", hash);
    return true;
}

void auth_sessions_enrolled(struct auth_sessions *sessions, const char *username)
{
    if (!sessions || !username)
        return;
    pthread_mutex_lock(&sessions->lock);
    for (size_t i = 0; i < sessions->nbuckets; i++) {
        for (struct auth_sessions_entry *e = sessions->buckets[i]; e; e = e->next) {
            if (strcmp(e->username, username) == 0)
                e->totp_pending = false;
        }
    }
    pthread_mutex_unlock(&sessions->lock);
    auth_sessions_db_run(sessions->db, "UPDATE sessions SET totp_pending = 0 WHERE username = ?",
                         username);
}

struct auth_sessions_expiry {
    const struct auth_sessions *sessions; /* borrowed */
    int64_t now;
};

static bool auth_sessions_drop_expired(const struct auth_sessions_entry *e, void *ctx)
{
    const struct auth_sessions_expiry *x = ctx;

    return x->now >= auth_sessions_expires(x->sessions, e);
}

/* The token hashes in the database, sorted, for auth_sessions_drop_vanished. */
struct auth_sessions_rows {
    char (*hashes)[AUTH_TOKEN_HEX_LEN + 1]; /* owned */
    size_t n;
    uint64_t gen; /* entries inserted after this may be newer than the query */
};

static int auth_sessions_hash_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int auth_sessions_db_rows(struct auth_sessions *sessions, struct auth_sessions_rows *rows)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    size_t cap = 64;
    int rc;

    rows->hashes = xcalloc(cap, sizeof(*rows->hashes));
    rows->n = 0;
    if (sqlite3_prepare_v2(sessions->db, "SELECT token_hash FROM sessions ORDER BY token_hash", -1,
                           &stmt, NULL) != SQLITE_OK)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(stmt, 0);
        if (!auth_sessions_is_hex(hash, AUTH_TOKEN_HEX_LEN))
            continue;
        if (rows->n == cap) {
            cap *= 2;
            rows->hashes = xrealloc(rows->hashes, cap * sizeof(*rows->hashes));
        }
        memcpy(rows->hashes[rows->n++], hash, AUTH_TOKEN_HEX_LEN + 1);
    }
    if (rc != SQLITE_DONE)
        goto cleanup;
    ret = 0;

cleanup:
    return auth_sessions_db_end(sessions->db, stmt, ret);
}

static bool auth_sessions_drop_vanished(const struct auth_sessions_entry *e, void *ctx)
{
    const struct auth_sessions_rows *rows = ctx;

    if (e->gen > rows->gen)
        return false;
    return !bsearch(e->token_hash, rows->hashes, rows->n, sizeof(*rows->hashes),
                    auth_sessions_hash_cmp);
}

/* Reads the rows and drops the entries no newer than rows->gen whose row is gone.
 * Returns how many entries it dropped, or -1 (logged). *recheck (may be NULL) is set
 * if entries were added meanwhile: they were kept unchecked. */
static int auth_sessions_drop_deleted(struct auth_sessions *sessions,
                                      struct auth_sessions_rows *rows, bool *recheck)
{
    size_t before;
    int ended;

    if (auth_sessions_db_rows(sessions, rows) < 0)
        return -1;
    pthread_mutex_lock(&sessions->lock);
    before = sessions->count;
    auth_sessions_remove_if(sessions, auth_sessions_drop_vanished, rows);
    ended = (int)(before - sessions->count);
    if (recheck)
        *recheck = sessions->gen != rows->gen;
    pthread_mutex_unlock(&sessions->lock);
    if (ended > 0)
        log_info("auth_sessions: %d session(s) ended: another process (virtdeck user passwd/del) "
                 "deleted them",
                 ended);
    return ended;
}

void auth_sessions_expire(struct auth_sessions *sessions)
{
    struct auth_sessions_flush *items = NULL;
    struct auth_sessions_rows rows = {0};
    struct auth_sessions_expiry x;
    size_t n = 0;

    if (!sessions)
        return;
    x.sessions = sessions;
    x.now = clock_wall_s();
    pthread_mutex_lock(&sessions->lock);
    auth_sessions_remove_if(sessions, auth_sessions_drop_expired, &x);
    items = auth_sessions_collect_flush(sessions, AUTH_SESSIONS_FLUSH_S, &n);
    rows.gen = sessions->gen;
    pthread_mutex_unlock(&sessions->lock);

    auth_sessions_db_flush(sessions, items, n);
    if (auth_sessions_db_expire(sessions, x.now, AUTH_SESSIONS_FLUSH_S) < 0)
        goto cleanup;
    /* Rows deleted by another process (the CLI) end their sessions here too, in case
     * the store-watch thread could not tell. */
    auth_sessions_drop_deleted(sessions, &rows, NULL);

cleanup:
    free(items);
    free(rows.hashes);
}

int auth_sessions_sync(struct auth_sessions *sessions, bool *recheck)
{
    struct auth_sessions_rows rows = {0};
    int ended;

    if (recheck)
        *recheck = false;
    if (!sessions)
        return -1;
    /* Entries inserted after this point may be newer than the query: they stay. */
    pthread_mutex_lock(&sessions->lock);
    rows.gen = sessions->gen;
    pthread_mutex_unlock(&sessions->lock);
    ended = auth_sessions_drop_deleted(sessions, &rows, recheck);
    free(rows.hashes);
    return ended;
}

bool auth_sessions_csrf_ok(const struct auth_session *session, const char *presented)
{
    if (!session || !presented)
        return false;
    if (strnlen(presented, AUTH_TOKEN_HEX_LEN + 1) != AUTH_TOKEN_HEX_LEN)
        return false;
    if (strnlen(session->csrf_token, sizeof(session->csrf_token)) != AUTH_TOKEN_HEX_LEN)
        return false;
    return CRYPTO_memcmp(session->csrf_token, presented, AUTH_TOKEN_HEX_LEN) == 0;
}
