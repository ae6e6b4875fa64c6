/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* events_hub: subscriber queues, and messages carried through the inbox (see
 * events_hub.h).
 *
 * Threads: events_hub_post and events_hub_mark_lost (any thread) touch only `posts`,
 * `nposts` and `lost` under `lock`, and the inbox; everything else is the service
 * thread's, the items' run() included. Message refcounts are changed only on the
 * service thread, after the message left the inbox. */
#include "events/events_hub.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_approved.h"
#include "auth_owners.h"
#include "auth_policy.h"
#include "util/log.h"
#include "util/xalloc.h"

/* One message on its way through the inbox. */
struct events_post {
    struct inbox_item item;   /* the inbox's */
    struct events_hub *hub;   /* borrowed */
    struct events_msg *msg;   /* owned */
    struct events_post *prev; /* hub's lock: the hub's posts */
    struct events_post *next; /* hub's lock */
};

struct events_hub {
    struct inbox *inbox; /* borrowed */
    pthread_mutex_t lock;
    struct events_post *posts;      /* lock; owned: in the inbox, not yet run, oldest first */
    struct events_post *posts_tail; /* lock; borrowed: the newest of them */
    unsigned nposts;                /* lock */
    bool lost;                  /* lock: a lifecycle message was lost; dispatch marks everyone */
    bool resync;                /* lock: who may see which VM changed; dispatch asks snapshots */
    struct auth_owners *owners; /* borrowed; set before serving; may be NULL */
    struct auth_approved *approved; /* borrowed; set before serving; may be NULL */
    struct inbox_item news;         /* the inbox's: calls `on_news` */
    void (*on_news)(void *ctx);
    void *news_ctx;          /* borrowed */
    bool host_connected;     /* service thread: a host "connected" passed since dispatch */
    struct events_sub *subs; /* service thread; owned list */
    unsigned nsubs;
};

struct events_msg *events_msg_from_text(const char *text, size_t len, enum events_kind kind)
{
    struct events_msg *msg = xmalloc(sizeof(*msg) + LWS_PRE + len + 1);

    msg->refs = 1;
    msg->kind = kind;
    msg->uuid[0] = '\0';
    msg->owner[0] = '\0';
    msg->resource = false;
    msg->resource_name[0] = '\0';
    msg->len = len;
    memcpy(msg->data + LWS_PRE, text, len);
    msg->data[LWS_PRE + len] = '\0';
    return msg;
}

struct events_msg *events_msg_new(struct json_object *obj, enum events_kind kind, const char *uuid)
{
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    struct events_msg *msg = events_msg_from_text(text, len, kind);

    if (uuid) {
        strncpy(msg->uuid, uuid, sizeof(msg->uuid) - 1);
        msg->uuid[sizeof(msg->uuid) - 1] = '\0';
    }
    return msg;
}

struct events_msg *events_msg_ref(struct events_msg *msg)
{
    msg->refs++;
    return msg;
}

void events_msg_unref(struct events_msg *msg)
{
    if (msg && --msg->refs == 0)
        free(msg);
}

/* Service thread (the drain): messages reached the queues, or a loss was marked. */
static void events_hub_news_run(struct inbox_item *item)
{
    struct events_hub *hub = inbox_item_owner(item, struct events_hub, news);

    hub->on_news(hub->news_ctx);
}

struct events_hub *events_hub_new(struct inbox *inbox, void (*news)(void *ctx), void *news_ctx)
{
    struct events_hub *hub = xcalloc(1, sizeof(*hub));

    hub->inbox = inbox;
    pthread_mutex_init(&hub->lock, NULL);
    inbox_item_init(&hub->news, events_hub_news_run);
    hub->on_news = news;
    hub->news_ctx = news_ctx;
    return hub;
}

static void events_sub_free(struct events_sub *sub)
{
    if (!sub)
        return;
    events_msg_unref(sub->snapshot);
    events_msg_unref(sub->stats);
    events_msg_unref(sub->writing);
    for (unsigned i = 0; i < sub->count; i++)
        events_msg_unref(sub->queue[(sub->head + i) % EVENTS_HUB_MAX_QUEUE]);
    free(sub->queue);
    free(sub);
}

