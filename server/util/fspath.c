/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fspath: resolving and comparing host paths (see fspath.h). fspath_resolve touches the
 * file system: workers and the transfers' pump threads only. */
#include "util/fspath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

bool fspath_within(const char *path, const char *dir)
{
    size_t len = strlen(dir);

    if (!path || path[0] != '/' || len == 0)
        return false;
    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

char *fspath_resolve(const char *path)
{
    char *head = NULL, *real = NULL, *out = NULL;
    const char *rest;
    struct stat st;

    if (!path || path[0] != '/')
        return NULL;
    head = xstrdup(path);
    /* cut segments off the end until what is left exists ("/" always does) */
    while (lstat(head, &st) < 0) {
        char *slash = strrchr(head, '/');

        if (errno != ENOENT && errno != ENOTDIR)
            goto cleanup;
        if (slash == head)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    /* an existing prefix that does not resolve (a dangling link) could lead anywhere */
    if (!(real = realpath(head, NULL)))
        goto cleanup;
    /* the segments cut off, with their leading '/' ("/" itself ends in none) */
    rest = path + (strcmp(head, "/") == 0 ? strcmp(path, "/") == 0 : strlen(head));
    if (strcmp(real, "/") == 0)
        out = xstrdup(rest[0] ? rest : "/");
    else
        out = xasprintf("%s%s", real, rest);

cleanup:
    free(head);
    free(real);
    return out;
}
