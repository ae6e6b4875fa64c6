/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_work_pool: server/work/work_pool.c — jobs run on a worker thread, `done` runs only
 * inside the inbox's drain on the draining thread, finished jobs wake it through the
 * inbox, the pending bound (WORK_POOL_MAX_PENDING) is enforced and so is the bound on
 * jobs held until `done` (WORK_POOL_MAX_JOBS: an inbox of exactly that size takes every
 * finished job), and free neither runs `done` nor leaks queued or finished jobs, taking
 * the finished ones out of the inbox (ASan); a lane runs its jobs while the parent's
 * workers are busy, finishes them into the same inbox and has its own pending bound.
 *
 * Threads: the test thread plays the service thread; the pool's workers run the jobs.
 * Blocking jobs wait on `gate` until the test opens it. Every wait has a deadline so a
 * broken pool fails the test instead of hanging it. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "work/inbox.h"
#include "work/work_pool.h"

#define WAIT_MS        2000
#define INBOX_CAPACITY 4096

/* Shared by the test thread and the workers; all fields under `lock`. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast on every change */
    unsigned wakes;
    unsigned bad_wakes; /* wake called with the wrong ctx */
    unsigned runs;
    unsigned dones;
    unsigned arg_frees;
    unsigned blocked; /* gate jobs currently waiting */
    bool gate_open;
} t = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* The inbox the pools post into (setup makes one; a test may replace it), and the wakes
 * seen by the last drain (test thread only). */
static struct inbox *inbox;
static unsigned drained_wakes;

struct job_arg {
    pthread_t run_thread;
    pthread_t done_thread;
    bool ran;
    bool done;
    int value;
    int result; /* written by run, read by done: what run produces reaches done */
};

static void reset_counters(void)
{
    pthread_mutex_lock(&t.lock);
    t.wakes = t.bad_wakes = t.runs = t.dones = t.arg_frees = t.blocked = 0;
    t.gate_open = false;
    pthread_mutex_unlock(&t.lock);
}

static void bump(unsigned *field)
{
    pthread_mutex_lock(&t.lock);
    (*field)++;
    pthread_cond_broadcast(&t.cond);
    pthread_mutex_unlock(&t.lock);
}

static unsigned get(const unsigned *field)
{
    unsigned v;

    pthread_mutex_lock(&t.lock);
    v = *field;
    pthread_mutex_unlock(&t.lock);
    return v;
}

/* Waits until *field >= want; false on timeout. */
static bool wait_for(const unsigned *field, unsigned want)
{
    struct timespec deadline;
    bool ok = true;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&t.lock);
    while (*field < want) {
        if (pthread_cond_timedwait(&t.cond, &t.lock, &deadline) == ETIMEDOUT) {
            ok = *field >= want;
            break;
        }
    }
    pthread_mutex_unlock(&t.lock);
    return ok;
}

/* Drains the inbox (as the service thread does in EVENT_WAIT_CANCELLED). */
static void drain(void)
{
    drained_wakes = get(&t.wakes);
    inbox_drain(inbox);
}

/* The service loop: waits for a wake, drains, until *field >= want; false on timeout. A
 * finished job whose wake got lost fails here. */
static bool serve_until(const unsigned *field, unsigned want)
{
    for (unsigned rounds = 0; get(field) < want; rounds++) {
        if (rounds > 100000 || !wait_for(&t.wakes, drained_wakes + 1))
            return false;
        drain();
    }
    return true;
}

static void open_gate(void)
{
    pthread_mutex_lock(&t.lock);
    t.gate_open = true;
    pthread_cond_broadcast(&t.cond);
    pthread_mutex_unlock(&t.lock);
}

/* Worker thread: no cmocka asserts here (they longjmp on the test thread's stack);
 * a wrong ctx is counted and checked by the test thread. */
static void on_wake(void *ctx)
{
    bump(ctx == &t ? &t.wakes : &t.bad_wakes);
}

static void arg_free(void *opaque)
{
    free(opaque);
    bump(&t.arg_frees);
}

static void run_record(struct work_job *job)
{
    struct job_arg *a = job->arg;

    a->run_thread = pthread_self();
    a->ran = true;
    a->result = 418 + a->value;
    bump(&t.runs);
}

