/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_tuning: server/virt/virt_tuning.c against libvirt's test driver
 * (test:///default: one domain "test", running, 2 vCPUs; a host of 16 CPUs in 2 NUMA
 * cells with 4 KiB, 8 KiB, 2 MiB and 1 GiB pages; fresh each time the last connection to
 * it closes): the host facts from the capabilities, and the live half of each member
 * (what the running VM shows after it, and what waits for the next boot); through link
 * seams (tests/unit/wraps.mk), a live change libvirt refuses (next boot) told apart from
 * one that fails (an error). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "virt/virt_caps.h"
#include "virt/virt_tuning.h"
#include "xml_assert.h"

/* the seams: 0 / false pass through to libvirt */
static int forced_code;  /* what virGetLastErrorCode says */
static bool blkio_fails; /* virDomainSetBlkioParameters fails without touching the VM */

int __real_virGetLastErrorCode(void);
int __wrap_virGetLastErrorCode(void);
int __real_virDomainSetBlkioParameters(virDomainPtr dom, virTypedParameterPtr params, int n,
                                       unsigned int flags);
int __wrap_virDomainSetBlkioParameters(virDomainPtr dom, virTypedParameterPtr params, int n,
                                       unsigned int flags);

int __wrap_virGetLastErrorCode(void)
{
    return forced_code ? forced_code : __real_virGetLastErrorCode();
}

int __wrap_virDomainSetBlkioParameters(virDomainPtr dom, virTypedParameterPtr params, int n,
                                       unsigned int flags)
{
    return blkio_fails ? -1 : __real_virDomainSetBlkioParameters(dom, params, n, flags);
}

static int open_default(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");

    assert_non_null(conn);
    *state = conn;
    return 0;
}

static int close_default(void **state)
{
    virt_caps_cache_free();
    virConnectClose(*state);
    return 0;
}

static void test_host_get(void **state)
{
    struct virt_host_cpus host;
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_tuning_host_get(*state, &host, &err), 0);
    assert_int_equal(host.cpu_count, 16);
    assert_int_equal(host.numa_cells, 2);
    /* huge pages only: the 4 KiB base page is not one */
    assert_int_equal(host.page_size_count, 3);
    assert_int_equal(host.page_sizes_kib[0], 8);
    assert_int_equal(host.page_sizes_kib[1], 2048);
    assert_int_equal(host.page_sizes_kib[2], 1048576);
    virt_tuning_host_free(&host);
    assert_null(host.page_sizes_kib);
    assert_int_equal(host.cpu_count, 0);
    virt_tuning_host_free(NULL);
}

/* Applies json live to the running "test"; returns next_boot as compact JSON (caller
 * frees). */
static char *apply_live(virConnectPtr conn, const char *json)
{
    struct json_object *patch = xml_assert_parse(json), *next_boot = json_object_new_array();
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    struct app_error err;
    char *ret;

    assert_non_null(dom);
    app_error_clear(&err);
    if (virt_tuning_apply_live(dom, patch, next_boot, &err) != 0)
        fail_msg("%s refused: %d %s", json, err.status, err.message);
    ret = strdup(json_object_to_json_string_ext(next_boot, JSON_C_TO_STRING_PLAIN));
    json_object_put(next_boot);
    json_object_put(patch);
    virDomainFree(dom);
    return ret;
}

/* An XPath expression and the string it must give in the live XML. */
struct xpath_fact {
    const char *expr, *want;
};

/* Applies json live to "test": next_boot must be want_next and every fact must hold in
 * the live XML after it. */
static void assert_live(virConnectPtr conn, const char *json, const char *want_next,
                        const struct xpath_fact *facts, size_t n)
{
    char *next = apply_live(conn, json);
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    char *xml = virDomainGetXMLDesc(dom, 0);

    assert_non_null(xml);
    assert_string_equal(next, want_next);
    for (size_t i = 0; i < n; i++)
        xml_assert_xpath_eq(xml, facts[i].expr, facts[i].want);
    virDomainFree(dom);
    free(next);
    free(xml);
}

