/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store: opens and migrates STATE_DIR/virtdeck.db, appends audit records (see store.h).
 *
 * store_open runs once on the main thread (daemon start, CLI). The handle it returns
 * is opened with SQLITE_OPEN_FULLMUTEX, so afterwards any thread may use it; SQLite
 * serialises the calls. Migrations are an append-only list: entry i takes the schema
 * from user_version i to i+1 inside one transaction, so a crash leaves either the old
 * or the new version, never half of one. The state directory is 0700 and the database
 * file 0600 (SQLite gives its -wal/-shm files the database file's mode). Reading the audit
 * log is store_audit_log.c's. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/fsdir.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STORE_DB_NAME         "virtdeck.db"
#define STORE_BUSY_TIMEOUT_MS 5000

static const char *const store_migrations[] = {
    /* 1: users, sessions, audit log */
    "CREATE TABLE users ("
    "  name TEXT PRIMARY KEY,"
    "  role TEXT NOT NULL,"
    "  password_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  role TEXT NOT NULL,"
    "  csrf_token TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_username ON sessions(username);"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  username TEXT,"
    "  address TEXT,"
    "  action TEXT NOT NULL,"
    "  object TEXT,"
    "  outcome TEXT NOT NULL"
    ");",
    /* 2: volumes whose last upload was cut off (store_uploads.c) */
    "CREATE TABLE incomplete_uploads ("
    "  pool TEXT NOT NULL,"
    "  volume TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  username TEXT,"
    "  PRIMARY KEY (pool, volume)"
    ");",
    /* 3: API tokens (auth/auth_tokens.c); the audit log names the token a request used */
    "CREATE TABLE tokens ("
    "  id TEXT PRIMARY KEY,"
    "  username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  scope TEXT NOT NULL,"
    "  secret_hash BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER,"
    "  last_used_at INTEGER,"
    "  last_used_from TEXT"
    ");"
    "CREATE INDEX tokens_username ON tokens(username);"
    "ALTER TABLE audit_log ADD COLUMN via TEXT;",
    /* 4: the audit log's error messages, and indexes for its filters (store_audit_log.c) */
    "ALTER TABLE audit_log ADD COLUMN message TEXT;"
    "CREATE INDEX audit_log_at ON audit_log(at);"
    "CREATE INDEX audit_log_object ON audit_log(object, id);"
    "CREATE INDEX audit_log_username ON audit_log(username, id);"
    "CREATE INDEX audit_log_action ON audit_log(action, id);",
    /* 5: VM owners and shares, groups, and what a viewer sees (auth/auth_owners.c); a
     * deleted user or group takes its ownerships, memberships and shares with it */
    "CREATE TABLE domain_owners ("
    "  uuid TEXT PRIMARY KEY,"
    "  owner TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  since INTEGER NOT NULL"
    ");"
    "CREATE INDEX domain_owners_owner ON domain_owners(owner);"
    "CREATE TABLE domain_shares ("
    "  uuid TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('user', 'group')),"
    "  principal TEXT NOT NULL,"
    "  level TEXT NOT NULL CHECK (level IN ('view', 'console', 'operate')),"
    "  PRIMARY KEY (uuid, kind, principal)"
    ");"
    "CREATE TABLE groups ("
    "  name TEXT PRIMARY KEY,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE group_members ("
    "  group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
    "  username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  PRIMARY KEY (group_name, username)"
    ");"
    "CREATE TRIGGER users_forget_shares AFTER DELETE ON users BEGIN"
    "  DELETE FROM domain_shares WHERE kind = 'user' AND principal = OLD.name;"
    " END;"
    "CREATE TRIGGER groups_forget_shares AFTER DELETE ON groups BEGIN"
    "  DELETE FROM domain_shares WHERE kind = 'group' AND principal = OLD.name;"
    " END;"
    "ALTER TABLE users ADD COLUMN viewer_sees TEXT NOT NULL DEFAULT 'all'"
    "  CHECK (viewer_sees IN ('all', 'shared'));",
    /* 6: users an admin disabled (no login, no sessions, no tokens) and each user's last
     * login (auth/auth_users.c) */
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN last_login_at INTEGER;",
    /* 7: where a user comes from: 'local' (a password hash here) or 'pam' (a system
     * account, auth/auth_pam.c; its password_hash is '') */
    "ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local';",
    /* 8: what an admin approved for self-service (auth/auth_approved.c): templates by
     * domain UUID, ISOs by pool and volume, networks and pools by name */
    "CREATE TABLE self_service ("
    "  kind TEXT NOT NULL CHECK (kind IN ('template', 'iso', 'network', 'pool')),"
    "  pool TEXT NOT NULL DEFAULT '',"
    "  name TEXT NOT NULL,"
    "  PRIMARY KEY (kind, pool, name)"
    ");",
    /* 9: the TOTP second factor (auth/auth_totp_store.c): a user's secret (base32, kept as
     * is: the file is 0600), whether enrolment was confirmed and the last step accepted
     * (a code works once); the recovery codes' SHA-256; whether an admin requires TOTP of
     * the user. A session remembers where it was opened and whether it may only enrol
     * (auth/auth_sessions.c) */
    "CREATE TABLE user_totp ("
    "  username TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,"
    "  secret TEXT NOT NULL,"
    "  enabled INTEGER NOT NULL DEFAULT 0,"
    "  last_step INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE totp_recovery ("
    "  username TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
    "  code_hash TEXT NOT NULL,"
    "  PRIMARY KEY (username, code_hash)"
    ");"
    "ALTER TABLE users ADD COLUMN totp_required INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN address TEXT;"
    "ALTER TABLE sessions ADD COLUMN user_agent TEXT;"
    "ALTER TABLE sessions ADD COLUMN totp_pending INTEGER NOT NULL DEFAULT 0;",
    /* 10: quotas of users and groups (auth/auth_quota.c): NULL is unlimited; a deleted
     * user or group takes its row with it */
    "CREATE TABLE user_quotas ("
    "  name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,"
    "  vms INTEGER CHECK (vms >= 0),"
    "  vcpus INTEGER CHECK (vcpus >= 0),"
    "  memory_mib INTEGER CHECK (memory_mib >= 0),"
    "  disk_gib INTEGER CHECK (disk_gib >= 0)"
    ");"
    "CREATE TABLE group_quotas ("
    "  name TEXT PRIMARY KEY REFERENCES groups(name) ON DELETE CASCADE,"
    "  vms INTEGER CHECK (vms >= 0),"
    "  vcpus INTEGER CHECK (vcpus >= 0),"
    "  memory_mib INTEGER CHECK (memory_mib >= 0),"
    "  disk_gib INTEGER CHECK (disk_gib >= 0)"
    ");",
    /* 11: alert rules made in the UI or API (server/alerts/alerts.c; the config file's
     * are not stored) and the alerts they raised: firing until resolved_at is set; an
     * event's id is its idempotency key in deliveries */
    "CREATE TABLE alert_rules ("
    "  id INTEGER PRIMARY KEY,"
    "  rule TEXT NOT NULL," /* the rule's JSON, as alerts_rule_parse reads it */
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE alert_events ("
    "  id INTEGER PRIMARY KEY,"
    "  rule_id TEXT NOT NULL,"
    "  rule_name TEXT NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"      /* a VM's UUID, a pool's name or "host" */
    "  subject_kind TEXT NOT NULL," /* vm, pool, host */
    "  state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),"
    "  value REAL,"
    "  threshold REAL,"
    "  fired_at INTEGER NOT NULL," /* ms since the epoch */
    "  resolved_at INTEGER"
    ");"
    "CREATE INDEX alert_events_state ON alert_events(state, resolved_at);",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* Creates the database file 0600 (whatever the umask) or tightens an existing one,
 * before SQLite opens it. */
static int store_prepare_file(const char *path, struct app_error *err)
{
    int ret = -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot open %s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (fchmod(fd, 0600) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot chmod %s: %s", path, strerror(errno));
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    return ret;
}

static int store_exec(sqlite3 *db, const char *sql, struct app_error *err)
{
    int ret = -1;
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s",
                      msg ? msg : sqlite3_errmsg(db));
        goto cleanup;
    }
    ret = 0;

cleanup:
    sqlite3_free(msg);
    return ret;
}

/* Runs a one-row, one-column query and returns its text in out (size outlen). */
static int store_query_text(sqlite3 *db, const char *sql, char *out, size_t outlen,
                            struct app_error *err)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;
    const unsigned char *text;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "database error: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    text = sqlite3_column_text(stmt, 0);
    snprintf(out, outlen, "%s", text ? (const char *)text : "");
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

static int store_migrate(sqlite3 *db, const char *const *migrations, int count,
                         struct app_error *err)
{
    int ret = -1;
    char text[32];
    char *sql = NULL;
    int version;

    if (store_query_text(db, "PRAGMA user_version", text, sizeof(text), err) < 0)
        goto cleanup;
    version = (int)strtol(text, NULL, 10);
    if (version > count) {
        app_error_set(err, 500, APP_ERR_INTERNAL,
                      "database schema version %d is newer than this virtdeck (%d)", version,
                      count);
        goto cleanup;
    }
    for (; version < count; version++) {
        free(sql);
        /* PRAGMA takes no bound parameters; version is our own integer. */
        sql = xasprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
                        migrations[version], version + 1);
        if (store_exec(db, sql, err) < 0) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto cleanup;
        }
        log_info("store: database schema migrated to version %d", version + 1);
    }
    ret = 0;

cleanup:
    free(sql);
    return ret;
}

