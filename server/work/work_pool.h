/* work_pool: a few worker threads for blocking calls (libvirt, password hashing).
 *
 * DESIGN: the service thread submits jobs; a worker runs job->run; the finished job
 * goes to a completion queue and the pool calls wake() (which calls
 * lws_cancel_service), so the service thread wakes and calls work_pool_drain(),
 * which runs job->done on the service thread and frees the job. So `run` may block
 * but must not touch lws; `done` must not block. The pending queue is bounded: a
 * flood of requests gets 503 instead of growing memory.
 *
 * A lane (work_pool_new_lane) is a second pool with its own threads and its own,
 * smaller pending bound whose finished jobs join its parent's completion queue: work
 * that must neither wait behind the parent's jobs nor hold them up (password
 * hashing) gets its own threads, and the service thread still drains one queue.
 *
 * A job names its connection by conn_id only (no struct lws * leaves the service
 * thread); `done` looks the connection up and drops the result if it has gone. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "http/response.h"

#define WORK_POOL_MAX_PENDING 1024

struct work_job;
typedef void (*work_fn)(struct work_job *job);

struct work_job {
    uint64_t conn_id; /* the connection the result is for (0: none) */
    work_fn run;      /* worker thread: may block */
    work_fn done;     /* service thread: must not block; may be NULL */
    void *arg;        /* owned: released with arg_free when the job is freed */
    void (*arg_free)(void *arg);
    struct http_response response; /* filled by run, read by done */
    struct work_job *next;         /* owned by the pool's queues */
};

struct work_pool;

/* Starts nthreads workers with at most WORK_POOL_MAX_PENDING waiting jobs.
 * wake(wake_ctx) is called from a worker after each job finishes. Returns NULL if a
 * thread cannot be created. Main thread. */
struct work_pool *work_pool_new(unsigned nthreads, void (*wake)(void *ctx), void *wake_ctx);

/* Starts a lane of parent (borrowed; it must outlive the lane): nthreads workers of
 * its own, at most max_pending waiting jobs, and each finished job goes to parent's
 * completion queue (parent's wake is called; parent's work_pool_drain runs `done`).
 * Free the lane before parent. Returns NULL if a thread cannot be created. Main
 * thread. */
struct work_pool *work_pool_new_lane(struct work_pool *parent, unsigned nthreads,
                                     unsigned max_pending);

/* A new job (calloc'd, response initialised). */
struct work_job *work_job_new(uint64_t conn_id, work_fn run, work_fn done, void *arg,
                              void (*arg_free)(void *arg));
void work_job_free(struct work_job *job);

/* Queues job; the pool takes it. Returns 0, or -1 (job freed, nothing run) when the
 * pool's bound of waiting jobs is reached or the pool is stopping. Any thread. */
int work_pool_submit(struct work_pool *pool, struct work_job *job)
    __attribute__((warn_unused_result));

/* Service thread: runs `done` of every finished job (its lanes' included) and frees
 * them. */
void work_pool_drain(struct work_pool *pool);

/* Stops accepting jobs, lets running jobs finish, joins the threads, frees queued and
 * finished jobs without running `done`. NULL-safe. */
void work_pool_free(struct work_pool *pool);
