/* work_pool: worker threads, a bounded pending queue and a completion queue.
 *
 * Threads: workers run job->run; the service thread submits and drains. One mutex
 * guards both queues; `cond` wakes idle workers. A worker puts a finished job on its
 * sink's completion queue under the sink's lock: the sink is the pool itself, or a
 * lane's parent (a lane's own completion queue stays empty). See work_pool.h. */
#include "work/work_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/xalloc.h"

struct work_queue {
    struct work_job *head; /* owned */
    struct work_job *tail; /* borrowed: last of head's chain */
    unsigned len;
};

struct work_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* signalled on submit and on stop */
    struct work_queue pending;  /* lock */
    struct work_queue finished; /* lock */
    bool stopping;              /* lock */
    unsigned max_pending;
    struct work_pool *sink; /* borrowed: whose completion queue and wake finished jobs use */
    void (*wake)(void *ctx);
    void *wake_ctx;
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

struct work_job *work_job_new(uint64_t conn_id, work_fn run, work_fn done, void *arg,
                              void (*arg_free)(void *arg))
{
    struct work_job *job = xcalloc(1, sizeof(*job));

    job->conn_id = conn_id;
    job->run = run;
    job->done = done;
    job->arg = arg;
    job->arg_free = arg_free;
    http_response_init(&job->response);
    return job;
}

void work_job_free(struct work_job *job)
{
    if (!job)
        return;
    if (job->arg_free)
        job->arg_free(job->arg);
    http_response_free(&job->response);
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

static void *work_pool_thread(void *opaque)
{
    struct work_pool *pool = opaque;
    struct work_pool *sink = pool->sink;

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

        pthread_mutex_lock(&sink->lock);
        work_queue_push(&sink->finished, job);
        pthread_mutex_unlock(&sink->lock);
        sink->wake(sink->wake_ctx);
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Starts nthreads workers for a pool whose finished jobs go to sink (NULL: itself). */
static struct work_pool *work_pool_start(unsigned nthreads, unsigned max_pending,
                                         struct work_pool *sink, void (*wake)(void *ctx),
                                         void *wake_ctx)
{
    struct work_pool *pool = xcalloc(1, sizeof(*pool));
    struct work_pool *ret = NULL;

    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    pool->max_pending = max_pending;
    pool->sink = sink ? sink : pool;
    pool->wake = wake;
    pool->wake_ctx = wake_ctx;
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

struct work_pool *work_pool_new(unsigned nthreads, void (*wake)(void *ctx), void *wake_ctx)
{
    return work_pool_start(nthreads, WORK_POOL_MAX_PENDING, NULL, wake, wake_ctx);
}

struct work_pool *work_pool_new_lane(struct work_pool *parent, unsigned nthreads,
                                     unsigned max_pending)
{
    return work_pool_start(nthreads, max_pending, parent, NULL, NULL);
}

int work_pool_submit(struct work_pool *pool, struct work_job *job)
{
    int ret = -1;

    pthread_mutex_lock(&pool->lock);
    if (pool->stopping || pool->pending.len >= pool->max_pending)
        goto cleanup;
    work_queue_push(&pool->pending, job);
    job = NULL;
    pthread_cond_signal(&pool->cond);
    ret = 0;

cleanup:
    pthread_mutex_unlock(&pool->lock);
    work_job_free(job);
    return ret;
}

void work_pool_drain(struct work_pool *pool)
{
    struct work_job *job;

    pthread_mutex_lock(&pool->lock);
    job = work_queue_take_all(&pool->finished);
    pthread_mutex_unlock(&pool->lock);

    while (job) {
        struct work_job *next = job->next;
        if (job->done)
            job->done(job);
        work_job_free(job);
        job = next;
    }
}

void work_pool_free(struct work_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    work_job_free_chain(work_queue_take_all(&pool->pending));
    work_job_free_chain(work_queue_take_all(&pool->finished));
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
    free(pool->threads);
    free(pool);
}
