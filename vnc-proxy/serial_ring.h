/* serial_ring: a fixed-capacity byte ring for the serial console bridge.
 *
 * Pure and not thread-safe: serial.c guards each ring with its bridge's mutex. The
 * capacity is set once and never grows, which is what bounds the bytes a slow browser
 * or a chatty VM can make the daemon hold. */
#pragma once

#include <stddef.h>

struct serial_ring {
    unsigned char *data; /* owned, cap bytes */
    size_t cap;
    size_t head; /* index of the oldest byte */
    size_t len;  /* bytes held */
};

/* Prepares an empty ring of cap (> 0) bytes. */
void serial_ring_init(struct serial_ring *r, size_t cap);
/* Frees the storage; the ring may be initialised again. NULL-safe. */
void serial_ring_free(struct serial_ring *r);

size_t serial_ring_len(const struct serial_ring *r);
/* Bytes that still fit. */
size_t serial_ring_space(const struct serial_ring *r);

/* Copies in as much of in[0..len) as fits; returns how many bytes were taken. */
size_t serial_ring_put(struct serial_ring *r, const void *in, size_t len);
/* Copies up to max of the oldest bytes to out without removing them; returns the count
 * (it crosses the wrap point if needed). */
size_t serial_ring_peek(const struct serial_ring *r, void *out, size_t max);
/* Removes the n oldest bytes (n <= len). */
void serial_ring_drop(struct serial_ring *r, size_t n);
