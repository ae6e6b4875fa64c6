/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_job_table: server/work/job_table.c — a job's ids are 32 random hex digits and
 * differ; it starts running ("queued", 0 of total); progress never goes back or past
 * the total and asks for a message at most every JOB_TABLE_PUSH_MS (and at once for a
 * new phase); finish moves running → done (result, status, all bytes) or → failed
 * (the error's inner object), once: a second finish and later progress are refused; a
 * job is seen by its owner and admins only; finished jobs expire after
 * JOB_TABLE_KEEP_MS, running ones never; the table holds JOB_TABLE_MAX jobs, drops the
 * oldest finished one for a new job and refuses (503) when every slot runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "work/job_table.h"

#define MIB (1024ull * 1024)

static const char *str(struct json_object *o, const char *key)
{
    struct json_object *v;

    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_string(v);
}

static int64_t num(struct json_object *o, const char *key)
{
    struct json_object *v;

    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int64(v);
}

static bool has(struct json_object *o, const char *key)
{
    return json_object_object_get_ex(o, key, NULL);
}

static void add(struct job_table *t, const char *owner, int64_t now, char id[JOB_ID_HEX + 1])
{
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(job_table_add(t,
                                   &(struct job_table_entry){.kind = "clone",
                                                             .owner = owner,
                                                             .object = "uuid-1",
                                                             .name = "vm-clone",
                                                             .total = 100 * MIB},
                                   now, id, &err),
                     0);
}

static struct json_object *error_body(int status, const char *code, const char *message)
{
    struct json_object *root = json_object_new_object(), *inner = json_object_new_object();

    (void)status;
    json_object_object_add(inner, "code", json_object_new_string(code));
    json_object_object_add(inner, "message", json_object_new_string(message));
    json_object_object_add(root, "error", inner);
    return root;
}

static void test_add_and_ids(void **state)
{
    struct job_table *t = job_table_new();
    char a[JOB_ID_HEX + 1], b[JOB_ID_HEX + 1];
    struct json_object *j;

    (void)state;
    add(t, "op", 0, a);
    add(t, "op", 0, b);
    assert_int_equal(strlen(a), JOB_ID_HEX);
    assert_int_equal(strspn(a, "0123456789abcdef"), JOB_ID_HEX);
    assert_string_not_equal(a, b);
    j = job_table_get(t, a, "op", false, 0);
    assert_non_null(j);
    assert_string_equal(str(j, "id"), a);
    assert_string_equal(str(j, "kind"), "clone");
    assert_string_equal(str(j, "owner"), "op");
    assert_string_equal(str(j, "object"), "uuid-1");
    assert_string_equal(str(j, "name"), "vm-clone");
    assert_string_equal(str(j, "state"), "running");
    assert_string_equal(str(j, "phase"), "queued");
    assert_int_equal(num(j, "bytes_done"), 0);
    assert_int_equal(num(j, "bytes_total"), 100 * MIB);
    assert_false(has(j, "result") || has(j, "error") || has(j, "status"));
    json_object_put(j);
    job_table_free(t);
}

static void test_progress(void **state)
{
    struct job_table *t = job_table_new();
    char id[JOB_ID_HEX + 1];
    struct json_object *j;

    (void)state;
    add(t, "op", 0, id);
    j = job_table_progress(t, id, "copy", 10 * MIB, 1000); /* new phase: a message */
    assert_non_null(j);
    assert_string_equal(str(j, "phase"), "copy");
    assert_int_equal(num(j, "bytes_done"), 10 * MIB);
    json_object_put(j);
    /* within JOB_TABLE_PUSH_MS: recorded, no message */
    assert_null(job_table_progress(t, id, NULL, 20 * MIB, 1000 + JOB_TABLE_PUSH_MS - 1));
    /* going back is ignored; past the total is capped */
    j = job_table_progress(t, id, NULL, 5 * MIB, 1000 + JOB_TABLE_PUSH_MS);
    assert_non_null(j);
    assert_int_equal(num(j, "bytes_done"), 20 * MIB);
    json_object_put(j);
    j = job_table_progress(t, id, "define", 500 * MIB, 1000 + JOB_TABLE_PUSH_MS);
    assert_non_null(j); /* a new phase is told at once */
    assert_int_equal(num(j, "bytes_done"), 100 * MIB);
    json_object_put(j);
    assert_null(job_table_progress(t, "0123", "copy", 1, 5000)); /* unknown */
    job_table_free(t);
}

static void test_finish_done(void **state)
{
    struct job_table *t = job_table_new();
    char id[JOB_ID_HEX + 1];
    struct json_object *result = json_object_new_object(), *j, *r;

    (void)state;
    add(t, "op", 0, id);
    json_object_object_add(result, "copies", json_object_new_array());
    j = job_table_finish(t, id, 201, result, 10);
    assert_non_null(j);
    assert_string_equal(str(j, "state"), "done");
    assert_string_equal(str(j, "phase"), "done");
    assert_int_equal(num(j, "status"), 201);
    assert_int_equal(num(j, "bytes_done"), 100 * MIB);
    assert_true(json_object_object_get_ex(j, "result", &r));
    assert_true(has(r, "copies"));
    assert_false(has(j, "error"));
    json_object_put(j);
    /* finished once: no second finish, no progress */
    assert_null(job_table_finish(t, id, 500, error_body(500, "x", "y"), 20));
    assert_null(job_table_progress(t, id, "copy", 1, 5000));
    j = job_table_get(t, id, "op", false, 30);
    assert_string_equal(str(j, "state"), "done");
    json_object_put(j);
    job_table_free(t);
}

static void test_finish_failed(void **state)
{
    struct job_table *t = job_table_new();
    char id[JOB_ID_HEX + 1];
    struct json_object *j, *e;

    (void)state;
    add(t, "op", 0, id);
    j = job_table_finish(t, id, 409, error_body(409, "conflict", "disk vdb"), 10);
    assert_string_equal(str(j, "state"), "failed");
    assert_string_equal(str(j, "phase"), "failed");
    assert_int_equal(num(j, "status"), 409);
    assert_true(json_object_object_get_ex(j, "error", &e));
    assert_string_equal(str(e, "code"), "conflict");
    assert_string_equal(str(e, "message"), "disk vdb");
    assert_false(has(j, "result"));
    assert_int_equal(num(j, "bytes_done"), 0);
    json_object_put(j);
    job_table_free(t);
}

static void test_visibility(void **state)
{
    struct job_table *t = job_table_new();
    char a[JOB_ID_HEX + 1], b[JOB_ID_HEX + 1];
    struct json_object *l, *jobs, *j;

    (void)state;
    add(t, "op", 1, a);
    add(t, "op2", 2, b);
    assert_null(job_table_get(t, a, "op2", false, 3));
    assert_null(job_table_get(t, NULL, "op", false, 3));
    j = job_table_get(t, a, "admin", true, 3);
    assert_non_null(j);
    json_object_put(j);
    l = job_table_list(t, "op2", false, 3);
    assert_true(json_object_object_get_ex(l, "jobs", &jobs));
    assert_int_equal(json_object_array_length(jobs), 1);
    assert_string_equal(str(json_object_array_get_idx(jobs, 0), "id"), b);
    json_object_put(l);
    l = job_table_list(t, "admin", true, 3);
    assert_true(json_object_object_get_ex(l, "jobs", &jobs));
    assert_int_equal(json_object_array_length(jobs), 2);
    assert_string_equal(str(json_object_array_get_idx(jobs, 0), "id"), a); /* oldest first */
    assert_string_equal(str(json_object_array_get_idx(jobs, 1), "id"), b);
    json_object_put(l);
    job_table_drop(t, a);
    assert_null(job_table_get(t, a, "op", false, 3));
    job_table_free(t);
}

static void test_expiry(void **state)
{
    struct job_table *t = job_table_new();
    char run[JOB_ID_HEX + 1], fin[JOB_ID_HEX + 1];
    struct json_object *j;

    (void)state;
    add(t, "op", 0, run);
    add(t, "op", 0, fin);
    json_object_put(job_table_finish(t, fin, 201, json_object_new_object(), 100));
    j = job_table_get(t, fin, "op", false, 100 + JOB_TABLE_KEEP_MS - 1);
    assert_non_null(j);
    json_object_put(j);
    assert_null(job_table_get(t, fin, "op", false, 100 + JOB_TABLE_KEEP_MS));
    j = job_table_get(t, run, "op", false, 10 * (int64_t)JOB_TABLE_KEEP_MS);
    assert_non_null(j); /* a running job never expires */
    json_object_put(j);
    job_table_free(t);
}

static void test_bounds(void **state)
{
    struct job_table *t = job_table_new();
    char ids[JOB_TABLE_MAX][JOB_ID_HEX + 1], extra[JOB_ID_HEX + 1];
    struct app_error err;
    struct json_object *j;

    (void)state;
    for (int i = 0; i < JOB_TABLE_MAX; i++)
        add(t, "op", i, ids[i]);
    app_error_clear(&err);
    assert_int_equal(
        job_table_add(t,
                      &(struct job_table_entry){
                          .kind = "clone", .owner = "op", .object = "u", .name = "n", .total = 1},
                      100, extra, &err),
        -1);
    assert_int_equal(err.status, 503);
    /* two finish; the one that finished first makes room */
    json_object_put(job_table_finish(t, ids[7], 201, json_object_new_object(), 200));
    json_object_put(job_table_finish(t, ids[3], 201, json_object_new_object(), 300));
    add(t, "op", 400, extra);
    assert_null(job_table_get(t, ids[7], "op", false, 400));
    j = job_table_get(t, ids[3], "op", false, 400);
    assert_non_null(j);
    json_object_put(j);
    j = job_table_get(t, extra, "op", false, 400);
    assert_non_null(j);
    json_object_put(j);
    job_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_ids), cmocka_unit_test(test_progress),
        cmocka_unit_test(test_finish_done), cmocka_unit_test(test_finish_failed),
        cmocka_unit_test(test_visibility),  cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
