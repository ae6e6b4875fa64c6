/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* job_table: the state of long work (a clone's or a full-copy create's disk copies) that
 * an API request started and answered with 202 (docs/api.md, "Jobs").
 *
 * A job has a random id (32 hex digits from RAND_bytes: unguessable), a kind ("clone",
 * "create"), its owner (the user who asked), its object (a domain UUID), the name of
 * what it makes (the new domain's), a state
 * (running → done | failed, nothing else), its progress (a phase and bytes done of
 * bytes total) and, once finished, the result the synchronous answer would have
 * carried (with its status) or that answer's error. Jobs live in memory only (a restart
 * forgets them). At most JOB_TABLE_MAX are kept: a finished job is dropped
 * JOB_TABLE_KEEP_MS after it finished, or earlier (oldest first) to make room for a new
 * one; when every slot holds a running job a new one is refused.
 *
 * Threads: any; one mutex guards the table and is never held across a blocking call.
 * Times are passed in (monotonic ms) so the unit tests can drive expiry. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/app_error.h"

#define JOB_TABLE_MAX     64
#define JOB_TABLE_KEEP_MS (10 * 60 * 1000) /* a finished job stays visible 10 minutes */
#define JOB_ID_HEX        32
#define JOB_NAME_MAX      255 /* bytes of the name of what a job makes */
#define JOB_OWNER_MAX     64  /* bytes of an owner's name: AUTH_USERNAME_MAX */
/* progress() asks for a message at most this often per job (<= 4 per second) */
#define JOB_TABLE_PUSH_MS 250

struct job_table;

/* An empty table. Any thread (normally main). */
struct job_table *job_table_new(void);
/* NULL-safe; after every user has stopped. */
void job_table_free(struct job_table *table);

/* A job's description for job_table_add: kind is a static string; the rest is copied
 * (cut to JOB_NAME_MAX bytes). */
struct job_table_entry {
    const char *kind;
    const char *owner;
    const char *object;
    const char *name;
    uint64_t total;
};

/* A new running job (phase "queued", 0 of total bytes). Writes its id into id. Returns
 * 0, or -1 with err (503 "too many jobs") when JOB_TABLE_MAX running jobs are held. */
int job_table_add(struct job_table *table, const struct job_table_entry *entry, int64_t now_ms,
                  char id[JOB_ID_HEX + 1], struct app_error *err)
    __attribute__((warn_unused_result));

/* Sets a running job's phase (a static string; NULL keeps it) and bytes done (capped
 * at the total; never goes back). Returns the job's JSON (new reference) when a message
 * is due (the phase changed or JOB_TABLE_PUSH_MS passed since the last one), else NULL
 * (also for an unknown or finished job). */
struct json_object *job_table_progress(struct job_table *table, const char *id, const char *phase,
                                       uint64_t done, int64_t now_ms);

/* Finishes a running job with the synchronous answer's status and body (taken): done
 * for a 2xx status (body becomes "result"), failed otherwise (body is {"error":{...}},
 * its inner object becomes "error"). Returns the job's JSON (new reference: the final
 * message), or NULL for an unknown or finished job (body is released). */
struct json_object *job_table_finish(struct job_table *table, const char *id, int status,
                                     struct json_object *body, int64_t now_ms);

/* The job's JSON (new reference) if it exists and user may see it (its owner, or any
 * job when admin), else NULL. Expired jobs are dropped first. */
struct json_object *job_table_get(struct job_table *table, const char *id, const char *user,
                                  bool admin, int64_t now_ms);

/* {"jobs":[...]}: the jobs user may see (all when admin), oldest first. */
struct json_object *job_table_list(struct job_table *table, const char *user, bool admin,
                                   int64_t now_ms);

/* Forgets a job (a task that could not be queued: nothing ran). */
void job_table_drop(struct job_table *table, const char *id);
