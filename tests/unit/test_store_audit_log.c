/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_store_audit_log: the audit log's SQL builder, filters, pages and pruning
 * (server/store/store_audit_log.c) and GET /api/audit's query parser
 * (server/api/api_audit_query.c), on an in-memory copy of the real schema (store_open in
 * a private temp directory, removed afterwards). Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_audit_query.h"
#include "store/store.h"
#include "store/store_audit_log.h"
#include "util/log.h"

static char test_dir[] = "/tmp/virtdeck-test-audit.XXXXXX";

#define VM  "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define VM2 "6695eb01-f6a4-8304-79aa-97f2502e1940"

static void test_sql(void **state)
{
    struct store_audit_filter f = {.limit = 5};
    char sql[512];

    (void)state;
    assert_int_equal(store_audit_log_sql(&f, sql, sizeof(sql)), 0);
    assert_string_equal(sql, "SELECT id, at, username, address, action, object, outcome, message "
                             "FROM audit_log WHERE 1 ORDER BY id DESC LIMIT ?");
    f = (struct store_audit_filter){.vm = VM,
                                    .user = "u",
                                    .action = "a",
                                    .result = "r",
                                    .since_s = 1,
                                    .until_s = 2,
                                    .before_id = 3,
                                    .limit = 5};
    assert_int_equal(store_audit_log_sql(&f, sql, sizeof(sql)), 0);
    assert_string_equal(sql, "SELECT id, at, username, address, action, object, outcome, message "
                             "FROM audit_log WHERE 1 AND (object = ? OR (object >= ? AND object "
                             "< ?)) AND username = ? AND action = ? AND outcome = ? AND at >= ? "
                             "AND at < ? AND id < ? ORDER BY id DESC LIMIT ?");
    assert_int_equal(store_audit_log_sql(&f, sql, 40), -1);
}

struct collected {
    int n;
    int64_t ids[16];
    char objects[16][96];
    char messages[16][64];
};

static void collect(const struct store_audit_row *row, void *ctx)
{
    struct collected *c = ctx;

    if (c->n >= 16)
        return;
    c->ids[c->n] = row->id;
    snprintf(c->objects[c->n], sizeof(c->objects[0]), "%s", row->object);
    snprintf(c->messages[c->n], sizeof(c->messages[0]), "%s", row->message);
    c->n++;
}

static int query(sqlite3 *db, struct store_audit_filter f, struct collected *c)
{
    struct app_error err;

    memset(c, 0, sizeof(*c));
    if (!f.limit)
        f.limit = 16;
    return store_audit_log_query(db, &f, collect, c, &err);
}

static void test_query_and_prune(void **state)
{
    sqlite3 *db;
    struct app_error err;
    struct collected c;

    (void)state;
    assert_non_null(db = store_open(test_dir, &err));
    store_audit(db, "alice", "127.0.0.1", "start", "domain:" VM, "ok");
    store_audit_result(db, "bob", "::1", "start", "domain:" VM, "forbidden",
                       "role viewer may not start domains");
    store_audit(db, "alice", "127.0.0.1", "snapshot-create", "domain:" VM "/snapshot:s1", "ok");
    store_audit(db, "alice", "127.0.0.1", "start", "domain:" VM2, "ok");
    store_audit(db, "alice", "127.0.0.1", "login", "", "ok");

    /* the VM and its sub-objects, never another VM with the same prefix */
    assert_int_equal(query(db, (struct store_audit_filter){.vm = VM}, &c), 3);
    assert_string_equal(c.objects[0], "domain:" VM "/snapshot:s1");
    assert_string_equal(c.objects[2], "domain:" VM);
    assert_true(c.ids[0] > c.ids[1] && c.ids[1] > c.ids[2]);
    assert_int_equal(query(db, (struct store_audit_filter){.result = "forbidden"}, &c), 1);
    assert_string_equal(c.messages[0], "role viewer may not start domains");
    assert_int_equal(query(db, (struct store_audit_filter){.user = "alice", .action = "start"}, &c),
                     2);
    /* paging */
    assert_int_equal(query(db, (struct store_audit_filter){.limit = 2}, &c), 2);
    assert_int_equal(query(db, (struct store_audit_filter){.before_id = c.ids[1]}, &c), 3);
    /* time: every row is from now */
    assert_int_equal(query(db, (struct store_audit_filter){.since_s = 4102444800}, &c), 0);
    assert_int_equal(query(db, (struct store_audit_filter){.until_s = 946684800}, &c), 0);

    /* pruning: by count keeps the newest; by age drops what is older than now - days */
    assert_int_equal(store_audit_log_prune(db, 0, 0, 3), 2);
    assert_int_equal(query(db, (struct store_audit_filter){0}, &c), 3);
    assert_string_equal(c.objects[0], "");
    assert_int_equal(store_audit_log_prune(db, 4102444800, 36500, 0), 0);
    assert_int_equal(store_audit_log_prune(db, 4102444800, 1, 0), 3);
    assert_int_equal(query(db, (struct store_audit_filter){0}, &c), 0);
    assert_int_equal(store_audit_log_prune(db, 4102444800, 0, 0), 0);
    store_close(db);
}

