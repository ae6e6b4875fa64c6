/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_volume_bounds: server/virt/virt_volume_bounds.c without libvirt — where a
 * volume path leads for directory, block and network pools (files, links in and out,
 * dangling links, missing files, a pool directory reached through a link inside and
 * outside pool_roots), what each place allows, and the check before creating a volume.
 * Single thread; works in a private temp directory (resolved, in case /tmp is a link). */
#include <fcntl.h>
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
#include "virt/virt_volume_bounds.h"

static char *dir; /* resolved */

static char *in_dir(const char *name)
{
    return tmp_dir_path(dir, name);
}

static void make_file(const char *name)
{
    char *p = in_dir(name);

    assert_int_equal(close(creat(p, 0600)), 0);
    free(p);
}

static void make_link(const char *to, const char *name)
{
    char *p = in_dir(name);

    assert_int_equal(symlink(to, p), 0);
    free(p);
}

static void install_roots(const char *roots)
{
    struct virt_pool_policy p;
    char err[256];

    if (virt_pool_policy_parse(&p, roots, "", err, sizeof(err)) < 0)
        fail_msg("%s", err);
    virt_pool_policy_install(&p);
}

static void expect_place(const struct virt_volume_bounds *b, const char *name,
                         enum virt_volume_place want)
{
    char *path = name[0] == '/' ? strdup(name) : in_dir(name);
    enum virt_volume_place got = virt_volume_bounds_place(b, path);

    if (got != want)
        fail_msg("%s: place %d, want %d", path, got, want);
    free(path);
}

static void test_dir_pool(void **state)
{
    struct virt_volume_bounds b = {VIRT_VOLUME_BOUNDS_DIR, "p", NULL};
    char *pool = in_dir("pool"), *out = in_dir("outside.img"), *link = NULL;

    (void)state;
    assert_int_equal(mkdir(pool, 0700), 0);
    make_file("outside.img");
    make_file("pool/plain.img");
    make_link(out, "pool/escape.img");
    make_link("plain.img", "pool/alias.img");
    make_link(dir, "pool/up");
    make_link("/nonexistent/virtdeck-test", "pool/dangling.img");
    assert_int_equal(mkdir(link = in_dir("pool/sub"), 0700), 0);
    make_file("pool/sub/deep.img");
    b.target = pool;

    expect_place(&b, "pool/plain.img", VIRT_VOLUME_INSIDE);
    expect_place(&b, "pool/alias.img", VIRT_VOLUME_INSIDE); /* a link to a file inside */
    expect_place(&b, "pool/escape.img", VIRT_VOLUME_LINK_OUT);
    expect_place(&b, "pool/up", VIRT_VOLUME_LINK_OUT);
    expect_place(&b, "pool/dangling.img", VIRT_VOLUME_LINK_OUT);
    expect_place(&b, "pool/missing.img", VIRT_VOLUME_ABSENT);
    expect_place(&b, "pool/sub/deep.img", VIRT_VOLUME_OUTSIDE); /* not an entry of the pool */
    expect_place(&b, "outside.img", VIRT_VOLUME_OUTSIDE);
    assert_int_equal(virt_volume_bounds_place(&b, "relative.img"), VIRT_VOLUME_OUTSIDE);
    assert_int_equal(virt_volume_bounds_place(&b, NULL), VIRT_VOLUME_OUTSIDE);
    b.target = NULL;
    expect_place(&b, "pool/plain.img", VIRT_VOLUME_OUTSIDE);
    free(link);
    free(pool);
    free(out);
}

