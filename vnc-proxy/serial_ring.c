/* serial_ring: the bounded byte ring (see serial_ring.h). Pure; any thread, one at a
 * time. Invariants: len <= cap, head < cap, and an empty ring restarts at head 0. */
#include "serial_ring.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void serial_ring_init(struct serial_ring *r, size_t cap)
{
    r->data = xmalloc(cap);
    r->cap = cap;
    r->head = 0;
    r->len = 0;
}

void serial_ring_free(struct serial_ring *r)
{
    if (!r)
        return;
    free(r->data);
    r->data = NULL;
    r->cap = r->head = r->len = 0;
}

size_t serial_ring_len(const struct serial_ring *r)
{
    return r->len;
}

size_t serial_ring_space(const struct serial_ring *r)
{
    return r->cap - r->len;
}

size_t serial_ring_put(struct serial_ring *r, const void *in, size_t len)
{
    const unsigned char *src = in;
    size_t n = len < serial_ring_space(r) ? len : serial_ring_space(r);
    size_t tail, first;

    if (!n)
        return 0;
    tail = (r->head + r->len) % r->cap;
    first = r->cap - tail < n ? r->cap - tail : n;
    memcpy(r->data + tail, src, first);
    memcpy(r->data, src + first, n - first);
    r->len += n;
    return n;
}

size_t serial_ring_peek(const struct serial_ring *r, void *out, size_t max)
{
    unsigned char *dst = out;
    size_t n = max < r->len ? max : r->len;
    size_t first;

    if (!n)
        return 0;
    first = r->cap - r->head < n ? r->cap - r->head : n;
    memcpy(dst, r->data + r->head, first);
    memcpy(dst + first, r->data, n - first);
    return n;
}

void serial_ring_drop(struct serial_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->len ? (r->head + n) % r->cap : 0;
}