static void test_live_pins(void **state)
{
    /* vCPU 0 is not listed: every online host CPU (the test driver's node map is a fixed
     * 0,2,4 of 8) */
    static const struct xpath_fact pinned[] = {
        {"string(/domain/cputune/vcpupin[@vcpu='1']/@cpuset)", "2,9"},
        {"string(/domain/cputune/vcpupin[@vcpu='0']/@cpuset)", "0,2,4"},
        {"string(/domain/cputune/emulatorpin/@cpuset)", "5"}};

    assert_live(*state,
                "{\"vcpupin\":[{\"vcpu\":1,\"cpuset\":\"2-3,^3,9\"}],\"emulatorpin\":\"5\"}", "[]",
                pinned, 3);
    /* a vCPU that is not online waits for the next boot */
    assert_live(*state, "{\"vcpupin\":[{\"vcpu\":7,\"cpuset\":\"0\"}]}", "[\"vcpupin\"]", NULL, 0);
}

static void test_live_next_boot(void **state)
{
    assert_live(*state,
                "{\"numa_cells\":[],\"hugepages\":null,\"cputune\":null,\"numatune\":null,"
                "\"blkiotune\":null}",
                "[\"numatune\",\"numa_cells\",\"hugepages\",\"cputune\",\"blkiotune\"]", NULL, 0);
}

static void test_live_params(void **state)
{
    static const struct xpath_fact applied[] = {{"string(/domain/memtune/hard_limit)", "4194304"},
                                                {"string(count(/domain/memtune/soft_limit))", "0"},
                                                {"string(/domain/numatune/memory/@nodeset)", "1"},
                                                {"string(/domain/blkiotune/weight)", "300"}};

    /* the test driver refuses cpu_shares and checks read_iops_sec against a maximum it
     * does not set (QEMU's driver takes both): refusals of a live change, so they wait
     * for the next boot (the definition has them) and the other members still apply */
    assert_live(*state,
                "{\"cputune\":{\"shares\":512},"
                "\"memtune\":{\"hard_limit_mib\":4096,\"soft_limit_mib\":null},"
                "\"numatune\":{\"mode\":\"strict\",\"nodeset\":\"1\"},"
                "\"blkiotune\":{\"weight\":300},"
                "\"iotune\":[{\"target\":\"vda\",\"read_iops_sec\":100}]}",
                "[\"cputune\",\"iotune\"]", applied, 4);
}

static void test_live_refused_or_failed(void **state)
{
    struct json_object *patch = xml_assert_parse("{\"blkiotune\":{\"weight\":500},"
                                                 "\"memtune\":{\"soft_limit_mib\":256}}");
    virDomainPtr dom = virDomainLookupByName(*state, "test");
    struct json_object *next_boot = json_object_new_array();
    struct app_error err;

    /* refused in this state: waits for the next boot, the other members still apply */
    blkio_fails = true;
    forced_code = VIR_ERR_OPERATION_INVALID;
    app_error_clear(&err);
    assert_int_equal(virt_tuning_apply_live(dom, patch, next_boot, &err), 0);
    assert_string_equal(json_object_to_json_string_ext(next_boot, JSON_C_TO_STRING_PLAIN),
                        "[\"blkiotune\"]");
    /* any other failure is the request's error */
    forced_code = VIR_ERR_INTERNAL_ERROR;
    assert_int_equal(virt_tuning_apply_live(dom, patch, next_boot, &err), -1);
    assert_int_equal(err.status, 502);
    assert_non_null(strstr(err.message, "set block I/O weight"));
    blkio_fails = false;
    forced_code = 0;
    json_object_put(next_boot);
    json_object_put(patch);
    virDomainFree(dom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_get),
        cmocka_unit_test(test_live_pins),
        cmocka_unit_test(test_live_next_boot),
        cmocka_unit_test(test_live_params),
        cmocka_unit_test(test_live_refused_or_failed),
    };

    return cmocka_run_group_tests(tests, open_default, close_default);
}
