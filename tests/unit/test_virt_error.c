/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_error: server/virt/virt_error.c — the libvirt error → HTTP mapping, and
 * capturing real errors raised by the test driver (test:///default). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "virt/virt_error.h"

static void expect_map_from(int vir_domain, int vir_code, int status, const char *code)
{
    int got_status = 0;
    const char *got_code = NULL;

    virt_error_map(vir_domain, vir_code, &got_status, &got_code);
    if (got_status != status || !got_code || strcmp(got_code, code) != 0)
        fail_msg("virErrorDomain %d, virErrorNumber %d: got %d %s, want %d %s", vir_domain,
                 vir_code, got_status, got_code ? got_code : "(null)", status, code);
}

/* An error whose meaning does not depend on where it came from. */
static void expect_map(int vir_code, int status, const char *code)
{
    expect_map_from(VIR_FROM_NONE, vir_code, status, code);
    expect_map_from(VIR_FROM_STORAGE, vir_code, status, code);
    expect_map_from(VIR_FROM_RPC, vir_code, status, code);
}

static void test_map(void **state)
{
    expect_map(VIR_ERR_NO_DOMAIN, 404, APP_ERR_NOT_FOUND);
    expect_map(VIR_ERR_NO_NETWORK, 404, APP_ERR_NOT_FOUND);
    expect_map(VIR_ERR_NO_STORAGE_POOL, 404, APP_ERR_NOT_FOUND);
    expect_map(VIR_ERR_NO_STORAGE_VOL, 404, APP_ERR_NOT_FOUND);
    expect_map(VIR_ERR_OPERATION_INVALID, 409, APP_ERR_CONFLICT);
    expect_map(VIR_ERR_NO_SUPPORT, 501, APP_ERR_UNSUPPORTED);
    expect_map(VIR_ERR_ARGUMENT_UNSUPPORTED, 501, APP_ERR_UNSUPPORTED);
    expect_map(VIR_ERR_OPERATION_UNSUPPORTED, 501, APP_ERR_UNSUPPORTED);
    expect_map(VIR_ERR_NO_CONNECT, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_INVALID_CONN, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_RPC, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_AUTH_FAILED, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_AUTH_CANCELLED, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_AUTH_UNAVAILABLE, 503, APP_ERR_UNAVAILABLE);
    expect_map(VIR_ERR_OPERATION_FAILED, 502, APP_ERR_LIBVIRT);
    expect_map(VIR_ERR_XML_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map(VIR_ERR_OK, 502, APP_ERR_LIBVIRT);
    expect_map(-1, 502, APP_ERR_LIBVIRT);
    expect_map(100000, 502, APP_ERR_LIBVIRT);
}

/* A system or internal error is the link's only when the link raised it: a pool whose
 * directory is gone fails its start with VIR_ERR_SYSTEM_ERROR from the storage driver,
 * which is the driver's answer (502 with its text), not "cannot reach libvirt". */
static void test_map_by_origin(void **state)
{
    expect_map_from(VIR_FROM_RPC, VIR_ERR_SYSTEM_ERROR, 503, APP_ERR_UNAVAILABLE);
    expect_map_from(VIR_FROM_REMOTE, VIR_ERR_SYSTEM_ERROR, 503, APP_ERR_UNAVAILABLE);
    expect_map_from(VIR_FROM_RPC, VIR_ERR_INTERNAL_ERROR, 503, APP_ERR_UNAVAILABLE);
    expect_map_from(VIR_FROM_STORAGE, VIR_ERR_SYSTEM_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map_from(VIR_FROM_NETWORK, VIR_ERR_SYSTEM_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map_from(VIR_FROM_QEMU, VIR_ERR_SYSTEM_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map_from(VIR_FROM_NONE, VIR_ERR_SYSTEM_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map_from(VIR_FROM_STORAGE, VIR_ERR_INTERNAL_ERROR, 502, APP_ERR_LIBVIRT);
    expect_map_from(VIR_FROM_QEMU, VIR_ERR_INTERNAL_ERROR, 502, APP_ERR_LIBVIRT);
}

static void quiet(void *opaque, virErrorPtr error)
{
}

/* A real VIR_ERR_NO_DOMAIN from the test driver: mapped, prefixed, then reset. */
static void test_capture_real_error(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct app_error err = {0};
    virDomainPtr dom;
    virErrorPtr last;
    char want[256];

    assert_non_null(conn);
    assert_null(virDomainLookupByName(conn, "no-such-domain"));
    last = virGetLastError();
    assert_non_null(last);
    assert_int_equal(last->code, VIR_ERR_NO_DOMAIN);
    snprintf(want, sizeof(want), "look up domain: %s", last->message);

    virt_error_capture(&err, "look up domain");
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, APP_ERR_NOT_FOUND);
    assert_string_equal(err.message, want);
    assert_null(virGetLastError());

    /* Wrong state: destroying a shut-off domain is VIR_ERR_OPERATION_INVALID. */
    dom = virDomainLookupByName(conn, "test");
    assert_non_null(dom);
    assert_int_equal(virDomainDestroy(dom), 0);
    assert_int_equal(virDomainDestroy(dom), -1);
    virt_error_capture(&err, "destroy domain");
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_CONFLICT);
    assert_int_equal(strncmp(err.message, "destroy domain: ", 16), 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void test_capture_without_error(void **state)
{
    struct app_error err = {0};

    virResetLastError();
    virt_error_capture(&err, "get something");
    assert_int_equal(err.status, 502);
    assert_string_equal(err.code, APP_ERR_LIBVIRT);
    assert_string_equal(err.message, "get something: unknown libvirt error");

    virt_error_capture(NULL, "ignored"); /* err may be NULL */
}

/* The message is bounded by struct app_error, however long libvirt's is (a missing
 * test driver file: VIR_ERR_XML_ERROR naming the path). */
static void test_capture_truncates(void **state)
{
    struct app_error err = {0};
    char uri[600];

    memset(uri, 'x', sizeof(uri) - 1);
    uri[sizeof(uri) - 1] = '\0';
    memcpy(uri, "test:///nonexistent/", 20);
    assert_null(virConnectOpen(uri));
    virt_error_capture(&err, "connect");
    assert_int_equal(err.status, 502);
    assert_string_equal(err.code, APP_ERR_LIBVIRT);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    assert_int_equal(strncmp(err.message, "connect: ", 9), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_map_by_origin),
        cmocka_unit_test(test_capture_real_error),
        cmocka_unit_test(test_capture_without_error),
        cmocka_unit_test(test_capture_truncates),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
