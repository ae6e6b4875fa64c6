/* inbox: the cross-thread queue to the service thread (see inbox.h).
 *
 * Invariants: an item is on the list exactly when its `queued` is set; count is the
 * list's length; while a drain runs, drain_last is the last item of the batch it took
 * (NULL once the batch is done), so items posted during the drain wait for the next. */
#include "work/inbox.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct inbox {
    void (*wake)(void *ctx); /* immutable */
    void *wake_ctx;          /* borrowed; immutable */
    unsigned capacity;       /* immutable */

    pthread_mutex_t lock;
    struct inbox_item *head, *tail; /* lock: post order */
    unsigned count;                 /* lock */
    struct inbox_item *drain_last;  /* lock: the end of the batch being drained */
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

    inbox->wake = wake;
    inbox->wake_ctx = wake_ctx;
    inbox->capacity = capacity;
    pthread_mutex_init(&inbox->lock, NULL);
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
    bool wake = false;
    int ret = 0;

    pthread_mutex_lock(&inbox->lock);
    if (item->queued) {
        /* coalesces with the waiting post */
    } else if (inbox->count >= inbox->capacity) {
        ret = -1;
    } else {
        item->next = NULL;
        item->queued = true;
        if (inbox->tail)
            inbox->tail->next = item;
        else
            inbox->head = item;
        inbox->tail = item;
        wake = inbox->count++ == 0;
    }
    pthread_mutex_unlock(&inbox->lock);
    if (wake && inbox->wake)
        inbox->wake(inbox->wake_ctx);
    return ret;
}

void inbox_cancel(struct inbox *inbox, struct inbox_item *item)
{
    struct inbox_item *prev = NULL;

    pthread_mutex_lock(&inbox->lock);
    if (item->queued) {
        for (struct inbox_item *it = inbox->head; it != item; it = it->next)
            prev = it;
        if (prev)
            prev->next = item->next;
        else
            inbox->head = item->next;
        if (inbox->tail == item)
            inbox->tail = prev;
        if (inbox->drain_last == item)
            inbox->drain_last = prev;
        inbox->count--;
        item->next = NULL;
        item->queued = false;
    }
    pthread_mutex_unlock(&inbox->lock);
}

void inbox_drain(struct inbox *inbox)
{
    pthread_mutex_lock(&inbox->lock);
    inbox->drain_last = inbox->tail;
    while (inbox->drain_last) {
        struct inbox_item *item = inbox->head;

        inbox->head = item->next;
        if (!inbox->head)
            inbox->tail = NULL;
        if (item == inbox->drain_last)
            inbox->drain_last = NULL;
        inbox->count--;
        item->next = NULL;
        item->queued = false;
        pthread_mutex_unlock(&inbox->lock);
        item->run(item);
        pthread_mutex_lock(&inbox->lock);
    }
    pthread_mutex_unlock(&inbox->lock);
}
