/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_expo: GET /metrics's text. A pure renderer of the Prometheus text exposition
 * format 0.0.4 and of OpenMetrics 1.0.0 from one struct metrics_sample, the daemon's
 * health figures and a visibility predicate (may this subject see that VM?).
 *
 * Names follow prometheus-libvirt-exporter where it has one (libvirt_domain_info_...,
 * libvirt_domain_block_stats_..._total, libvirt_domain_interface_stats_..._total,
 * libvirt_up); the rest are virtdeck_... (docs/api.md lists every family). Labels: uuid,
 * name (the VM's), device (a disk target or host-side NIC), vcpu, pool, network; route,
 * method, code for the request counters. Label values are escaped per the format.
 *
 * Absent figures (NAN, !has_*) are omitted, never written as 0. A family gets its HELP and
 * TYPE lines before its first sample; a family with no sample is left out. Counters are
 * `<family>_total` in both formats (the 0.0.4 TYPE line names the sample, OpenMetrics's
 * the family); OpenMetrics ends with "# EOF".
 *
 * Pure, any thread (the /metrics handler runs it on a worker: 1,000 VMs is a few MiB). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "metrics/metrics_http.h"
#include "metrics/metrics_sample.h"
#include "util/buf.h"

#define METRICS_EXPO_TEXT_TYPE        "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_EXPO_OPENMETRICS_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"
/* The largest text rendered (1,000 VMs with a few disks and NICs each is ~5 MiB). */
#define METRICS_EXPO_MAX (64u * 1024 * 1024)

enum metrics_expo_format {
    METRICS_EXPO_TEXT = 0,    /* text/plain; version=0.0.4 */
    METRICS_EXPO_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

/* The daemon's own health at the time of the scrape. */
struct metrics_daemon {
    bool libvirt_connected;
    bool has_sessions; /* login sessions alive */
    uint64_t sessions;
    bool has_consoles; /* consoles (graphical and serial) open */
    uint64_t consoles;
    bool has_queue; /* jobs waiting for a worker */
    uint64_t queue_depth;
    double start_time_s;             /* the process's start (epoch seconds); NAN: unknown */
    const struct metrics_http *http; /* borrowed: the request counters; NULL: none */
};

/* What the visibility predicate is asked about. */
enum metrics_expo_object {
    METRICS_EXPO_DOMAIN,  /* id: its UUID */
    METRICS_EXPO_POOL,    /* id: its name */
    METRICS_EXPO_NETWORK, /* id: its name */
};

/* What one scrape renders. */
struct metrics_expo_view {
    const struct metrics_sample *sample; /* borrowed; NULL: no collection yet */
    const struct metrics_daemon *daemon; /* borrowed; NULL: no daemon families */
    bool host; /* the host, pool, network and daemon families (the subject may read the host) */
    /* May the subject see the VM, pool or network id? NULL: every one. Called once per
     * object per scrape. */
    bool (*visible)(void *ctx, enum metrics_expo_object kind, const char *id);
    void *visible_ctx; /* borrowed */
};

/* The format an Accept header asks for: OpenMetrics when it names
 * application/openmetrics-text, else the text format. NULL: text. */
enum metrics_expo_format metrics_expo_negotiate(const char *accept);
/* The Content-Type of format (static). */
const char *metrics_expo_content_type(enum metrics_expo_format format);

/* Appends view's text in format to out (bounded: make its max METRICS_EXPO_MAX).
 * Returns 0, or -1 when out's bound was reached (out then holds part of it). */
int metrics_expo_render(const struct metrics_expo_view *view, enum metrics_expo_format format,
                        struct buf *out) __attribute__((warn_unused_result));