static void events_post_free(struct events_post *post)
{
    events_msg_unref(post->msg);
    free(post);
}

/* The hub's list of posts in the inbox, in post order (so that free cancels each at
 * the inbox's front, not behind all the others): lock held. */
static void events_hub_posts_add(struct events_hub *hub, struct events_post *post)
{
    post->next = NULL;
    post->prev = hub->posts_tail;
    if (hub->posts_tail)
        hub->posts_tail->next = post;
    else
        hub->posts = post;
    hub->posts_tail = post;
    hub->nposts++;
}

static void events_hub_posts_remove(struct events_hub *hub, struct events_post *post)
{
    if (post->prev)
        post->prev->next = post->next;
    else
        hub->posts = post->next;
    if (post->next)
        post->next->prev = post->prev;
    else
        hub->posts_tail = post->prev;
    post->prev = post->next = NULL;
    hub->nposts--;
}

void events_hub_free(struct events_hub *hub)
{
    struct events_post *post;

    if (!hub)
        return;
    inbox_cancel(hub->inbox, &hub->news);
    pthread_mutex_lock(&hub->lock);
    while ((post = hub->posts)) {
        events_hub_posts_remove(hub, post);
        inbox_cancel(hub->inbox, &post->item);
        events_post_free(post);
    }
    pthread_mutex_unlock(&hub->lock);
    while (hub->subs) {
        struct events_sub *sub = hub->subs;
        hub->subs = sub->next;
        events_sub_free(sub);
    }
    pthread_mutex_destroy(&hub->lock);
    free(hub);
}

struct events_sub *events_hub_add(struct events_hub *hub, uint64_t conn_id,
                                  const struct auth_session *session)
{
    struct events_sub *sub = xcalloc(1, sizeof(*sub));

    sub->conn_id = conn_id;
    sub->session = *session;
    sub->awaiting_snapshot = true;
    sub->queue = xcalloc(EVENTS_HUB_MAX_QUEUE, sizeof(*sub->queue));
    sub->next = hub->subs;
    hub->subs = sub;
    hub->nsubs++;
    return sub;
}

struct events_sub *events_hub_find(struct events_hub *hub, uint64_t conn_id)
{
    for (struct events_sub *sub = hub->subs; sub; sub = sub->next)
        if (sub->conn_id == conn_id)
            return sub;
    return NULL;
}

void events_hub_remove(struct events_hub *hub, uint64_t conn_id)
{
    for (struct events_sub **pp = &hub->subs; *pp; pp = &(*pp)->next) {
        if ((*pp)->conn_id == conn_id) {
            struct events_sub *dead = *pp;
            *pp = dead->next;
            hub->nsubs--;
            events_sub_free(dead);
            return;
        }
    }
}

unsigned events_hub_count(const struct events_hub *hub)
{
    return hub->nsubs;
}

struct events_sub *events_hub_first(struct events_hub *hub)
{
    return hub->subs;
}

void events_hub_enqueue(struct events_sub *sub, struct events_msg *msg)
{
    if (sub->overflowed)
        return;
    if (msg->kind == EVENTS_KIND_STATS) {
        events_msg_unref(sub->stats);
        sub->stats = events_msg_ref(msg);
        return;
    }
    if (sub->count >= EVENTS_HUB_MAX_QUEUE || sub->queued_bytes + msg->len > EVENTS_HUB_MAX_BYTES) {
        log_warn("events: subscriber %llu fell %u messages behind; disconnecting it",
                 (unsigned long long)sub->conn_id, sub->count);
        sub->overflowed = true;
        return;
    }
    sub->queue[(sub->head + sub->count) % EVENTS_HUB_MAX_QUEUE] = events_msg_ref(msg);
    sub->count++;
    sub->queued_bytes += msg->len;
}

