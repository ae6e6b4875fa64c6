/* inbox: the one cross-thread queue to the service thread (see inbox.h).
 *
 * Threads: inbox_post and inbox_cancel run on any thread, inbox_drain on the service
 * thread. `lock` guards both lists (`head` for new posts, `batch` for what the running
 * drain has not reached yet), `len` and every item's `next` and `queued`. A drain moves
 * `head` to `batch` in one step (so the next post sees an empty inbox and wakes), then
 * pops one item at a time under the lock and runs it without: a cancel from another
 * thread therefore finds an item in either list, and never one that is running. */
#include "work/inbox.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct inbox {
    pthread_mutex_t lock;
    struct inbox_item *head;  /* lock; borrowed: posted since the last drain began */
    struct inbox_item *tail;  /* lock; borrowed: last of head's chain */
    struct inbox_item *batch; /* lock; borrowed: what the running drain has yet to run */
    unsigned len;             /* lock: items in head and batch */
    unsigned capacity;
    bool draining; /* service thread */
    void (*wake)(void *ctx);
    void *wake_ctx; /* borrowed */
};

void inbox_item_init(struct inbox_item *item, void (*run)(struct inbox_item *item))
{
    item->next = NULL;
    item->run = run;
    item->queued = false;
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
    item->next = NULL;
    item->queued = true;
    was_empty = !inbox->head;
    if (inbox->tail)
        inbox->tail->next = item;
    else
        inbox->head = item;
    inbox->tail = item;
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

/* Unlinks item from the chain starting at *head; true if it was there. Lock held. */
static bool inbox_unlink(struct inbox_item **head, struct inbox_item **tail,
                         struct inbox_item *item)
{
    struct inbox_item *prev = NULL;

    for (struct inbox_item **pp = head; *pp; prev = *pp, pp = &(*pp)->next) {
        if (*pp != item)
            continue;
        *pp = item->next;
        if (tail && *tail == item)
            *tail = prev;
        return true;
    }
    return false;
}

void inbox_cancel(struct inbox *inbox, struct inbox_item *item)
{
    pthread_mutex_lock(&inbox->lock);
    if (item->queued && (inbox_unlink(&inbox->head, &inbox->tail, item) ||
                         inbox_unlink(&inbox->batch, NULL, item))) {
        item->next = NULL;
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
    inbox->batch = inbox->head;
    inbox->head = inbox->tail = NULL;
    for (;;) {
        struct inbox_item *item = inbox->batch;

        if (!item)
            break;
        inbox->batch = item->next;
        item->next = NULL;
        item->queued = false;
        inbox->len--;
        pthread_mutex_unlock(&inbox->lock);
        item->run(item);
        pthread_mutex_lock(&inbox->lock);
    }
    pthread_mutex_unlock(&inbox->lock);
    inbox->draining = false;
}
