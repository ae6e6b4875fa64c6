/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_lifecycle: when each domain last started and last stopped, as the daemon saw
 * it in libvirt's lifecycle events (serve.c serve_on_domain_event, virt-events thread).
 *
 * A stopped VM is not in a metrics_sample (the sample holds running domains only), so
 * its last stop lives here: the stats job reads a running domain's start into
 * metrics_domain.started_ms; the exporter and the alert evaluator read starts, stops
 * and why a VM stopped for any domain. Times are wall-clock milliseconds since the
 * epoch; 0 = not seen since the daemon started (a domain already running when virtdeck
 * started has started_ms 0: libvirt tells no start time).
 *
 * What counts: a start is VIR_DOMAIN_EVENT_STARTED (any detail: booted, restored,
 * migrated in, from a snapshot, woken up) or VIR_DOMAIN_EVENT_RESUMED with detail
 * MIGRATED (the end of an incoming migration); a plain resume after a pause is not a
 * start (uptime does not restart on unpause). A stop is VIR_DOMAIN_EVENT_STOPPED, with
 * its detail (virDomainEventStoppedDetailType: SHUTDOWN, DESTROYED, CRASHED, FAILED...).
 * An undefined domain's entry is dropped.
 *
 * Any thread: one mutex around a small array sorted by UUID (at most
 * METRICS_LIFECYCLE_MAX entries; beyond, the oldest-touched entry is replaced). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define METRICS_LIFECYCLE_MAX 65536

struct metrics_lifecycle;

struct metrics_lifecycle_entry {
    char uuid[37];
    int64_t started_ms; /* last start seen; 0: none */
    int64_t stopped_ms; /* last stop seen; 0: none */
    int stop_detail;    /* the last stop's virDomainEventStoppedDetailType; -1: none */
};

struct metrics_lifecycle *metrics_lifecycle_new(void);
/* NULL-safe. No other thread may use it any more. */
void metrics_lifecycle_free(struct metrics_lifecycle *table);

/* Records one libvirt lifecycle event (event, detail: virDomainEventType and its
 * detail) of the domain uuid at at_ms; events that are neither a start nor a stop (see
 * above) change nothing, VIR_DOMAIN_EVENT_UNDEFINED forgets the domain. Any thread;
 * no allocation beyond the table's growth, no libvirt call. */
void metrics_lifecycle_record(struct metrics_lifecycle *table, const char *uuid, int event,
                              int detail, int64_t at_ms);

/* Copies the entry of uuid into *out; false (and *out zeroed, stop_detail -1) when the
 * domain was neither started nor stopped since the daemon started. Any thread. */
bool metrics_lifecycle_get(struct metrics_lifecycle *table, const char *uuid,
                           struct metrics_lifecycle_entry *out);
