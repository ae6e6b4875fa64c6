/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_copy_job: a copying job's progress (see api_copy_job.h). */
#include "api/api_copy_job.h"

#include <string.h>

#include "api/api_runner.h"
#include "virt/virt_copy_watch.h"

/* The watch's thread: the running copy has written bytes of at most current. */
static void api_copy_job_report(void *ctx, unsigned long long bytes)
{
    struct api_copy_job *copy = ctx;
    unsigned long long done;

    pthread_mutex_lock(&copy->lock);
    done = copy->before + (bytes < copy->current ? bytes : copy->current);
    pthread_mutex_unlock(&copy->lock);
    api_runner_progress(copy->job, NULL, done);
}

/* The job's thread, before each copy (and once after the last): the watch follows the
 * new copy. A reading of the previous copy may land after this: it then counts at most
 * the new copy's size on top of the finished ones, and the job table never lets the
 * bytes done go back or past the total. */
static void api_copy_job_copying(void *ctx, const char *pool, const char *name,
                                 unsigned long long bytes)
{
    struct api_copy_job *copy = ctx;
    unsigned long long before;

    virt_copy_watch_target(copy->watch, NULL, NULL);
    pthread_mutex_lock(&copy->lock);
    before = copy->before += copy->current;
    copy->current = bytes;
    pthread_mutex_unlock(&copy->lock);
    api_runner_progress(copy->job, pool ? "copy" : "define", before);
    virt_copy_watch_target(copy->watch, pool, name);
}

void api_copy_job_start(struct api_copy_job *copy, struct api_runner_job *job, virConnectPtr conn)
{
    memset(copy, 0, sizeof(*copy));
    copy->progress.copying = api_copy_job_copying;
    copy->progress.ctx = copy;
    copy->job = job;
    pthread_mutex_init(&copy->lock, NULL);
    copy->watch = virt_copy_watch_start(conn, api_copy_job_report, copy);
}

void api_copy_job_stop(struct api_copy_job *copy)
{
    virt_copy_watch_stop(copy->watch);
    copy->watch = NULL;
    pthread_mutex_destroy(&copy->lock);
}
