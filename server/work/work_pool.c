/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* work_pool: worker threads, a bounded pending queue, finished jobs into the inbox.
 *
 * Threads: workers run job->run; the service thread submits and, through the inbox's
 * drain, runs `done`. One mutex guards the pending queue, the finished list (jobs
 * posted to the inbox whose `done` has not run: kept so that free can take them back
 * out) and the count of jobs held; `cond` wakes idle workers. See work_pool.h. */
#include "work/work_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

#define WORK_POOL_FULL_RETRY_US 1000

struct work_queue {
    struct work_job *head; /* owned */
    struct work_job *tail; /* borrowed: last of head's chain */
    unsigned len;
};

struct work_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* signalled on submit and on stop */
    struct work_queue pending; /* lock */
    struct work_job *finished; /* lock; owned: in the inbox, `done` not run (prev/next) */
    unsigned jobs;             /* lock: held from submit until done (or free) */
    bool stopping;             /* lock */
    unsigned max_pending;
    unsigned max_jobs;
    struct inbox *inbox; /* borrowed */
    unsigned nthreads;
    pthread_t *threads; /* owned */
};

static void work_queue_push(struct work_queue *q, struct work_job *job)
{
    job->next = NULL;
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    q->len++;
}

static struct work_job *work_queue_pop(struct work_queue *q)
{
    struct work_job *job = q->head;

    if (!job)
        return NULL;
    q->head = job->next;
    if (!q->head)
        q->tail = NULL;
    q->len--;
    job->next = NULL;
    return job;
}

/* Detaches the whole chain (caller owns it). */
static struct work_job *work_queue_take_all(struct work_queue *q)
{
    struct work_job *head = q->head;

    q->head = q->tail = NULL;
    q->len = 0;
    return head;
}

/* The finished list: lock held. */
static void work_pool_finished_add(struct work_pool *pool, struct work_job *job)
{
    job->prev = NULL;
    job->next = pool->finished;
    if (pool->finished)
        pool->finished->prev = job;
    pool->finished = job;
}

static void work_pool_finished_remove(struct work_pool *pool, struct work_job *job)
{
    if (job->prev)
        job->prev->next = job->next;
    else
        pool->finished = job->next;
    if (job->next)
        job->next->prev = job->prev;
    job->prev = job->next = NULL;
}

/* Service thread (the inbox's drain): the job is done; its slot is free before `done`
 * runs, so `done` may submit the next job. */
static void work_job_finished(struct inbox_item *item)
{
    struct work_job *job = inbox_item_owner(item, struct work_job, item);
    struct work_pool *pool = job->pool;

    pthread_mutex_lock(&pool->lock);
    work_pool_finished_remove(pool, job);
    pool->jobs--;
    pthread_mutex_unlock(&pool->lock);
    if (job->done)
        job->done(job);
    work_job_free(job);
}

struct work_job *work_job_new(uint64_t conn_id, work_fn run, work_fn done, void *arg,
                              void (*arg_free)(void *arg))
{
    struct work_job *job = xcalloc(1, sizeof(*job));

    job->conn_id = conn_id;
    job->run = run;
    job->done = done;
    job->arg = arg;
    job->arg_free = arg_free;
    inbox_item_init(&job->item, work_job_finished);
    return job;
}

void work_job_free(struct work_job *job)
{
    if (!job)
        return;
    if (job->arg_free)
        job->arg_free(job->arg);
    free(job);
}

static void work_job_free_chain(struct work_job *job)
{
    while (job) {
        struct work_job *next = job->next;
        work_job_free(job);
        job = next;
    }
}

/* Worker: hands a finished job to the service thread. The post cannot fail while the
 * inbox is sized as serve.c sizes it (every pool holds at most WORK_POOL_MAX_JOBS, and
 * the capacity is their sum plus the other posters' own bounds). Should that ever be
 * broken, the worker waits for the drain to make room rather than lose the job (its
 * connection would never get an answer); a stopping pool frees it instead. */
static void work_pool_finish(struct work_pool *pool, struct work_job *job)
{
    bool stopping = false;

    pthread_mutex_lock(&pool->lock);
    work_pool_finished_add(pool, job);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned tries = 0; !stopping && inbox_post(pool->inbox, &job->item) < 0; tries++) {
        if (tries == 0)
            log_error("work_pool: the inbox is full; a finished job waits for room");
        usleep(WORK_POOL_FULL_RETRY_US);
        pthread_mutex_lock(&pool->lock);
        stopping = pool->stopping;
        pthread_mutex_unlock(&pool->lock);
    }
}

static void *work_pool_thread(void *opaque)
{
    struct work_pool *pool = opaque;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        struct work_job *job;

        while (!pool->stopping && !pool->pending.head)
            pthread_cond_wait(&pool->cond, &pool->lock);
        if (pool->stopping)
            break;
        job = work_queue_pop(&pool->pending);
        pthread_mutex_unlock(&pool->lock);

        job->run(job);
        work_pool_finish(pool, job);

        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static struct work_pool *work_pool_start(unsigned nthreads, unsigned max_pending,
                                         struct inbox *inbox)
{
    struct work_pool *pool = xcalloc(1, sizeof(*pool));
    struct work_pool *ret = NULL;

    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    pool->max_pending = max_pending;
    pool->max_jobs = WORK_POOL_MAX_JOBS(nthreads, max_pending);
    pool->inbox = inbox;
    pool->threads = xcalloc(nthreads, sizeof(*pool->threads));
    for (; pool->nthreads < nthreads; pool->nthreads++) {
        if (pthread_create(&pool->threads[pool->nthreads], NULL, work_pool_thread, pool) != 0) {
            log_error("work_pool: cannot start worker thread %u", pool->nthreads);
            goto cleanup;
        }
    }
    ret = pool;
    pool = NULL;

cleanup:
    work_pool_free(pool);
    return ret;
}

struct work_pool *work_pool_new(unsigned nthreads, struct inbox *inbox)
{
    return work_pool_start(nthreads, WORK_POOL_MAX_PENDING, inbox);
}

struct work_pool *work_pool_new_lane(struct work_pool *parent, unsigned nthreads,
                                     unsigned max_pending)
{
    return work_pool_start(nthreads, max_pending, parent->inbox);
}

int work_pool_submit(struct work_pool *pool, struct work_job *job)
{
    int ret = -1;

    pthread_mutex_lock(&pool->lock);
    if (pool->stopping || pool->pending.len >= pool->max_pending || pool->jobs >= pool->max_jobs)
        goto cleanup;
    job->pool = pool;
    work_queue_push(&pool->pending, job);
    job = NULL;
    pool->jobs++;
    pthread_cond_signal(&pool->cond);
    ret = 0;

cleanup:
    pthread_mutex_unlock(&pool->lock);
    work_job_free(job);
    return ret;
}

unsigned work_pool_queued(struct work_pool *pool)
{
    unsigned n;

    pthread_mutex_lock(&pool->lock);
    n = pool->pending.len;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

void work_pool_free(struct work_pool *pool)
{
    struct work_job *finished;

    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    work_job_free_chain(work_queue_take_all(&pool->pending));
    /* Workers are joined and nothing drains now: the finished list is ours alone. */
    finished = pool->finished;
    pool->finished = NULL;
    for (struct work_job *job = finished; job; job = job->next)
        inbox_cancel(pool->inbox, &job->item);
    work_job_free_chain(finished);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
    free(pool->threads);
    free(pool);
}