void events_hub_deliver_snapshot(struct events_sub *sub, struct events_msg *msg, bool first)
{
    if (!first) {
        events_hub_enqueue(sub, msg);
        return;
    }
    events_msg_unref(sub->snapshot);
    sub->snapshot = events_msg_ref(msg);
    sub->awaiting_snapshot = false;
}

static bool events_hub_sub_may_see(const struct events_hub *hub, const struct events_sub *sub,
                                   const struct events_msg *msg)
{
    struct auth_subject subject;

    if (msg->kind == EVENTS_KIND_JOB)
        return sub->session.role == AUTH_ROLE_ADMIN ||
               strcmp(sub->session.username, msg->owner) == 0;
    if (msg->kind == EVENTS_KIND_LIFECYCLE && msg->resource) {
        struct auth_object object = {
            .kind = msg->resource_kind,
            .id = msg->resource_name,
            .level =
                auth_approved_level(hub->approved, msg->resource_kind, msg->resource_name, NULL),
        };

        subject = auth_owners_subject(hub->owners, &sub->session);
        return auth_policy_sees(&subject, &object);
    }
    if (msg->kind != EVENTS_KIND_LIFECYCLE || !msg->uuid[0])
        return true;
    subject = auth_owners_subject(hub->owners, &sub->session);
    return auth_owners_sees(hub->owners, &subject, msg->uuid);
}

void events_hub_use_approved(struct events_hub *hub, struct auth_approved *approved)
{
    hub->approved = approved;
}

void events_hub_use_owners(struct events_hub *hub, struct auth_owners *owners)
{
    hub->owners = owners;
}

struct auth_owners *events_hub_owners(const struct events_hub *hub)
{
    return hub->owners;
}

static bool events_hub_sub_has_output(const struct events_sub *sub)
{
    if (sub->overflowed || sub->writing)
        return true;
    if (sub->awaiting_snapshot)
        return false;
    return sub->snapshot || sub->count || sub->stats;
}

/* Asks for a dispatch; the inbox cannot refuse it (EVENTS_HUB_INBOX_ITEMS counts it), and
 * if it ever did, the next message or loss asks again. */
static void events_hub_post_news(struct events_hub *hub)
{
    if (inbox_post(hub->inbox, &hub->news) < 0)
        log_warn("events: the inbox is full; subscribers are woken by the next message");
}

void events_hub_post_resync(struct events_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    hub->resync = true;
    pthread_mutex_unlock(&hub->lock);
    events_hub_post_news(hub);
}

/* Service thread (the drain): one message reaches every subscriber that may see it. */
static void events_post_run(struct inbox_item *item)
{
    struct events_post *post = inbox_item_owner(item, struct events_post, item);
    struct events_hub *hub = post->hub;
    struct events_msg *msg = post->msg;

    pthread_mutex_lock(&hub->lock);
    events_hub_posts_remove(hub, post);
    pthread_mutex_unlock(&hub->lock);
    if (msg->kind == EVENTS_KIND_HOST && strstr((const char *)msg->data + LWS_PRE, "\"connected\""))
        hub->host_connected = true;
    for (struct events_sub *sub = hub->subs; sub; sub = sub->next)
        if (events_hub_sub_may_see(hub, sub, msg))
            events_hub_enqueue(sub, msg);
    events_post_free(post);
    events_hub_post_news(hub);
}

/* A network's or pool's lifecycle message (obj {"type":"network"|"pool","name"}) names
 * its object in msg. */
static void events_msg_set_resource(struct events_msg *msg, struct json_object *obj)
{
    struct json_object *type = NULL, *name = NULL;
    const char *t;

    if (msg->kind != EVENTS_KIND_LIFECYCLE || msg->uuid[0] ||
        !json_object_object_get_ex(obj, "type", &type) ||
        !json_object_object_get_ex(obj, "name", &name))
        return;
    t = json_object_get_string(type);
    if (strcmp(t, "network") != 0 && strcmp(t, "pool") != 0)
        return;
    msg->resource = true;
    msg->resource_kind = t[0] == 'n' ? AUTH_OBJECT_NETWORK : AUTH_OBJECT_POOL;
    snprintf(msg->resource_name, sizeof(msg->resource_name), "%s", json_object_get_string(name));
}

