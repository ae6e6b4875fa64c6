/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_users: the users table of auth/auth_users.c against a real SQLite store in
 * a private temp directory (removed afterwards). Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth_password.h"
#include "auth_users.h"
#include "store/store.h"
#include "util/log.h"

struct fixture {
    char dir[64];
    sqlite3 *db;
};

static void remove_state_dir(const char *dir)
{
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    char path[128];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct app_error err = {0};

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/virtdeck-test-users.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->db = store_open(f->dir, &err);
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    store_close(f->db);
    remove_state_dir(f->dir);
    free(f);
    return 0;
}

static void test_name_valid(void **state)
{
    char max[AUTH_USERNAME_MAX + 2];

    assert_true(auth_users_name_valid("admin"));
    assert_true(auth_users_name_valid("a"));
    assert_true(auth_users_name_valid("Jane.Doe_2-x"));
    assert_true(auth_users_name_valid("0day"));
    assert_true(auth_users_name_valid("a.."));
    assert_false(auth_users_name_valid(NULL));
    assert_false(auth_users_name_valid(""));
    assert_false(auth_users_name_valid("-rf"));
    assert_false(auth_users_name_valid(".hidden"));
    assert_false(auth_users_name_valid("with space"));
    assert_false(auth_users_name_valid("semi;colon"));
    assert_false(auth_users_name_valid("slash/"));
    assert_false(auth_users_name_valid("quote'"));
    assert_false(auth_users_name_valid("ünïcode"));
    memset(max, 'm', AUTH_USERNAME_MAX);
    max[AUTH_USERNAME_MAX] = '\0';
    assert_true(auth_users_name_valid(max));
    max[AUTH_USERNAME_MAX] = 'm';
    max[AUTH_USERNAME_MAX + 1] = '\0';
    assert_false(auth_users_name_valid(max));
}

static void test_add_and_get(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;

    assert_int_equal(auth_users_count(f->db), 0);
    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_OPERATOR, "pw-alice-long-1", &err),
                     0);
    assert_int_equal(auth_users_count(f->db), 1);

    assert_int_equal(auth_users_get(f->db, "alice", &user, &err), 1);
    assert_string_equal(user.name, "alice");
    assert_int_equal(user.role, AUTH_ROLE_OPERATOR);
    assert_non_null(user.password_hash);
    assert_memory_equal(user.password_hash, "$y$", 3);
    assert_true(auth_password_verify("pw-alice-long-1", user.password_hash));
    assert_false(auth_password_verify("pw-bob-long-12", user.password_hash));
    auth_user_clear(&user);
    assert_null(user.password_hash);
    auth_user_clear(&user); /* twice is fine */
    auth_user_clear(NULL);

    assert_int_equal(auth_users_get(f->db, "bob", &user, &err), 0);
    assert_null(user.password_hash);
    assert_int_equal(auth_users_get(f->db, "Alice", &user, &err), 0);
    assert_int_equal(auth_users_get(f->db, "bad name", &user, &err), 0);
}

static void test_add_errors(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    char long_name[AUTH_USERNAME_MAX + 2];

    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_ADMIN, "long-enough-pw", &err), 0);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_VIEWER, "other-long-pw", &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_CONFLICT);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "-bad", AUTH_ROLE_VIEWER, "long-enough-pw", &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);

    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, long_name, AUTH_ROLE_VIEWER, "long-enough-pw", &err),
                     -1);
    assert_int_equal(err.status, 400);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", AUTH_ROLE_VIEWER, "", &err), -1);
    assert_int_equal(err.status, 400);
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", AUTH_ROLE_VIEWER, "short-pw", &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, "password");
    assert_string_equal(err.message, "password must be at least 12 characters");
    app_error_clear(&err);
    assert_int_equal(
        auth_users_add(f->db, "bobby-the-user", AUTH_ROLE_VIEWER, "bobby-the-user", &err), -1);
    assert_string_equal(err.message, "password must not be the user name");
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", AUTH_ROLE_VIEWER, "a long\npassword", &err), -1);
    assert_int_equal(err.status, 400);
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", (enum auth_role)9, "long-enough-pw", &err), -1);
    assert_int_equal(err.status, 400);

    /* Nothing half-added, and the first alice is untouched. */
    assert_int_equal(auth_users_count(f->db), 1);
}

