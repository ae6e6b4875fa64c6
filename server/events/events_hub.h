/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_hub: fan-out of live-status messages to /api/events subscribers.
 *
 * DESIGN (threads): any thread may events_hub_post() a message: it is serialised there
 * and carried through the daemon's one inbox (work/inbox.h) by an item of its own, so
 * messages keep their order among themselves and with everything else posted there.
 * Everything else runs on the service thread only: each message's item puts it into
 * the queue of every subscriber that may see it; then the hub's `news` item (posted by
 * each message, so one per drain) calls the hub's news callback, which calls
 * events_hub_dispatch() (events_ws.c: wake the sockets, refresh snapshots after a
 * reconnect). The websocket writer takes messages with events_hub_next()/
 * events_hub_sent(). Messages are serialised once, refcounted and shared by all
 * subscribers (with LWS_PRE headroom for lws_write).
 *
 * Bounds: per subscriber at most EVENTS_HUB_MAX_QUEUE lifecycle/host messages or
 * EVENTS_HUB_MAX_BYTES bytes are queued; past that the subscriber is marked
 * `overflowed` (its socket is then closed, never silently losing an event). Stats are
 * not queued: a subscriber holds only the newest unsent stats message. At most
 * EVENTS_HUB_MAX_INBOX messages are in the inbox at once (overflowing stats are
 * dropped, and a lifecycle overflow, or an inbox that refuses the post, marks every
 * subscriber for a fresh snapshot by reconnect); with its news item, the hub holds at
 * most EVENTS_HUB_INBOX_ITEMS items of the inbox (serve.c sizes the inbox with it). */
#pragma once

struct auth_owners;
struct auth_approved;

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_policy.h"
#include "auth_sessions.h"
#include "work/inbox.h"

#define EVENTS_HUB_MAX_QUEUE 1024
#define EVENTS_HUB_MAX_BYTES (4u * 1024 * 1024)
#define EVENTS_HUB_MAX_INBOX 65536
/* The most inbox items the hub holds: its messages and its news item. */
#define EVENTS_HUB_INBOX_ITEMS (EVENTS_HUB_MAX_INBOX + 1)

enum events_kind {
    EVENTS_KIND_LIFECYCLE, /* {"type":"domain"}: kept, in order */
    EVENTS_KIND_HOST,      /* {"type":"host"}: kept, in order */
    EVENTS_KIND_STATS,     /* {"type":"stats"}: newest replaces older unsent ones */
    EVENTS_KIND_SNAPSHOT,  /* {"type":"snapshot"}: see events_hub_deliver_snapshot */
    EVENTS_KIND_SESSION,   /* {"type":"session"}: to one subscriber, then close */
    EVENTS_KIND_JOB,       /* {"type":"job"}: kept, in order; to its owner and the admins */
};

/* One serialised message; payload at data + LWS_PRE. */
struct events_msg {
    unsigned refs; /* service thread only once out of the inbox */
    enum events_kind kind;
    char uuid[40];                     /* the domain it concerns ("" if none) */
    char owner[AUTH_USERNAME_MAX + 1]; /* EVENTS_KIND_JOB: the user it is for */
    /* a network's or pool's lifecycle message ({"type":"network"|"pool"}): its kind and
     * name, so a subscriber held to the self-service set gets only those it sees */
    bool resource;
    enum auth_object_kind resource_kind;
    char resource_name[256];
    size_t len;
    unsigned char data[]; /* LWS_PRE bytes of headroom, then len bytes, then NUL */
};

struct events_sub {
    uint64_t conn_id;
    struct auth_session session; /* copy taken at connect */
    bool awaiting_snapshot;      /* nothing is written until the first snapshot */
    uint64_t snapshot_gen;       /* snapshot generation it waits for (0: none; events_ws sets it) */
    bool overflowed;             /* fell too far behind: close with 1008 */
    bool closing;                /* close once the queue is written */
    struct events_msg *snapshot; /* owned ref: written first */
    struct events_msg **queue;   /* owned ring of owned refs */
    unsigned head, count;
    size_t queued_bytes;
    struct events_msg *stats;   /* owned ref: newest unsent stats */
    struct events_msg *writing; /* owned ref: being written in fragments (events_ws) */
    size_t written;             /* bytes of `writing` already sent */
    struct events_sub *next;    /* hub's list */
};