sqlite3 *store_open(const char *state_dir, struct app_error *err)
{
    sqlite3 *out = NULL;
    char *path = NULL;

    if (!state_dir || !state_dir[0]) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "no state directory");
        goto cleanup;
    }
    if (fsdir_make_private(state_dir, err) < 0)
        goto cleanup;
    path = xasprintf("%s/%s", state_dir, STORE_DB_NAME);
    out = store_open_file(path, store_migrations, STORE_SCHEMA_VERSION, err);

cleanup:
    free(path);
    return out;
}

sqlite3 *store_open_file(const char *path, const char *const *migrations, int count,
                         struct app_error *err)
{
    sqlite3 *db = NULL;
    sqlite3 *out = NULL;
    char mode[16];

    if (store_prepare_file(path, err) < 0)
        goto cleanup;
    if (sqlite3_open_v2(path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot open %s: %s", path,
                      db ? sqlite3_errmsg(db) : "out of memory");
        goto cleanup;
    }
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
    if (store_query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err) < 0)
        goto cleanup;
    if (strcmp(mode, "wal") != 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot switch %s to WAL mode (got %s)", path,
                      mode);
        goto cleanup;
    }
    if (store_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", err) < 0)
        goto cleanup;
    if (store_migrate(db, migrations, count, err) < 0)
        goto cleanup;
    out = db;
    db = NULL;

cleanup:
    sqlite3_close_v2(db);
    return out;
}

