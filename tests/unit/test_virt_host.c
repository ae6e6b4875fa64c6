/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_host: server/virt/virt_host.c against the test driver (test:///default,
 * whose node is fixed: i686, 16 CPUs at 1400 MHz, 3 GiB). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "virt/virt_host.h"

static struct json_object *field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    return v;
}

static void quiet(void *opaque, virErrorPtr error)
{
}

static void test_host_info(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct app_error err = {0};
    struct json_object *info;
    unsigned long lib = 0;
    char want[32];

    assert_non_null(conn);
    info = virt_host_info(conn, &err);
    assert_non_null(info);
    assert_int_equal(virConnectGetLibVersion(conn, &lib), 0);
    snprintf(want, sizeof(want), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
    assert_string_equal(json_object_get_string(field(info, "libvirt_version")), want);
    assert_string_equal(json_object_get_string(field(info, "hypervisor")), "TEST");
    assert_string_equal(json_object_get_string(field(info, "hypervisor_version")), "0.0.2");
    assert_string_equal(json_object_get_string(field(info, "uri")), "test:///default");
    assert_string_equal(json_object_get_string(field(info, "cpu_model")), "i686");
    assert_int_equal(json_object_get_int(field(info, "cpus")), 16);
    assert_int_equal(json_object_get_int(field(info, "cpu_mhz")), 1400);
    assert_int_equal(json_object_get_int64(field(info, "memory_kib")), 3145728);
    assert_true(json_object_get_int64(field(info, "free_memory_kib")) > 0);
    assert_true(json_object_get_int64(field(info, "free_memory_kib")) <= 3145728 * 2);
    assert_true(strlen(json_object_get_string(field(info, "hostname"))) > 0);
    assert_true(json_object_get_boolean(field(info, "connected")));
    assert_string_equal(json_object_get_string(field(info, "driver")), "test");
    assert_int_equal(json_object_array_length(field(info, "limits")), 6);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(field(info, "limits"), 0)),
                        "console");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(field(info, "limits"), 5)),
                        "attach");
    json_object_put(info);
    virConnectClose(conn);
}

static void test_uri_is_session(void **state)
{
    assert_true(virt_host_uri_is_session("qemu:///session"));
    assert_true(virt_host_uri_is_session("qemu+unix:///session?socket=/tmp/d/libvirt-sock"));
    assert_true(virt_host_uri_is_session("qemu+ssh://alice@host/session"));
    assert_false(virt_host_uri_is_session("qemu:///system"));
    assert_false(virt_host_uri_is_session("qemu:///sessions"));
    assert_false(virt_host_uri_is_session("test:///default"));
    assert_false(virt_host_uri_is_session("test:///session/demo.xml"));
    assert_false(virt_host_uri_is_session("qemu:///system?x=/session"));
    assert_false(virt_host_uri_is_session("not a uri ::: %"));
    assert_false(virt_host_uri_is_session(""));
}

/* With a node file the test driver has no NUMA cells and libvirt reports the free
 * memory 0 as an error of unknown cause: shown as 0, not a failure. */
static void test_host_info_node_file(void **state)
{
    virConnectPtr conn = virConnectOpen("test://" VIRTDECK_SOURCE_DIR "/packaging/demo/demo.xml");
    struct app_error err = {0};
    struct json_object *info;

    assert_non_null(conn);
    assert_int_equal(virNodeGetFreeMemory(conn), 0);
    assert_non_null(virGetLastError());
    info = virt_host_info(conn, &err);
    assert_non_null(info);
    assert_int_equal(json_object_get_int64(field(info, "free_memory_kib")), 0);
    assert_int_equal(json_object_get_int(field(info, "cpus")), 16);
    assert_string_equal(json_object_get_string(field(info, "cpu_model")), "x86_64");
    assert_null(virGetLastError());
    json_object_put(info);
    virConnectClose(conn);
}

static void test_host_info_failure(void **state)
{
    struct app_error err = {0};

    /* An invalid connection is what a dropped one looks like to libvirt. */
    assert_null(virt_host_info(NULL, &err));
    assert_int_equal(err.status, 503);
    assert_string_equal(err.code, APP_ERR_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_info),
        cmocka_unit_test(test_uri_is_session),
        cmocka_unit_test(test_host_info_node_file),
        cmocka_unit_test(test_host_info_failure),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