static void done_record(struct work_job *job)
{
    struct job_arg *a = job->arg;

    a->done_thread = pthread_self();
    a->done = true;
    /* What run wrote is visible to done. */
    assert_int_equal(a->result, 418 + a->value);
    bump(&t.dones);
}

static void run_count(struct work_job *job)
{
    bump(&t.runs);
}

static void done_count(struct work_job *job)
{
    bump(&t.dones);
}

/* Blocks the worker until the gate opens. */
static void run_gate(struct work_job *job)
{
    pthread_mutex_lock(&t.lock);
    t.blocked++;
    pthread_cond_broadcast(&t.cond);
    while (!t.gate_open)
        pthread_cond_wait(&t.cond, &t.lock);
    t.blocked--;
    t.runs++;
    pthread_cond_broadcast(&t.cond);
    pthread_mutex_unlock(&t.lock);
}

static int setup(void **state)
{
    reset_counters();
    drained_wakes = 0;
    inbox = inbox_new(INBOX_CAPACITY, on_wake, &t);
    return 0;
}

static int teardown(void **state)
{
    inbox_free(inbox);
    inbox = NULL;
    assert_int_equal(get(&t.bad_wakes), 0);
    return 0;
}

static void test_run_on_worker_done_on_drain(void **state)
{
    struct work_pool *pool = work_pool_new(2, inbox);
    /* The job's arg is owned by the job; keep a borrowed view for checks. */
    struct job_arg *a = calloc(1, sizeof(*a));
    struct job_arg seen;
    struct work_job *job;

    assert_non_null(pool);
    a->value = 7;
    job = work_job_new(99, run_record, done_record, a, NULL);
    assert_int_equal(job->conn_id, 99);
    assert_int_equal(work_pool_submit(pool, job), 0);

    assert_true(wait_for(&t.wakes, 1));
    assert_int_equal(get(&t.runs), 1);
    /* Finished, but done waits for drain. */
    usleep(20 * 1000);
    assert_int_equal(get(&t.dones), 0);
    assert_true(a->ran);
    assert_false(a->done);
    assert_false(pthread_equal(a->run_thread, pthread_self()));

    /* Drain runs done here, then frees the job (arg_free NULL: we still own a). */
    drain();
    assert_int_equal(get(&t.dones), 1);
    memcpy(&seen, a, sizeof(seen));
    assert_true(seen.done);
    assert_true(pthread_equal(seen.done_thread, pthread_self()));
    free(a);

    /* A second drain has nothing to do. */
    drain();
    assert_int_equal(get(&t.dones), 1);
    work_pool_free(pool);
}

/* Every job is run and done once, its argument freed once; the pool wakes the service
 * thread at most once per job (that a burst coalesces into one wake is test_inbox's). */
static void test_many_jobs_done_once(void **state)
{
    enum { N = 200 };
    struct work_pool *pool = work_pool_new(3, inbox);

    assert_non_null(pool);
    for (int i = 0; i < N; i++) {
        struct job_arg *a = calloc(1, sizeof(*a));
        a->value = i;
        assert_int_equal(work_pool_submit(pool, work_job_new((uint64_t)i + 1, run_record,
                                                             done_record, a, arg_free)),
                         0);
    }
    /* Drain after each wake until every done has run. */
    assert_true(serve_until(&t.dones, N));
    assert_int_equal(get(&t.runs), N);
    assert_int_equal(get(&t.dones), N);
    assert_int_equal(get(&t.arg_frees), N);
    assert_true(get(&t.wakes) >= 1);
    assert_true(get(&t.wakes) <= N);
    work_pool_free(pool);
}

/* A job without done is freed by drain (its arg released). */
static void test_done_null(void **state)
{
    struct work_pool *pool = work_pool_new(1, inbox);

    assert_non_null(pool);
    assert_int_equal(
        work_pool_submit(pool, work_job_new(0, run_count, NULL, calloc(1, 8), arg_free)), 0);
    assert_true(wait_for(&t.wakes, 1));
    assert_int_equal(get(&t.arg_frees), 0);
    drain();
    assert_int_equal(get(&t.arg_frees), 1);
    work_pool_free(pool);
}

/* The inbox is exactly as large as the pool's bound on held jobs (as serve.c sizes it):
 * every accepted job finishes into it, none is refused. */
