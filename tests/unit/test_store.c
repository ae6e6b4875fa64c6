/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_store: opening, permissions, pragmas, migrations, the audit log and
 * data_version (across two connections) of server/store/store.c, in a private temp
 * directory (removed afterwards). Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_uploads.h"
#include "util/log.h"

static char test_dir[] = "/tmp/virtdeck-test-store.XXXXXX";

static char *path_in(const char *name)
{
    size_t n = strlen(test_dir) + strlen(name) + 2;
    char *p = malloc(n);

    assert_non_null(p);
    snprintf(p, n, "%s/%s", test_dir, name);
    return p;
}

static void remove_db(const char *dir)
{
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    char path[256];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
}

static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    char *out;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    out = strdup((const char *)sqlite3_column_text(stmt, 0));
    assert_non_null(out);
    sqlite3_finalize(stmt);
    return out;
}

static void assert_query(sqlite3 *db, const char *sql, const char *expected)
{
    char *got = query_text(db, sql);

    assert_string_equal(got, expected);
    free(got);
}

static void test_open_creates_private_files(void **state)
{
    struct app_error err = {0};
    char *dir = path_in("state");
    char *db_path = path_in("state/virtdeck.db");
    mode_t old_umask = umask(0);
    struct stat st;
    sqlite3 *db;

    db = store_open(dir, &err);
    umask(old_umask);
    assert_non_null(db);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(db_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    assert_query(db, "PRAGMA journal_mode", "wal");
    assert_query(db, "PRAGMA foreign_keys", "1");
    assert_query(db, "PRAGMA user_version", "11");
    assert_query(db,
                 "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                 "WHERE type = 'table' ORDER BY name)",
                 "alert_events,alert_rules,audit_log,domain_owners,domain_shares,group_members,"
                 "group_quotas,groups,"
                 "incomplete_uploads,self_service,sessions,tokens,totp_recovery,user_quotas,"
                 "user_totp,users");
    store_close(db);

    /* A loose existing file is tightened; reopening does not migrate again. */
    assert_int_equal(chmod(db_path, 0644), 0);
    db = store_open(dir, &err);
    assert_non_null(db);
    assert_int_equal(stat(db_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_query(db, "PRAGMA user_version", "11");
    store_close(db);

    remove_db(dir);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
    free(db_path);
}

static void test_open_errors(void **state)
{
    struct app_error err = {0};
    char *under_file = path_in("plain-file/state");
    char *file = path_in("plain-file");
    FILE *fp;

    fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    /* missing parents are created, but not through a plain file */
    assert_null(store_open(under_file, &err));
    assert_int_equal(err.status, 500);
    assert_non_null(strstr(err.message, "plain-file"));

    app_error_clear(&err);
    assert_null(store_open(file, &err));
    assert_int_equal(err.status, 500);

    app_error_clear(&err);
    assert_null(store_open("", &err));
    assert_int_equal(err.status, 500);
    assert_null(store_open(NULL, NULL));

    unlink(file);
    free(under_file);
    free(file);
}

static void test_refuses_newer_schema(void **state)
{
    struct app_error err = {0};
    char *dir = path_in("newer");
    sqlite3 *db = store_open(dir, &err);

    assert_non_null(db);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    store_close(db);
    app_error_clear(&err);
    assert_null(store_open(dir, &err));
    assert_non_null(strstr(err.message, "newer"));

    remove_db(dir);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void test_audit(void **state)
{
    struct app_error err = {0};
    char *dir = path_in("audit");
    sqlite3 *db = store_open(dir, &err);

    assert_non_null(db);
    store_audit(db, "alice", "127.0.0.1", "login", "", "ok");
    store_audit(db, NULL, "::1", "domain.start", "6695eb01-f6a4-8304-79aa-97f2502e193f",
                "conflict");
    store_audit(NULL, "x", "y", "z", "w", "ok"); /* ignored, no crash */
    assert_query(db, "SELECT count(*) FROM audit_log", "2");
    assert_query(db,
                 "SELECT username || '|' || address || '|' || action || '|' || outcome "
                 "FROM audit_log ORDER BY id LIMIT 1",
                 "alice|127.0.0.1|login|ok");
    assert_query(db,
                 "SELECT coalesce(username, 'NULL') || '|' || object FROM audit_log "
                 "ORDER BY id DESC LIMIT 1",
                 "NULL|6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_query(db, "SELECT at > 1600000000 FROM audit_log LIMIT 1", "1");
    store_close(db);
    store_close(NULL);

    remove_db(dir);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void test_incomplete_uploads(void **state)
{
    struct app_error err = {0};
    char *dir = path_in("uploads");
    sqlite3 *db = store_open(dir, &err);

    assert_non_null(db);
    assert_false(store_uploads_incomplete(db, "images", "a.iso"));
    assert_int_equal(store_uploads_mark(db, "images", "a.iso", "alice"), 0);
    assert_int_equal(store_uploads_mark(db, "images", "a.iso", "bob"), 0); /* again: one row */
    assert_true(store_uploads_incomplete(db, "images", "a.iso"));
    assert_false(store_uploads_incomplete(db, "other", "a.iso"));
    assert_false(store_uploads_incomplete(db, "images", "b.iso"));
    assert_query(db, "SELECT count(*) || '|' || username FROM incomplete_uploads", "1|bob");
    assert_int_equal(store_uploads_clear(db, "images", "a.iso"), 0);
    assert_false(store_uploads_incomplete(db, "images", "a.iso"));
    assert_int_equal(store_uploads_clear(db, "images", "never"), 0);
    assert_false(store_uploads_incomplete(NULL, "images", "a.iso"));
    assert_int_equal(store_uploads_mark(NULL, "images", "a.iso", "x"), -1);
    store_close(db);

    remove_db(dir);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

/* data_version moves for another connection's commits only: what lets the daemon
 * notice `virtdeck user ...` without being woken by its own writes. */
static void test_data_version(void **state)
{
    struct app_error err = {0};
    char *dir = path_in("version");
    sqlite3 *daemon = store_open(dir, &err);
    sqlite3 *cli = store_open(dir, &err);
    int64_t before = 0, after = 0, cli_before = 0, cli_after = 0;

    assert_non_null(daemon);
    assert_non_null(cli);
    assert_int_equal(store_data_version(daemon, &before), 0);
    store_audit(daemon, "admin", "127.0.0.1", "own", NULL, "ok");
    assert_int_equal(store_data_version(daemon, &after), 0);
    assert_true(after == before);

    assert_int_equal(store_data_version(cli, &cli_before), 0);
    store_audit(cli, "admin", NULL, "cli", NULL, "ok");
    assert_int_equal(store_data_version(cli, &cli_after), 0);
    assert_true(cli_after == cli_before);
    assert_int_equal(store_data_version(daemon, &after), 0);
    assert_true(after != before);
    store_close(cli);
    store_close(daemon);

    remove_db(dir);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_private_files), cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_refuses_newer_schema),       cmocka_unit_test(test_audit),
        cmocka_unit_test(test_incomplete_uploads),         cmocka_unit_test(test_data_version),
    };
    int failed;

    log_set_level(LOG_WARN);
    assert_non_null(mkdtemp(test_dir));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(test_dir);
    return failed;
}
