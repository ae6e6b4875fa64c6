/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_tree: server/virt/virt_tree.c — the install tree URL rule (schemes, hosts,
 * ports, credentials, query, fragment, path characters, length; every refusal a 400 at
 * "source.url"), the layouts per OS (osinfo paths, a .treeinfo tree, none, the
 * well-known ones without an OS), joining and the installer's command line.
 * Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_tree.h"

static int check(const char *url)
{
    struct app_error err;
    int rc;

    app_error_clear(&err);
    rc = virt_tree_url_check(url, &err);
    if (rc < 0) {
        assert_int_equal(err.status, 400);
        assert_string_equal(err.field, "source.url");
    }
    return rc;
}

static void test_url_good(void **state)
{
    static const char *const good[] = {
        "https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/",
        "http://deb.debian.org",
        "http://127.0.0.1:8080/f/",
        "http://[::1]/tree",
        "http://[fd00::1]:80/",
        "https://mirror.example/pub/%7Euser/os/",
        "https://Mirror-1.Example.ORG/a;b=c/d@e:f/",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(check(good[i]), 0);
}

static void test_url_bad(void **state)
{
    static const char *const bad[] = {
        "",
        "ftp://deb.example/",
        "HTTP://deb.example/",
        "file:///srv/tree",
        "http://",
        "http:///x",
        "https://user:pw@deb.example/",
        "https://user@deb.example/",
        "https://deb.example/#x",
        "https://deb.example/?dist=1",
        "https://deb example/",
        "https://-deb.example/",
        "https://deb-.example/",
        "https://deb..example/",
        "https://deb.example:/",
        "https://deb.example:0/",
        "https://deb.example:65536/",
        "https://deb.example:123456/",
        "https://deb.example:8a/",
        "https://[zz::1]/",
        "https://[::1/",
        "https://[::1]x/",
        "https://deb.example/a b",
        "https://deb.example/\"q",
        "https://deb.example/a\\b",
        "https://deb.example/%zz",
        "https://deb.example/%4",
        "https://deb.example/{x}",
        "https://deb.example/\x01",
        "https://d\xc3\xa9"
        "b.example/",
    };
    char long_url[VIRT_TREE_URL_MAX + 2];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(check(bad[i]), -1);
    memset(long_url, 'a', sizeof(long_url) - 1);
    long_url[sizeof(long_url) - 1] = '\0';
    memcpy(long_url, "https://x/", 10);
    assert_int_equal(check(long_url), -1); /* 1025 bytes */
    long_url[VIRT_TREE_URL_MAX] = '\0';
    assert_int_equal(check(long_url), 0); /* 1024 bytes */
    assert_int_equal(check(NULL), -1);
}

static void test_layouts(void **state)
{
    struct virt_tree_layout out[VIRT_TREE_LAYOUTS_MAX];
    struct virt_osinfo_os debian = {
        .tree = true, .tree_kernel = "current/linux", .tree_initrd = "current/initrd.gz"};
    struct virt_osinfo_os fedora = {
        .tree = true, .tree_treeinfo = true, .tree_kernel = "", .tree_initrd = ""};
    struct virt_osinfo_os windows = {.tree_kernel = "", .tree_initrd = ""};
    struct virt_osinfo_os half = {.tree = true, .tree_kernel = "k", .tree_initrd = ""};

    (void)state;
    assert_int_equal(virt_tree_layouts(&debian, out), 1);
    assert_string_equal(out[0].kernel, "current/linux");
    assert_string_equal(out[0].initrd, "current/initrd.gz");
    assert_false(out[0].anaconda);
    assert_int_equal(virt_tree_layouts(&fedora, out), 1);
    assert_string_equal(out[0].kernel, "images/pxeboot/vmlinuz");
    assert_string_equal(out[0].initrd, "images/pxeboot/initrd.img");
    assert_true(out[0].anaconda);
    assert_int_equal(virt_tree_layouts(&windows, out), 0);
    assert_int_equal(virt_tree_layouts(&half, out), 0);
    assert_int_equal(virt_tree_layouts(NULL, out), 2);
    assert_string_equal(out[0].kernel, "images/pxeboot/vmlinuz");
    assert_true(out[0].anaconda);
    assert_string_equal(out[1].kernel,
                        "main/installer-amd64/current/images/netboot/debian-installer/amd64/linux");
    assert_string_equal(
        out[1].initrd,
        "main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz");
    assert_false(out[1].anaconda);
}

static void test_join_cmdline(void **state)
{
    struct virt_tree_layout anaconda = {"images/pxeboot/vmlinuz", "images/pxeboot/initrd.img",
                                        true};
    struct virt_tree_layout debian = {"linux", "initrd.gz", false};
    char out[VIRT_TREE_CMDLINE_MAX];
    char tiny[12];

    (void)state;
    assert_int_equal(virt_tree_join("http://h/os", "images/x", out, sizeof(out)), 0);
    assert_string_equal(out, "http://h/os/images/x");
    assert_int_equal(virt_tree_join("http://h/os/", "images/x", out, sizeof(out)), 0);
    assert_string_equal(out, "http://h/os/images/x");
    assert_int_equal(virt_tree_join("http://h/os/", "images/x", tiny, sizeof(tiny)), -1);
    virt_tree_cmdline(&anaconda, "http://h/os/", out, sizeof(out));
    assert_string_equal(out, "console=tty0 console=ttyS0 inst.repo=http://h/os/");
    virt_tree_cmdline(&debian, "http://h/os/", out, sizeof(out));
    assert_string_equal(out, "console=tty0 console=ttyS0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_good),
        cmocka_unit_test(test_url_bad),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_join_cmdline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