static void test_set_password(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;

    assert_int_equal(auth_users_add(f->db, "carol", AUTH_ROLE_VIEWER, "old-long-password", &err),
                     0);
    assert_int_equal(auth_users_set_password(f->db, "carol", "new-long-password", &err), 0);
    assert_int_equal(auth_users_get(f->db, "carol", &user, &err), 1);
    assert_true(auth_password_verify("new-long-password", user.password_hash));
    assert_false(auth_password_verify("old-long-password", user.password_hash));
    assert_int_equal(user.role, AUTH_ROLE_VIEWER);
    auth_user_clear(&user);

    app_error_clear(&err);
    assert_int_equal(auth_users_set_password(f->db, "nobody", "x-long-password", &err), -1);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, APP_ERR_NOT_FOUND);

    app_error_clear(&err);
    assert_int_equal(auth_users_set_password(f->db, "carol", "", &err), -1);
    assert_int_equal(err.status, 400);
    app_error_clear(&err);
    assert_int_equal(auth_users_set_password(f->db, "carol", "elevenchars", &err), -1);
    assert_string_equal(err.message, "password must be at least 12 characters");
    assert_int_equal(auth_users_get(f->db, "carol", &user, &err), 1);
    assert_true(auth_password_verify("new-long-password", user.password_hash));
    auth_user_clear(&user);
}

static int count_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int n;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

static void test_delete_cascades(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;

    assert_int_equal(auth_users_add(f->db, "dave", AUTH_ROLE_ADMIN, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "erin", AUTH_ROLE_ADMIN, "long-enough-pw", &err), 0);
    assert_int_equal(
        sqlite3_exec(f->db,
                     "INSERT INTO sessions (token_hash, username, role, csrf_token, created_at, "
                     "last_seen) VALUES ('h1', 'dave', 'admin', 'c', 1, 1);"
                     "INSERT INTO sessions (token_hash, username, role, csrf_token, created_at, "
                     "last_seen) VALUES ('h2', 'dave', 'admin', 'c', 1, 1);"
                     "INSERT INTO sessions (token_hash, username, role, csrf_token, created_at, "
                     "last_seen) VALUES ('h3', 'erin', 'admin', 'c', 1, 1);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM sessions"), 3);

    assert_int_equal(auth_users_delete(f->db, "dave", &err), 0);
    assert_int_equal(auth_users_get(f->db, "dave", &user, &err), 0);
    assert_int_equal(auth_users_count(f->db), 1);
    /* dave's sessions went with him; erin's stayed. */
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM sessions WHERE username = 'dave'"), 0);
    assert_int_equal(count_rows(f->db, "SELECT count(*) FROM sessions"), 1);

    app_error_clear(&err);
    assert_int_equal(auth_users_delete(f->db, "dave", &err), -1);
    assert_int_equal(err.status, 404);
    app_error_clear(&err);
    assert_int_equal(auth_users_delete(f->db, "no such/user", &err), -1);
    assert_int_equal(err.status, 404);
}

/* Role changes, disabling and deleting never leave zero enabled admins; the refused
 * change changes nothing; new columns read back. */
