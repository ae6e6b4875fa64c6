/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_domain_delete: server/virt/virt_domain_delete.c's body parser — "none",
 * "all", a list of {pool, name}, the default when the member or the body is absent, and
 * every refusal (wrong type, unknown word, malformed or duplicate entries, bad names,
 * too many entries) as a 400 naming the field "volumes". Pure; one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_domain_delete.h"

/* Parses the JSON text body; returns the parser's result. */
static int parse(const char *text, struct virt_delete_choice *out, struct app_error *err)
{
    struct json_object *body = text ? json_tokener_parse(text) : NULL;
    int rc;

    if (text)
        assert_non_null(body);
    app_error_clear(err);
    rc = virt_domain_delete_parse(body, out, err);
    json_object_put(body);
    return rc;
}

static void test_accepts(void **state)
{
    static struct virt_delete_choice c;
    struct app_error err;

    assert_int_equal(parse(NULL, &c, &err), 0);
    assert_int_equal(c.mode, VIRT_DELETE_NONE);
    assert_int_equal(parse("{}", &c, &err), 0);
    assert_int_equal(c.mode, VIRT_DELETE_NONE);
    assert_int_equal(parse("{\"volumes\":\"none\"}", &c, &err), 0);
    assert_int_equal(c.mode, VIRT_DELETE_NONE);
    assert_int_equal(parse("{\"volumes\":\"all\"}", &c, &err), 0);
    assert_int_equal(c.mode, VIRT_DELETE_ALL);
    assert_int_equal(parse("{\"volumes\":[]}", &c, &err), 0);
    assert_int_equal(c.mode, VIRT_DELETE_LIST);
    assert_int_equal(c.count, 0);
    assert_int_equal(parse("{\"volumes\":[{\"pool\":\"default\",\"name\":\"a.qcow2\"},"
                           "{\"name\":\"b.raw\",\"pool\":\"fast\"}]}",
                           &c, &err),
                     0);
    assert_int_equal(c.mode, VIRT_DELETE_LIST);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.volumes[0].pool, "default");
    assert_string_equal(c.volumes[0].name, "a.qcow2");
    assert_string_equal(c.volumes[1].pool, "fast");
    assert_string_equal(c.volumes[1].name, "b.raw");
}

static void test_refuses(void **state)
{
    static const char *const bad[] = {
        "{\"volumes\":null}",
        "{\"volumes\":\"some\"}",
        "{\"volumes\":\"ALL\"}",
        "{\"volumes\":5}",
        "{\"volumes\":true}",
        "{\"volumes\":{}}",
        "{\"volumes\":[\"default/a.qcow2\"]}",
        "{\"volumes\":[{\"pool\":\"default\"}]}",
        "{\"volumes\":[{\"name\":\"a\"}]}",
        "{\"volumes\":[{\"pool\":\"default\",\"name\":\"a\",\"x\":1}]}",
        "{\"volumes\":[{\"pool\":\"default\",\"name\":7}]}",
        "{\"volumes\":[{\"pool\":\"\",\"name\":\"a\"}]}",
        "{\"volumes\":[{\"pool\":\"default\",\"name\":\"\"}]}",
        "{\"volumes\":[{\"pool\":\"default\",\"name\":\"../a\"}]}",
        "{\"volumes\":[{\"pool\":\"a/b\",\"name\":\"a\"}]}",
        "{\"volumes\":[{\"pool\":\"p\",\"name\":\"a\"},{\"pool\":\"p\",\"name\":\"a\"}]}",
    };
    static struct virt_delete_choice c;
    struct app_error err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], &c, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.field, "volumes");
        assert_true(err.message[0] != '\0');
    }
}

/* VIRT_DELETE_VOLUMES_MAX entries pass, one more is refused with the limit in max. */
static void test_limit(void **state)
{
    static struct virt_delete_choice c;
    struct json_object *body = json_object_new_object(), *list = json_object_new_array();
    struct app_error err;
    char name[32];

    json_object_object_add(body, "volumes", list);
    for (int i = 0; i <= VIRT_DELETE_VOLUMES_MAX; i++) {
        struct json_object *e = json_object_new_object();

        snprintf(name, sizeof(name), "v%d", i);
        json_object_object_add(e, "pool", json_object_new_string("p"));
        json_object_object_add(e, "name", json_object_new_string(name));
        if (i == VIRT_DELETE_VOLUMES_MAX) {
            app_error_clear(&err);
            assert_int_equal(virt_domain_delete_parse(body, &c, &err), 0);
            assert_int_equal(c.count, VIRT_DELETE_VOLUMES_MAX);
        }
        json_object_array_add(list, e);
    }
    app_error_clear(&err);
    assert_int_equal(virt_domain_delete_parse(body, &c, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, "volumes");
    assert_int_equal(err.max, VIRT_DELETE_VOLUMES_MAX);
    json_object_put(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
