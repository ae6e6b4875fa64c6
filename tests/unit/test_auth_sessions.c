/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_sessions: create/lookup/destroy, CSRF, expiry, persistence across a
 * reload and reconciliation with the database (expire, and sync after another
 * connection deleted rows) for auth/auth_sessions.c, against real
 * SQLite stores in a private temp directory (removed afterwards). Expiry uses real
 * time: timeouts of 1 s and one sleep of about 1.2 s. Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "auth_sessions.h"
#include "auth_users.h"
#include "store/store.h"
#include "util/log.h"

/* A well-formed token hash for rows written by hand. */
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static char test_dir[] = "/tmp/virtdeck-test-sessions.XXXXXX";

struct store {
    char dir[128];
    sqlite3 *db;
};

static void store_up(struct store *s, const char *name)
{
    struct app_error err = {0};

    snprintf(s->dir, sizeof(s->dir), "%s/%s", test_dir, name);
    s->db = store_open(s->dir, &err);
    assert_non_null(s->db);
    /* Sessions need their user to exist (foreign key). Seeded directly: a yescrypt
     * hash per user is not what this test is about. */
    assert_int_equal(
        sqlite3_exec(s->db,
                     "INSERT INTO users (name, role, password_hash, created_at) VALUES "
                     "('alice', 'admin', '$y$x', 0), ('bob', 'viewer', '$y$x', 0);",
                     NULL, NULL, NULL),
        SQLITE_OK);
}

static void store_down(struct store *s)
{
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    char path[256];

    store_close(s->db);
    s->db = NULL;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", s->dir, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(s->dir), 0);
}

static int query_int(sqlite3 *db, const char *sql, const char *param)
{
    sqlite3_stmt *stmt = NULL;
    int n;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (param)
        sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

static int session_rows(sqlite3 *db)
{
    return query_int(db, "SELECT count(*) FROM sessions", NULL);
}

static void sha256_hex(const char *s, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    assert_int_equal(EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL), 1);
    assert_int_equal(len, 32);
    for (unsigned int i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static bool is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_create_lookup_destroy(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    char token2[AUTH_TOKEN_HEX_LEN + 1];
    char hash[65];
    struct auth_session created;
    struct auth_session found;

    store_up(&s, "basic");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);

    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_OPERATOR, token, &created),
                     0);
    assert_true(is_lower_hex(token, AUTH_TOKEN_HEX_LEN));
    assert_string_equal(created.username, "alice");
    assert_int_equal(created.role, AUTH_ROLE_OPERATOR);
    assert_true(is_lower_hex(created.csrf_token, AUTH_TOKEN_HEX_LEN));
    assert_string_not_equal(created.csrf_token, token);
    sha256_hex(token, hash);
    assert_memory_equal(created.id, hash, 16);
    assert_int_equal(strlen(created.id), 16);
    assert_int_equal(created.expires_s, created.last_seen_s + 900);

    /* Only the hash is on disk: no column holds the token. */
    assert_int_equal(query_int(s.db, "SELECT count(*) FROM sessions WHERE token_hash = ?", hash),
                     1);
    assert_int_equal(query_int(s.db,
                               "SELECT count(*) FROM sessions WHERE token_hash = ?1 OR "
                               "csrf_token = ?1 OR instr(token_hash || csrf_token, ?1) > 0",
                               token),
                     0);

    memset(&found, 0, sizeof(found));
    assert_true(auth_sessions_lookup(sessions, token, &found));
    assert_string_equal(found.username, "alice");
    assert_int_equal(found.role, AUTH_ROLE_OPERATOR);
    assert_string_equal(found.csrf_token, created.csrf_token);
    assert_string_equal(found.id, created.id);
    assert_true(auth_sessions_alive(sessions, created.id));

    /* Two sessions never share a token or a CSRF token. */
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_OPERATOR, token2, &found),
                     0);
    assert_string_not_equal(token, token2);
    assert_string_not_equal(found.csrf_token, created.csrf_token);

    /* Wrong, malformed and absent tokens find nothing. */
    {
        char wrong[AUTH_TOKEN_HEX_LEN + 1];
        char upper[AUTH_TOKEN_HEX_LEN + 1];
        memcpy(wrong, token, sizeof(wrong));
        wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
        memcpy(upper, token, sizeof(upper));
        for (int i = 0; i < AUTH_TOKEN_HEX_LEN; i++)
            if (upper[i] >= 'a' && upper[i] <= 'f')
                upper[i] = (char)(upper[i] - 'a' + 'A');
        assert_false(auth_sessions_lookup(sessions, wrong, &found));
        assert_false(auth_sessions_lookup(sessions, token + 1, &found));
        assert_false(auth_sessions_lookup(sessions, "", &found));
        assert_false(auth_sessions_lookup(sessions, NULL, &found));
        assert_false(auth_sessions_lookup(sessions, hash, &found)); /* the hash is no token */
        if (strcmp(upper, token) != 0)
            assert_false(auth_sessions_lookup(sessions, upper, &found));
        assert_false(auth_sessions_alive(sessions, "0123"));
        assert_false(auth_sessions_alive(sessions, NULL));
    }

    auth_sessions_destroy(sessions, token);
    assert_false(auth_sessions_lookup(sessions, token, &found));
    assert_false(auth_sessions_alive(sessions, created.id));
    assert_int_equal(query_int(s.db, "SELECT count(*) FROM sessions WHERE token_hash = ?", hash),
                     0);
    assert_true(auth_sessions_lookup(sessions, token2, &found));
    auth_sessions_destroy(sessions, token);         /* unknown: ignored */
    auth_sessions_destroy(sessions, "not a token"); /* malformed: ignored */
    auth_sessions_destroy(NULL, token);
    assert_int_equal(session_rows(s.db), 1);

    auth_sessions_free(sessions);
    auth_sessions_free(NULL);
    store_down(&s);
}

