/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_serial_target: vnc-proxy/serial_target.c — from a UUID to an open console stream,
 * against libvirt's test driver (test:///default: one running domain "test"), with
 * link seams (tests/unit/wraps.mk) standing in for the QEMU driver's answers to
 * virDomainOpenConsole: success (device NULL = the first console, flags 0 = never
 * FORCE, a non-blocking stream), "Active console session exists" (OPERATION_FAILED →
 * 409 "serial console in use"), no such device (INTERNAL_ERROR → 409) and anything else
 * (libvirt's own mapping). Lookup errors come from the real driver. Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "serial_target.h"
#include "util/app_error.h"

#define TEST_UUID    "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define STOPPED_UUID "0c1f2e3d-4b5a-4697-8877-665544332211"

/* ---- link seams ------------------------------------------------------------------ */

enum seam_mode { SEAM_REAL, SEAM_OK, SEAM_FAIL };

static enum seam_mode seam_mode;
static int seam_code;  /* what virGetLastErrorCode says after a SEAM_FAIL */
static int seam_calls; /* virDomainOpenConsole calls */
static const char *seam_dev = "unset";
static unsigned int seam_flags = 99;
static virStreamPtr seam_stream;

int __real_virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                                unsigned int flags);
int __wrap_virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                                unsigned int flags);
int __real_virGetLastErrorCode(void);
int __wrap_virGetLastErrorCode(void);

int __wrap_virDomainOpenConsole(virDomainPtr dom, const char *dev_name, virStreamPtr st,
                                unsigned int flags)
{
    seam_calls++;
    seam_dev = dev_name;
    seam_flags = flags;
    seam_stream = st;
    switch (seam_mode) {
    case SEAM_OK:
        return 0;
    case SEAM_FAIL:
        /* a genuine libvirt error is raised (the test driver cannot open consoles);
         * the seam below then reports the code the QEMU driver would have used */
        assert_int_equal(__real_virDomainOpenConsole(dom, dev_name, st, flags), -1);
        return -1;
    default:
        return __real_virDomainOpenConsole(dom, dev_name, st, flags);
    }
}

int __wrap_virGetLastErrorCode(void)
{
    if (seam_mode == SEAM_FAIL && seam_code)
        return seam_code;
    return __real_virGetLastErrorCode();
}

static void quiet(void *opaque, virErrorPtr error)
{
}

static int open_default(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");

    assert_non_null(conn);
    *state = conn;
    seam_mode = SEAM_REAL;
    seam_code = 0;
    seam_calls = 0;
    seam_dev = "unset";
    seam_flags = 99;
    seam_stream = NULL;
    return 0;
}

static int close_default(void **state)
{
    virConnectClose(*state);
    return 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_opens_first_console_without_force(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";
    virStreamPtr st;

    seam_mode = SEAM_OK;
    st = serial_target_open(conn, TEST_UUID, false, name, sizeof(name), &err);
    assert_non_null(st);
    assert_int_equal(err.status, 0);
    assert_string_equal(name, "test");
    assert_int_equal(seam_calls, 1);
    assert_null(seam_dev);           /* libvirt picks the first console */
    assert_int_equal(seam_flags, 0); /* never VIR_DOMAIN_CONSOLE_FORCE */
    assert_ptr_equal(seam_stream, st);
    virStreamFree(st);
}

static void test_console_in_use(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";

    seam_mode = SEAM_FAIL;
    seam_code = VIR_ERR_OPERATION_FAILED;
    assert_null(serial_target_open(conn, TEST_UUID, false, name, sizeof(name), &err));
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_CONFLICT);
    assert_string_equal(err.message, "serial console in use");
    assert_null(virGetLastError()); /* reported once, here */
}

static void test_no_console_device(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";

    seam_mode = SEAM_FAIL;
    seam_code = VIR_ERR_INTERNAL_ERROR;
    assert_null(serial_target_open(conn, TEST_UUID, false, name, sizeof(name), &err));
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, APP_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "open serial console"));
    assert_null(virGetLastError());
}

static void test_other_failure_keeps_libvirt_mapping(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";

    /* the real test driver: it has no console support at all */
    assert_null(serial_target_open(conn, TEST_UUID, false, name, sizeof(name), &err));
    assert_int_equal(seam_calls, 1);
    assert_int_equal(err.status, 501);
    assert_string_equal(err.code, APP_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "open serial console"));
    assert_null(virGetLastError());
}

static void test_lookup_errors(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";

    seam_mode = SEAM_OK;
    assert_null(serial_target_open(conn, "not-a-uuid", false, name, sizeof(name), &err));
    assert_int_equal(err.status, 400);
    assert_null(serial_target_open(conn, "11111111-2222-3333-4444-555555555555", false, name,
                                   sizeof(name), &err));
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, APP_ERR_NOT_FOUND);
    assert_int_equal(seam_calls, 0); /* no console is asked for an unknown domain */
}

static void test_not_running(void **state)
{
    virConnectPtr conn = *state;
    struct app_error err = {0};
    char name[64] = "";
    virDomainPtr dom;

    dom = virDomainDefineXML(conn, "<domain type='test'><name>serial-off</name>"
                                   "<uuid>" STOPPED_UUID "</uuid><memory>65536</memory>"
                                   "<os><type>hvm</type></os></domain>");
    assert_non_null(dom);
    seam_mode = SEAM_OK;
    assert_null(serial_target_open(conn, STOPPED_UUID, false, name, sizeof(name), &err));
    assert_int_equal(err.status, 409);
    assert_string_equal(err.message, "the domain is not running");
    assert_string_equal(name, "serial-off");
    assert_int_equal(seam_calls, 0);
    assert_int_equal(virDomainUndefine(dom), 0);
    virDomainFree(dom);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_opens_first_console_without_force, open_default,
                                        close_default),
        cmocka_unit_test_setup_teardown(test_console_in_use, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_no_console_device, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_other_failure_keeps_libvirt_mapping, open_default,
                                        close_default),
        cmocka_unit_test_setup_teardown(test_lookup_errors, open_default, close_default),
        cmocka_unit_test_setup_teardown(test_not_running, open_default, close_default),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
