/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buf: a growable byte buffer with a hard upper bound.
 *
 * Owned by whoever embeds it; not thread-safe. The bound is what keeps sizes an
 * outsider controls (request bodies, queued messages) from growing without limit.
 * The data is always NUL-terminated so text can be used as a C string. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* appends that would pass this fail */
};

/* Prepares an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Appends len bytes. Returns 0, or -1 (buffer unchanged) if max would be passed. */
int buf_append(struct buf *b, const void *data, size_t len) __attribute__((warn_unused_result));
int buf_append_str(struct buf *b, const char *s) __attribute__((warn_unused_result));
int buf_appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Returns the data (caller frees; never NULL) and leaves the buffer empty. */
char *buf_take(struct buf *b);
/* Frees the data; the buffer may be reused after buf_init. NULL-safe. */
void buf_free(struct buf *b);