/* A reader who may not read every row: the rows about the VMs it sees (whoever wrote
 * them), and its own rows about no VM; never a row about another VM, even its own. */
static void test_reach(void **state)
{
    sqlite3 *db;
    struct app_error err;
    struct collected c;
    struct store_audit_filter mine = {
        .reach = STORE_AUDIT_DOMAINS_IN, .reader = "bob", .domains = "[\"" VM "\"]"};
    char sql[1536];
    int64_t base;

    (void)state;
    assert_non_null(db = store_open(test_dir, &err));
    store_audit(db, "alice", "127.0.0.1", "start", "domain:" VM, "ok"); /* 1 */
    store_audit(db, "alice", "127.0.0.1", "snapshot-create", "domain:" VM "/snapshot:s", "ok");
    store_audit(db, "alice", "127.0.0.1", "start", "domain:" VM2, "ok");         /* 3 */
    store_audit(db, "bob", "127.0.0.1", "stop", "domain:" VM2, "not_found");     /* 4 */
    store_audit(db, "bob", "127.0.0.1", "login", "", "ok");                      /* 5 */
    store_audit(db, "alice", "127.0.0.1", "login", "", "ok");                    /* 6 */
    store_audit(db, "bob", "127.0.0.1", "domain-create", "domain:new-vm", "ok"); /* 7 */
    store_audit(db, "admin", "127.0.0.1", "user-create", "user:carol", "ok");    /* 8 */
    store_audit(db, "bob", "127.0.0.1", "start", "domain:6695EB01-F6A4-8304-79AA-97F2502E193F",
                "ok"); /* 9: an upper-case UUID is the same VM */

    assert_int_equal(query(db, (struct store_audit_filter){0}, &c), 9);
    base = c.ids[8] - 1; /* the ids go on from the test before */
    assert_int_equal(store_audit_log_sql(&mine, sql, sizeof(sql)), 0);
    assert_non_null(strstr(sql, "json_each(?)"));
    assert_int_equal(query(db, mine, &c), 5);
    assert_int_equal(c.ids[0], base + 9);
    assert_int_equal(c.ids[1], base + 7);
    assert_int_equal(c.ids[2], base + 5);
    assert_int_equal(c.ids[3], base + 2);
    assert_int_equal(c.ids[4], base + 1);
    /* a filter on another's VM: nothing (invisible, not forbidden) */
    mine.vm = VM2;
    assert_int_equal(query(db, mine, &c), 0);
    mine.vm = VM; /* the vm filter matches the object as written (lower case) */
    assert_int_equal(query(db, mine, &c), 2);
    mine.vm = NULL;
    /* no VMs at all: its own rows about none */
    mine.domains = "[]";
    assert_int_equal(query(db, mine, &c), 2);
    mine.domains = NULL;
    assert_int_equal(query(db, mine, &c), 2);
    /* every VM: all VM rows (anyone's), its own rows about none */
    mine.reach = STORE_AUDIT_EVERY_DOMAIN;
    assert_int_equal(query(db, mine, &c), 7);
    mine.user = "alice";
    assert_int_equal(query(db, mine, &c), 3);
    /* an admin: every row */
    assert_int_equal(query(db, (struct store_audit_filter){0}, &c), 9);
    store_close(db);
}