struct events_hub;

/* A hub posting into inbox (borrowed; it must outlive the hub). news(news_ctx) is called
 * on the service thread, from the inbox's drain, after messages reached subscribers'
 * queues or a loss was marked; it calls events_hub_dispatch(). Main thread. */
struct events_hub *events_hub_new(struct inbox *inbox, void (*news)(void *ctx), void *news_ctx);
/* Frees the hub, its subscribers and the messages still in the inbox (taken out of it).
 * After the last events_hub_post, while nothing drains the inbox. NULL-safe. */
void events_hub_free(struct events_hub *hub);

/* The ownership index the hub filters lifecycle events with (borrowed; NULL: nobody
 * owns anything). Main thread, before the first subscriber. */
void events_hub_use_owners(struct events_hub *hub, struct auth_owners *owners);
/* The self-service set (borrowed; may be NULL: nothing approved) that decides which
 * network and pool messages a `user` gets. Main thread, before serving. */
void events_hub_use_approved(struct events_hub *hub, struct auth_approved *approved);
/* The index given above (borrowed; may be NULL). */
struct auth_owners *events_hub_owners(const struct events_hub *hub);
/* Any thread: who may see which VM changed (an owner, a share, a group); every
 * subscriber gets a fresh snapshot, filtered for it, at the next dispatch. */
void events_hub_post_resync(struct events_hub *hub);

/* A new message from a JSON object (serialised now; obj is not taken). */
struct events_msg *events_msg_new(struct json_object *obj, enum events_kind kind, const char *uuid);
/* A new message from text (copied). */
struct events_msg *events_msg_from_text(const char *text, size_t len, enum events_kind kind);
/* Service thread: one more reference to msg (returned). */
struct events_msg *events_msg_ref(struct events_msg *msg);
void events_msg_unref(struct events_msg *msg);

/* Any thread: posts obj (taken) for every subscriber into the inbox. */
void events_hub_post(struct events_hub *hub, struct json_object *obj, enum events_kind kind,
                     const char *uuid);

/* Any thread: posts a job message obj (taken) for user and the admins only. */
void events_hub_post_job(struct events_hub *hub, struct json_object *obj, const char *user);

/* Any thread: a lifecycle event was lost before it reached the inbox (a bound
 * elsewhere, e.g. events_feed): every subscriber is disconnected at the next dispatch
 * so it resynchronises from a fresh snapshot, as for an inbox overflow. Posts the news
 * item. */
void events_hub_mark_lost(struct events_hub *hub);

/* Service thread. */
struct events_sub *events_hub_add(struct events_hub *hub, uint64_t conn_id,
                                  const struct auth_session *session);
struct events_sub *events_hub_find(struct events_hub *hub, uint64_t conn_id); /* for tests */
void events_hub_remove(struct events_hub *hub, uint64_t conn_id);
unsigned events_hub_count(const struct events_hub *hub);
struct events_sub *events_hub_first(struct events_hub *hub);

/* Queues msg (a reference is taken) for one subscriber; filters by nothing. */
void events_hub_enqueue(struct events_sub *sub, struct events_msg *msg);
/* Installs a snapshot: first=true (initial) puts it before everything queued and ends
 * awaiting_snapshot; first=false appends it in order. A reference is taken. */
void events_hub_deliver_snapshot(struct events_sub *sub, struct events_msg *msg, bool first);

/* After messages reached subscribers' queues (from the news callback): marks every
 * subscriber overflowed if a lifecycle message was lost, then calls ready(conn_id, ctx)
 * for each subscriber that has something to write. Returns true if a host "connected"
 * message passed since the last dispatch, or a resync was posted (the caller then refreshes
 * snapshots). */
bool events_hub_dispatch(struct events_hub *hub, void (*ready)(uint64_t conn_id, void *ctx),
                         void *ctx);

/* The next message to write for sub (borrowed), or NULL if nothing is writable now. */
struct events_msg *events_hub_next(struct events_sub *sub);
/* Drops the message events_hub_next returned, after it was written. */
void events_hub_sent(struct events_sub *sub, struct events_msg *msg); /* for tests */
/* Takes the next message out of sub's queues (caller owns the reference), or NULL. */
struct events_msg *events_hub_take(struct events_sub *sub);
