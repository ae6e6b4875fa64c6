/* events_feed: lifecycle events from virt-events to the hub, built on a lane (see
 * events_feed.h).
 *
 * Threads: events_feed_post (any thread) touches only `pending` under `lock`; pump,
 * the job's `done` and `in_flight` are the service thread's; the job's `run` (the
 * lane's worker) owns its batch until `done`. */
#include "events/events_feed.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/xalloc.h"

#define FEED_THREADS 1

struct feed_item {
    struct virt_conn_event *ev; /* owned; NULL for a message posted ready */
    struct json_object *msg;    /* owned; built by the job, or posted ready */
    enum events_kind kind;
    struct feed_item *next; /* owned chain */
};

struct events_feed {
    struct events_hub *hub; /* borrowed */
    struct work_pool *lane; /* owned; NULL once stopped */
    void (*wake)(void *ctx);
    void *wake_ctx;
    pthread_mutex_t lock;
    struct feed_item *head; /* lock; owned */
    struct feed_item *tail; /* lock; borrowed: last of head's chain */
    unsigned len;           /* lock */
    bool in_flight;         /* service thread: a batch job is queued or running */
};

static void feed_items_free(struct feed_item *item)
{
    while (item) {
        struct feed_item *next = item->next;
        virt_conn_event_free(item->ev);
        json_object_put(item->msg);
        free(item);
        item = next;
    }
}

struct feed_batch {
    struct events_feed *feed; /* borrowed */
    struct feed_item *items;  /* owned */
};

static void feed_batch_free(void *arg)
{
    struct feed_batch *batch = arg;

    feed_items_free(batch->items);
    free(batch);
}

/* The lane's worker: every message of the batch, in order. */
static void feed_batch_run(struct work_job *job)
{
    struct feed_batch *batch = job->arg;

    for (struct feed_item *item = batch->items; item; item = item->next)
        if (item->ev)
            item->msg = virt_conn_event_message(item->ev);
}

/* Service thread: post the batch in order, then start the next one. */
static void feed_batch_done(struct work_job *job)
{
    struct feed_batch *batch = job->arg;
    struct events_feed *feed = batch->feed;

    for (struct feed_item *item = batch->items; item; item = item->next) {
        events_hub_post(feed->hub, item->msg, item->kind, item->ev ? item->ev->uuid : NULL);
        item->msg = NULL;
    }
    feed->in_flight = false;
    events_feed_pump(feed);
}

struct events_feed *events_feed_new(struct events_hub *hub, struct work_pool *parent,
                                    void (*wake)(void *ctx), void *wake_ctx)
{
    struct events_feed *feed = xcalloc(1, sizeof(*feed));

    feed->hub = hub;
    feed->wake = wake;
    feed->wake_ctx = wake_ctx;
    pthread_mutex_init(&feed->lock, NULL);
    if (!(feed->lane = work_pool_new_lane(parent, FEED_THREADS, 1))) {
        events_feed_free(feed);
        return NULL;
    }
    return feed;
}

static void feed_append(struct events_feed *feed, struct feed_item *item)
{
    bool full;

    pthread_mutex_lock(&feed->lock);
    full = feed->len >= EVENTS_FEED_MAX_PENDING;
    if (!full) {
        if (feed->tail)
            feed->tail->next = item;
        else
            feed->head = item;
        feed->tail = item;
        feed->len++;
        item = NULL;
    }
    pthread_mutex_unlock(&feed->lock);
    if (full) {
        feed_items_free(item);
        events_hub_mark_lost(feed->hub);
    }
    feed->wake(feed->wake_ctx);
}

void events_feed_post(struct events_feed *feed, struct virt_conn_event *ev)
{
    struct feed_item *item = xcalloc(1, sizeof(*item));

    item->ev = ev;
    item->kind = EVENTS_KIND_LIFECYCLE;
    feed_append(feed, item);
}

void events_feed_post_ready(struct events_feed *feed, struct json_object *msg,
                            enum events_kind kind)
{
    struct feed_item *item = xcalloc(1, sizeof(*item));

    item->msg = msg;
    item->kind = kind;
    feed_append(feed, item);
}

void events_feed_pump(struct events_feed *feed)
{
    struct feed_item *items;
    struct feed_batch *batch;
    struct work_job *job;

    if (!feed || !feed->lane || feed->in_flight)
        return;
    pthread_mutex_lock(&feed->lock);
    items = feed->head;
    feed->head = feed->tail = NULL;
    feed->len = 0;
    pthread_mutex_unlock(&feed->lock);
    if (!items)
        return;
    batch = xcalloc(1, sizeof(*batch));
    batch->feed = feed;
    batch->items = items;
    job = work_job_new(0, feed_batch_run, feed_batch_done, batch, feed_batch_free);
    if (work_pool_submit(feed->lane, job) < 0) {
        /* Only while stopping: one job at a time never reaches the lane's bound. */
        log_warn("events: lifecycle events dropped while stopping");
        return;
    }
    feed->in_flight = true;
}

void events_feed_stop(struct events_feed *feed)
{
    if (!feed)
        return;
    work_pool_free(feed->lane);
    feed->lane = NULL;
}

void events_feed_free(struct events_feed *feed)
{
    if (!feed)
        return;
    events_feed_stop(feed);
    feed_items_free(feed->head);
    pthread_mutex_destroy(&feed->lock);
    free(feed);
}
