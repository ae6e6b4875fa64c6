/* inbox: the one queue from every other thread to the service thread.
 *
 * A producer embeds a struct inbox_item in its own state and posts it; the service
 * thread, woken through lws_cancel_service, drains the inbox and calls each item's
 * run(). An item is queued at most once: posting an item that already waits
 * coalesces with it, so news that comes in bursts costs one run. Bounded: at most
 * `capacity` items wait.
 *
 * NOTE (issue 9): a minimal implementation of the API the inbox engineer is writing
 * (i9-inbox); this file is replaced by theirs at the merge.
 *
 * Threads: inbox_post and inbox_cancel from any thread; inbox_drain on the service
 * thread only; inbox_new/inbox_free on the main thread. */
#pragma once

#include <stdbool.h>

struct inbox;

struct inbox_item {
    struct inbox_item *next;              /* inbox's lock */
    void (*run)(struct inbox_item *item); /* service thread; recover the owner with container_of */
    bool queued;                          /* inbox's lock */
};

void inbox_item_init(struct inbox_item *item, void (*run)(struct inbox_item *item));

/* wake(wake_ctx) is called by the poster when the inbox goes from empty to non-empty
 * (serve.c passes a function calling lws_cancel_service). */
struct inbox *inbox_new(unsigned capacity, void (*wake)(void *ctx), void *wake_ctx);
/* Queued items are not run. NULL-safe. */
void inbox_free(struct inbox *inbox);

/* Any thread. Queues item last, unless it is already queued (then nothing happens: this
 * post coalesces with the waiting one). Returns 0, or -1 if capacity items already wait
 * (item not queued). */
int inbox_post(struct inbox *inbox, struct inbox_item *item);

/* Any thread: takes item out if it is queued (before its owner frees it). */
void inbox_cancel(struct inbox *inbox, struct inbox_item *item);

/* Service thread: runs the run() of every item queued when the drain began, in post
 * order (an item is marked not queued before its run() is called, so run() may re-post
 * it). */
void inbox_drain(struct inbox *inbox);
