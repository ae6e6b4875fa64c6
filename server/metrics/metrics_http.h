/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_http: the daemon's request counters for GET /metrics: how many requests each
 * route (a row of the route table: a bounded label set, never the raw URL) answered with
 * each status class, how long they took (a histogram), and the bytes sent.
 *
 * The connection layer counts on the service thread; the /metrics renderer reads on a
 * worker. Every figure is a relaxed atomic: no lock on the hot path, and a reader sees
 * each counter whole (a scrape may see one request counted in its class and not yet in
 * its histogram; Prometheus tolerates that). The labels are set once before the first
 * request and never change. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Upper bounds (seconds) of the latency buckets; +Inf is the count. */
#define METRICS_HTTP_BUCKETS 12
extern const double metrics_http_bucket_le[METRICS_HTTP_BUCKETS];

/* Status classes 1xx..5xx. */
#define METRICS_HTTP_CLASSES 5

struct metrics_http_route {
    char *route;        /* owned: the label ("/api/domains/{uuid}"), NULL: never counted */
    const char *method; /* borrowed, static: "GET" */
    atomic_uint_fast64_t by_class[METRICS_HTTP_CLASSES];
    atomic_uint_fast64_t bucket[METRICS_HTTP_BUCKETS]; /* not cumulative: the renderer sums */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us;
};

struct metrics_http {
    size_t route_count;
    struct metrics_http_route *routes; /* owned, route_count */
    atomic_uint_fast64_t bytes_sent;
};

/* Counters for route_count routes, every label unset. Free with metrics_http_free. */
struct metrics_http *metrics_http_new(size_t route_count);
void metrics_http_free(struct metrics_http *http); /* NULL-safe */
/* Names route i (before the first request; route is copied, method borrowed). */
void metrics_http_label(struct metrics_http *http, size_t i, const char *route, const char *method);
/* One answer of route i with status after elapsed_us. Any thread; http may be NULL and
 * an i out of range or without a label is ignored. */
void metrics_http_count(struct metrics_http *http, size_t i, int status, int64_t elapsed_us);
/* n more bytes written to clients. Any thread; http may be NULL. */
void metrics_http_sent(struct metrics_http *http, uint64_t n);
