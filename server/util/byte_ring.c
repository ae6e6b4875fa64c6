/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* byte_ring: the bounded byte ring (see byte_ring.h). Pure; any thread, one at a
 * time. Invariants: len <= cap, head < cap, and an empty ring restarts at head 0. */
#include "util/byte_ring.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void byte_ring_init(struct byte_ring *r, size_t cap)
{
    r->data = xmalloc(cap);
    r->cap = cap;
    r->head = 0;
    r->len = 0;
}

void byte_ring_free(struct byte_ring *r)
{
    if (!r)
        return;
    free(r->data);
    r->data = NULL;
    r->cap = r->head = r->len = 0;
}

size_t byte_ring_len(const struct byte_ring *r)
{
    return r->len;
}

size_t byte_ring_space(const struct byte_ring *r)
{
    return r->cap - r->len;
}

size_t byte_ring_put(struct byte_ring *r, const void *in, size_t len)
{
    const unsigned char *src = in;
    size_t n = len < byte_ring_space(r) ? len : byte_ring_space(r);
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

size_t byte_ring_peek(const struct byte_ring *r, void *out, size_t max)
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

void byte_ring_drop(struct byte_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->len ? (r->head + n) % r->cap : 0;
}

size_t byte_ring_readable(const struct byte_ring *r, const unsigned char **out)
{
    size_t first = r->cap - r->head < r->len ? r->cap - r->head : r->len;

    *out = r->data + r->head;
    return first;
}
