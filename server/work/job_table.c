/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* job_table: long work's state (see job_table.h). Any thread: every function takes the
 * table's mutex for a few list operations and JSON copies, never across a blocking
 * call. A fixed array of JOB_TABLE_MAX slots; a slot with id[0] == '\0' is free. */
#include "work/job_table.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum job_state { JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct job {
    char id[JOB_ID_HEX + 1]; /* "" : free slot */
    const char *kind;        /* static */
    char owner[JOB_OWNER_MAX + 1];
    char object[64];
    char name[JOB_NAME_MAX + 1];
    enum job_state state;
    const char *phase; /* static */
    uint64_t done, total;
    int status;               /* the answer's status, once finished */
    struct json_object *body; /* owned: the answer's body, once finished */
    int64_t added_ms;         /* for the list's order */
    int64_t finished_ms;      /* expiry */
    int64_t pushed_ms;        /* the last message progress() asked for */
    const char *pushed_phase; /* its phase */
};

struct job_table {
    pthread_mutex_t lock;
    struct job jobs[JOB_TABLE_MAX]; /* lock */
};

static const char *const job_state_names[] = {"running", "done", "failed"};

struct job_table *job_table_new(void)
{
    struct job_table *table = xcalloc(1, sizeof(*table));

    pthread_mutex_init(&table->lock, NULL);
    return table;
}

static void job_clear(struct job *job)
{
    json_object_put(job->body);
    memset(job, 0, sizeof(*job));
}

void job_table_free(struct job_table *table)
{
    if (!table)
        return;
    for (size_t i = 0; i < JOB_TABLE_MAX; i++)
        job_clear(&table->jobs[i]);
    pthread_mutex_destroy(&table->lock);
    free(table);
}

/* Lock held: drops finished jobs older than JOB_TABLE_KEEP_MS. */
static void job_table_expire(struct job_table *table, int64_t now_ms)
{
    for (size_t i = 0; i < JOB_TABLE_MAX; i++) {
        struct job *job = &table->jobs[i];

        if (job->id[0] && job->state != JOB_RUNNING &&
            now_ms - job->finished_ms >= JOB_TABLE_KEEP_MS)
            job_clear(job);
    }
}

/* Lock held: a free slot, else the slot of the job that finished first, else NULL. */
static struct job *job_table_slot(struct job_table *table)
{
    struct job *oldest = NULL;

    for (size_t i = 0; i < JOB_TABLE_MAX; i++) {
        struct job *job = &table->jobs[i];

        if (!job->id[0])
            return job;
        if (job->state != JOB_RUNNING && (!oldest || job->finished_ms < oldest->finished_ms))
            oldest = job;
    }
    if (oldest)
        job_clear(oldest);
    return oldest;
}

/* Lock held. */
static struct job *job_table_find(struct job_table *table, const char *id)
{
    if (!id || strlen(id) != JOB_ID_HEX)
        return NULL;
    for (size_t i = 0; i < JOB_TABLE_MAX; i++)
        if (table->jobs[i].id[0] && strcmp(table->jobs[i].id, id) == 0)
            return &table->jobs[i];
    return NULL;
}

/* Lock held: the job as the API shows it (a new object). */
static struct json_object *job_json(const struct job *job)
{
    struct json_object *out = json_object_new_object(), *inner;

    json_object_object_add(out, "id", json_object_new_string(job->id));
    json_object_object_add(out, "kind", json_object_new_string(job->kind));
    json_object_object_add(out, "owner", json_object_new_string(job->owner));
    json_object_object_add(out, "object", json_object_new_string(job->object));
    json_object_object_add(out, "name", json_object_new_string(job->name));
    json_object_object_add(out, "state", json_object_new_string(job_state_names[job->state]));
    json_object_object_add(out, "phase", json_object_new_string(job->phase));
    json_object_object_add(out, "bytes_done", json_object_new_int64((int64_t)job->done));
    json_object_object_add(out, "bytes_total", json_object_new_int64((int64_t)job->total));
    if (job->state == JOB_RUNNING)
        return out;
    json_object_object_add(out, "status", json_object_new_int(job->status));
    if (job->state == JOB_DONE)
        json_object_object_add(out, "result", json_object_get(job->body));
    else if (json_object_object_get_ex(job->body, "error", &inner))
        json_object_object_add(out, "error", json_object_get(inner));
    return out;
}

