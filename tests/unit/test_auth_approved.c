/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_approved: the self-service set of auth/auth_approved.c against an in-memory
 * SQLite database holding migration 8's table: the body's shape rules (400 naming the
 * member), replace-all writes, lookups, the levels a `user` gets and the list filter.
 * Single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth_approved.h"

#define UUID "5eed0000-0000-4000-8000-00000055e501"

static const char *const TABLE =
    "CREATE TABLE self_service ("
    "  kind TEXT NOT NULL CHECK (kind IN ('template', 'iso', 'network', 'pool')),"
    "  pool TEXT NOT NULL DEFAULT '',"
    "  name TEXT NOT NULL,"
    "  PRIMARY KEY (kind, pool, name));";

static int setup(void **state)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, TABLE, NULL, NULL, NULL), SQLITE_OK);
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    sqlite3_close(*state);
    return 0;
}

/* The field of auth_approved_check's refusal of text ("" when it passes). */
static const char *refused_at(const char *text, struct app_error *err)
{
    struct json_object *body = json_tokener_parse(text);
    int rc;

    app_error_clear(err);
    rc = auth_approved_check(body, err);
    json_object_put(body);
    if (rc == 0)
        return "";
    assert_int_equal(err->status, 400);
    return err->field;
}

static void test_check_shapes(void **state)
{
    struct app_error err;

    assert_string_equal(refused_at("{}", &err), "");
    assert_string_equal(refused_at("{\"templates\":[\"" UUID "\"],\"isos\":[{\"pool\":\"p\","
                                   "\"name\":\"a.iso\"}],\"networks\":[\"default\"],"
                                   "\"pools\":[\"p\"]}",
                                   &err),
                        "");
    assert_string_equal(refused_at("{\"networks\":\"default\"}", &err), "networks");
    assert_string_equal(refused_at("{\"networks\":[\"a\",\"a\"]}", &err), "networks[1]");
    assert_string_equal(refused_at("{\"networks\":[\"\"]}", &err), "networks[0]");
    assert_string_equal(refused_at("{\"pools\":[\"a/b\"]}", &err), "pools[0]");
    assert_string_equal(refused_at("{\"templates\":[\"not-a-uuid\"]}", &err), "templates[0]");
    assert_string_equal(refused_at("{\"isos\":[\"a.iso\"]}", &err), "isos[0]");
    assert_string_equal(refused_at("{\"isos\":[{\"pool\":\"p\"}]}", &err), "isos[0]");
    assert_string_equal(refused_at("{\"isos\":[{\"pool\":\"p\",\"name\":\"a\",\"x\":1}]}", &err),
                        "isos[0]");
    /* the same volume in two pools is two ISOs */
    assert_string_equal(refused_at("{\"isos\":[{\"pool\":\"p\",\"name\":\"a\"},"
                                   "{\"pool\":\"q\",\"name\":\"a\"}]}",
                                   &err),
                        "");
    assert_string_equal(refused_at("{\"isos\":[{\"pool\":\"p\",\"name\":\"a\"},"
                                   "{\"pool\":\"p\",\"name\":\"a\"}]}",
                                   &err),
                        "isos[1]");
}

static void test_check_bound(void **state)
{
    struct json_object *body = json_object_new_object(), *nets = json_object_new_array();
    struct app_error err;
    char name[16];

    for (int i = 0; i <= AUTH_APPROVED_MAX; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        json_object_array_add(nets, json_object_new_string(name));
    }
    json_object_object_add(body, "networks", nets);
    app_error_clear(&err);
    assert_int_equal(auth_approved_check(body, &err), -1);
    assert_string_equal(err.field, "networks");
    json_object_array_del_idx(nets, 0, 1);
    assert_int_equal(auth_approved_check(body, &err), 0);
    json_object_put(body);
}

