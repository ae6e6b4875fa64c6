/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_tokens: the token text (parse, the Bearer header, scope names) and the table
 * (create, lookup with the lower of scope and role, expiry, revoke by owner and by
 * admin, the per-user bound, sync after the database changed, flush of last use) for
 * auth/auth_tokens.c, against a real SQLite store in a private temp directory (removed
 * afterwards). Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth_tokens.h"
#include "store/store.h"
#include "util/log.h"

#define GOOD "vdt_AbCdEf0123-__0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

static char test_dir[] = "/tmp/virtdeck-test-tokens.XXXXXX";
static sqlite3 *db;

static int db_up(void **state)
{
    struct app_error err = {0};

    db = store_open(test_dir, &err);
    assert_non_null(db);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO users (name, role, password_hash, created_at) VALUES "
                     "('ann', 'operator', '$y$x', 0), ('root', 'admin', '$y$x', 0);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    return 0;
}

static int db_down(void **state)
{
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    char path[256];

    store_close(db);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", test_dir, files[i]);
        unlink(path);
    }
    return 0;
}

static long long sql_int(const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long v;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static void test_parse(void **state)
{
    char id[AUTH_TOKEN_ID_LEN + 1], secret[AUTH_TOKEN_SECRET_LEN + 1];
    char text[AUTH_TOKEN_TEXT_LEN + 2];

    assert_int_equal(auth_tokens_parse(GOOD, id, secret), 0);
    assert_string_equal(id, "AbCdEf0123-_");
    assert_string_equal(secret, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");
    assert_int_equal(auth_tokens_parse(NULL, id, secret), -1);
    assert_int_equal(auth_tokens_parse("", id, secret), -1);
    assert_int_equal(auth_tokens_parse(GOOD "A", id, secret), -1); /* too long */
    assert_int_equal(auth_tokens_parse(GOOD + 1, id, secret), -1); /* too short */
    snprintf(text, sizeof(text), "%s", GOOD);
    text[0] = 'V'; /* the prefix is exact */
    assert_int_equal(auth_tokens_parse(text, id, secret), -1);
    snprintf(text, sizeof(text), "%s", GOOD);
    text[16] = '-'; /* the separator */
    assert_int_equal(auth_tokens_parse(text, id, secret), -1);
    snprintf(text, sizeof(text), "%s", GOOD);
    text[30] = '+'; /* base64, not base64url */
    assert_int_equal(auth_tokens_parse(text, id, secret), -1);
    snprintf(text, sizeof(text), "%s", GOOD);
    text[8] = '=';
    assert_int_equal(auth_tokens_parse(text, id, secret), -1);
}

static void test_bearer_and_scopes(void **state)
{
    enum auth_role scope;

    assert_string_equal(auth_tokens_bearer("Bearer abc"), "abc");
    assert_string_equal(auth_tokens_bearer("bEaReR   abc"), "abc");
    assert_null(auth_tokens_bearer("Basic abc"));
    assert_null(auth_tokens_bearer("Bearerabc"));
    assert_null(auth_tokens_bearer(NULL));
    /* each scope's name goes both ways, to the role whose rights it carries */
    for (int role = AUTH_ROLE_VIEWER; role <= AUTH_ROLE_ADMIN; role++) {
        assert_int_equal(auth_tokens_scope_parse(auth_tokens_scope_name(role), &scope), 0);
        assert_int_equal(scope, role);
    }
    assert_string_equal(auth_tokens_scope_name(AUTH_ROLE_VIEWER), "read");
    assert_int_equal(auth_tokens_scope_parse("viewer", &scope), -1);
    assert_int_equal(auth_tokens_scope_parse(NULL, &scope), -1);
    assert_string_equal(auth_tokens_scope_name(AUTH_ROLE_OPERATOR), "operate");
}

static void test_create_lookup_revoke(void **state)
{
    struct auth_tokens *tokens = auth_tokens_new(db);
    struct auth_token_info info;
    struct auth_session s;
    struct app_error err = {0};
    char text[AUTH_TOKEN_TEXT_LEN + 1], wrong[AUTH_TOKEN_TEXT_LEN + 1], sid[32];
    char id[AUTH_TOKEN_ID_LEN + 1], secret[AUTH_TOKEN_SECRET_LEN + 1];

    assert_non_null(tokens);
    /* an admin scope on an operator: the operator's role is the ceiling */
    assert_int_equal(auth_tokens_create(tokens, "ann", "ci", AUTH_ROLE_ADMIN, 0, text, &info, &err),
                     0);
    assert_int_equal(auth_tokens_parse(text, id, secret), 0);
    assert_string_equal(id, info.id);
    assert_int_equal(auth_tokens_lookup(tokens, text, "10.0.0.1", &s), AUTH_TOKEN_OK);
    assert_string_equal(s.username, "ann");
    assert_int_equal(s.role, AUTH_ROLE_OPERATOR);
    assert_string_equal(s.token_id, info.id);
    assert_string_equal(s.csrf_token, "");
    snprintf(sid, sizeof(sid), "tok-%s", info.id);
    assert_string_equal(s.id, sid);
    assert_true(auth_tokens_alive(tokens, sid, AUTH_ROLE_OPERATOR));
    assert_false(auth_tokens_alive(tokens, sid, AUTH_ROLE_ADMIN)); /* opened with other rights */
    assert_false(auth_tokens_alive(tokens, info.id, AUTH_ROLE_OPERATOR));

    snprintf(wrong, sizeof(wrong), "%s", text);
    wrong[AUTH_TOKEN_TEXT_LEN - 1] = wrong[AUTH_TOKEN_TEXT_LEN - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_tokens_lookup(tokens, wrong, "x", &s), AUTH_TOKEN_UNKNOWN);
    assert_int_equal(auth_tokens_lookup(tokens, "vdt_", "x", &s), AUTH_TOKEN_MALFORMED);
    assert_int_equal(auth_tokens_lookup(tokens, GOOD, "x", &s), AUTH_TOKEN_UNKNOWN);

    /* only the hash is stored; last use reaches the disk at the flush */
    assert_int_equal(sql_int("SELECT count(*) FROM tokens WHERE length(secret_hash) = 32"), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM tokens WHERE last_used_at IS NULL"), 1);
    auth_tokens_flush(tokens);
    assert_int_equal(
        sql_int(
            "SELECT count(*) FROM tokens WHERE last_used_from = '10.0.0.1' AND last_used_at > 0"),
        1);

    /* another user's is absent to a non-admin; an admin (owner NULL) revokes anyone's */
    assert_int_equal(auth_tokens_revoke(tokens, info.id, "root", &err), -1);
    assert_int_equal(err.status, 404);
    assert_int_equal(auth_tokens_revoke(tokens, info.id, NULL, &err), 0);
    assert_int_equal(auth_tokens_lookup(tokens, text, "x", &s), AUTH_TOKEN_UNKNOWN);
    assert_false(auth_tokens_alive(tokens, sid, AUTH_ROLE_OPERATOR));
    assert_int_equal(sql_int("SELECT count(*) FROM tokens"), 0);
    assert_int_equal(
        auth_tokens_create(tokens, "nobody", "x", AUTH_ROLE_VIEWER, 0, text, &info, &err), -1);
    assert_int_equal(err.status, 404);
    auth_tokens_free(tokens);
}

static void collect_name(const struct auth_token_info *info, void *ctx)
{
    char *names = ctx;
    size_t n = strlen(names);

    names[n] = info->name[0]; /* the tests' names are one letter */
    names[n + 1] = '\0';
}

static void test_revoke_keeps_order(void **state)
{
    struct auth_tokens *tokens = auth_tokens_new(db);
    struct auth_token_info a, b, c;
    struct app_error err = {0};
    char text[AUTH_TOKEN_TEXT_LEN + 1], names[32] = "";

    assert_int_equal(auth_tokens_create(tokens, "ann", "a", AUTH_ROLE_VIEWER, 0, text, &a, &err),
                     0);
    assert_int_equal(auth_tokens_create(tokens, "ann", "b", AUTH_ROLE_VIEWER, 0, text, &b, &err),
                     0);
    assert_int_equal(auth_tokens_create(tokens, "root", "c", AUTH_ROLE_ADMIN, 0, text, &c, &err),
                     0);
    assert_int_equal(auth_tokens_revoke(tokens, a.id, "ann", &err), 0);
    assert_int_equal(auth_tokens_foreach(tokens, NULL, collect_name, names), 2);
    assert_string_equal(names, "bc");
    names[0] = '\0';
    assert_int_equal(auth_tokens_foreach(tokens, "root", collect_name, names), 1);
    assert_string_equal(names, "c");
    auth_tokens_free(tokens);
}

static void test_expiry_sync_and_bound(void **state)
{
    struct auth_tokens *tokens = auth_tokens_new(db);
    struct auth_token_info info;
    struct auth_session s;
    struct app_error err = {0};
    char text[AUTH_TOKEN_TEXT_LEN + 1], other[AUTH_TOKEN_TEXT_LEN + 1], sid[32];
    int made = 1;

    assert_int_equal(
        auth_tokens_create(tokens, "ann", "soon", AUTH_ROLE_OPERATOR, 1, text, &info, &err), 0);
    assert_int_equal(auth_tokens_lookup(tokens, text, "x", &s), AUTH_TOKEN_EXPIRED);
    assert_int_equal(
        auth_tokens_create(tokens, "ann", "ops", AUTH_ROLE_OPERATOR, 0, other, &info, &err), 0);
    made++;
    /* demoted in the database: the next sync lowers the token's rights */
    assert_int_equal(
        sqlite3_exec(db, "UPDATE users SET role = 'viewer' WHERE name = 'ann'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_OK);
    assert_int_equal(s.role, AUTH_ROLE_OPERATOR);
    snprintf(sid, sizeof(sid), "tok-%s", info.id);
    assert_true(auth_tokens_alive(tokens, sid, AUTH_ROLE_OPERATOR));
    assert_int_equal(auth_tokens_sync(tokens), 0);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_OK);
    assert_int_equal(s.role, AUTH_ROLE_VIEWER);
    /* a socket opened with the old rights is no longer alive; one opened now is */
    assert_false(auth_tokens_alive(tokens, sid, AUTH_ROLE_OPERATOR));
    assert_true(auth_tokens_alive(tokens, sid, AUTH_ROLE_VIEWER));
    /* disabled: the token stops at the next sync; enabled again: it works again */
    assert_int_equal(
        sqlite3_exec(db, "UPDATE users SET disabled = 1 WHERE name = 'ann'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(auth_tokens_sync(tokens), 0);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_UNKNOWN);
    assert_false(auth_tokens_alive(tokens, sid, AUTH_ROLE_VIEWER));
    assert_int_equal(
        sqlite3_exec(db, "UPDATE users SET disabled = 0 WHERE name = 'ann'", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(auth_tokens_sync(tokens), 0);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_OK);
    /* a reload from disk finds the same tokens */
    auth_tokens_free(tokens);
    tokens = auth_tokens_new(db);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_OK);
    /* at most AUTH_TOKENS_PER_USER_MAX each */
    while (made < AUTH_TOKENS_PER_USER_MAX) {
        assert_int_equal(
            auth_tokens_create(tokens, "ann", "n", AUTH_ROLE_VIEWER, 0, text, &info, &err), 0);
        made++;
    }
    assert_int_equal(auth_tokens_create(tokens, "ann", "n", AUTH_ROLE_VIEWER, 0, text, &info, &err),
                     -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(auth_tokens_create(tokens, "root", "n", AUTH_ROLE_ADMIN, 0, text, &info, &err),
                     0);
    /* the user deleted (ON DELETE CASCADE) in the database: gone at the next sync */
    assert_int_equal(sqlite3_exec(db, "DELETE FROM users WHERE name = 'ann'", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(auth_tokens_sync(tokens), 0);
    assert_int_equal(auth_tokens_lookup(tokens, other, "x", &s), AUTH_TOKEN_UNKNOWN);
    assert_int_equal(auth_tokens_lookup(tokens, text, "x", &s), AUTH_TOKEN_OK);
    auth_tokens_free(tokens);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_bearer_and_scopes),
        cmocka_unit_test_setup_teardown(test_create_lookup_revoke, db_up, db_down),
        cmocka_unit_test_setup_teardown(test_revoke_keeps_order, db_up, db_down),
        cmocka_unit_test_setup_teardown(test_expiry_sync_and_bound, db_up, db_down),
    };
    int failed;

    log_set_level(LOG_ERROR);
    assert_non_null(mkdtemp(test_dir));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(test_dir);
    return failed;
}
