/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_define_xml: server/virt/virt_define_xml.c — the check a raw domain
 * definition passes before libvirt: accepted when it keeps the domain's <name> and
 * <uuid> (the UUID in any case); refused at field "xml" when malformed, rooted
 * elsewhere, renamed, given another or no UUID, empty, holding a NUL, or over the
 * bound (413). Pure; single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/app_error.h"
#include "virt/virt_define_xml.h"

#define NAME "vdtest-unit"
#define UUID "5eed0000-0000-4000-8000-0000000000b1"

static int check(const char *xml, struct app_error *err)
{
    app_error_clear(err);
    return virt_define_xml_check(xml, strlen(xml), NAME, UUID, err);
}

static void expect_refused(const char *xml, int status, const char *words)
{
    struct app_error err;

    assert_int_equal(check(xml, &err), -1);
    assert_int_equal(err.status, status);
    assert_string_equal(err.field, "xml");
    assert_non_null(strstr(err.message, words));
}

static void test_accepts_same_identity(void **state)
{
    struct app_error err;

    assert_int_equal(check("<domain type='kvm'><name>" NAME "</name><uuid>" UUID "</uuid>"
                           "<memory unit='KiB'>1024</memory></domain>",
                           &err),
                     0);
    assert_int_equal(check("<?xml version='1.0'?>\n<domain><uuid>5EED0000-0000-4000-8000-"
                           "0000000000B1</uuid><name>" NAME "</name></domain>",
                           &err),
                     0);
}

static void test_refusals(void **state)
{
    expect_refused("<domain><name>" NAME "</name>", 400, "not well-formed");
    expect_refused("<network><name>" NAME "</name><uuid>" UUID "</uuid></network>", 400,
                   "not <domain>");
    expect_refused("<domain><name>other</name><uuid>" UUID "</uuid></domain>", 400,
                   "must keep <name>" NAME "</name>");
    expect_refused("<domain><uuid>" UUID "</uuid></domain>", 400, "must keep <name>");
    expect_refused("<domain><name>" NAME "</name><uuid>5eed0000-0000-4000-8000-0000000000b2"
                   "</uuid></domain>",
                   400, "must keep <uuid>" UUID "</uuid>");
    expect_refused("<domain><name>" NAME "</name></domain>", 400, "must keep <uuid>");
    expect_refused("", 400, "empty");
}

static void test_nul_and_size(void **state)
{
    static const char nul[] = "<domain>\0</domain>";
    size_t big = VIRT_DEFINE_XML_MAX + 1;
    char *xml = malloc(big + 1);
    struct app_error err;

    app_error_clear(&err);
    assert_int_equal(virt_define_xml_check(nul, sizeof(nul) - 1, NAME, UUID, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.field, "xml");

    assert_non_null(xml);
    memset(xml, ' ', big);
    xml[big] = '\0';
    assert_int_equal(check(xml, &err), -1);
    assert_int_equal(err.status, 413);
    assert_string_equal(err.field, "xml");
    assert_true(err.has_limits);
    assert_int_equal(err.max, VIRT_DEFINE_XML_MAX);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_same_identity),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nul_and_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