void store_close(sqlite3 *db)
{
    if (!db)
        return;
    if (sqlite3_close_v2(db) != SQLITE_OK)
        log_warn("store: close failed: %s", sqlite3_errmsg(db));
}

int store_data_version(sqlite3 *db, int64_t *out)
{
    int ret = -1;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        goto cleanup;
    *out = sqlite3_column_int64(stmt, 0);
    ret = 0;

cleanup:
    sqlite3_finalize(stmt);
    return ret;
}

void store_audit(sqlite3 *db, const char *username, const char *address, const char *action,
                 const char *object, const char *outcome)
{
    store_audit_full(db, username, NULL, address, action, object, outcome, NULL);
}

void store_audit_via(sqlite3 *db, const char *username, const char *via, const char *address,
                     const char *action, const char *object, const char *outcome)
{
    store_audit_full(db, username, via, address, action, object, outcome, NULL);
}

void store_audit_result(sqlite3 *db, const char *username, const char *address, const char *action,
                        const char *object, const char *outcome, const char *message)
{
    store_audit_full(db, username, NULL, address, action, object, outcome, message);
}

void store_audit_full(sqlite3 *db, const char *username, const char *via, const char *address,
                      const char *action, const char *object, const char *outcome,
                      const char *message)
{
    static const char sql[] = "INSERT INTO audit_log (at, username, address, action, object, "
                              "outcome, via, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *stmt = NULL;

    if (!db)
        return;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        log_error("store: audit: %s", sqlite3_errmsg(db));
        goto cleanup;
    }
    sqlite3_bind_int64(stmt, 1, clock_wall_s());
    sqlite3_bind_text(stmt, 2, username, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, address, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, action ? action : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, object, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 6, outcome ? outcome : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 7, via && via[0] ? via : NULL, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 8, message && message[0] ? message : NULL, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        log_error("store: audit: %s", sqlite3_errmsg(db));

cleanup:
    sqlite3_finalize(stmt);
}
