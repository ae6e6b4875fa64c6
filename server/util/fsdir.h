/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fsdir: private directories for virtdeck's state. Any thread (blocking file I/O:
 * start-up and workers, not the service thread). */
#pragma once

#include "util/app_error.h"

/* Creates dir and any missing parents with mode 0700 (existing ones are kept as they
 * are) and checks that dir is a directory. Returns 0, or -1 with err (500). */
int fsdir_make_private(const char *dir, struct app_error *err) __attribute__((warn_unused_result));
