/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_quota: auth/auth_quota.c's pure parts and ledger, and virt_quota_parse: the
 * effective-limit rule (own, most generous group, unlimited), the check's message and
 * its "only what grows" rule, the PUT body parser, the limits in SQLite (store
 * migration 10, cascades), and the ledger: reservations add to the measured use, settle
 * runs its step under the mutex and drops the reservation, and concurrent reservations
 * never exceed the limit together. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth_quota.h"
#include "store/store.h"
#include "tmp_dir.h"
#include "virt/virt_quota.h"

static struct auth_quota_amounts amounts(long long vms, long long vcpus, long long mem,
                                         long long disk)
{
    return (struct auth_quota_amounts){.n = {vms, vcpus, mem, disk}};
}

static void test_effective(void **state)
{
    struct auth_quota_amounts own = amounts(-1, 4, -1, -1);
    struct auth_quota_group groups[] = {
        {.name = "small", .limit = amounts(1, 1, 512, -1)},
        {.name = "big", .limit = amounts(3, 8, -1, -1)},
        {.name = "none", .limit = amounts(0, -1, -1, -1)},
    };
    struct auth_quota_limits out;

    (void)state;
    auth_quota_effective(&own, groups, 3, &out);
    assert_int_equal(out.limit.n[AUTH_QUOTA_VMS], 3); /* the most generous group */
    assert_string_equal(out.source[AUTH_QUOTA_VMS], "group:big");
    assert_int_equal(out.limit.n[AUTH_QUOTA_VCPUS], 4); /* the user's own wins */
    assert_string_equal(out.source[AUTH_QUOTA_VCPUS], "user");
    assert_int_equal(out.limit.n[AUTH_QUOTA_MEMORY_MIB], 512); /* the only group that sets it */
    assert_string_equal(out.source[AUTH_QUOTA_MEMORY_MIB], "group:small");
    assert_int_equal(out.limit.n[AUTH_QUOTA_DISK_GIB], AUTH_QUOTA_UNLIMITED);
    assert_string_equal(out.source[AUTH_QUOTA_DISK_GIB], "");
    own = amounts(0, -1, -1, -1); /* 0 is a limit: none */
    auth_quota_effective(&own, NULL, 0, &out);
    assert_int_equal(out.limit.n[AUTH_QUOTA_VMS], 0);
    assert_int_equal(out.limit.n[AUTH_QUOTA_VCPUS], AUTH_QUOTA_UNLIMITED);
}

static void test_check(void **state)
{
    struct auth_quota_amounts limit = amounts(3, 4, 1024, -1);
    struct auth_quota_amounts used = amounts(2, 4, 512, 900);
    struct auth_quota_amounts demand = amounts(1, 0, 512, 100);
    struct app_error err;

    (void)state;
    app_error_clear(&err);
    assert_int_equal(auth_quota_check(&limit, &used, &demand, &err), 0); /* exactly at the limits */
    demand = amounts(1, 1, 0, 0);
    assert_int_equal(auth_quota_check(&limit, &used, &demand, &err), -1);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_QUOTA);
    assert_string_equal(err.message, "quota exceeded: vcpus: 4 used, 1 requested, limit 4");
    used = amounts(5, 9, 512, 0); /* over (a limit was lowered): only growth is refused */
    demand = amounts(0, 0, 1, 0);
    assert_int_equal(auth_quota_check(&limit, &used, &demand, &err), 0);
    demand = amounts(1, 0, 0, 0);
    assert_int_equal(auth_quota_check(&limit, &used, &demand, &err), -1);
    assert_string_equal(err.message, "quota exceeded: vms: 5 used, 1 requested, limit 3");
}

