/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* app: the daemon's long-lived parts, wired together by serve.c.
 *
 * One instance for the process lifetime. Fields are set once at start-up (main
 * thread) and only read afterwards; each part documents its own thread rules. */
#pragma once

#include <sqlite3.h>

struct config;
struct auth_sessions;
struct auth_tokens;
struct auth_throttle;
struct auth_owners;
struct auth_approved;
struct auth_quota;
struct auth_pam;
struct virt_conn;
struct virt_stats_sampler;
struct metrics_latest;
struct metrics_history;
struct metrics_lifecycle;
struct inbox;
struct work_pool;
struct inbox;
struct events_hub;
struct events_feed;
struct events_ws;
struct static_files;
struct http_server;
struct conn_server;
struct console_hub;
struct serial_hub;
struct transfer_hub;
struct api_runner;
struct alerts;

struct app {
    const struct config *config;        /* borrowed */
    const char *listen_host;            /* borrowed: config's listen, or the passed socket's */
    int listen_port;                    /* likewise */
    sqlite3 *db;                        /* owned by serve.c */
    struct auth_sessions *sessions;     /* owned by serve.c; thread-safe */
    struct auth_tokens *tokens;         /* owned by serve.c; thread-safe: API tokens */
    struct auth_throttle *throttle;     /* owned by serve.c; thread-safe */
    struct auth_owners *owners;         /* owned by serve.c; thread-safe: VM owners, shares */
    struct auth_approved *approved;     /* owned by serve.c; thread-safe: self-service set */
    struct auth_quota *quota;           /* owned by serve.c; thread-safe: quota reservations */
    struct auth_pam *pam;               /* owned by serve.c; immutable; NULL: pam = off */
    struct virt_conn *virt;             /* owned by serve.c; thread-safe */
    struct virt_stats_sampler *sampler; /* owned by serve.c; one stats job at a time */
    struct metrics_latest *metrics;     /* owned by serve.c; thread-safe: the newest sample */
    struct metrics_history *history;    /* owned by serve.c; thread-safe; NULL: not available */
    struct work_pool *pool;             /* owned by serve.c */
    struct work_pool *password_lane;    /* owned by serve.c; a lane of pool: password checks */
    struct events_hub *events;          /* owned by serve.c; service thread + inbox */
    struct events_feed *feed;           /* owned by serve.c; lifecycle events (events_feed.h) */
    struct events_ws *events_ws;        /* owned by serve.c; service thread: /api/events */
    struct static_files *static_files;  /* owned by serve.c; service thread */
    struct conn_server *conns;          /* owned by serve.c; service thread: every connection */
    struct http_server *http;           /* owned by serve.c; service thread: the lws protocol */
    struct console_hub *consoles;       /* owned by serve.c; service thread */
    struct serial_hub *serials;         /* owned by serve.c; see serial.h for threads */
    struct transfer_hub *transfers;     /* owned by serve.c; see transfer.h for threads */
    struct api_runner *jobs;            /* owned by serve.c; thread-safe: 202 work (jobs) */
    struct alerts *alerts;              /* owned by serve.c; thread-safe: alert rules, alerts */
    struct inbox *inbox; /* owned by serve.c; any thread posts, service thread drains */
    /* owned by serve.c; thread-safe: each domain's last start and stop (virt-events writes) */
    struct metrics_lifecycle *lifecycle;
};
