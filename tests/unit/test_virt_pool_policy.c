/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_pool_policy: server/virt/virt_pool_policy.c — parsing pool_roots and
 * pool_types, and the create check: types, targets inside and outside the roots, a
 * target that leaves them through a link, "/" and the empty list. Single thread; works
 * in a private temp directory (resolved, in case /tmp is a link). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmp_dir.h"
#include "virt/virt_pool_policy.h"

static char *dir; /* resolved */

static char *in_dir(const char *name)
{
    return tmp_dir_path(dir, name);
}

static void install(const char *roots, const char *types)
{
    struct virt_pool_policy p;
    char err[256];

    if (virt_pool_policy_parse(&p, roots, types, err, sizeof(err)) < 0)
        fail_msg("parse %s / %s: %s", roots, types, err);
    virt_pool_policy_install(&p);
    assert_int_equal(p.n_roots, 0); /* taken */
}

static void expect_create(const char *type, const char *target, int status, const char *code)
{
    struct app_error err = {0};
    int rc = virt_pool_policy_check_create(type, target, &err);

    if (status == 0) {
        if (rc != 0)
            fail_msg("%s %s refused: %s", type, target ? target : "-", err.message);
        return;
    }
    if (rc != -1 || err.status != status || strcmp(err.code, code) != 0)
        fail_msg("%s %s: rc %d status %d code %s (%s)", type, target ? target : "-", rc, err.status,
                 err.code ? err.code : "-", err.message);
    /* the refused member, for a form to show it at its control */
    assert_string_equal(err.field, strcmp(code, APP_ERR_POOL_TYPE) == 0 ? "type" : "target_path");
}

static void test_parse(void **state)
{
    static const char *const bad_roots[] = {"relative", "/a/../b", "/a/",  "/a//b",
                                            "/a,,/b",   "/a b",    "/./a", ""};
    struct virt_pool_policy p;
    char err[256];

    (void)state;
    assert_int_equal(virt_pool_policy_parse(&p, " /srv/a ,/mnt,/", "dir, rbd", err, sizeof(err)),
                     0);
    assert_int_equal(p.n_roots, 3);
    assert_string_equal(p.roots[0], "/srv/a");
    assert_string_equal(p.roots[1], "/mnt");
    assert_string_equal(p.roots[2], "/");
    assert_int_equal(p.types, (1u << 0) | (1u << 5));
    virt_pool_policy_clear(&p);
    assert_int_equal(virt_pool_policy_parse(&p, "", "", err, sizeof(err)), 0);
    assert_int_equal(p.n_roots, 0);
    assert_int_equal(p.types, 0);
    for (size_t i = 0; bad_roots[i][0]; i++) {
        err[0] = '\0';
        if (virt_pool_policy_parse(&p, bad_roots[i], NULL, err, sizeof(err)) != -1)
            fail_msg("pool_roots \"%s\" was accepted", bad_roots[i]);
        assert_non_null(strstr(err, "pool_roots"));
        assert_int_equal(p.n_roots, 0);
    }
    assert_int_equal(
        virt_pool_policy_parse(&p, "/1,/2,/3,/4,/5,/6,/7,/8,/9,/10,/11,/12,/13,/14,/15,/16,/17",
                               NULL, err, sizeof(err)),
        -1);
    assert_non_null(strstr(err, "at most 16"));
    assert_int_equal(virt_pool_policy_parse(&p, "/srv", "dir,zfs", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "\"zfs\""));
    assert_int_equal(p.n_roots, 0); /* nothing half-parsed is kept */
}

static void test_types(void **state)
{
    (void)state;
    install("/", "dir,iscsi");
    expect_create("dir", "/srv/x", 0, NULL);
    expect_create("iscsi", "/dev/disk/by-path", 0, NULL);
    expect_create("fs", "/srv/x", 403, "pool_type_not_allowed");
    expect_create("logical", NULL, 403, "pool_type_not_allowed");
    install("/", "");
    expect_create("dir", "/srv/x", 403, "pool_type_not_allowed");
}

static void test_roots(void **state)
{
    char *roots = in_dir("roots"), *out = in_dir("out"), *link = in_dir("roots/link");
    char *inside = in_dir("roots/p/new"), *via_link = in_dir("roots/link/p");
    char *text = NULL;
    struct app_error err = {0};
    size_t n;

    (void)state;
    assert_int_equal(mkdir(roots, 0700), 0);
    assert_int_equal(mkdir(out, 0700), 0);
    assert_int_equal(symlink(out, link), 0);
    n = strlen(roots) + 32;
    text = malloc(n);
    snprintf(text, n, "%s,/srv/virtdeck-none", roots);
    install(text, "dir,fs,netfs,logical,iscsi,rbd");

    expect_create("dir", roots, 0, NULL);
    expect_create("dir", inside, 0, NULL);
    expect_create("netfs", inside, 0, NULL);
    expect_create("dir", "/srv/virtdeck-none/p", 0, NULL); /* a root that does not exist yet */
    expect_create("dir", out, 403, "outside_pool_roots");
    expect_create("fs", via_link, 403, "outside_pool_roots");
    expect_create("dir", "/etc", 403, "outside_pool_roots");
    expect_create("dir", "/srv/virtdeck-none-else", 403, "outside_pool_roots");
    expect_create("dir", NULL, 403, "outside_pool_roots");
    /* the message names the roots and where the target leads */
    assert_int_equal(virt_pool_policy_check_create("dir", via_link, &err), -1);
    assert_non_null(strstr(err.message, roots));
    assert_non_null(strstr(err.message, "resolves to"));
    /* block and network pools have no host directory: roots do not apply */
    expect_create("logical", "/dev/vg0", 0, NULL);
    expect_create("rbd", NULL, 0, NULL);
    assert_true(virt_pool_policy_in_roots(roots));
    assert_false(virt_pool_policy_in_roots(out));

    install("", "dir");
    expect_create("dir", inside, 403, "outside_pool_roots");
    install("/", "dir");
    expect_create("dir", "/etc", 0, NULL);

    free(text);
    free(roots);
    free(out);
    free(link);
    free(inside);
    free(via_link);
}

static int setup(void **state)
{
    (void)state;
    return (dir = tmp_dir_make("policy")) ? 0 : -1;
}

static int teardown(void **state)
{
    struct virt_pool_policy none = {0};

    (void)state;
    virt_pool_policy_install(&none); /* frees the last one */
    return tmp_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_roots),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