static void test_update_keeps_an_admin(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;
    struct auth_user_change demote = {.has_role = true, .role = AUTH_ROLE_VIEWER};
    struct auth_user_change disable = {.has_disabled = true, .disabled = true};
    struct auth_user_change enable = {.has_disabled = true, .disabled = false};
    struct auth_user_change promote = {.has_role = true, .role = AUTH_ROLE_ADMIN};

    assert_int_equal(auth_users_add(f->db, "root", AUTH_ROLE_ADMIN, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "vera", AUTH_ROLE_VIEWER, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_get(f->db, "root", &user, &err), 1);
    assert_false(user.disabled);
    assert_true(user.created_s > 0);
    assert_int_equal(user.last_login_s, 0);
    auth_user_clear(&user);
    auth_users_note_login(f->db, "root", 1234);
    assert_int_equal(auth_users_get(f->db, "root", &user, &err), 1);
    assert_int_equal(user.last_login_s, 1234);
    auth_user_clear(&user);

    /* the only admin: demote, disable and delete are 409, and nothing changed */
    for (int i = 0; i < 3; i++) {
        app_error_clear(&err);
        if (i == 2)
            assert_int_equal(auth_users_delete(f->db, "root", &err), -1);
        else
            assert_int_equal(auth_users_update(f->db, "root", i ? &disable : &demote, &err), -1);
        assert_int_equal(err.status, 409);
        assert_string_equal(err.message,
                            "root is the last enabled admin; make another user an admin first");
    }
    assert_int_equal(auth_users_get(f->db, "root", &user, &err), 1);
    assert_int_equal(user.role, AUTH_ROLE_ADMIN);
    assert_false(user.disabled);
    auth_user_clear(&user);

    /* a disabled admin does not count; an enabled one does */
    assert_int_equal(auth_users_update(f->db, "vera", &promote, &err), 0);
    assert_int_equal(auth_users_update(f->db, "vera", &disable, &err), 0);
    app_error_clear(&err);
    assert_int_equal(auth_users_update(f->db, "root", &demote, &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(auth_users_update(f->db, "vera", &enable, &err), 0);
    assert_int_equal(auth_users_update(f->db, "root", &disable, &err), 0);
    assert_int_equal(auth_users_get(f->db, "root", &user, &err), 1);
    assert_true(user.disabled);
    auth_user_clear(&user);
    /* vera is now the only enabled admin; root (disabled) may go */
    app_error_clear(&err);
    assert_int_equal(auth_users_delete(f->db, "vera", &err), -1);
    assert_int_equal(err.status, 409);
    assert_int_equal(auth_users_delete(f->db, "root", &err), 0);

    /* unknown users are 404, whatever the change */
    app_error_clear(&err);
    assert_int_equal(auth_users_update(f->db, "nobody", &demote, &err), -1);
    assert_int_equal(err.status, 404);
    app_error_clear(&err);
    assert_int_equal(auth_users_update(f->db, "bad name", &enable, &err), -1);
    assert_int_equal(err.status, 404);
}

struct listing {
    char text[512];
    int calls;
};

static void collect(const struct auth_user *user, void *ctx)
{
    struct listing *l = ctx;
    size_t len = strlen(l->text);

    assert_non_null(user->password_hash);
    snprintf(l->text + len, sizeof(l->text) - len, "%s:%s ", user->name,
             auth_role_name(user->role));
    l->calls++;
}

static void test_foreach_sorted(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct listing l = {{0}, 0};

    assert_int_equal(auth_users_foreach(f->db, collect, &l), 0);
    assert_int_equal(l.calls, 0);

    assert_int_equal(auth_users_add(f->db, "zed", AUTH_ROLE_VIEWER, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "amy", AUTH_ROLE_ADMIN, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "max", AUTH_ROLE_OPERATOR, "long-enough-pw", &err), 0);
    assert_int_equal(auth_users_foreach(f->db, collect, &l), 0);
    assert_int_equal(l.calls, 3);
    assert_string_equal(l.text, "amy:admin max:operator zed:viewer ");
}

/* A system account's row: no password hash (so a local password check never matches it),
 * its role updated at each login; a local user of that name is never touched. */
static void test_put_pam(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user u;

    assert_int_equal(auth_users_put_pam(f->db, "sysuser", AUTH_ROLE_OPERATOR, &err), 1);
    assert_int_equal(auth_users_get(f->db, "sysuser", &u, &err), 1);
    assert_true(u.pam);
    assert_int_equal(u.role, AUTH_ROLE_OPERATOR);
    assert_string_equal(u.password_hash, "");
    assert_false(auth_password_verify("", u.password_hash));
    auth_user_clear(&u);
    assert_int_equal(auth_users_put_pam(f->db, "sysuser", AUTH_ROLE_ADMIN, &err), 1);
    assert_int_equal(auth_users_get(f->db, "sysuser", &u, &err), 1);
    assert_int_equal(u.role, AUTH_ROLE_ADMIN);
    auth_user_clear(&u);

    assert_int_equal(auth_users_add(f->db, "local", AUTH_ROLE_VIEWER, "local-password-1", &err), 0);
    assert_int_equal(auth_users_put_pam(f->db, "local", AUTH_ROLE_ADMIN, &err), 0);
    assert_int_equal(auth_users_get(f->db, "local", &u, &err), 1);
    assert_false(u.pam);
    assert_int_equal(u.role, AUTH_ROLE_VIEWER);
    assert_true(auth_password_verify("local-password-1", u.password_hash));
    auth_user_clear(&u);
}

static void test_persists_across_reopen(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;

    assert_int_equal(auth_users_add(f->db, "frank", AUTH_ROLE_OPERATOR, "pw-frank-long-1", &err),
                     0);
    store_close(f->db);
    f->db = store_open(f->dir, &err);
    assert_non_null(f->db);
    assert_int_equal(auth_users_get(f->db, "frank", &user, &err), 1);
    assert_int_equal(user.role, AUTH_ROLE_OPERATOR);
    assert_true(auth_password_verify("pw-frank-long-1", user.password_hash));
    auth_user_clear(&user);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_valid),
        cmocka_unit_test_setup_teardown(test_add_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_cascades, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_keeps_an_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persists_across_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_pam, setup, teardown),
    };

    log_set_level(LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