static void test_parse(void **state)
{
    static const char *const bad[][2] = {
        {"{\"vms\": -1}", "vms"},
        {"{\"vcpus\": \"2\"}", "vcpus"},
        {"{\"memory_mib\": 1.5}", "memory_mib"},
        {"{\"disk_gib\": true}", "disk_gib"},
        {"{\"cpus\": 1}", "cpus"},
        {"{\"vms\": 1099511627777}", "vms"},
    };
    struct auth_quota_amounts out;
    struct json_object *body;
    struct app_error err;

    (void)state;
    body = json_tokener_parse("{\"vms\": 2, \"vcpus\": null, \"disk_gib\": 0}");
    assert_int_equal(auth_quota_parse(body, &out, &err), 0);
    assert_int_equal(out.n[AUTH_QUOTA_VMS], 2);
    assert_int_equal(out.n[AUTH_QUOTA_VCPUS], AUTH_QUOTA_UNLIMITED);
    assert_int_equal(out.n[AUTH_QUOTA_MEMORY_MIB], AUTH_QUOTA_UNLIMITED); /* left out */
    assert_int_equal(out.n[AUTH_QUOTA_DISK_GIB], 0);
    json_object_put(body);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        app_error_clear(&err);
        body = json_tokener_parse(bad[i][0]);
        assert_int_equal(auth_quota_parse(body, &out, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.field, bad[i][1]);
        json_object_put(body);
    }
    body = json_tokener_parse("[1]");
    assert_int_equal(auth_quota_parse(body, &out, &err), -1);
    json_object_put(body);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_store(void **state)
{
    char *dir = tmp_dir_make("auth-quota");
    struct auth_quota_amounts own, limit = amounts(2, -1, 4096, -1);
    struct auth_quota_limits lim;
    struct app_error err;
    sqlite3 *db;

    (void)state;
    assert_non_null(dir);
    app_error_clear(&err);
    assert_non_null(db = store_open(dir, &err));
    exec_ok(db, "INSERT INTO users (name, role, password_hash, created_at) VALUES "
                "('alice', 'user', 'x', 0), ('bob', 'user', 'x', 0);"
                "INSERT INTO groups (name, created_at) VALUES ('g1', 0), ('g2', 0);"
                "INSERT INTO group_members VALUES ('g1', 'alice'), ('g2', 'alice');");
    assert_int_equal(auth_quota_set(db, false, "nobody", &limit, &err), -1);
    assert_int_equal(err.status, 404);
    assert_int_equal(auth_quota_set(db, true, "nogroup", &limit, &err), -1);
    assert_int_equal(err.status, 404);
    assert_int_equal(auth_quota_set(db, false, "alice", &limit, &err), 0);
    assert_int_equal(auth_quota_get(db, false, "alice", &own, &err), 0);
    assert_memory_equal(&own, &limit, sizeof(own));
    limit = amounts(-1, 2, -1, -1);
    assert_int_equal(auth_quota_set(db, true, "g1", &limit, &err), 0);
    limit = amounts(-1, 6, -1, 10);
    assert_int_equal(auth_quota_set(db, true, "g2", &limit, &err), 0);
    assert_int_equal(auth_quota_limits_for(db, "alice", &lim, &err), 0);
    assert_int_equal(lim.limit.n[AUTH_QUOTA_VMS], 2);
    assert_string_equal(lim.source[AUTH_QUOTA_VMS], "user");
    assert_int_equal(lim.limit.n[AUTH_QUOTA_VCPUS], 6);
    assert_string_equal(lim.source[AUTH_QUOTA_VCPUS], "group:g2");
    assert_int_equal(lim.limit.n[AUTH_QUOTA_DISK_GIB], 10);
    assert_int_equal(auth_quota_limits_for(db, "bob", &lim, &err), 0); /* nothing set */
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++)
        assert_int_equal(lim.limit.n[d], AUTH_QUOTA_UNLIMITED);
    /* all unlimited: the row goes; a deleted user or group takes its row with it */
    limit = amounts(-1, -1, -1, -1);
    assert_int_equal(auth_quota_set(db, true, "g1", &limit, &err), 0);
    exec_ok(db, "DELETE FROM users WHERE name = 'alice'; DELETE FROM groups WHERE name = 'g2';");
    {
        sqlite3_stmt *stmt = NULL;

        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT (SELECT count(*) FROM user_quotas) + "
                                            "(SELECT count(*) FROM group_quotas)",
                                            -1, &stmt, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(stmt, 0), 0);
        sqlite3_finalize(stmt);
    }
    store_close(db);
    tmp_dir_remove(dir);
}

/* ---- the ledger ---- */

struct fake_use {
    pthread_mutex_t lock;
    long long vms; /* "committed": what settled creates made */
};

