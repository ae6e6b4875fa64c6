/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_runner: long work that an API request answered with 202 runs here, on threads of
 * its own, and reports its progress (docs/api.md, "Jobs").
 *
 * DESIGN (threads): a worker (the API handler, after its checks) calls
 * api_runner_start: the job enters the job table (job_table.h) and a task is queued on
 * the runner's lane of the work pool (API_RUNNER_THREADS threads, API_RUNNER_MAX_PENDING
 * waiting), so copies that take minutes never hold the workers every other request
 * needs. The lane's thread takes its own reference on the libvirt connection, runs the
 * task, and finishes the job with the task's answer. Progress (api_runner_progress,
 * from the task's threads) and the final state go to the job's owner (and admins) over
 * /api/events as {"type":"job","job":{...}} through post(), at most one progress
 * message per JOB_TABLE_PUSH_MS per job, and always the final one. The outcome is
 * written to the audit log as the row's action (the 202 wrote "<action>-started").
 *
 * Shutdown (api_runner_free, main thread, after the listener is gone): running tasks
 * finish (a copy completes and its clone is defined, or fails and is rolled back: never
 * half made), tasks still waiting are dropped before anything was made; the table, and
 * every job in it, is forgotten with the process. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <sqlite3.h>
#include <stdint.h>

#include "util/app_error.h"
#include "work/job_table.h"

/* Copies of fewer allocated bytes are made while the request waits (201), unless the
 * client sent Prefer: respond-async; more become a job (202). */
#define API_RUNNER_SYNC_MAX    (64ull * 1024 * 1024)
#define API_RUNNER_THREADS     2
#define API_RUNNER_MAX_PENDING 16

struct api_reply;
struct work_pool;
struct virt_conn;
struct api_runner;
struct api_runner_job;

struct api_runner_deps {
    struct work_pool *pool; /* borrowed: the lane's parent (its inbox) */
    struct virt_conn *virt; /* borrowed: the shared libvirt connection */
    /* Any thread: delivers msg (taken) to user and the admins (events_hub_post_job). */
    void (*post)(void *ctx, struct json_object *msg, const char *user);
    void *post_ctx;
    sqlite3 *db; /* borrowed: the audit log, where each job's outcome is recorded */
};

/* A task: run(job, conn, arg, err) does the work on the lane's thread and returns the
 * body of the synchronous answer (status ok_status) or NULL with err. */
struct api_runner_task {
    const char *kind;         /* static: "clone", "create" */
    const char *owner;        /* copied */
    const char *object;       /* copied: the domain's UUID */
    const char *name;         /* copied: the name of what it makes */
    unsigned long long total; /* bytes to copy */
    int ok_status;            /* the synchronous answer's status (201) */
    const char *peer;         /* copied: from where the request came */
    const char *audit;        /* static: the row's audit action, recorded with the outcome */
    const char *audit_object; /* copied: the object the "-started" record names */
    struct json_object *(*run)(struct api_runner_job *job, virConnectPtr conn, void *arg,
                               struct app_error *err);
    void *arg; /* owned by the runner once start succeeded: freed with arg_free */
    void (*arg_free)(void *arg);
};

/* The lane and the table. NULL if the lane's threads cannot start. Main thread. */
struct api_runner *api_runner_new(const struct api_runner_deps *deps);
/* See Shutdown above. NULL-safe. Main thread, while nothing drains the inbox. */
void api_runner_free(struct api_runner *runner);
/* The table (borrowed): GET /api/jobs reads it. */
struct job_table *api_runner_table(struct api_runner *runner);

/* Queues task. Returns the job's JSON (new reference) for the 202 answer, or NULL with
 * err (503: too many jobs, or the lane is full) and task->arg freed. Workers. */
struct json_object *api_runner_start(struct api_runner *runner, const struct api_runner_task *task,
                                     struct app_error *err);

/* The 202 answer for a job api_runner_start returned (json, taken): {"job": json} with
 * Location: /api/jobs/{id} and the audit suffix "-started"; or err when json is NULL. */
void api_runner_reply(struct api_reply *reply, struct json_object *json,
                      const struct app_error *err);

/* The task's progress: phase (static, NULL keeps it), bytes done so far. Any thread
 * the task runs (its own, or a helper of it). */
void api_runner_progress(struct api_runner_job *job, const char *phase, unsigned long long done);