/* events_hub_post's body for a message whose owner is owner ("" : everyone allowed). */
static void events_hub_post_owned(struct events_hub *hub, struct json_object *obj,
                                  enum events_kind kind, const char *uuid, const char *owner)
{
    struct events_post *post = xcalloc(1, sizeof(*post));
    bool room;

    inbox_item_init(&post->item, events_post_run);
    post->hub = hub;
    post->msg = events_msg_new(obj, kind, uuid);
    snprintf(post->msg->owner, sizeof(post->msg->owner), "%s", owner);
    events_msg_set_resource(post->msg, obj);
    json_object_put(obj);

    /* Listed before it is posted (so nothing runs it yet), so free finds every post. */
    pthread_mutex_lock(&hub->lock);
    room = hub->nposts < EVENTS_HUB_MAX_INBOX;
    if (room)
        events_hub_posts_add(hub, post);
    pthread_mutex_unlock(&hub->lock);
    if (room && inbox_post(hub->inbox, &post->item) == 0)
        return;

    pthread_mutex_lock(&hub->lock);
    if (room)
        events_hub_posts_remove(hub, post);
    if (kind != EVENTS_KIND_STATS)
        hub->lost = true;
    pthread_mutex_unlock(&hub->lock);
    events_post_free(post);
    if (kind != EVENTS_KIND_STATS)
        events_hub_post_news(hub);
}

void events_hub_post(struct events_hub *hub, struct json_object *obj, enum events_kind kind,
                     const char *uuid)
{
    events_hub_post_owned(hub, obj, kind, uuid, "");
}

void events_hub_post_job(struct events_hub *hub, struct json_object *obj, const char *user)
{
    events_hub_post_owned(hub, obj, EVENTS_KIND_JOB, NULL, user);
}

void events_hub_mark_lost(struct events_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    hub->lost = true;
    pthread_mutex_unlock(&hub->lock);
    events_hub_post_news(hub);
}

bool events_hub_dispatch(struct events_hub *hub, void (*ready)(uint64_t conn_id, void *ctx),
                         void *ctx)
{
    bool lost, host_connected = hub->host_connected;

    hub->host_connected = false;
    pthread_mutex_lock(&hub->lock);
    lost = hub->lost;
    hub->lost = false;
    host_connected = host_connected || hub->resync;
    hub->resync = false;
    pthread_mutex_unlock(&hub->lock);
    if (lost) {
        log_warn("events: inbox overflowed; disconnecting subscribers so they resynchronise");
        for (struct events_sub *sub = hub->subs; sub; sub = sub->next)
            sub->overflowed = true;
    }
    for (struct events_sub *sub = hub->subs; sub; sub = sub->next)
        if (events_hub_sub_has_output(sub))
            ready(sub->conn_id, ctx);
    return host_connected;
}

struct events_msg *events_hub_next(struct events_sub *sub)
{
    if (sub->awaiting_snapshot)
        return NULL;
    if (sub->snapshot)
        return sub->snapshot;
    if (sub->count)
        return sub->queue[sub->head];
    return sub->stats;
}

void events_hub_sent(struct events_sub *sub, struct events_msg *msg)
{
    if (msg == sub->snapshot) {
        sub->snapshot = NULL;
    } else if (sub->count && msg == sub->queue[sub->head]) {
        sub->queue[sub->head] = NULL;
        sub->head = (sub->head + 1) % EVENTS_HUB_MAX_QUEUE;
        sub->count--;
        sub->queued_bytes -= msg->len;
    } else if (msg == sub->stats) {
        sub->stats = NULL;
    } else {
        return;
    }
    events_msg_unref(msg);
}

struct events_msg *events_hub_take(struct events_sub *sub)
{
    struct events_msg *msg = events_hub_next(sub);

    if (!msg)
        return NULL;
    events_msg_ref(msg);
    events_hub_sent(sub, msg);
    return msg;
}
