/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_lifecycle: the last start and stop of each domain from libvirt's lifecycle
 * events (see the header). Any thread: every access holds `lock`. */
#include "metrics/metrics_lifecycle.h"

#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct metrics_lifecycle {
    pthread_mutex_t lock;
    struct metrics_lifecycle_slot *slots; /* owned; sorted by uuid; under lock */
    size_t len, cap;                      /* under lock */
    uint64_t touches;                     /* under lock: the age of each slot */
};

struct metrics_lifecycle_slot {
    struct metrics_lifecycle_entry entry;
    uint64_t touched; /* for replacing the oldest when full */
};

struct metrics_lifecycle *metrics_lifecycle_new(void)
{
    struct metrics_lifecycle *table = xcalloc(1, sizeof(*table));

    pthread_mutex_init(&table->lock, NULL);
    return table;
}

void metrics_lifecycle_free(struct metrics_lifecycle *table)
{
    if (!table)
        return;
    pthread_mutex_destroy(&table->lock);
    free(table->slots);
    free(table);
}

/* The index of uuid, or where it would go (*found false). Under lock. */
static size_t lifecycle_find(const struct metrics_lifecycle *table, const char *uuid, bool *found)
{
    size_t lo = 0, hi = table->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(table->slots[mid].entry.uuid, uuid);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void lifecycle_remove_at(struct metrics_lifecycle *table, size_t i)
{
    memmove(&table->slots[i], &table->slots[i + 1], (table->len - i - 1) * sizeof(*table->slots));
    table->len--;
}

/* The slot of uuid, made if needed (replacing the oldest-touched one when full). */
static struct metrics_lifecycle_entry *lifecycle_slot(struct metrics_lifecycle *table,
                                                      const char *uuid)
{
    bool found;
    size_t i = lifecycle_find(table, uuid, &found);

    if (!found) {
        if (table->len >= METRICS_LIFECYCLE_MAX) {
            size_t oldest = 0;

            for (size_t j = 1; j < table->len; j++)
                if (table->slots[j].touched < table->slots[oldest].touched)
                    oldest = j;
            lifecycle_remove_at(table, oldest);
            i = lifecycle_find(table, uuid, &found);
        }
        if (table->len == table->cap) {
            table->cap = table->cap ? table->cap * 2 : 16;
            table->slots = xrealloc(table->slots, table->cap * sizeof(*table->slots));
        }
        memmove(&table->slots[i + 1], &table->slots[i], (table->len - i) * sizeof(*table->slots));
        table->len++;
        memset(&table->slots[i], 0, sizeof(table->slots[i]));
        snprintf(table->slots[i].entry.uuid, sizeof(table->slots[i].entry.uuid), "%s", uuid);
        table->slots[i].entry.stop_detail = -1;
    }
    table->slots[i].touched = ++table->touches;
    return &table->slots[i].entry;
}

void metrics_lifecycle_record(struct metrics_lifecycle *table, const char *uuid, int event,
                              int detail, int64_t at_ms)
{
    bool start = event == VIR_DOMAIN_EVENT_STARTED ||
                 (event == VIR_DOMAIN_EVENT_RESUMED && detail == VIR_DOMAIN_EVENT_RESUMED_MIGRATED);
    bool stop = event == VIR_DOMAIN_EVENT_STOPPED;
    struct metrics_lifecycle_entry *entry;

    if (!table || !uuid)
        return;
    pthread_mutex_lock(&table->lock);
    if (event == VIR_DOMAIN_EVENT_UNDEFINED) {
        bool found;
        size_t i = lifecycle_find(table, uuid, &found);

        if (found)
            lifecycle_remove_at(table, i);
    } else if (start || stop) {
        entry = lifecycle_slot(table, uuid);
        if (start) {
            entry->started_ms = at_ms;
        } else {
            entry->stopped_ms = at_ms;
            entry->stop_detail = detail;
        }
    }
    pthread_mutex_unlock(&table->lock);
}

bool metrics_lifecycle_get(struct metrics_lifecycle *table, const char *uuid,
                           struct metrics_lifecycle_entry *out)
{
    bool found = false;
    size_t i;

    memset(out, 0, sizeof(*out));
    out->stop_detail = -1;
    if (!table || !uuid)
        return false;
    pthread_mutex_lock(&table->lock);
    i = lifecycle_find(table, uuid, &found);
    if (found)
        *out = table->slots[i].entry;
    pthread_mutex_unlock(&table->lock);
    return found;
}
