/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_watch: the "store-watch" thread (see store_watch.h).
 *
 * Threads: store_watch_new / _free on the main thread; store_watch_main and the
 * on_change callback on the watch thread. `lock` guards `stopping` only; it is never
 * held across a database call or the callback, so stopping waits for at most one
 * look plus one callback. */
#include "store/store_watch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

struct store_watch {
    sqlite3 *db; /* borrowed */
    int interval_ms;
    bool (*on_change)(void *ctx);
    void *ctx; /* borrowed */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* lock: signalled when stopping is set */
    bool stopping;       /* lock */
};

/* Waits one interval, or less if stopped. Returns true when stopping. */
static bool store_watch_sleep(struct store_watch *w)
{
    struct timespec deadline;
    bool stopping;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += (long)w->interval_ms % 1000 * 1000000L;
    deadline.tv_sec += (time_t)(w->interval_ms / 1000) + deadline.tv_nsec / 1000000000L;
    deadline.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping && pthread_cond_timedwait(&w->cond, &w->lock, &deadline) != ETIMEDOUT)
        continue;
    stopping = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return stopping;
}

static void *store_watch_main(void *arg)
{
    struct store_watch *w = arg;
    int64_t seen = 0, version = 0;
    bool looked = false, again = false, failing = false;

    do {
        if (store_data_version(w->db, &version) < 0) {
            if (!failing)
                log_warn("store: cannot read data_version (%s); changes made by other "
                         "processes are not noticed meanwhile",
                         sqlite3_errmsg(w->db));
            failing = true;
            continue;
        }
        if (failing)
            log_info("store: watching the database again");
        failing = false;
        if (looked && version == seen && !again)
            continue;
        looked = true;
        seen = version;
        again = w->on_change(w->ctx);
    } while (!store_watch_sleep(w));
    return NULL;
}

struct store_watch *store_watch_new(sqlite3 *db, int interval_ms, bool (*on_change)(void *ctx),
                                    void *ctx)
{
    struct store_watch *w = NULL;
    struct store_watch *out = NULL;
    pthread_condattr_t attr;
    sigset_t all, old;

    if (!db || interval_ms <= 0 || !on_change) {
        log_error("store: invalid watch arguments");
        goto cleanup;
    }
    w = xcalloc(1, sizeof(*w));
    w->db = db;
    w->interval_ms = interval_ms;
    w->on_change = on_change;
    w->ctx = ctx;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    /* The thread starts with every signal blocked: they belong to the service thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    w->started = pthread_create(&w->thread, NULL, store_watch_main, w) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!w->started) {
        log_error("store: cannot start the store-watch thread");
        goto cleanup;
    }
    pthread_setname_np(w->thread, "store-watch");
    out = w;
    w = NULL;

cleanup:
    store_watch_free(w);
    return out;
}

void store_watch_free(struct store_watch *watch)
{
    if (!watch)
        return;
    pthread_mutex_lock(&watch->lock);
    watch->stopping = true;
    pthread_cond_broadcast(&watch->cond);
    pthread_mutex_unlock(&watch->lock);
    if (watch->started)
        pthread_join(watch->thread, NULL);
    pthread_cond_destroy(&watch->cond);
    pthread_mutex_destroy(&watch->lock);
    free(watch);
}
