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
    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_OPERATOR, "pw-alice", &err), 0);
    assert_int_equal(auth_users_count(f->db), 1);

    assert_int_equal(auth_users_get(f->db, "alice", &user, &err), 1);
    assert_string_equal(user.name, "alice");
    assert_int_equal(user.role, AUTH_ROLE_OPERATOR);
    assert_non_null(user.password_hash);
    assert_memory_equal(user.password_hash, "$y$", 3);
    assert_true(auth_password_verify("pw-alice", user.password_hash));
    assert_false(auth_password_verify("pw-bob", user.password_hash));
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

    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_ADMIN, "pw", &err), 0);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "alice", AUTH_ROLE_VIEWER, "other", &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_CONFLICT);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "-bad", AUTH_ROLE_VIEWER, "pw", &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, APP_ERR_BAD_REQUEST);

    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, long_name, AUTH_ROLE_VIEWER, "pw", &err), -1);
    assert_int_equal(err.status, 400);

    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", AUTH_ROLE_VIEWER, "", &err), -1);
    assert_int_equal(err.status, 400);
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", AUTH_ROLE_VIEWER, "a\nb", &err), -1);
    assert_int_equal(err.status, 400);
    app_error_clear(&err);
    assert_int_equal(auth_users_add(f->db, "bob", (enum auth_role)9, "pw", &err), -1);
    assert_int_equal(err.status, 400);

    /* Nothing half-added, and the first alice is untouched. */
    assert_int_equal(auth_users_count(f->db), 1);
}

static void test_set_password(void **state)
{
    struct fixture *f = *state;
    struct app_error err = {0};
    struct auth_user user;

    assert_int_equal(auth_users_add(f->db, "carol", AUTH_ROLE_VIEWER, "old", &err), 0);
    assert_int_equal(auth_users_set_password(f->db, "carol", "new", &err), 0);
    assert_int_equal(auth_users_get(f->db, "carol", &user, &err), 1);
    assert_true(auth_password_verify("new", user.password_hash));
    assert_false(auth_password_verify("old", user.password_hash));
    assert_int_equal(user.role, AUTH_ROLE_VIEWER);
    auth_user_clear(&user);

    app_error_clear(&err);
    assert_int_equal(auth_users_set_password(f->db, "nobody", "x", &err), -1);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, APP_ERR_NOT_FOUND);

    app_error_clear(&err);
    assert_int_equal(auth_users_set_password(f->db, "carol", "", &err), -1);
    assert_int_equal(err.status, 400);
    assert_int_equal(auth_users_get(f->db, "carol", &user, &err), 1);
    assert_true(auth_password_verify("new", user.password_hash));
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

    assert_int_equal(auth_users_add(f->db, "dave", AUTH_ROLE_ADMIN, "pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "erin", AUTH_ROLE_ADMIN, "pw", &err), 0);
    assert_int_equal(sqlite3_exec(f->db,
                                  "INSERT INTO sessions VALUES ('h1', 'dave', 'admin', 'c', 1, 1);"
                                  "INSERT INTO sessions VALUES ('h2', 'dave', 'admin', 'c', 1, 1);"
                                  "INSERT INTO sessions VALUES ('h3', 'erin', 'admin', 'c', 1, 1);",
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

    assert_int_equal(auth_users_add(f->db, "zed", AUTH_ROLE_VIEWER, "pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "amy", AUTH_ROLE_ADMIN, "pw", &err), 0);
    assert_int_equal(auth_users_add(f->db, "max", AUTH_ROLE_OPERATOR, "pw", &err), 0);
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

    assert_int_equal(auth_users_add(f->db, "frank", AUTH_ROLE_OPERATOR, "pw-frank", &err), 0);
    store_close(f->db);
    f->db = store_open(f->dir, &err);
    assert_non_null(f->db);
    assert_int_equal(auth_users_get(f->db, "frank", &user, &err), 1);
    assert_int_equal(user.role, AUTH_ROLE_OPERATOR);
    assert_true(auth_password_verify("pw-frank", user.password_hash));
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
        cmocka_unit_test_setup_teardown(test_foreach_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persists_across_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_pam, setup, teardown),
    };

    log_set_level(LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
