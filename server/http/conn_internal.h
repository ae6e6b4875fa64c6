/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn_internal: struct conn and struct conn_server, shared by the connection layer's
 * own files (conn.c: objects, registry, websockets; conn_http.c: the HTTP phases and
 * the gate; conn_sessions.c: the session registry). Nobody else includes it.
 *
 * Service thread only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "auth_sessions.h"
#include "http/conn.h"
#include "metrics/metrics_http.h"
#include "util/buf.h"

#define CONN_PATH_MAX   1024
#define CONN_ROUTES_MAX 64
#define CONN_REASON_MAX 123 /* a close frame's payload is at most 125 bytes with the code */

/* What happens once the queued response is written. */
enum conn_after {
    CONN_AFTER_KEEP,  /* keep-alive: the next request may come */
    CONN_AFTER_CLOSE, /* close (unread body, or a refusal) */
    CONN_AFTER_DRAIN, /* read and drop the rest of the body, then close */
};

/* "Expect: 100-continue" of a streamed upload. */
enum conn_continue {
    CONN_CONTINUE_NONE,    /* not asked */
    CONN_CONTINUE_AWAITED, /* asked; the client sends nothing before we say so */
    CONN_CONTINUE_SENT,
};

struct conn_slot {
    const struct conn_endpoint *endpoint; /* borrowed, static */
    void *ctx;                            /* borrowed */
};

/* The sockets of one session (the session registry). */
struct conn_group {
    char id[sizeof(((struct auth_session *)0)->id)];
    struct conn *first;             /* borrowed: the group's conns (group_next) */
    unsigned count;                 /* conns in the group */
    struct conn_group *hash_next;   /* owned chain of the bucket */
    struct conn_group *prev, *next; /* every group, for the tick */
};

struct conn {
    uint64_t id; /* 0 while not registered */
    enum conn_phase phase;
    struct conn_server *srv;              /* borrowed */
    void *handle;                         /* borrowed: the io's handle (struct lws *) */
    struct conn_slot target;              /* the route's endpoint, chosen by the rules */
    struct conn_slot slot;                /* the endpoint once opened (its `closed` is owed) */
    void *state;                          /* the endpoint's; it owns it */
    struct conn *hash_next;               /* registry chain (srv->buckets) */
    struct conn_group *group;             /* borrowed: its session's group, or NULL */
    struct conn *group_prev, *group_next; /* the group's list */

    /* the request (HTTP), or the upgrade (websocket) */
    enum http_method method;
    char path[CONN_PATH_MAX];
    char query[CONN_PATH_MAX];
    struct route_match route;
    long long content_length; /* -1 without the header */
    struct buf body;          /* owned: the buffered body */
    bool accept_gzip;
    bool prefer_async;       /* Prefer: respond-async (RFC 7240) */
    bool accept_ndjson;      /* Accept names application/x-ndjson (GET /api/audit) */
    bool accept_openmetrics; /* Accept names application/openmetrics-text (GET /metrics) */
    bool scrape;             /* the request carried the scrape token (a SCRAPE row only) */
    int64_t started_us;      /* monotonic: when its headers were complete (the histogram) */
    char user_agent[AUTH_SESSION_AGENT_MAX]; /* a login's User-Agent, cut ("" otherwise) */
    bool has_session;
    struct auth_session session;
    char token[AUTH_TOKEN_HEX_LEN + 1]; /* wiped once the request no longer needs it */
    const char *auth_refusal; /* static: why a presented API token failed (the 401), or NULL */
    char peer[64];

    /* the answer (HTTP) */
    struct http_response resp; /* owned */
    enum conn_after after;
    enum conn_continue cont;
    bool head_sent; /* WRITING: the status line and headers went out */
    size_t body_sent;
    size_t drained;

    /* websocket */
    int close_code; /* WS_CLOSING */
    char close_reason[CONN_REASON_MAX + 1];
    bool wrote; /* the endpoint wrote a frame in this WRITEABLE */
};

struct conn_server {
    const struct conn_io *io;           /* borrowed, static */
    struct auth_sessions *sessions;     /* borrowed */
    struct auth_tokens *tokens;         /* borrowed; NULL: no API tokens (tests) */
    struct auth_owners *owners;         /* borrowed; NULL: no VM is owned (tests) */
    const char *allowed_origins;        /* borrowed */
    const char *metrics_token;          /* borrowed: the scrape token; NULL or "": none */
    struct metrics_http *metrics;       /* owned: request counters (one per row + unmatched) */
    struct auth_host_names *host_names; /* owned; replaced only by conn_server_set_settings */
    struct conn_slot routes[CONN_ROUTES_MAX];
    struct conn_slot api;

    /* id → conn */
    uint64_t next_id;
    struct conn **buckets; /* owned array of borrowed chains */
    unsigned nbuckets;     /* a power of two */
    unsigned count;

    /* session id → group */
    struct conn_group **groups; /* owned array of owned chains */
    unsigned ngroups;           /* buckets: a power of two */
    struct conn_group *all;     /* every group (borrowed links) */
    unsigned group_count;
};

/* conn.c: registers conn under a fresh id (an HTTP connection gets one per request). */
void conn_register(struct conn *conn);
/* conn.c: the endpoint's part is over: `closed` runs and the slot and state are
 * cleared. */
void conn_release_endpoint(struct conn *conn);

/* conn_sessions.c */
void conn_sessions_join(struct conn *conn);
void conn_sessions_leave(struct conn *conn);
void conn_sessions_init(struct conn_server *srv);
void conn_sessions_free(struct conn_server *srv);

/* conn_http.c */
void conn_http_reset(struct conn *conn);
int conn_http_writeable(struct conn *conn);