int job_table_add(struct job_table *table, const struct job_table_entry *entry, int64_t now_ms,
                  char id[JOB_ID_HEX + 1], struct app_error *err)
{
    unsigned char raw[JOB_ID_HEX / 2];
    struct job *job;
    int ret = -1;

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "no random bytes for a job id");
        return -1;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    pthread_mutex_lock(&table->lock);
    job_table_expire(table, now_ms);
    if (!(job = job_table_slot(table))) {
        app_error_set(err, 503, APP_ERR_UNAVAILABLE, "too many jobs running (%d), try again later",
                      JOB_TABLE_MAX);
        goto cleanup;
    }
    snprintf(job->id, sizeof(job->id), "%s", id);
    job->kind = entry->kind;
    snprintf(job->owner, sizeof(job->owner), "%s", entry->owner);
    snprintf(job->object, sizeof(job->object), "%s", entry->object);
    snprintf(job->name, sizeof(job->name), "%s", entry->name);
    job->state = JOB_RUNNING;
    job->phase = "queued";
    job->total = entry->total;
    job->added_ms = now_ms;
    ret = 0;

cleanup:
    pthread_mutex_unlock(&table->lock);
    return ret;
}

struct json_object *job_table_progress(struct job_table *table, const char *id, const char *phase,
                                       uint64_t done, int64_t now_ms)
{
    struct json_object *out = NULL;
    struct job *job;

    pthread_mutex_lock(&table->lock);
    if (!(job = job_table_find(table, id)) || job->state != JOB_RUNNING)
        goto cleanup;
    if (phase)
        job->phase = phase;
    if (done > job->total)
        done = job->total;
    if (done > job->done)
        job->done = done;
    if (job->phase != job->pushed_phase || now_ms - job->pushed_ms >= JOB_TABLE_PUSH_MS) {
        job->pushed_ms = now_ms;
        job->pushed_phase = job->phase;
        out = job_json(job);
    }

cleanup:
    pthread_mutex_unlock(&table->lock);
    return out;
}

struct json_object *job_table_finish(struct job_table *table, const char *id, int status,
                                     struct json_object *body, int64_t now_ms)
{
    struct json_object *out = NULL;
    struct job *job;

    pthread_mutex_lock(&table->lock);
    if (!(job = job_table_find(table, id)) || job->state != JOB_RUNNING) {
        json_object_put(body);
        goto cleanup;
    }
    job->state = status >= 200 && status < 300 ? JOB_DONE : JOB_FAILED;
    job->phase = job->state == JOB_DONE ? "done" : "failed";
    if (job->state == JOB_DONE)
        job->done = job->total;
    job->status = status;
    job->body = body;
    job->finished_ms = now_ms;
    out = job_json(job);

cleanup:
    pthread_mutex_unlock(&table->lock);
    return out;
}

/* Lock held. */
static bool job_visible(const struct job *job, const char *user, bool admin)
{
    return job->id[0] && (admin || strcmp(job->owner, user) == 0);
}

struct json_object *job_table_get(struct job_table *table, const char *id, const char *user,
                                  bool admin, int64_t now_ms)
{
    struct json_object *out = NULL;
    struct job *job;

    pthread_mutex_lock(&table->lock);
    job_table_expire(table, now_ms);
    if ((job = job_table_find(table, id)) && job_visible(job, user, admin))
        out = job_json(job);
    pthread_mutex_unlock(&table->lock);
    return out;
}

struct json_object *job_table_list(struct job_table *table, const char *user, bool admin,
                                   int64_t now_ms)
{
    struct json_object *out = json_object_new_object(), *list = json_object_new_array();
    const struct job *order[JOB_TABLE_MAX];
    size_t n = 0;

    pthread_mutex_lock(&table->lock);
    job_table_expire(table, now_ms);
    for (size_t i = 0; i < JOB_TABLE_MAX; i++) {
        const struct job *job = &table->jobs[i];
        size_t at = n++;

        if (!job_visible(job, user, admin)) {
            n--;
            continue;
        }
        for (; at > 0 && order[at - 1]->added_ms > job->added_ms; at--)
            order[at] = order[at - 1];
        order[at] = job;
    }
    for (size_t i = 0; i < n; i++)
        json_object_array_add(list, job_json(order[i]));
    pthread_mutex_unlock(&table->lock);
    json_object_object_add(out, "jobs", list);
    return out;
}

void job_table_drop(struct job_table *table, const char *id)
{
    struct job *job;

    pthread_mutex_lock(&table->lock);
    if ((job = job_table_find(table, id)))
        job_clear(job);
    pthread_mutex_unlock(&table->lock);
}
