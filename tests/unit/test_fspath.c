/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_fspath: server/util/fspath.c — whole-segment containment, and resolving paths
 * whose tail does not exist yet, through links, and through dangling links. Single
 * thread; works in a private temp directory (itself resolved, in case /tmp is a link). */
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
#include "util/fspath.h"

static char *dir; /* resolved */

static char *in_dir(const char *name)
{
    return tmp_dir_path(dir, name);
}

static void expect_resolved(const char *path, const char *want)
{
    char *got = fspath_resolve(path);

    if (!got || strcmp(got, want) != 0)
        fail_msg("fspath_resolve(%s) = %s, want %s", path, got ? got : "NULL", want);
    free(got);
}

static void test_within(void **state)
{
    (void)state;
    assert_true(fspath_within("/a/b", "/a/b"));
    assert_true(fspath_within("/a/b/c", "/a/b"));
    assert_false(fspath_within("/a/bc", "/a/b"));
    assert_false(fspath_within("/a", "/a/b"));
    assert_true(fspath_within("/etc/shadow", "/"));
    assert_true(fspath_within("/", "/"));
    assert_false(fspath_within("relative", "/"));
    assert_false(fspath_within(NULL, "/a"));
    assert_false(fspath_within("/a", ""));
}

static void test_resolve(void **state)
{
    char *real = in_dir("real"), *link = in_dir("link"), *dangling = in_dir("dangling");
    char *file = in_dir("file"), *want = NULL, *path = NULL;

    (void)state;
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(symlink("/nonexistent/virtdeck-test", dangling), 0);
    assert_int_equal(close(creat(file, 0600)), 0);

    expect_resolved("/", "/");
    expect_resolved(dir, dir);
    /* a tail that does not exist yet is kept as it is */
    path = in_dir("real/new/deeper");
    expect_resolved(path, path);
    free(path);
    /* a link on the way is followed, the rest appended */
    path = in_dir("link/new");
    want = in_dir("real/new");
    expect_resolved(path, want);
    free(path);
    free(want);
    expect_resolved(link, real);
    /* below a regular file nothing exists either */
    path = in_dir("file/x");
    expect_resolved(path, path);
    free(path);
    /* a dangling link could lead anywhere */
    assert_null(fspath_resolve(dangling));
    path = in_dir("dangling/new");
    assert_null(fspath_resolve(path));
    free(path);
    assert_null(fspath_resolve("relative/path"));
    assert_null(fspath_resolve(NULL));
    expect_resolved("/nonexistent-virtdeck-test/a", "/nonexistent-virtdeck-test/a");

    free(real);
    free(link);
    free(dangling);
    free(file);
}

static int setup(void **state)
{
    (void)state;
    return (dir = tmp_dir_make("fspath")) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return tmp_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_resolve),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
