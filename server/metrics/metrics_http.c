/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_http: relaxed atomic request counters (see the header). Any thread. */
#include "metrics/metrics_http.h"

#include <stdlib.h>

#include "util/xalloc.h"

const double metrics_http_bucket_le[METRICS_HTTP_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

struct metrics_http *metrics_http_new(size_t route_count)
{
    struct metrics_http *http = xcalloc(1, sizeof(*http));

    http->route_count = route_count;
    http->routes = xcalloc(route_count ? route_count : 1, sizeof(*http->routes));
    return http;
}

void metrics_http_free(struct metrics_http *http)
{
    if (!http)
        return;
    for (size_t i = 0; i < http->route_count; i++)
        free(http->routes[i].route);
    free(http->routes);
    free(http);
}

void metrics_http_label(struct metrics_http *http, size_t i, const char *route, const char *method)
{
    if (!http || i >= http->route_count)
        return;
    free(http->routes[i].route);
    http->routes[i].route = xstrdup(route);
    http->routes[i].method = method;
}

void metrics_http_count(struct metrics_http *http, size_t i, int status, int64_t elapsed_us)
{
    struct metrics_http_route *r;
    double s;
    size_t b;

    if (!http || i >= http->route_count || !http->routes[i].route)
        return;
    r = &http->routes[i];
    if (elapsed_us < 0)
        elapsed_us = 0;
    if (status >= 100 && status < 600)
        atomic_fetch_add_explicit(&r->by_class[status / 100 - 1], 1, memory_order_relaxed);
    s = (double)elapsed_us / 1e6;
    for (b = 0; b < METRICS_HTTP_BUCKETS && s > metrics_http_bucket_le[b]; b++)
        ;
    if (b < METRICS_HTTP_BUCKETS)
        atomic_fetch_add_explicit(&r->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_us, (uint_fast64_t)elapsed_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

void metrics_http_sent(struct metrics_http *http, uint64_t n)
{
    if (http)
        atomic_fetch_add_explicit(&http->bytes_sent, n, memory_order_relaxed);
}
