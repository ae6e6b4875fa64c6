/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_ring: the console bridge's ring (see console_ring.h). Pure; one thread.
 *
 * Invariants: head < cap; len <= cap - pre, so the free region [tail, head) (cyclic)
 * always ends in pre bytes that are never filled, and those are the bytes in front of
 * the readable span; when head < pre they are partly the mapping's headroom. An empty
 * ring restarts at head 0, so a drained ring offers its whole capacity as one span. */
#include "console_ring.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/log.h"

void console_ring_init(struct console_ring *r, size_t cap, size_t pre)
{
    r->map = mmap(NULL, pre + cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->map == MAP_FAILED) {
        log_error("console: cannot map a %zu-byte buffer", pre + cap);
        abort();
    }
    r->data = r->map + pre;
    r->cap = cap;
    r->pre = pre;
    r->head = r->len = r->used = 0;
}

void console_ring_free(struct console_ring *r)
{
    if (!r || !r->map)
        return;
    munmap(r->map, r->pre + r->cap);
    r->map = r->data = NULL;
}

size_t console_ring_len(const struct console_ring *r)
{
    return r->len;
}

size_t console_ring_space(const struct console_ring *r)
{
    return r->cap - r->pre - r->len;
}

size_t console_ring_writable(struct console_ring *r, unsigned char **out)
{
    size_t tail = (r->head + r->len) % r->cap;
    size_t run = r->cap - tail;

    /* from the tail to the end of the storage, but never into the last pre free bytes */
    if (run > console_ring_space(r))
        run = console_ring_space(r);
    *out = r->data + tail;
    return run;
}

void console_ring_commit(struct console_ring *r, size_t n)
{
    size_t tail = (r->head + r->len) % r->cap;

    if (tail + n > r->used)
        r->used = tail + n;
    r->len += n;
}

size_t console_ring_put(struct console_ring *r, const void *in, size_t len)
{
    const unsigned char *src = in;
    size_t taken = 0;

    while (taken < len) {
        unsigned char *dst;
        size_t run = console_ring_writable(r, &dst);
        if (!run)
            break;
        if (run > len - taken)
            run = len - taken;
        memcpy(dst, src + taken, run);
        console_ring_commit(r, run);
        taken += run;
    }
    return taken;
}

size_t console_ring_readable(struct console_ring *r, unsigned char **out, size_t max)
{
    size_t run = r->cap - r->head < r->len ? r->cap - r->head : r->len;

    *out = r->data + r->head;
    return run < max ? run : max;
}

void console_ring_drop(struct console_ring *r, size_t n)
{
    if (n > r->len)
        n = r->len;
    r->len -= n;
    r->head = r->len ? (r->head + n) % r->cap : 0;
}

bool console_ring_trim(struct console_ring *r, size_t keep)
{
    if (r->len || r->used <= keep)
        return false;
    madvise(r->map, r->pre + r->cap, MADV_DONTNEED);
    r->used = 0;
    return true;
}