static void test_pending_bound(void **state)
{
    enum { THREADS = 2 };
    const unsigned held = WORK_POOL_MAX_JOBS(THREADS, WORK_POOL_MAX_PENDING);
    struct work_pool *pool;
    struct work_job *extra;

    inbox_free(inbox);
    inbox = inbox_new(held, on_wake, &t);
    pool = work_pool_new(THREADS, inbox);
    assert_non_null(pool);
    /* Occupy every worker. */
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(work_pool_submit(pool, work_job_new(0, run_gate, done_count, NULL, NULL)),
                         0);
    assert_true(wait_for(&t.blocked, THREADS));

    /* Exactly WORK_POOL_MAX_PENDING more may wait... */
    for (unsigned i = 0; i < WORK_POOL_MAX_PENDING; i++)
        if (work_pool_submit(pool,
                             work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)) != 0)
            fail_msg("submit %u of %u refused", i, WORK_POOL_MAX_PENDING);
    /* ...and the next is refused, freed (arg released) and never run. */
    extra = work_job_new(0, run_count, done_count, calloc(1, 8), arg_free);
    assert_int_equal(work_pool_submit(pool, extra), -1);
    assert_int_equal(get(&t.arg_frees), 1);
    assert_int_equal(get(&t.runs), 0);

    /* Release the workers: everything queued runs. The finished jobs are held until their
     * done has run, so the pool still refuses (and the inbox never does). */
    open_gate();
    assert_true(wait_for(&t.runs, held));
    assert_int_equal(work_pool_submit(pool, work_job_new(0, run_count, done_count, NULL, NULL)),
                     -1);
    assert_true(serve_until(&t.dones, held));
    assert_int_equal(get(&t.dones), held);
    assert_int_equal(get(&t.arg_frees), 1 + WORK_POOL_MAX_PENDING);

    /* Done: the queue takes jobs again. */
    assert_int_equal(work_pool_submit(pool, work_job_new(0, run_count, done_count, NULL, NULL)), 0);
    assert_true(serve_until(&t.dones, held + 1));
    assert_int_equal(get(&t.dones), held + 1);
    work_pool_free(pool);
}

/* Opens the gate once work_pool_free has started stopping the pool, which the helper
 * sees as work_pool_submit refusing jobs. Probe jobs accepted before that stay queued. */
static unsigned watcher_probes; /* written by the watcher, read after join */

static void *stop_watcher(void *opaque)
{
    struct work_pool *pool = opaque;

    watcher_probes = 0;
    for (unsigned i = 0; i < WAIT_MS; i++) {
        watcher_probes++;
        if (work_pool_submit(pool, work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)) <
            0)
            break;
        usleep(1000);
    }
    open_gate();
    return NULL;
}

static void test_free_with_queued_jobs(void **state)
{
    enum { THREADS = 2, QUEUED = 50 };
    struct work_pool *pool = work_pool_new(THREADS, inbox);
    pthread_t watcher;

    assert_non_null(pool);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(
            work_pool_submit(pool, work_job_new(0, run_gate, done_count, calloc(1, 8), arg_free)),
            0);
    assert_true(wait_for(&t.blocked, THREADS));
    for (int i = 0; i < QUEUED; i++)
        assert_int_equal(
            work_pool_submit(pool, work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)),
            0);

    assert_int_equal(pthread_create(&watcher, NULL, stop_watcher, pool), 0);
    /* Stops the pool; returns once the gate jobs finish. */
    work_pool_free(pool);
    assert_int_equal(pthread_join(watcher, NULL), 0);
    /* A stopping pool refused the watcher's submit (it did not just time out). */
    assert_true(watcher_probes < WAIT_MS);

    /* The running jobs finished; nothing queued ran; no done ran; every job's arg was
     * released, the watcher's probes included (queued ones and the refused last one). */
    assert_int_equal(get(&t.runs), THREADS);
    assert_int_equal(get(&t.dones), 0);
    assert_int_equal(get(&t.arg_frees), THREADS + QUEUED + watcher_probes);
    /* The finished gate jobs left the inbox with the pool. */
    drain();
    assert_int_equal(get(&t.dones), 0);
}

/* Jobs left finished but undrained are freed by free without their done, and taken out
 * of the inbox (a later drain would otherwise run freed jobs: ASan). */
