/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fsdir: creating the private directories virtdeck keeps its state in. */
#include "util/fsdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

int fsdir_make_private(const char *dir, struct app_error *err)
{
    int ret = -1;
    char *path = xstrdup(dir);
    struct stat st;

    /* each parent (at a '/'), then dir itself (at the end) */
    for (char *p = path + 1;; p++) {
        char c = *p;

        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            app_error_set(err, 500, APP_ERR_INTERNAL, "cannot create directory %s: %s", path,
                          strerror(errno));
            goto cleanup;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "%s is not a directory", path);
        goto cleanup;
    }
    ret = 0;

cleanup:
    free(path);
    return ret;
}