static void test_time(void **state)
{
    int64_t ms;

    (void)state;
    assert_int_equal(api_audit_query_time("1764866686123", &ms), 0);
    assert_int_equal(ms, 1764866686123);
    assert_int_equal(api_audit_query_time("2026-12-04T16:24:46Z", &ms), 0);
    assert_int_equal(ms, 1796401486000);
    assert_int_equal(api_audit_query_time("2026-12-04T16:24:46.5Z", &ms), 0);
    assert_int_equal(ms, 1796401486500);
    assert_int_equal(api_audit_query_time("2026-12-04T18:24+02:00", &ms), 0);
    assert_int_equal(ms, 1796401440000);
    assert_int_equal(api_audit_query_time("2026-12-04", &ms), 0);
    assert_int_equal(ms, 1796342400000);
    static const char *const bad[] = {
        "",
        "yesterday",
        "2026-13-01",
        "2026-12-04T25:00Z",
        "2026-1-4",
        "2026-12-04T16:24:46",
        "2026-12-04T16:24:46Zx",
        "9999999999999999",
        "-5",
        "2026-12-04 16:24Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(api_audit_query_time(bad[i], &ms), -1);
}

static void test_parse(void **state)
{
    struct api_audit_query q;
    struct app_error err;

    (void)state;
    assert_int_equal(api_audit_query_parse("", false, &q, &err), 0);
    assert_int_equal(q.filter.limit, API_AUDIT_QUERY_LIMIT);
    assert_false(q.ndjson);
    assert_null(q.filter.vm);
    assert_int_equal(api_audit_query_parse("", true, &q, &err), 0);
    assert_int_equal(q.filter.limit, API_AUDIT_QUERY_EXPORT_MAX);
    assert_true(q.ndjson);
    assert_int_equal(api_audit_query_parse("vm=6695EB01-F6A4-8304-79AA-97F2502E193F&user=al ice&"
                                           "action=domain-create&result=ok&since=1000&until="
                                           "1500&limit=7&cursor=42&format=ndjson",
                                           false, &q, &err),
                     0);
    assert_string_equal(q.filter.vm, VM);
    assert_string_equal(q.filter.user, "al ice");
    assert_string_equal(q.filter.action, "domain-create");
    assert_string_equal(q.filter.result, "ok");
    assert_int_equal(q.filter.since_s, 1);
    assert_int_equal(q.filter.until_s, 2);
    assert_int_equal(q.filter.limit, 7);
    assert_int_equal(q.filter.before_id, 42);
    assert_true(q.ndjson);

    static const char *const bad[][2] = {
        {"vm=x", "vm"},           {"user=", "user"},       {"action=A", "action"},
        {"result=a b", "result"}, {"since=x", "since"},    {"until=1e3", "until"},
        {"limit=0", "limit"},     {"limit=1001", "limit"}, {"cursor=0", "cursor"},
        {"format=csv", "format"}, {"vmid=1", "vmid"},      {"vm", "vm"},
        {"=x", "query"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(api_audit_query_parse(bad[i][0], false, &q, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.field, bad[i][1]);
    }
    assert_int_equal(api_audit_query_parse("&&user=a&", false, &q, &err), 0); /* empty skipped */
    assert_string_equal(q.filter.user, "a");
    assert_int_equal(api_audit_query_parse("limit=10000&format=ndjson", false, &q, &err), 0);
    assert_int_equal(api_audit_query_parse("limit=10001&format=ndjson", false, &q, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql),   cmocka_unit_test(test_query_and_prune),
        cmocka_unit_test(test_reach), cmocka_unit_test(test_time),
        cmocka_unit_test(test_parse),
    };
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    char path[128];
    int failed;

    log_set_level(LOG_WARN);
    assert_non_null(mkdtemp(test_dir));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", test_dir, files[i]);
        unlink(path);
    }
    rmdir(test_dir);
    return failed;
}