static void test_free_with_finished_jobs(void **state)
{
    struct work_pool *pool = work_pool_new(1, inbox);

    assert_non_null(pool);
    for (int i = 0; i < 5; i++)
        assert_int_equal(
            work_pool_submit(pool, work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)),
            0);
    assert_true(wait_for(&t.runs, 5));
    assert_true(wait_for(&t.wakes, 1));
    work_pool_free(pool);
    assert_int_equal(get(&t.dones), 0);
    assert_int_equal(get(&t.arg_frees), 5);
    drain();
    assert_int_equal(get(&t.dones), 0);
}

/* A lane's job runs on the lane's own thread while every worker of its parent is
 * busy, and finishes into the same inbox. */
static void test_lane_runs_apart(void **state)
{
    struct work_pool *pool = work_pool_new(1, inbox);
    struct work_pool *lane = work_pool_new_lane(pool, 1, 4);
    struct job_arg *a = calloc(1, sizeof(*a));

    assert_non_null(pool);
    assert_non_null(lane);
    assert_int_equal(work_pool_submit(pool, work_job_new(0, run_gate, done_count, NULL, NULL)), 0);
    assert_true(wait_for(&t.blocked, 1));

    a->value = 3;
    assert_int_equal(work_pool_submit(lane, work_job_new(7, run_record, done_record, a, arg_free)),
                     0);
    assert_true(wait_for(&t.wakes, 1));
    assert_int_equal(get(&t.runs), 1); /* the lane's: the gate is still shut */
    assert_int_equal(get(&t.blocked), 1);
    /* Finished, not done: done runs in the drain. */
    assert_int_equal(get(&t.dones), 0);
    drain();
    assert_int_equal(get(&t.dones), 1);
    assert_int_equal(get(&t.arg_frees), 1);

    open_gate();
    assert_true(wait_for(&t.wakes, 2));
    drain();
    assert_int_equal(get(&t.dones), 2);
    work_pool_free(lane);
    work_pool_free(pool);
}

/* A lane has its own pending bound; a full lane leaves its parent taking jobs. */
static void test_lane_pending_bound(void **state)
{
    enum { LANE_PENDING = 4 };
    struct work_pool *pool = work_pool_new(1, inbox);
    struct work_pool *lane = work_pool_new_lane(pool, 1, LANE_PENDING);

    assert_non_null(lane);
    assert_int_equal(work_pool_submit(lane, work_job_new(0, run_gate, done_count, NULL, NULL)), 0);
    assert_true(wait_for(&t.blocked, 1));
    for (int i = 0; i < LANE_PENDING; i++)
        assert_int_equal(
            work_pool_submit(lane, work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)),
            0);
    assert_int_equal(
        work_pool_submit(lane, work_job_new(0, run_count, done_count, calloc(1, 8), arg_free)), -1);
    assert_int_equal(get(&t.arg_frees), 1);

    assert_int_equal(work_pool_submit(pool, work_job_new(0, run_count, done_count, NULL, NULL)), 0);
    assert_true(wait_for(&t.runs, 1));

    /* The lane is freed first (as serve.c does), then the parent: no done runs, and
     * every job's arg is released, queued, running or finished. */
    open_gate();
    assert_true(wait_for(&t.runs, 2 + LANE_PENDING));
    work_pool_free(lane);
    work_pool_free(pool);
    assert_int_equal(get(&t.dones), 0);
    assert_int_equal(get(&t.arg_frees), 1 + LANE_PENDING);
    drain();
    assert_int_equal(get(&t.dones), 0);
}

static void test_job_new_free(void **state)
{
    struct work_job *job = work_job_new(5, run_count, done_count, calloc(1, 8), arg_free);

    assert_int_equal(job->conn_id, 5);
    assert_ptr_equal(job->run, run_count);
    assert_ptr_equal(job->done, done_count);
    assert_null(job->next);
    assert_false(job->item.queued);
    work_job_free(job);
    assert_int_equal(get(&t.arg_frees), 1);
    assert_int_equal(get(&t.runs), 0);
    work_job_free(NULL);
    work_pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_on_worker_done_on_drain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_jobs_done_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_done_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_with_queued_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_with_finished_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lane_runs_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lane_pending_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_new_free, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