static void test_create_rejects(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session out;

    store_up(&s, "rejects");
    assert_null(auth_sessions_new(s.db, 0, 100));
    assert_null(auth_sessions_new(s.db, 100, -1));
    assert_null(auth_sessions_new(NULL, 100, 100));
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "bad name", AUTH_ROLE_ADMIN, token, &out), -1);
    assert_int_equal(auth_sessions_create(sessions, "alice", (enum auth_role)5, token, &out), -1);
    /* No such user: the foreign key refuses it. */
    assert_int_equal(auth_sessions_create(sessions, "mallory", AUTH_ROLE_ADMIN, token, &out), -1);
    assert_int_equal(session_rows(s.db), 0);
    auth_sessions_free(sessions);
    store_down(&s);
}

static void test_csrf(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char token[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session session;
    char presented[AUTH_TOKEN_HEX_LEN + 2];

    store_up(&s, "csrf");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, token, &session), 0);

    assert_true(auth_sessions_csrf_ok(&session, session.csrf_token));
    memcpy(presented, session.csrf_token, AUTH_TOKEN_HEX_LEN + 1);
    presented[AUTH_TOKEN_HEX_LEN - 1] = presented[AUTH_TOKEN_HEX_LEN - 1] == '0' ? '1' : '0';
    assert_false(auth_sessions_csrf_ok(&session, presented));
    memcpy(presented, session.csrf_token, AUTH_TOKEN_HEX_LEN);
    presented[AUTH_TOKEN_HEX_LEN] = 'a';
    presented[AUTH_TOKEN_HEX_LEN + 1] = '\0';
    assert_false(auth_sessions_csrf_ok(&session, presented)); /* one char too many */
    presented[AUTH_TOKEN_HEX_LEN - 1] = '\0';
    assert_false(auth_sessions_csrf_ok(&session, presented)); /* a prefix */
    assert_false(auth_sessions_csrf_ok(&session, ""));
    assert_false(auth_sessions_csrf_ok(&session, NULL));
    assert_false(auth_sessions_csrf_ok(NULL, session.csrf_token));
    assert_false(auth_sessions_csrf_ok(&session, token)); /* the cookie is not the CSRF token */
    session.csrf_token[0] = '\0';
    assert_false(auth_sessions_csrf_ok(&session, ""));

    auth_sessions_free(sessions);
    store_down(&s);
}

