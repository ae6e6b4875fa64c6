/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inbox: the one cross-thread queue to the service thread (see inbox.h).
 *
 * Threads: inbox_post and inbox_cancel run on any thread, inbox_drain on the service
 * thread. `lock` guards both lists (`posted` for new posts, `batch` for what the running
 * drain has not reached yet), `len` and every item's links, `list` and `queued`. A drain
 * moves `posted` to `batch` at once (so the next post sees an empty inbox and wakes),
 * then pops one item at a time under the lock and runs it without: a cancel from another
 * thread therefore finds an item in either list (in O(1): the lists are doubly linked and
 * each item names its list), and never one that is running. */
#include "work/inbox.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/xalloc.h"

/* A FIFO of borrowed items, doubly linked. */
struct inbox_list {
    struct inbox_item *first, *last;
};

struct inbox {
    pthread_mutex_t lock;
    struct inbox_list posted; /* lock: posted since the last drain began */
    struct inbox_list batch;  /* lock: what the running drain has yet to run */
    unsigned len;             /* lock: items in both */
    unsigned capacity;
    bool draining; /* service thread */
    void (*wake)(void *ctx);
    void *wake_ctx; /* borrowed */
};

void inbox_item_init(struct inbox_item *item, void (*run)(struct inbox_item *item))
{
    item->next = item->prev = NULL;
    item->list = NULL;
    item->run = run;
    item->queued = false;
}

/* Appends item to list. Lock held. */
static void inbox_list_append(struct inbox_list *list, struct inbox_item *item)
{
    item->next = NULL;
    item->prev = list->last;
    if (list->last)
        list->last->next = item;
    else
        list->first = item;
    list->last = item;
    item->list = list;
}

/* Takes item out of the list it is on. Lock held. */
static void inbox_list_remove(struct inbox_item *item)
{
    struct inbox_list *list = item->list;

    if (item->prev)
        item->prev->next = item->next;
    else
        list->first = item->next;
    if (item->next)
        item->next->prev = item->prev;
    else
        list->last = item->prev;
    item->next = item->prev = NULL;
    item->list = NULL;
}

struct inbox *inbox_new(unsigned capacity, void (*wake)(void *ctx), void *wake_ctx)
{
    struct inbox *inbox = xcalloc(1, sizeof(*inbox));

    pthread_mutex_init(&inbox->lock, NULL);
    inbox->capacity = capacity;
    inbox->wake = wake;
    inbox->wake_ctx = wake_ctx;
    return inbox;
}

void inbox_free(struct inbox *inbox)
{
    if (!inbox)
        return;
    pthread_mutex_destroy(&inbox->lock);
    free(inbox);
}

int inbox_post(struct inbox *inbox, struct inbox_item *item)
{
    bool was_empty = false;
    int ret = -1;

    pthread_mutex_lock(&inbox->lock);
    if (item->queued) {
        ret = 0;
        goto cleanup;
    }
    if (inbox->len >= inbox->capacity)
        goto cleanup;
    item->queued = true;
    was_empty = !inbox->posted.first;
    inbox_list_append(&inbox->posted, item);
    inbox->len++;
    ret = 0;

cleanup:
    pthread_mutex_unlock(&inbox->lock);
    /* Outside the lock: wake may take its own (serve.c's wake lock), and the drain that
     * this wake causes may already have run the item; that only makes the drain empty. */
    if (was_empty)
        inbox->wake(inbox->wake_ctx);
    return ret;
}

void inbox_cancel(struct inbox *inbox, struct inbox_item *item)
{
    pthread_mutex_lock(&inbox->lock);
    if (item->queued) {
        inbox_list_remove(item);
        item->queued = false;
        inbox->len--;
    }
    pthread_mutex_unlock(&inbox->lock);
}

void inbox_drain(struct inbox *inbox)
{
    if (inbox->draining)
        return;
    inbox->draining = true;
    pthread_mutex_lock(&inbox->lock);
    inbox->batch = inbox->posted;
    inbox->posted.first = inbox->posted.last = NULL;
    for (struct inbox_item *it = inbox->batch.first; it; it = it->next)
        it->list = &inbox->batch;
    for (;;) {
        struct inbox_item *item = inbox->batch.first;

        if (!item)
            break;
        inbox_list_remove(item);
        item->queued = false;
        inbox->len--;
        pthread_mutex_unlock(&inbox->lock);
        item->run(item);
        pthread_mutex_lock(&inbox->lock);
    }
    pthread_mutex_unlock(&inbox->lock);
    inbox->draining = false;
}
