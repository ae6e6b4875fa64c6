/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tmp_dir: a private temporary directory for the unit tests that need real files and
 * links (test_fspath, test_virt_pool_policy, test_virt_volume_bounds).
 *
 * Header-only (static inline, like xml_assert.h); include it after <cmocka.h>. The
 * directory's path is resolved, so tests may compare it with realpath() results even
 * where /tmp is a link. Single thread. */
#pragma once

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes /tmp/virtdeck-test-<name>.XXXXXX; returns its resolved path (free with
 * tmp_dir_remove), or NULL. */
static inline char *tmp_dir_make(const char *name)
{
    char template[PATH_MAX];

    snprintf(template, sizeof(template), "/tmp/virtdeck-test-%s.XXXXXX", name);
    return mkdtemp(template) ? realpath(template, NULL) : NULL;
}

/* dir/name in a new string; fails the test if out of memory. */
static inline char *tmp_dir_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static inline int tmp_dir_remove_entry(const char *path, const struct stat *st, int flag,
                                       struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes dir and everything in it (links themselves, never what they lead to), then
 * frees it. NULL-safe. Returns 0 or -1. */
static inline int tmp_dir_remove(char *dir)
{
    int rc = dir ? nftw(dir, tmp_dir_remove_entry, 16, FTW_DEPTH | FTW_PHYS) : 0;

    free(dir);
    return rc;
}
