/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_copy_watch: a copy's progress read from the destination volume's allocation (see
 * virt_copy_watch.h). The thread reads under no lock: it copies the target's names
 * under the mutex, then calls libvirt without it. */
#include "virt/virt_copy_watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libvirt/virterror.h>

#include "util/utf8_name.h"
#include "util/xalloc.h"

struct virt_copy_watch {
    virConnectPtr conn; /* owned reference */
    void (*report)(void *ctx, unsigned long long bytes);
    void *ctx; /* borrowed: outlives the watch */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;                 /* lock: stop was set */
    bool stop;                           /* lock */
    char pool[UTF8_NAME_FILE_MAX + 1];   /* lock: "" none */
    char volume[UTF8_NAME_FILE_MAX + 1]; /* lock */
};

/* One reading of pool/volume; false when there is none. */
static bool copy_watch_read(virConnectPtr conn, const char *pool, const char *volume,
                            unsigned long long *bytes)
{
    virStoragePoolPtr p = virStoragePoolLookupByName(conn, pool);
    virStorageVolPtr v = p ? virStorageVolLookupByName(p, volume) : NULL;
    virStorageVolInfo info;
    bool ok = v && virStorageVolGetInfo(v, &info) == 0;

    if (ok)
        *bytes = info.allocation;
    else
        virResetLastError();
    if (v)
        virStorageVolFree(v);
    if (p)
        virStoragePoolFree(p);
    return ok;
}

static void *copy_watch_main(void *arg)
{
    struct virt_copy_watch *watch = arg;
    char pool[sizeof(watch->pool)], volume[sizeof(watch->volume)];
    unsigned long long bytes;
    struct timespec until;

    pthread_mutex_lock(&watch->lock);
    while (!watch->stop) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)VIRT_COPY_WATCH_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!watch->stop &&
               pthread_cond_timedwait(&watch->wake, &watch->lock, &until) != ETIMEDOUT)
            ;
        if (watch->stop || !watch->pool[0])
            continue;
        snprintf(pool, sizeof(pool), "%s", watch->pool);
        snprintf(volume, sizeof(volume), "%s", watch->volume);
        pthread_mutex_unlock(&watch->lock);
        if (copy_watch_read(watch->conn, pool, volume, &bytes))
            watch->report(watch->ctx, bytes);
        pthread_mutex_lock(&watch->lock);
    }
    pthread_mutex_unlock(&watch->lock);
    return NULL;
}

struct virt_copy_watch *virt_copy_watch_start(virConnectPtr conn,
                                              void (*report)(void *ctx, unsigned long long bytes),
                                              void *ctx)
{
    struct virt_copy_watch *watch = xcalloc(1, sizeof(*watch));
    pthread_condattr_t attr;

    watch->conn = conn;
    watch->report = report;
    watch->ctx = ctx;
    pthread_mutex_init(&watch->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&watch->wake, &attr);
    pthread_condattr_destroy(&attr);
    virConnectRef(conn);
    /* signals stay blocked: the thread inherits its creator's mask (server/README.md) */
    if (pthread_create(&watch->thread, NULL, copy_watch_main, watch) != 0) {
        virConnectClose(conn);
        pthread_cond_destroy(&watch->wake);
        pthread_mutex_destroy(&watch->lock);
        free(watch);
        return NULL;
    }
    pthread_setname_np(watch->thread, "copy-watch");
    return watch;
}

void virt_copy_watch_target(struct virt_copy_watch *watch, const char *pool, const char *name)
{
    if (!watch)
        return;
    pthread_mutex_lock(&watch->lock);
    snprintf(watch->pool, sizeof(watch->pool), "%s", pool ? pool : "");
    snprintf(watch->volume, sizeof(watch->volume), "%s", pool && name ? name : "");
    pthread_mutex_unlock(&watch->lock);
}

void virt_copy_watch_stop(struct virt_copy_watch *watch)
{
    if (!watch)
        return;
    pthread_mutex_lock(&watch->lock);
    watch->stop = true;
    pthread_cond_signal(&watch->wake);
    pthread_mutex_unlock(&watch->lock);
    pthread_join(watch->thread, NULL);
    virConnectClose(watch->conn);
    pthread_cond_destroy(&watch->wake);
    pthread_mutex_destroy(&watch->lock);
    free(watch);
}
