/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inbox: the one queue from every other thread to the lws service thread.
 *
 * DESIGN (threads): workers, libvirt's threads and the bridges post intrusive items
 * (struct inbox_item, embedded in their owner) from any thread; the service thread
 * drains them in LWS_CALLBACK_EVENT_WAIT_CANCELLED and runs each item's run(). The poster
 * that turns the inbox from empty to non-empty calls wake() (serve.c: lws_cancel_service),
 * so the service thread wakes once per batch, never once per item, and never misses one:
 * a drain empties the inbox before it runs anything, so the next post wakes again.
 *
 * Items are FIFO. An item is queued at most once: posting one that already waits does
 * nothing (the two posts coalesce; a flag "something changed" needs no more). Nothing is
 * allocated per post, so a post never fails for memory; it fails only when `capacity`
 * items wait (each poster keeps its own, smaller bound, so the sum of those fits: see
 * serve.c). One mutex guards the list and every item's `next` and `queued`; run() is
 * called without it, so run() may post (itself included). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct inbox_list;

struct inbox_item {
    struct inbox_item *next, *prev;       /* inbox's lock: the list it waits on */
    struct inbox_list *list;              /* inbox's lock: that list (NULL: not queued) */
    void (*run)(struct inbox_item *item); /* service thread; recover the owner with container_of */
    bool queued;                          /* inbox's lock */
};

/* The owner of item: the struct `type` whose field `member` it is. */
#define inbox_item_owner(item, type, member) ((type *)((char *)(item)-offsetof(type, member)))

/* Makes item ready to post (not queued); run is called on the service thread for each
 * drain that finds it queued. Call before the item is shared with another thread. */
void inbox_item_init(struct inbox_item *item, void (*run)(struct inbox_item *item));

struct inbox;

/* A new, empty inbox holding at most capacity (>= 1) items. wake(wake_ctx) is called by
 * the poster when the inbox goes from empty to non-empty (serve.c passes a function
 * calling lws_cancel_service); it is called without the inbox's lock held. Main thread,
 * before any thread that posts. */
struct inbox *inbox_new(unsigned capacity, void (*wake)(void *ctx), void *wake_ctx);

/* Frees the inbox; queued items are not run, not touched (their owners cancel or free
 * them). After every poster has stopped. NULL-safe. */
void inbox_free(struct inbox *inbox);

/* Any thread. Queues item last, unless it is already queued (then nothing happens: this
 * post coalesces with the waiting one). Returns 0, or -1 if capacity items already wait
 * (item not queued). Not warn_unused_result: a poster whose own bound is part of the
 * capacity (serve.c) may rely on it; every other poster checks. */
int inbox_post(struct inbox *inbox, struct inbox_item *item);

/* Any thread: takes item out if it is queued (also from a drain that has not reached it
 * yet), so that its owner may free it. After it returns, item is not queued and no drain
 * will run it; a run() already in progress on the service thread is not waited for. */
void inbox_cancel(struct inbox *inbox, struct inbox_item *item);

/* Service thread: runs the run() of every item queued when the drain began, in post
 * order (an item is marked not queued before its run() is called, so run() may re-post
 * it; what is posted meanwhile waits for the next drain, whose wake it has caused). A
 * call from inside a run() returns at once. */
void inbox_drain(struct inbox *inbox);
