/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* byte_ring: a fixed-capacity byte ring (the rings of the stream pumps, virt_pump.h).
 *
 * Pure and not thread-safe: each user guards its rings with its own mutex. The
 * capacity is set once and never grows, which is what bounds the bytes a slow browser
 * or a chatty VM can make the daemon hold. */
#pragma once

#include <stddef.h>

struct byte_ring {
    unsigned char *data; /* owned, cap bytes */
    size_t cap;
    size_t head; /* index of the oldest byte */
    size_t len;  /* bytes held */
};

/* Prepares an empty ring of cap (> 0) bytes. */
void byte_ring_init(struct byte_ring *r, size_t cap);
/* Frees the storage; the ring may be initialised again. NULL-safe. */
void byte_ring_free(struct byte_ring *r);

size_t byte_ring_len(const struct byte_ring *r);
/* Bytes that still fit. */
size_t byte_ring_space(const struct byte_ring *r);

/* Copies in as much of in[0..len) as fits; returns how many bytes were taken. */
size_t byte_ring_put(struct byte_ring *r, const void *in, size_t len);
/* Copies up to max of the oldest bytes to out without removing them; returns the count
 * (it crosses the wrap point if needed). */
size_t byte_ring_peek(const struct byte_ring *r, void *out, size_t max);
/* The oldest bytes as one contiguous span (they stop at the wrap point): sets *out and
 * returns the span's length. With one producer and one consumer sharing a lock, the
 * consumer may read the span without the lock, since only its own byte_ring_drop
 * frees those bytes and a put never writes into them. */
size_t byte_ring_readable(const struct byte_ring *r, const unsigned char **out);
/* Removes the n oldest bytes (n <= len). */
void byte_ring_drop(struct byte_ring *r, size_t n);
