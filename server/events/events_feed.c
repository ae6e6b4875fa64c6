/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_feed: lifecycle events from virt-events to the hub, built on a lane (see
 * events_feed.h).
 *
 * Threads: events_feed_post (any thread) touches only the pending list under `lock`
 * and posts `pump`; the pump (that item's run), the job's `done` and `in_flight` are
 * the service thread's; the job's `run` (the lane's worker) owns its batch until
 * `done`. */
#include "events/events_feed.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"
#include "util/xalloc.h"

struct feed_item {
    struct virt_conn_event *ev; /* owned; NULL for a message posted ready */
    struct json_object *msg;    /* owned; built by the job, or posted ready */
    enum events_kind kind;
    struct feed_item *next; /* owned chain */
};

struct events_feed {
    struct events_hub *hub; /* borrowed */
    struct work_pool *lane; /* owned; NULL once stopped */
    struct inbox *inbox;    /* borrowed */
    struct inbox_item pump; /* the inbox's: starts a batch (feed_pump) */
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

static void feed_pump(struct events_feed *feed);

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
    feed_pump(feed);
}

static void feed_pump_run(struct inbox_item *item)
{
    feed_pump(inbox_item_owner(item, struct events_feed, pump));
}

struct events_feed *events_feed_new(struct events_hub *hub, struct work_pool *parent,
                                    struct inbox *inbox)
{
    struct events_feed *feed = xcalloc(1, sizeof(*feed));

    feed->hub = hub;
    feed->inbox = inbox;
    inbox_item_init(&feed->pump, feed_pump_run);
    pthread_mutex_init(&feed->lock, NULL);
    if (!(feed->lane = work_pool_new_lane(parent, EVENTS_FEED_THREADS, EVENTS_FEED_MAX_BATCHES))) {
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
        return;
    }
    /* Counted in EVENTS_FEED_INBOX_ITEMS, so it fits; were it refused, the events would
     * wait for the next post or the end of the batch in flight. */
    if (inbox_post(feed->inbox, &feed->pump) < 0)
        log_warn("events: the inbox is full; lifecycle events wait for the next one");
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

/* Service thread: starts a batch job for the pending events unless one is in flight. */
static void feed_pump(struct events_feed *feed)
{
    struct feed_item *items;
    struct feed_batch *batch;
    struct work_job *job;

    if (!feed->lane || feed->in_flight)
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
    inbox_cancel(feed->inbox, &feed->pump);
    feed_items_free(feed->head);
    pthread_mutex_destroy(&feed->lock);
    free(feed);
}