static int fake_measure(void *ctx, struct auth_quota_amounts *used, struct app_error *err)
{
    struct fake_use *f = ctx;

    (void)err;
    memset(used, 0, sizeof(*used));
    pthread_mutex_lock(&f->lock);
    used->n[AUTH_QUOTA_VMS] = f->vms;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

static void fake_commit(void *ctx)
{
    struct fake_use *f = ctx;

    pthread_mutex_lock(&f->lock);
    f->vms++;
    pthread_mutex_unlock(&f->lock);
}

static void test_ledger(void **state)
{
    struct auth_quota *q = auth_quota_new();
    struct auth_quota_amounts limit = amounts(3, -1, -1, -1), one = amounts(1, 2, 0, 0), r;
    struct fake_use f = {.vms = 1};
    uint64_t t1, t2, t3;
    struct app_error err;

    (void)state;
    pthread_mutex_init(&f.lock, NULL);
    app_error_clear(&err);
    assert_int_equal(auth_quota_reserve(q, "alice", &limit, &one, fake_measure, &f, &t1, &err), 0);
    assert_int_equal(auth_quota_reserve(q, "alice", &limit, &one, fake_measure, &f, &t2, &err), 0);
    assert_true(t1 && t2 && t1 != t2);
    /* 1 committed + 2 reserved: the next one is over */
    assert_int_equal(auth_quota_reserve(q, "alice", &limit, &one, fake_measure, &f, &t3, &err), -1);
    assert_int_equal(t3, 0);
    assert_string_equal(err.message, "quota exceeded: vms: 3 used, 1 requested, limit 3");
    /* another user's reservations are its own */
    assert_int_equal(auth_quota_reserve(q, "bob", &limit, &one, NULL, NULL, &t3, &err), 0);
    auth_quota_reserved(q, "alice", &r);
    assert_int_equal(r.n[AUTH_QUOTA_VMS], 2);
    assert_int_equal(r.n[AUTH_QUOTA_VCPUS], 4);
    auth_quota_settle(q, t1, fake_commit, &f); /* committed now: still 3 in all */
    assert_int_equal(auth_quota_reserve(q, "alice", &limit, &one, fake_measure, &f, &t1, &err), -1);
    auth_quota_settle(q, t2, NULL, NULL); /* failed: nothing committed, the room is back */
    assert_int_equal(auth_quota_reserve(q, "alice", &limit, &one, fake_measure, &f, &t1, &err), 0);
    auth_quota_settle(q, t1, NULL, NULL);
    auth_quota_settle(q, t3, NULL, NULL);
    auth_quota_settle(q, 0, NULL, NULL); /* no ticket: a no-op */
    auth_quota_reserved(q, "alice", &r);
    assert_int_equal(r.n[AUTH_QUOTA_VMS], 0);
    auth_quota_free(q);
    pthread_mutex_destroy(&f.lock);
}

struct race {
    struct auth_quota *q;
    struct fake_use *f;
    int ok;
};

static void *race_create(void *arg)
{
    struct race *r = arg;
    struct auth_quota_amounts limit = amounts(5, -1, -1, -1), one = amounts(1, 0, 0, 0);
    struct app_error err;
    uint64_t t;

    app_error_clear(&err);
    if (auth_quota_reserve(r->q, "alice", &limit, &one, fake_measure, r->f, &t, &err) == 0) {
        auth_quota_settle(r->q, t, fake_commit, r->f);
        r->ok = 1;
    }
    return NULL;
}

static void test_ledger_threads(void **state)
{
    enum { N = 16 };
    struct fake_use f = {.vms = 2};
    struct race races[N];
    pthread_t th[N];
    int ok = 0;

    (void)state;
    pthread_mutex_init(&f.lock, NULL);
    for (int i = 0; i < N; i++) {
        races[i] = (struct race){.q = NULL, .f = &f};
    }
    races[0].q = auth_quota_new();
    for (int i = 1; i < N; i++)
        races[i].q = races[0].q;
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race_create, &races[i]), 0);
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += races[i].ok;
    }
    assert_int_equal(ok, 3); /* 2 owned, limit 5: exactly 3 of 16 */
    assert_int_equal(f.vms, 5);
    auth_quota_free(races[0].q);
    pthread_mutex_destroy(&f.lock);
}

/* ---- virt_quota_parse ---- */

static void test_virt_parse(void **state)
{
    static const char xml[] =
        "<domain type='kvm'><name>a</name><memory unit='KiB'>1048577</memory>"
        "<vcpu placement='static' current='2'>4</vcpu><devices>"
        "<disk type='file' device='disk'><source file='/var/lib/a.qcow2'/></disk>"
        "<disk type='volume' device='disk'><source pool='p' volume='v'/></disk>"
        "<disk type='file' device='cdrom'><source file='/iso/x.iso'/></disk>"
        "<disk type='file' device='disk'/></devices></domain>";
    struct virt_quota_use use;
    struct json_object *disks = NULL;
    struct app_error err;

    (void)state;
    app_error_clear(&err);
    assert_int_equal(virt_quota_parse(xml, &use, &disks, &err), 0);
    assert_int_equal(use.vms, 1);
    assert_int_equal(use.vcpus, 2);         /* the current count */
    assert_int_equal(use.memory_mib, 1025); /* rounded up */
    assert_string_equal(
        json_object_to_json_string_ext(disks, JSON_C_TO_STRING_PLAIN),
        "[{\"path\":\"\\/var\\/lib\\/a.qcow2\"},{\"pool\":\"p\",\"volume\":\"v\"}]");
    json_object_put(disks);
    assert_int_equal(virt_quota_parse("<domain><vcpu>3</vcpu></domain>", &use, &disks, &err), 0);
    assert_int_equal(use.vcpus, 3);
    json_object_put(disks);
    assert_int_equal(virt_quota_parse("<network/>", &use, &disks, &err), -1);
    assert_null(disks);
    assert_int_equal(virt_quota_gib(0), 0);
    assert_int_equal(virt_quota_gib(1), 1);
    assert_int_equal(virt_quota_gib(1ULL << 30), 1);
    assert_int_equal(virt_quota_gib((1ULL << 30) + 1), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effective),  cmocka_unit_test(test_check),
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_store),
        cmocka_unit_test(test_ledger),     cmocka_unit_test(test_ledger_threads),
        cmocka_unit_test(test_virt_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
