/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* work_pool: a few worker threads for blocking calls (libvirt, password hashing).
 *
 * DESIGN: the service thread submits jobs; a worker runs job->run; the finished job's
 * inbox item goes to the inbox (inbox.h), which wakes the service thread (one
 * lws_cancel_service for all that finished meanwhile); its drain runs job->done on the
 * service thread and frees the job. So `run` may block but must not touch lws; `done`
 * must not block. The bound is on jobs held: at most max_pending wait, and at most
 * WORK_POOL_MAX_JOBS(nthreads, max_pending) are held from submit until their `done` has
 * run (waiting, running, or finished and in the inbox). A flood of requests gets 503
 * instead of growing memory, and a pool never has more than that many items in the
 * inbox: serve.c sizes the inbox with it, so a finished job always finds room.
 *
 * A lane (work_pool_new_lane) is a second pool with its own threads and its own,
 * smaller bound that posts into the same inbox: work that must neither wait behind the
 * parent's jobs nor hold them up (password hashing, the events feed) gets its own
 * threads, and the service thread still drains one inbox.
 *
 * A job names its connection by conn_id only (no struct lws * leaves the service
 * thread); `done` looks the connection up and drops the result if it has gone. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "work/inbox.h"

#define WORK_POOL_MAX_PENDING 1024
/* The most jobs a pool of nthreads workers and max_pending waiting jobs holds between
 * submit and `done`, so the most items it may have in the inbox at once. */
#define WORK_POOL_MAX_JOBS(nthreads, max_pending) ((nthreads) + (max_pending))

struct work_job;
typedef void (*work_fn)(struct work_job *job);

struct work_job {
    uint64_t conn_id; /* the connection the result is for (0: none) */
    work_fn run;      /* worker thread: may block */
    work_fn done;     /* service thread: must not block; may be NULL */
    void *arg;        /* owned: released with arg_free when the job is freed */
    void (*arg_free)(void *arg);
    struct inbox_item item; /* the pool's: posted when run returns; its run calls done */
    struct work_pool *pool; /* borrowed: the pool that accepted it */
    struct work_job *next;  /* pool's lock: its pending queue, then its finished list */
    struct work_job *prev;  /* pool's lock: its finished list */
};

struct work_pool;

/* Starts nthreads workers with at most WORK_POOL_MAX_PENDING waiting jobs; finished
 * jobs go to inbox (borrowed; it must outlive the pool). Returns NULL if a thread
 * cannot be created. Main thread. */
struct work_pool *work_pool_new(unsigned nthreads, struct inbox *inbox);

/* Starts a lane of parent (borrowed): nthreads workers of its own, at most max_pending
 * waiting jobs, finished jobs into parent's inbox. Free the lane before the inbox.
 * Returns NULL if a thread cannot be created. Main thread. */
struct work_pool *work_pool_new_lane(struct work_pool *parent, unsigned nthreads,
                                     unsigned max_pending);

/* A new job (calloc'd, its inbox item initialised). What run produces for done lives
 * in arg. */
struct work_job *work_job_new(uint64_t conn_id, work_fn run, work_fn done, void *arg,
                              void (*arg_free)(void *arg));
void work_job_free(struct work_job *job); /* for tests */

/* Queues job; the pool takes it. Returns 0, or -1 (job freed, nothing run) when the
 * pool's bound is reached (max_pending waiting, or WORK_POOL_MAX_JOBS held) or the pool
 * is stopping. Any thread. */
int work_pool_submit(struct work_pool *pool, struct work_job *job)
    __attribute__((warn_unused_result));

/* Stops accepting jobs, lets running jobs finish, joins the threads, frees queued and
 * finished jobs without running `done` (taking them out of the inbox). Main thread,
 * while nothing drains the inbox. NULL-safe. */
/* Jobs waiting for a worker now (GET /metrics). Any thread. */
unsigned work_pool_queued(struct work_pool *pool);
void work_pool_free(struct work_pool *pool);
