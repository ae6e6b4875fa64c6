/* events_hub: subscriber queues and the cross-thread inbox (see events_hub.h).
 *
 * Threads: events_hub_post (any thread) touches only the inbox under `lock`;
 * everything else is the service thread's. Message refcounts are changed only on the
 * service thread, after the message left the inbox. */
#include "events/events_hub.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth_policy.h"
#include "util/log.h"
#include "util/xalloc.h"

struct events_inbox_item {
    struct events_msg *msg;         /* owned */
    struct events_inbox_item *next; /* owned chain */
};

struct events_hub {
    pthread_mutex_t lock;
    struct events_inbox_item *inbox_head; /* lock */
    struct events_inbox_item *inbox_tail; /* lock */
    unsigned inbox_len;                   /* lock */
    bool inbox_lost_lifecycle;            /* lock: an overflow dropped a lifecycle event */
    void (*wake)(void *ctx);
    void *wake_ctx;
    struct events_sub *subs; /* service thread; owned list */
    unsigned nsubs;
};

struct events_msg *events_msg_from_text(const char *text, size_t len, enum events_kind kind)
{
    struct events_msg *msg = xmalloc(sizeof(*msg) + LWS_PRE + len + 1);

    msg->refs = 1;
    msg->kind = kind;
    msg->uuid[0] = '\0';
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

static struct events_msg *events_msg_ref(struct events_msg *msg)
{
    msg->refs++;
    return msg;
}

void events_msg_unref(struct events_msg *msg)
{
    if (msg && --msg->refs == 0)
        free(msg);
}

struct events_hub *events_hub_new(void (*wake)(void *ctx), void *wake_ctx)
{
    struct events_hub *hub = xcalloc(1, sizeof(*hub));

    pthread_mutex_init(&hub->lock, NULL);
    hub->wake = wake;
    hub->wake_ctx = wake_ctx;
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

static struct events_inbox_item *events_hub_take_inbox(struct events_hub *hub, bool *lost)
{
    struct events_inbox_item *items;

    pthread_mutex_lock(&hub->lock);
    items = hub->inbox_head;
    hub->inbox_head = hub->inbox_tail = NULL;
    hub->inbox_len = 0;
    *lost = hub->inbox_lost_lifecycle;
    hub->inbox_lost_lifecycle = false;
    pthread_mutex_unlock(&hub->lock);
    return items;
}

void events_hub_free(struct events_hub *hub)
{
    struct events_inbox_item *item;
    bool lost;

    if (!hub)
        return;
    item = events_hub_take_inbox(hub, &lost);
    while (item) {
        struct events_inbox_item *next = item->next;
        events_msg_unref(item->msg);
        free(item);
        item = next;
    }
    while (hub->subs) {
        struct events_sub *sub = hub->subs;
        hub->subs = sub->next;
        events_sub_free(sub);
    }
    pthread_mutex_destroy(&hub->lock);
    free(hub);
}

void events_hub_post(struct events_hub *hub, struct json_object *obj, enum events_kind kind,
                     const char *uuid)
{
    struct events_inbox_item *item = xcalloc(1, sizeof(*item));
    bool full;

    item->msg = events_msg_new(obj, kind, uuid);
    json_object_put(obj);

    pthread_mutex_lock(&hub->lock);
    full = hub->inbox_len >= EVENTS_HUB_MAX_INBOX;
    if (full) {
        if (kind != EVENTS_KIND_STATS)
            hub->inbox_lost_lifecycle = true;
    } else {
        if (hub->inbox_tail)
            hub->inbox_tail->next = item;
        else
            hub->inbox_head = item;
        hub->inbox_tail = item;
        hub->inbox_len++;
        item = NULL;
    }
    pthread_mutex_unlock(&hub->lock);

    if (item) {
        events_msg_unref(item->msg);
        free(item);
    }
    hub->wake(hub->wake_ctx);
}

void events_hub_mark_lost(struct events_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    hub->inbox_lost_lifecycle = true;
    pthread_mutex_unlock(&hub->lock);
    hub->wake(hub->wake_ctx);
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

static bool events_hub_sub_may_see(const struct events_sub *sub, const struct events_msg *msg)
{
    struct auth_subject subject = {sub->session.username, sub->session.role};
    struct auth_object object = {AUTH_OBJECT_DOMAIN, msg->uuid};

    if (msg->kind != EVENTS_KIND_LIFECYCLE || !msg->uuid[0])
        return true;
    return auth_policy_allows(&subject, AUTH_ACTION_DOMAIN_READ, &object);
}

static bool events_hub_sub_has_output(const struct events_sub *sub)
{
    if (sub->overflowed || sub->writing)
        return true;
    if (sub->awaiting_snapshot)
        return false;
    return sub->snapshot || sub->count || sub->stats;
}

bool events_hub_dispatch(struct events_hub *hub, void (*ready)(uint64_t conn_id, void *ctx),
                         void *ctx)
{
    bool lost = false, host_connected = false;
    struct events_inbox_item *item = events_hub_take_inbox(hub, &lost);

    while (item) {
        struct events_inbox_item *next = item->next;
        struct events_msg *msg = item->msg;

        if (msg->kind == EVENTS_KIND_HOST &&
            strstr((const char *)msg->data + LWS_PRE, "\"connected\""))
            host_connected = true;
        for (struct events_sub *sub = hub->subs; sub; sub = sub->next)
            if (events_hub_sub_may_see(sub, msg))
                events_hub_enqueue(sub, msg);
        events_msg_unref(msg);
        free(item);
        item = next;
    }
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
