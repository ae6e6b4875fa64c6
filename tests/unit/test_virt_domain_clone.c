/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_domain_clone: server/virt/virt_domain_clone.c's copy-name helper — the
 * source's extension kept (or none), the n-th candidate's suffix, and a long VM name cut
 * at a character boundary so the whole stays a valid volume name of at most
 * UTF8_NAME_FILE_MAX bytes. Pure; one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8_name.h"
#include "virt/virt_domain_clone.h"

static void expect_name(const char *vm, const char *target, const char *src, unsigned n,
                        const char *want)
{
    char out[UTF8_NAME_FILE_MAX + 1];

    virt_domain_clone_volume_name(vm, target, src, n, out, sizeof(out));
    assert_string_equal(out, want);
}

static void test_names(void **state)
{
    expect_name("web", "vda", "web-01.qcow2", 1, "web-vda.qcow2");
    expect_name("web", "vdb", "data.raw", 1, "web-vdb.raw");
    expect_name("web", "vda", "plain", 1, "web-vda");
    expect_name("web", "vda", ".hidden", 1, "web-vda");         /* a dot first is no extension */
    expect_name("web", "vda", "x.waytoolongext", 1, "web-vda"); /* nor a long tail */
    expect_name("web", "vda", "a.qcow2", 2, "web-vda-2.qcow2");
    expect_name("网站", "sda", "a.img", 3, "网站-sda-3.img");
}

static void test_long(void **state)
{
    char vm[UTF8_NAME_FILE_MAX + 1], out[UTF8_NAME_FILE_MAX + 1];

    /* 85 three-byte characters: 255 bytes, a whole valid name on its own */
    for (size_t i = 0; i < 85; i++)
        memcpy(vm + 3 * i, "网", 3);
    vm[255] = '\0';
    virt_domain_clone_volume_name(vm, "vda", "a.qcow2", 12, out, sizeof(out));
    assert_true(strlen(out) <= UTF8_NAME_FILE_MAX);
    assert_true(utf8_name_file_valid(out));
    assert_non_null(strstr(out, "-vda-12.qcow2"));
    assert_int_equal((strlen(out) - strlen("-vda-12.qcow2")) % 3, 0); /* whole characters */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_long),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
