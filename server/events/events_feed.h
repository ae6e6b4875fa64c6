/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_feed: domain lifecycle events from libvirt's event thread to the events hub.
 *
 * DESIGN (threads): libvirt's event thread (virt-events) must only hand events on, so
 * events_feed_post() appends the raw event (struct virt_conn_event) to a pending list
 * under one mutex and posts the feed's one inbox item (work/inbox.h; the posts coalesce,
 * so a burst wakes the service thread once). The item runs on the service thread: if
 * no batch is in flight, it moves every pending event into one job on the feed's own
 * lane (one thread, one job at a time), which builds the messages
 * (virt_conn_event_message: libvirt calls, XML) in arrival order; the job's `done`
 * posts them, still in that order, into the events hub, and starts the next batch.
 * Events that arrive meanwhile wait for it. A burst therefore costs one job, and
 * neither HTTP jobs nor a slow libvirt delay keepalive or consoles.
 *
 * Order: one batch at a time, each handled front to back, so every event is delivered
 * and in the order libvirt sent it. Host, network and pool messages (built without
 * libvirt calls) take the same path (events_feed_post_ready), so a "disconnected" or
 * "connected" never overtakes the domain events before it.
 * Bound: EVENTS_FEED_MAX_PENDING waiting events; past that an event is dropped and the
 * hub makes every subscriber reconnect for a fresh snapshot (events_hub_mark_lost). In
 * the inbox the feed holds at most EVENTS_FEED_INBOX_ITEMS items: its own and its
 * lane's jobs (serve.c sizes the inbox with it). */
#pragma once

#include "events/events_hub.h"
#include "virt/virt_conn.h"
#include "work/work_pool.h"

#define EVENTS_FEED_MAX_PENDING 65536
/* The feed's lane: one thread, one batch at a time. */
#define EVENTS_FEED_THREADS     1
#define EVENTS_FEED_MAX_BATCHES 1
#define EVENTS_FEED_INBOX_ITEMS                                                                    \
    (1 + WORK_POOL_MAX_JOBS(EVENTS_FEED_THREADS, EVENTS_FEED_MAX_BATCHES))

struct events_feed;

/* A feed posting into hub (borrowed) with a lane of parent (borrowed; see
 * work_pool_new_lane); its item goes to inbox (borrowed; it must outlive the feed). NULL
 * if the lane's thread cannot start. Main thread. */
struct events_feed *events_feed_new(struct events_hub *hub, struct work_pool *parent,
                                    struct inbox *inbox);

/* Any thread (virt-events): queues ev (taken) and posts the feed's item. */
void events_feed_post(struct events_feed *feed, struct virt_conn_event *ev);

/* Any thread (virt-events, virt-connect): queues a message that needs no libvirt call
 * (host, network, pool; msg taken) behind the pending events, so everything virt_conn
 * reports reaches the hub in the order it happened. Posts the feed's item. */
void events_feed_post_ready(struct events_feed *feed, struct json_object *msg,
                            enum events_kind kind);

/* Joins the lane (before its parent pool is freed); later posts only queue. Main
 * thread. NULL-safe. */
void events_feed_stop(struct events_feed *feed);

/* Stops (if not yet) and frees the feed with its pending events, taking its item out of
 * the inbox; after the last events_feed_post (stop libvirt's threads first), while
 * nothing drains the inbox. NULL-safe. */
void events_feed_free(struct events_feed *feed);