static void test_set_and_read(void **state)
{
    sqlite3 *db = *state;
    struct auth_approved *a = auth_approved_new(db), *again;
    struct json_object *json;
    struct json_object *body = json_tokener_parse(
        "{\"templates\":[\"" UUID "\"],\"isos\":[{\"pool\":\"isos\",\"name\":\"a.iso\"}],"
        "\"networks\":[\"lan\",\"default\"],\"pools\":[\"images\"]}");
    struct app_error err;

    assert_non_null(a);
    assert_false(auth_approved_has(a, AUTH_APPROVED_NETWORK, NULL, "default"));
    app_error_clear(&err);
    assert_int_equal(auth_approved_set(a, body, &err), 0);
    assert_true(auth_approved_has(a, AUTH_APPROVED_TEMPLATE, NULL, UUID));
    assert_true(auth_approved_has(a, AUTH_APPROVED_ISO, "isos", "a.iso"));
    assert_false(auth_approved_has(a, AUTH_APPROVED_ISO, "images", "a.iso"));
    assert_false(auth_approved_has(a, AUTH_APPROVED_POOL, NULL, "isos"));
    assert_true(auth_approved_has(a, AUTH_APPROVED_NETWORK, NULL, "lan"));
    assert_false(auth_approved_has(a, AUTH_APPROVED_POOL, NULL, "lan"));
    assert_false(auth_approved_has(a, AUTH_APPROVED_NETWORK, NULL, NULL));
    /* the levels a `user` reads with: an ISO's pool is seen, its other volumes are not */
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_NETWORK, "lan", NULL), AUTH_LEVEL_VIEW);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_NETWORK, "wan", NULL), AUTH_LEVEL_NONE);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "images", NULL), AUTH_LEVEL_VIEW);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "isos", NULL), AUTH_LEVEL_VIEW);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "fast", NULL), AUTH_LEVEL_NONE);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "isos", "a.iso"), AUTH_LEVEL_VIEW);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "isos", "b.iso"), AUTH_LEVEL_NONE);
    assert_int_equal(auth_approved_level(a, AUTH_OBJECT_POOL, "images", "a.iso"), AUTH_LEVEL_NONE);
    /* the JSON is sorted; a fresh index reads the same from the table */
    again = auth_approved_new(db);
    json = auth_approved_json(again);
    assert_string_equal(json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN),
                        "{\"templates\":[\"" UUID "\"],\"isos\":[{\"pool\":\"isos\",\"name\":"
                        "\"a.iso\"}],\"networks\":[\"default\",\"lan\"],\"pools\":[\"images\"]}");
    json_object_put(json);
    auth_approved_free(again);
    /* a replacement drops what it does not list */
    json_object_put(body);
    body = json_tokener_parse("{\"pools\":[\"fast\"]}");
    assert_int_equal(auth_approved_set(a, body, &err), 0);
    assert_false(auth_approved_has(a, AUTH_APPROVED_NETWORK, NULL, "lan"));
    assert_true(auth_approved_has(a, AUTH_APPROVED_POOL, NULL, "fast"));
    json_object_put(body);
    auth_approved_free(a);
}

static void test_visible(void **state)
{
    struct auth_approved *a = auth_approved_new(*state);
    struct json_object *body = json_tokener_parse(
        "{\"networks\":[\"lan\"],\"isos\":[{\"pool\":\"isos\",\"name\":\"a.iso\"}]}");
    struct auth_subject user = {.username = "alice", .role = AUTH_ROLE_USER};
    struct auth_subject viewer = {.username = "vic", .role = AUTH_ROLE_VIEWER};
    const char *nets = "{\"networks\":[{\"name\":\"lan\"},{\"name\":\"wan\"}]}";
    const char *vols = "{\"volumes\":[{\"name\":\"a.iso\"},{\"name\":\"disk.qcow2\"}]}";
    struct json_object *list;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(auth_approved_set(a, body, &err), 0);
    list = auth_approved_visible(a, &user, AUTH_OBJECT_NETWORK, NULL, json_tokener_parse(nets));
    assert_string_equal(json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN),
                        "{\"networks\":[{\"name\":\"lan\"}]}");
    json_object_put(list);
    list = auth_approved_visible(a, &viewer, AUTH_OBJECT_NETWORK, NULL, json_tokener_parse(nets));
    assert_int_equal(json_object_array_length(json_object_object_get(list, "networks")), 2);
    json_object_put(list);
    list = auth_approved_visible(a, &user, AUTH_OBJECT_POOL, "isos", json_tokener_parse(vols));
    assert_string_equal(json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN),
                        "{\"volumes\":[{\"name\":\"a.iso\"}]}");
    json_object_put(list);
    json_object_put(body);
    auth_approved_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_shapes),
        cmocka_unit_test(test_check_bound),
        cmocka_unit_test_setup_teardown(test_set_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visible, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
