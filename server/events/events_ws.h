/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_ws: the /api/events websocket endpoint and its state (struct events_ws: the
 * snapshot and stats jobs in flight, and the parts of the daemon it uses, named in
 * struct events_ws_deps). serve.c creates one, routes ROUTE_EVENTS to it (the object is
 * the endpoint's ctx), and hands it the housekeeping ticks and the events hub's news.
 *
 * Service thread only. Opening a socket registers a subscriber (the connection's state)
 * and asks a worker for its snapshot. When its session ends (the connection layer's
 * session registry, conn_sessions_check every housekeeping tick) the subscriber gets
 * {"type":"session","state":"expired"}, then close 1000 "session ended".
 *
 * The stats job is the daemon's one collection of figures (virt/virt_stats.h): serve.c's
 * housekeeping timer calls events_ws_tick every tick, and it runs every interval_ms
 * while nobody subscribes, every interval_watched_ms while at least one subscriber
 * exists, one in flight at a time. Each collection's sample goes into deps.metrics
 * (the newest, for the history, /metrics and the alerts), its stats message to the
 * subscribers. */
#pragma once

#include <libwebsockets.h>
#include <stdint.h>

#include "http/conn.h"

struct conn_server;
struct events_hub;
struct metrics_latest;
struct virt_conn;
struct virt_stats_sampler;
struct work_pool;
struct events_ws;

/* What the endpoint uses of the daemon; each outlives the struct events_ws. */
struct events_ws_deps {
    struct events_hub *hub;             /* borrowed: the subscribers and their queues */
    struct work_pool *pool;             /* borrowed: the snapshot and stats jobs */
    struct virt_conn *virt;             /* borrowed: libvirt, on the workers */
    struct virt_stats_sampler *sampler; /* borrowed: one stats job at a time uses it */
    struct conn_server *conns;          /* borrowed: wakes a subscriber's connection by id */
    struct metrics_latest *metrics;     /* borrowed: gets every collection's sample */
    int64_t interval_ms;                /* between collections while nobody subscribes */
    int64_t interval_watched_ms;        /* the same while someone does */
};

/* The largest message a client may send on /api/events (1009 beyond, see
 * http/tls_read_guard.h): the client has nothing to say here, its messages are ignored;
 * this leaves room for any close or ping payload and a little more. */
#define EVENTS_WS_MESSAGE_MAX (4u * 1024)

/* The endpoint's state, using what deps names (copied). Free it with events_ws_free once
 * no connection and no job uses it any more (after the lws context and the work pool).
 * Service thread (or before it runs). */
struct events_ws *events_ws_new(const struct events_ws_deps *deps);
/* NULL-safe. */
/* Changes the collection intervals (a SIGHUP's metrics_interval, metrics_interval_watched);
 * the next collection follows them. Service thread. */
void events_ws_set_intervals(struct events_ws *ws, int64_t interval_ms,
                             int64_t interval_watched_ms);

void events_ws_free(struct events_ws *ws);

/* The endpoint (serve.c routes ROUTE_EVENTS to it, with a struct events_ws as ctx). */
extern const struct conn_endpoint events_ws_endpoint;

/* Every housekeeping tick (serve.c), with the monotonic time: submits the stats job
 * when its interval has passed since the previous one was submitted and none is in
 * flight. */
void events_ws_tick(struct events_ws *ws, int64_t now_ms);

/* The events hub's news (serve.c passes it on, from the inbox's drain): wakes the sockets
 * with something to write; after libvirt reconnected, refreshes their snapshots. */
void events_ws_dispatch(struct events_ws *ws);
