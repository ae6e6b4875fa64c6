/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fspath: resolving and comparing host paths for the storage checks (pool_roots, volumes
 * that must stay inside their pool).
 *
 * fspath_within is pure (any thread). fspath_resolve reads the filesystem (lstat,
 * realpath): workers and the transfers' pump threads only, never the service thread. */
#pragma once

#include <stdbool.h>

/* True if path is dir or lies below it, comparing whole segments ("/a/bc" is not below
 * "/a/b"). dir "/" holds every absolute path. Both should be resolved (fspath_resolve
 * or realpath) and without a trailing '/' (except "/" itself). */
bool fspath_within(const char *path, const char *dir);

/* Where path would lead once it exists: realpath() of its longest prefix that exists,
 * followed by the rest of path (the segments that do not exist yet, e.g. a pool's
 * directory that build will create). path must be absolute and normalised (no ".",
 * ".." or empty segment). Returns a new string (free()), or NULL when path is not
 * absolute or an existing prefix cannot be resolved (a dangling symbolic link, a loop,
 * no permission): such a path could lead anywhere. */
char *fspath_resolve(const char *path);
