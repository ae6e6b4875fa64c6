/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wakes.h: counts an inbox's wake calls for unit tests whose test thread plays the
 * service thread (test_inbox, test_events_hub, test_events_feed).
 *
 * Threads: the inbox's wake (any posting thread) calls wakes_bump; the test thread reads
 * the count and waits for it to pass what its last drain saw. All fields under `lock`. */
#pragma once

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct wakes {
    pthread_mutex_t lock;
    pthread_cond_t cond;   /* broadcast on every wake */
    unsigned count;        /* wakes */
    unsigned other_thread; /* wakes from a thread other than `tester` */
    unsigned bad_ctx;      /* wakes_note calls with a ctx other than the struct itself */
    pthread_t tester;      /* the test thread (wakes_reset) */
};

#define WAKES_INIT                                                                                 \
    {                                                                                              \
        .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER                        \
    }

/* Test thread: zero the counts; the calling thread is the tester. */
static inline void wakes_reset(struct wakes *w)
{
    pthread_mutex_lock(&w->lock);
    w->count = w->other_thread = w->bad_ctx = 0;
    w->tester = pthread_self();
    pthread_mutex_unlock(&w->lock);
}

/* Any thread: one wake. */
static inline void wakes_bump(struct wakes *w)
{
    pthread_mutex_lock(&w->lock);
    w->count++;
    if (!pthread_equal(pthread_self(), w->tester))
        w->other_thread++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Any thread: the inbox's wake(ctx) where ctx should be w: a wake, or a bad ctx. */
static inline void wakes_note(struct wakes *w, void *ctx)
{
    if (ctx == w) {
        wakes_bump(w);
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->bad_ctx++;
    pthread_mutex_unlock(&w->lock);
}

static inline unsigned wakes_get(struct wakes *w)
{
    unsigned n;

    pthread_mutex_lock(&w->lock);
    n = w->count;
    pthread_mutex_unlock(&w->lock);
    return n;
}

/* Waits until more than `seen` wakes happened; false after `seconds`. */
static inline bool wakes_wait(struct wakes *w, unsigned seen, unsigned seconds)
{
    struct timespec deadline;
    bool ok = true;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&w->lock);
    while (w->count <= seen && ok)
        ok = pthread_cond_timedwait(&w->cond, &w->lock, &deadline) != ETIMEDOUT || w->count > seen;
    pthread_mutex_unlock(&w->lock);
    return ok;
}
