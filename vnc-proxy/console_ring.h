/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_ring: the console bridge's bounded byte ring, shaped for I/O without copies.
 *
 * A socket reads straight into its free span (console_ring_writable + _commit) and a
 * websocket frame is written straight from its readable span (console_ring_readable):
 * `pre` bytes in front of that span always belong to nobody, so lws_write may put the
 * frame header there (LWS_PRE). The storage is an anonymous mapping: only pages that
 * data has passed through cost memory, and console_ring_trim gives them back.
 *
 * Pure, one thread (the console's owner: the lws service thread). The capacity is set
 * once and never grows: that is what bounds what one console holds. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct console_ring {
    unsigned char *map;  /* owned: anonymous mapping of pre + cap bytes */
    unsigned char *data; /* borrowed: map + pre, the cap bytes of the ring */
    size_t cap;
    size_t pre;  /* bytes kept free in front of the readable span */
    size_t head; /* index of the oldest byte */
    size_t len;  /* bytes held, at most cap - pre */
    size_t used; /* bytes of data touched since the pages were last given back */
};

/* Maps an empty ring of cap bytes with pre (< cap) bytes of headroom. Aborts when the
 * mapping fails (out of memory is not survived, like xmalloc). */
void console_ring_init(struct console_ring *r, size_t cap, size_t pre);
/* Unmaps the storage. NULL-safe; the ring may be initialised again. */
void console_ring_free(struct console_ring *r);

size_t console_ring_len(const struct console_ring *r);
/* Bytes that still fit (cap - pre - len). */
size_t console_ring_space(const struct console_ring *r);

/* The free span after the newest byte, as one contiguous run: sets *out, returns its
 * length (0 when full). Fill it, then console_ring_commit what was written. */
size_t console_ring_writable(struct console_ring *r, unsigned char **out);
/* Appends n bytes just written into the span console_ring_writable gave (n <= its length). */
void console_ring_commit(struct console_ring *r, size_t n);
/* Copies in as much of in[0..len) as fits; returns how many bytes were taken. */
size_t console_ring_put(struct console_ring *r, const void *in, size_t len);

/* The oldest bytes as one contiguous run of at most max: sets *out, returns its length.
 * The pre bytes before *out are free and may be overwritten (a frame header). */
size_t console_ring_readable(struct console_ring *r, unsigned char **out, size_t max);
/* Removes the n (<= len) oldest bytes; an empty ring starts again at its beginning. */
void console_ring_drop(struct console_ring *r, size_t n);

/* Gives the pages back (MADV_DONTNEED) if the ring is empty and data touched more than
 * keep bytes since the last time. Returns true if it did. */
bool console_ring_trim(struct console_ring *r, size_t keep);