/* A fresh store named name with a table holding two sessions of alice (tokens a1, a2;
 * the first one's copy in a1_out) and one of bob (b). */
static struct auth_sessions *three_sessions(struct store *s, const char *name,
                                            char a1[AUTH_TOKEN_HEX_LEN + 1],
                                            char a2[AUTH_TOKEN_HEX_LEN + 1],
                                            char b[AUTH_TOKEN_HEX_LEN + 1],
                                            struct auth_session *a1_out)
{
    struct auth_sessions *sessions;
    struct auth_session out;

    store_up(s, name);
    sessions = auth_sessions_new(s->db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, a1, a1_out), 0);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, a2, &out), 0);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, b, &out), 0);
    return sessions;
}

static void test_destroy_user(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char a1[AUTH_TOKEN_HEX_LEN + 1], a2[AUTH_TOKEN_HEX_LEN + 1], b1[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session out;

    sessions = three_sessions(&s, "destroy-user", a1, a2, b1, &out);
    assert_int_equal(session_rows(s.db), 3);

    auth_sessions_destroy_user(sessions, "alice");
    assert_false(auth_sessions_lookup(sessions, a1, &out));
    assert_false(auth_sessions_lookup(sessions, a2, &out));
    assert_true(auth_sessions_lookup(sessions, b1, &out));
    assert_string_equal(out.username, "bob");
    assert_int_equal(session_rows(s.db), 1);

    auth_sessions_free(sessions);
    store_down(&s);
}

/* "My account": a user's sessions listed oldest first with where they came from, one
 * ended by id (only its owner's), the others ended, the enrolment limit lifted; the
 * origin and the limit survive a reload. */
static void test_account_sessions(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    struct auth_session a, b, c, *list = NULL;
    struct auth_session_origin from = {"192.0.2.7", "Agent/1.0\x01\xff", true};
    char ta[AUTH_TOKEN_HEX_LEN + 1], tb[AUTH_TOKEN_HEX_LEN + 1], tc[AUTH_TOKEN_HEX_LEN + 1];
    size_t n;

    store_up(&s, "account");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create_from(sessions, "alice", AUTH_ROLE_ADMIN, &from, ta, &a),
                     0);
    assert_string_equal(a.address, "192.0.2.7");
    assert_string_equal(a.user_agent, "Agent/1.0??"); /* printable ASCII only */
    assert_true(a.totp_pending);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, tb, &b), 0);
    assert_false(b.totp_pending);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, tc, &c), 0);

    n = auth_sessions_list_user(sessions, "alice", &list);
    assert_int_equal(n, 2);
    assert_true(list[0].created_s <= list[1].created_s);
    assert_true(strcmp(list[0].id, a.id) == 0 || strcmp(list[1].id, a.id) == 0);
    free(list);
    assert_int_equal(auth_sessions_list_user(sessions, "nobody", &list), 0);
    assert_null(list);

    /* the origin and the limit are read back after a restart */
    auth_sessions_free(sessions);
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_true(auth_sessions_lookup(sessions, ta, &a));
    assert_string_equal(a.address, "192.0.2.7");
    assert_true(a.totp_pending);
    auth_sessions_enrolled(sessions, "alice");
    assert_true(auth_sessions_lookup(sessions, ta, &a));
    assert_false(a.totp_pending);
    assert_int_equal(query_int(s.db, "SELECT count(*) FROM sessions WHERE totp_pending = 1", NULL),
                     0);

    /* another user's id, a malformed one: nothing ends */
    assert_false(auth_sessions_destroy_id(sessions, "alice", c.id));
    assert_false(auth_sessions_destroy_id(sessions, "alice", "xyz"));
    assert_true(auth_sessions_lookup(sessions, tc, &c));
    assert_true(auth_sessions_destroy_id(sessions, "alice", b.id));
    assert_false(auth_sessions_lookup(sessions, tb, &b));
    assert_int_equal(session_rows(s.db), 2);

    /* everything of alice's but a: nothing more to end; then all of them */
    assert_int_equal(auth_sessions_destroy_others(sessions, "alice", a.id), 0);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, tb, &b), 0);
    assert_int_equal(auth_sessions_destroy_others(sessions, "alice", a.id), 1);
    assert_true(auth_sessions_lookup(sessions, ta, &a));
    assert_false(auth_sessions_lookup(sessions, tb, &b));
    assert_int_equal(auth_sessions_destroy_others(sessions, "alice", NULL), 1);
    assert_false(auth_sessions_lookup(sessions, ta, &a));
    assert_true(auth_sessions_lookup(sessions, tc, &c)); /* bob's stays */
    assert_int_equal(session_rows(s.db), 1);

    auth_sessions_free(sessions);
    store_down(&s);
}