/* A pool whose directory is a link: trusted only where it resolves inside pool_roots. */
static void test_linked_pool_dir(void **state)
{
    struct virt_volume_bounds b = {VIRT_VOLUME_BOUNDS_DIR, "p", NULL};
    char *roots = in_dir("roots"), *target = in_dir("roots/swap"), *real = in_dir("real");
    char *path = in_dir("roots/swap/data.img");

    (void)state;
    assert_int_equal(mkdir(roots, 0700), 0);
    assert_int_equal(mkdir(real, 0700), 0);
    make_file("real/data.img");
    make_link(real, "roots/swap");
    b.target = target;

    install_roots(roots);
    assert_int_equal(virt_volume_bounds_place(&b, path), VIRT_VOLUME_OUTSIDE);
    install_roots(dir); /* now the link's end is inside a root */
    assert_int_equal(virt_volume_bounds_place(&b, path), VIRT_VOLUME_INSIDE);
    install_roots("");
    free(roots);
    free(target);
    free(real);
    free(path);
}

static void test_block_and_network(void **state)
{
    struct virt_volume_bounds b = {VIRT_VOLUME_BOUNDS_BLOCK, "p", "/dev"};
    struct stat st;

    (void)state;
    expect_place(&b, "/dev/null", VIRT_VOLUME_OUTSIDE); /* a character device */
    expect_place(&b, "/dev/virtdeck-none", VIRT_VOLUME_ABSENT);
    expect_place(&b, "/dev", VIRT_VOLUME_OUTSIDE);
    if (stat("/dev/loop0", &st) == 0 && S_ISBLK(st.st_mode))
        expect_place(&b, "/dev/loop0", VIRT_VOLUME_INSIDE);
    b.target = "/dev/mapper";
    expect_place(&b, "/etc/passwd", VIRT_VOLUME_OUTSIDE); /* not below its target */
    b.target = "/etc";
    expect_place(&b, "/etc/passwd", VIRT_VOLUME_OUTSIDE); /* not a block device */
    b.kind = VIRT_VOLUME_BOUNDS_NETWORK;
    expect_place(&b, "rbd/image", VIRT_VOLUME_INSIDE);
}

static void test_allow(void **state)
{
    struct virt_volume_bounds b = {VIRT_VOLUME_BOUNDS_DIR, "p", NULL};
    char *pool = in_dir("pool2"), *out = in_dir("out2"), *escape = in_dir("pool2/escape");
    char *plain = in_dir("pool2/plain");
    struct app_error err = {0};
    enum virt_volume_place place;

    (void)state;
    assert_int_equal(mkdir(pool, 0700), 0);
    make_file("out2");
    make_file("pool2/plain");
    make_link(out, "pool2/escape");
    b.target = pool;

    assert_int_equal(virt_volume_bounds_allow(&b, "plain", plain, "wipe", false, NULL, &err), 0);
    assert_int_equal(
        virt_volume_bounds_allow(&b, "escape", escape, "download", false, &place, &err), -1);
    assert_int_equal(place, VIRT_VOLUME_LINK_OUT);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "outside_pool");
    assert_non_null(strstr(err.message, "refusing to download it"));
    /* deleting removes only the link */
    assert_int_equal(virt_volume_bounds_allow(&b, "escape", escape, "delete", true, NULL, &err), 0);
    /* ... but not a file elsewhere */
    assert_int_equal(virt_volume_bounds_allow(&b, "out2", out, "delete", true, NULL, &err), -1);

    /* creating over an entry libvirt does not list (a dangling link) */
    make_link("/nonexistent/virtdeck-test", "pool2/dangling");
    assert_int_equal(virt_volume_bounds_check_new(&b, "fresh", &err), 0);
    assert_int_equal(virt_volume_bounds_check_new(&b, "dangling", &err), -1);
    assert_int_equal(err.status, 409);
    b.kind = VIRT_VOLUME_BOUNDS_BLOCK;
    assert_int_equal(virt_volume_bounds_check_new(&b, "dangling", &err), 0);
    free(pool);
    free(out);
    free(escape);
    free(plain);
}

static int setup(void **state)
{
    (void)state;
    return (dir = tmp_dir_make("bounds")) ? 0 : -1;
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
        cmocka_unit_test(test_dir_pool),
        cmocka_unit_test(test_linked_pool_dir),
        cmocka_unit_test(test_block_and_network),
        cmocka_unit_test(test_allow),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
