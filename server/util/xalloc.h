/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xalloc: allocation wrappers that abort on failure.
 *
 * Any thread may call these. Out-of-memory is not a condition virtdeck tries to
 * survive: every caller can assume a non-NULL result. */
#pragma once

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Duplicates s; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