static void test_persists_across_reload(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char kept[AUTH_TOKEN_HEX_LEN + 1], ended[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session before, after, ended_session;

    store_up(&s, "reload");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, kept, &before), 0);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, ended, &ended_session),
                     0);
    auth_sessions_destroy(sessions, ended);
    auth_sessions_free(sessions);

    /* As after a daemon restart, with the database closed and reopened too. */
    store_close(s.db);
    {
        struct app_error err = {0};
        s.db = store_open(s.dir, &err);
        assert_non_null(s.db);
    }
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_true(auth_sessions_lookup(sessions, kept, &after));
    assert_string_equal(after.username, "alice");
    assert_int_equal(after.role, AUTH_ROLE_ADMIN);
    assert_string_equal(after.csrf_token, before.csrf_token);
    assert_string_equal(after.id, before.id);
    assert_int_equal(after.created_s, before.created_s);
    assert_true(auth_sessions_alive(sessions, before.id));
    assert_false(auth_sessions_lookup(sessions, ended, &after));
    assert_false(auth_sessions_alive(sessions, ended_session.id));

    auth_sessions_free(sessions);
    store_down(&s);
}

static void test_expiry(void **state)
{
    struct store idle_store, max_store, long_store;
    struct auth_sessions *idle, *max, *lasting;
    char idle_tok[AUTH_TOKEN_HEX_LEN + 1], max_tok[AUTH_TOKEN_HEX_LEN + 1],
        long_tok[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session idle_s, max_s, long_s, out;

    /* One store per table: each has its own timeouts, and load/expire apply them to
     * every row of its database. */
    store_up(&idle_store, "idle");
    store_up(&max_store, "max");
    store_up(&long_store, "long");
    idle = auth_sessions_new(idle_store.db, 1, 100); /* 1 s idle timeout */
    max = auth_sessions_new(max_store.db, 100, 1);   /* 1 s absolute lifetime */
    lasting = auth_sessions_new(long_store.db, 100, 1000);
    assert_non_null(idle);
    assert_non_null(max);
    assert_non_null(lasting);

    assert_int_equal(auth_sessions_create(idle, "alice", AUTH_ROLE_ADMIN, idle_tok, &idle_s), 0);
    assert_int_equal(auth_sessions_create(max, "alice", AUTH_ROLE_ADMIN, max_tok, &max_s), 0);
    assert_int_equal(auth_sessions_create(lasting, "alice", AUTH_ROLE_ADMIN, long_tok, &long_s), 0);
    assert_int_equal(idle_s.expires_s, idle_s.created_s + 1);
    assert_int_equal(max_s.expires_s, max_s.created_s + 1);
    assert_int_equal(long_s.expires_s, long_s.created_s + 100);

    sleep_ms(1200);

    assert_false(auth_sessions_alive(idle, idle_s.id));
    assert_false(auth_sessions_alive(max, max_s.id));
    assert_true(auth_sessions_alive(lasting, long_s.id));
    assert_false(auth_sessions_lookup(idle, idle_tok, &out));
    assert_false(auth_sessions_lookup(max, max_tok, &out));
    assert_true(auth_sessions_lookup(lasting, long_tok, &out));
    /* The lookup refreshed last_seen, and so the idle deadline. */
    assert_true(out.last_seen_s > long_s.created_s);
    assert_int_equal(out.expires_s, out.last_seen_s + 100);

    /* expire() removes rows past the absolute lifetime ... */
    assert_int_equal(session_rows(max_store.db), 1);
    auth_sessions_expire(max);
    assert_int_equal(session_rows(max_store.db), 0);
    /* ... and loading skips expired rows (an idle-expired row may linger on disk for
     * the one-minute write-back slack, but is never live again). */
    auth_sessions_free(idle);
    idle = auth_sessions_new(idle_store.db, 1, 100);
    assert_non_null(idle);
    assert_false(auth_sessions_lookup(idle, idle_tok, &out));
    assert_false(auth_sessions_alive(idle, idle_s.id));
    auth_sessions_free(max);
    assert_int_equal(sqlite3_exec(max_store.db,
                                  "INSERT INTO sessions (token_hash, username, role, csrf_token, "
                                  "created_at, last_seen) VALUES ('" HASH_A
                                  "', 'alice', 'admin', '" HASH_A "', 1000, 1000)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    max = auth_sessions_new(max_store.db, 100, 1);
    assert_non_null(max);
    assert_int_equal(session_rows(max_store.db), 0);

    /* free() writes the refreshed last_seen back. */
    auth_sessions_expire(lasting);
    assert_int_equal(session_rows(long_store.db), 1);
    auth_sessions_free(lasting);
    assert_int_equal(query_int(long_store.db, "SELECT last_seen > created_at FROM sessions", NULL),
                     1);

    auth_sessions_free(idle);
    auth_sessions_free(max);
    store_down(&idle_store);
    store_down(&max_store);
    store_down(&long_store);
}

static void test_rows_deleted_elsewhere(void **state)
{
    struct store s;
    struct auth_sessions *sessions;
    char a[AUTH_TOKEN_HEX_LEN + 1], b[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session out;
    struct app_error err = {0};

    store_up(&s, "elsewhere");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, a, &out), 0);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, b, &out), 0);

    /* What `virtdeck user del alice` does from another process (another admin first:
     * the last enabled admin cannot be deleted). */
    assert_int_equal(
        sqlite3_exec(s.db, "UPDATE users SET role = 'admin' WHERE name = 'bob'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(auth_users_delete(s.db, "alice", &err), 0);
    assert_true(auth_sessions_lookup(sessions, a, &out)); /* memory has not looked yet */
    auth_sessions_expire(sessions);
    assert_false(auth_sessions_lookup(sessions, a, &out));
    assert_true(auth_sessions_lookup(sessions, b, &out));

    auth_sessions_free(sessions);
    store_down(&s);
}

/* What the store-watch thread does when `virtdeck user passwd` / `user del` committed
 * from another process: a second connection plays the CLI. */
static void test_sync_ends_sessions_deleted_by_another_connection(void **state)
{
    struct store s;
    struct auth_sessions *daemon, *cli;
    sqlite3 *cli_db;
    char a1[AUTH_TOKEN_HEX_LEN + 1], a2[AUTH_TOKEN_HEX_LEN + 1], b[AUTH_TOKEN_HEX_LEN + 1];
    char later[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session out, a1_session;
    struct app_error err = {0};
    bool recheck = true;

    daemon = three_sessions(&s, "sync", a1, a2, b, &a1_session);
    assert_int_equal(auth_sessions_sync(daemon, &recheck), 0); /* nothing deleted yet */

    /* `virtdeck user passwd alice`: its own connection and its own session table. */
    cli_db = store_open(s.dir, &err);
    assert_non_null(cli_db);
    cli = auth_sessions_new(cli_db, 900, 43200);
    assert_non_null(cli);
    auth_sessions_destroy_user(cli, "alice");
    auth_sessions_free(cli);
    assert_true(auth_sessions_alive(daemon, a1_session.id)); /* memory has not looked yet */

    assert_int_equal(auth_sessions_sync(daemon, &recheck), 2);
    assert_false(recheck); /* nobody logged in during the read */
    assert_false(auth_sessions_alive(daemon, a1_session.id));
    assert_false(auth_sessions_lookup(daemon, a1, &out));
    assert_false(auth_sessions_lookup(daemon, a2, &out));
    assert_true(auth_sessions_lookup(daemon, b, &out));
    assert_int_equal(auth_sessions_sync(daemon, &recheck), 0);

    /* A login after the change stays. */
    assert_int_equal(auth_sessions_create(daemon, "alice", AUTH_ROLE_ADMIN, later, &out), 0);

    /* `virtdeck user del bob`: the rows go by ON DELETE CASCADE. */
    assert_int_equal(auth_users_delete(cli_db, "bob", &err), 0);
    assert_int_equal(auth_sessions_sync(daemon, &recheck), 1);
    assert_false(auth_sessions_lookup(daemon, b, &out));
    assert_true(auth_sessions_lookup(daemon, later, &out));
    assert_int_equal(auth_sessions_sync(NULL, &recheck), -1);

    store_close(cli_db);
    auth_sessions_free(daemon);
    store_down(&s);
}

static void test_sessions_per_user_bounded(void **state)
{
    enum { N = 70 };
    struct store s;
    struct auth_sessions *sessions;
    char(*tokens)[AUTH_TOKEN_HEX_LEN + 1] = calloc(N, sizeof(*tokens));
    char bob[AUTH_TOKEN_HEX_LEN + 1];
    struct auth_session out;
    int live = 0;

    assert_non_null(tokens);
    store_up(&s, "bounded");
    sessions = auth_sessions_new(s.db, 900, 43200);
    assert_non_null(sessions);
    assert_int_equal(auth_sessions_create(sessions, "bob", AUTH_ROLE_VIEWER, bob, &out), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(auth_sessions_create(sessions, "alice", AUTH_ROLE_ADMIN, tokens[i], &out),
                         0);
    for (int i = 0; i < N; i++)
        live += auth_sessions_lookup(sessions, tokens[i], &out);
    assert_true(live < N);
    assert_true(live >= N / 2);
    /* The newest always survives, and other users are untouched. */
    assert_true(auth_sessions_lookup(sessions, tokens[N - 1], &out));
    assert_true(auth_sessions_lookup(sessions, bob, &out));
    assert_int_equal(
        query_int(s.db, "SELECT count(*) FROM sessions WHERE username = 'alice'", NULL), live);

    auth_sessions_free(sessions);
    store_down(&s);
    free(tokens);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_lookup_destroy),
        cmocka_unit_test(test_create_rejects),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_destroy_user),
        cmocka_unit_test(test_account_sessions),
        cmocka_unit_test(test_persists_across_reload),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_rows_deleted_elsewhere),
        cmocka_unit_test(test_sync_ends_sessions_deleted_by_another_connection),
        cmocka_unit_test(test_sessions_per_user_bounded),
    };
    int failed;

    log_set_level(LOG_ERROR);
    assert_non_null(mkdtemp(test_dir));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(test_dir);
    return failed;
}
