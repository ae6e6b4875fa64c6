/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_events_hub: server/events/events_hub.c — fan-out of live-status messages through
 * the inbox: order per subscriber, the snapshot gate (awaiting_snapshot), stats
 * coalescing, the queue, byte and inbox bounds (`overflowed`), posting from another
 * thread with wake-ups, the host "connected" signal, per-subscriber filtering and
 * message refcounts (ASan checks that nothing leaks after remove/free, messages still in
 * the inbox included).
 *
 * Threads: the test thread plays the service thread (it drains the inbox, whose drain
 * calls the hub's news callback, which dispatches); one test adds a posting thread. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libwebsockets.h>

#include "auth_sessions.h"
#include "events/events_hub.h"
#include "util/log.h"
#include "wakes.h"
#include "work/inbox.h"

/* Room for EVENTS_HUB_INBOX_ITEMS and nothing else: the hub's own bound is what the
 * overflow test meets, never the inbox's. */
#define INBOX_CAPACITY EVENTS_HUB_INBOX_ITEMS

/* Wake-ups (posting threads make them). */
static struct wakes w = WAKES_INIT;

/* The inbox the hub posts into, the hub its news callback dispatches, and what the
 * dispatches it made reported (test thread only). */
static struct inbox *inbox;
static struct events_hub *news_hub;
static unsigned news_count;
static bool news_connected;

/* Which subscribers dispatch reported ready (test thread only). */
static uint64_t ready_ids[64];
static unsigned ready_count;

static void on_wake(void *ctx)
{
    wakes_note(&w, ctx);
}

static void on_ready(uint64_t conn_id, void *ctx)
{
    assert_ptr_equal(ctx, ready_ids);
    assert_true(ready_count < sizeof(ready_ids) / sizeof(ready_ids[0]));
    ready_ids[ready_count++] = conn_id;
}

static bool was_ready(uint64_t conn_id)
{
    unsigned hits = 0;

    for (unsigned i = 0; i < ready_count; i++)
        if (ready_ids[i] == conn_id)
            hits++;
    assert_true(hits <= 1); /* reported at most once per dispatch */
    return hits == 1;
}

/* The hub's news callback, as events_ws.c has it: dispatch. */
static void on_news(void *ctx)
{
    assert_ptr_equal(ctx, &news_hub);
    news_count++;
    if (events_hub_dispatch(news_hub, on_ready, ready_ids))
        news_connected = true;
}

static struct events_hub *hub_new(void)
{
    news_hub = events_hub_new(inbox, on_news, &news_hub);
    return news_hub;
}

static unsigned wakes_after_dispatch; /* test thread */
static bool threaded;                 /* another thread posts */

/* What the service thread does after wakes: drains the inbox until a drain posted
 * nothing more (the messages' drain posts the news item, the next drain runs it). When
 * nothing was posted (a test that enqueued directly), dispatches as the news item would.
 * Returns whether a dispatch saw a host "connected". */

static bool dispatch(struct events_hub *hub)
{
    unsigned before, news_before = news_count;
    bool posted = wakes_get(&w) != wakes_after_dispatch;
    int rounds = 0;

    assert_ptr_equal(hub, news_hub);
    ready_count = 0;
    news_connected = false;
    do {
        before = wakes_get(&w);
        inbox_drain(inbox);
        assert_true(++rounds < 1000);
    } while (wakes_get(&w) != before);
    wakes_after_dispatch = wakes_get(&w);
    if (!posted)
        on_news(&news_hub);
    else if (!threaded) /* a poster's wake may come after its message was drained */
        assert_true(news_count > news_before); /* what was posted asked for a dispatch */
    return news_connected;
}

static int setup(void **state)
{
    wakes_reset(&w);
    ready_count = 0;
    news_count = 0;
    wakes_after_dispatch = 0;
    inbox = inbox_new(INBOX_CAPACITY, on_wake, &w);
    return 0;
}

static int teardown(void **state)
{
    inbox_free(inbox);
    inbox = NULL;
    assert_int_equal(w.bad_ctx, 0);
    return 0;
}

static struct auth_session make_session(const char *user, enum auth_role role)
{
    struct auth_session s;

    memset(&s, 0, sizeof(s));
    snprintf(s.username, sizeof(s.username), "%s", user);
    s.role = role;
    snprintf(s.id, sizeof(s.id), "0123456789abcdef");
    return s;
}

static struct events_sub *add_admin(struct events_hub *hub, uint64_t conn_id)
{
    struct auth_session s = make_session("root", AUTH_ROLE_ADMIN);
    struct events_sub *sub = events_hub_add(hub, conn_id, &s);

    assert_non_null(sub);
    assert_int_equal(sub->conn_id, conn_id);
    assert_true(sub->awaiting_snapshot);
    assert_false(sub->overflowed);
    return sub;
}

static const char *text(const struct events_msg *msg)
{
    return (const char *)msg->data + LWS_PRE;
}

/* {"type":type,"seq":seq} */
static struct json_object *event_obj(const char *type, int seq)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "type", json_object_new_string(type));
    json_object_object_add(obj, "seq", json_object_new_int(seq));
    return obj;
}

static void post(struct events_hub *hub, enum events_kind kind, const char *type, int seq,
                 const char *uuid)
{
    events_hub_post(hub, event_obj(type, seq), kind, uuid);
}

/* The seq of a message, -1 if it has none. */
static int seq_of(const struct events_msg *msg)
{
    struct json_object *obj = json_tokener_parse(text(msg));
    struct json_object *v = NULL;
    int seq = -1;

    assert_non_null(obj);
    if (json_object_object_get_ex(obj, "seq", &v))
        seq = json_object_get_int(v);
    json_object_put(obj);
    return seq;
}

/* Writes everything writable for sub; returns the seqs in order (kinds in kinds_out). */
static unsigned drain_sub(struct events_sub *sub, int *seqs, enum events_kind *kinds, unsigned max)
{
    unsigned n = 0;
    struct events_msg *msg;

    while ((msg = events_hub_next(sub))) {
        assert_true(n < max);
        assert_true(msg->refs >= 1);
        seqs[n] = seq_of(msg);
        if (kinds)
            kinds[n] = msg->kind;
        n++;
        events_hub_sent(sub, msg);
    }
    return n;
}

static struct events_msg *snapshot_msg(int seq)
{
    struct json_object *obj = event_obj("snapshot", seq);
    struct events_msg *msg = events_msg_new(obj, EVENTS_KIND_SNAPSHOT, NULL);

    json_object_put(obj);
    return msg;
}

/* Delivers a first snapshot and writes it, so later messages are what is left. */
static void open_sub(struct events_sub *sub)
{
    struct events_msg *snap = snapshot_msg(-100);
    int seqs[1];

    events_hub_deliver_snapshot(sub, snap, true);
    events_msg_unref(snap);
    assert_false(sub->awaiting_snapshot);
    assert_int_equal(drain_sub(sub, seqs, NULL, 1), 1);
    assert_int_equal(seqs[0], -100);
}

static void test_msg_new(void **state)
{
    struct json_object *obj = json_object_new_object();
    struct events_msg *msg;
    char longuuid[80];
    char buf[8] = "abcdefg";

    json_object_object_add(obj, "type", json_object_new_string("domain"));
    json_object_object_add(obj, "path", json_object_new_string("a/b"));
    msg = events_msg_new(obj, EVENTS_KIND_LIFECYCLE, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_int_equal(msg->refs, 1);
    assert_int_equal(msg->kind, EVENTS_KIND_LIFECYCLE);
    assert_string_equal(msg->uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_string_equal(text(msg), "{\"type\":\"domain\",\"path\":\"a/b\"}");
    assert_int_equal(msg->len, strlen(text(msg)));
    events_msg_unref(msg);
    /* obj was not taken. */
    assert_int_equal(json_object_put(obj), 1);

    /* No uuid; an over-long uuid is truncated, not overflowed. */
    obj = json_object_new_object();
    msg = events_msg_new(obj, EVENTS_KIND_HOST, NULL);
    assert_string_equal(msg->uuid, "");
    assert_string_equal(text(msg), "{}");
    events_msg_unref(msg);
    memset(longuuid, 'u', sizeof(longuuid) - 1);
    longuuid[sizeof(longuuid) - 1] = '\0';
    msg = events_msg_new(obj, EVENTS_KIND_LIFECYCLE, longuuid);
    assert_int_equal(strlen(msg->uuid), sizeof(msg->uuid) - 1);
    assert_int_equal(strncmp(msg->uuid, longuuid, sizeof(msg->uuid) - 1), 0);
    events_msg_unref(msg);
    json_object_put(obj);

    /* from_text copies exactly len bytes and NUL-terminates. */
    msg = events_msg_from_text(buf, 3, EVENTS_KIND_STATS);
    buf[0] = 'X';
    assert_int_equal(msg->len, 3);
    assert_string_equal(text(msg), "abc");
    assert_int_equal(msg->kind, EVENTS_KIND_STATS);
    assert_string_equal(msg->uuid, "");
    events_msg_unref(msg);
    events_msg_unref(NULL);
}

static void test_fanout_in_order(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *subs[3];
    struct events_msg *snap = snapshot_msg(0);
    int seqs[16];
    enum events_kind kinds[16];

    for (unsigned i = 0; i < 3; i++) {
        subs[i] = add_admin(hub, 10 + i);
        events_hub_deliver_snapshot(subs[i], snap, true);
    }
    assert_int_equal(events_hub_count(hub), 3);
    assert_int_equal(snap->refs, 4);

    for (int i = 1; i <= 5; i++)
        post(hub, i % 2 ? EVENTS_KIND_LIFECYCLE : EVENTS_KIND_HOST, i % 2 ? "domain" : "host", i,
             i % 2 ? "6695eb01-f6a4-8304-79aa-97f2502e193f" : NULL);
    assert_int_equal(wakes_get(&w), 1); /* one wake: the inbox went from empty to non-empty once */
    /* Nothing reaches subscribers before dispatch. */
    assert_int_equal(subs[0]->count, 0);

    assert_false(dispatch(hub));
    for (unsigned i = 0; i < 3; i++) {
        assert_true(was_ready(10 + i));
        assert_int_equal(subs[i]->count, 5);
        assert_int_equal(drain_sub(subs[i], seqs, kinds, 16), 6);
        assert_int_equal(seqs[0], 0);
        assert_int_equal(kinds[0], EVENTS_KIND_SNAPSHOT);
        for (int k = 1; k <= 5; k++) {
            assert_int_equal(seqs[k], k);
            assert_int_equal(kinds[k], k % 2 ? EVENTS_KIND_LIFECYCLE : EVENTS_KIND_HOST);
        }
        assert_null(events_hub_next(subs[i]));
        assert_int_equal(subs[i]->count, 0);
        assert_int_equal(subs[i]->queued_bytes, 0);
    }
    assert_int_equal(snap->refs, 1);
    events_msg_unref(snap);

    /* Nothing new: no one is ready. */
    assert_false(dispatch(hub));
    assert_int_equal(ready_count, 0);
    events_hub_free(hub);
}

static void test_awaiting_snapshot(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *waiting = add_admin(hub, 1);
    struct events_sub *other = add_admin(hub, 2);
    struct events_msg *snap;
    int seqs[16];

    open_sub(other);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 1, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 2, NULL);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 3, NULL);
    dispatch(hub);
    /* The waiting subscriber is not ready and writes nothing; the other one is. */
    assert_false(was_ready(1));
    assert_true(was_ready(2));
    assert_null(events_hub_next(waiting));
    assert_true(waiting->awaiting_snapshot);

    /* A non-first snapshot does not open the gate. */
    snap = snapshot_msg(50);
    events_hub_deliver_snapshot(waiting, snap, false);
    events_msg_unref(snap);
    assert_true(waiting->awaiting_snapshot);
    assert_null(events_hub_next(waiting));

    /* The first snapshot goes before everything queued; stats come last. */
    snap = snapshot_msg(100);
    events_hub_deliver_snapshot(waiting, snap, true);
    events_msg_unref(snap);
    assert_false(waiting->awaiting_snapshot);
    assert_int_equal(drain_sub(waiting, seqs, NULL, 16), 5);
    assert_int_equal(seqs[0], 100);
    assert_int_equal(seqs[1], 1);
    assert_int_equal(seqs[2], 3);
    assert_int_equal(seqs[3], 50);
    assert_int_equal(seqs[4], 2);

    assert_int_equal(drain_sub(other, seqs, NULL, 16), 3);
    assert_int_equal(seqs[0], 1);
    assert_int_equal(seqs[1], 3);
    assert_int_equal(seqs[2], 2);
    events_hub_free(hub);
}

/* A later first-snapshot replaces an unsent one (the old reference is dropped). */
static void test_snapshot_replaced(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    struct events_msg *a = snapshot_msg(1), *b = snapshot_msg(2);
    int seqs[4];

    events_hub_deliver_snapshot(sub, a, true);
    assert_int_equal(a->refs, 2);
    events_hub_deliver_snapshot(sub, b, true);
    assert_int_equal(a->refs, 1);
    assert_int_equal(b->refs, 2);
    assert_int_equal(drain_sub(sub, seqs, NULL, 4), 1);
    assert_int_equal(seqs[0], 2);
    assert_int_equal(b->refs, 1);
    events_msg_unref(a);
    events_msg_unref(b);
    events_hub_free(hub);
}

static void test_stats_coalesce(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    int seqs[16];
    enum events_kind kinds[16];

    open_sub(sub);
    for (int i = 1; i <= 10; i++)
        post(hub, EVENTS_KIND_STATS, "stats", i, NULL);
    dispatch(hub);
    assert_true(was_ready(1));
    assert_int_equal(sub->count, 0);
    assert_non_null(sub->stats);
    assert_int_equal(sub->stats->refs, 1); /* the superseded ones are gone */
    assert_int_equal(drain_sub(sub, seqs, kinds, 16), 1);
    assert_int_equal(seqs[0], 10);
    assert_int_equal(kinds[0], EVENTS_KIND_STATS);

    /* Stats never overtake queued lifecycle messages, and only the newest stays. */
    post(hub, EVENTS_KIND_STATS, "stats", 20, NULL);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 21, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 22, NULL);
    dispatch(hub);
    assert_int_equal(drain_sub(sub, seqs, kinds, 16), 2);
    assert_int_equal(seqs[0], 21);
    assert_int_equal(seqs[1], 22);

    /* Stats arriving while earlier stats are unsent replace them across dispatches. */
    post(hub, EVENTS_KIND_STATS, "stats", 30, NULL);
    dispatch(hub);
    post(hub, EVENTS_KIND_STATS, "stats", 31, NULL);
    dispatch(hub);
    assert_int_equal(drain_sub(sub, seqs, kinds, 16), 1);
    assert_int_equal(seqs[0], 31);
    events_hub_free(hub);
}

static void test_overflow_count(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 7);
    struct events_sub *other = add_admin(hub, 8);
    struct events_msg *msg =
        events_msg_from_text("{\"type\":\"domain\"}", 17, EVENTS_KIND_LIFECYCLE);
    struct events_msg *stats = events_msg_from_text("{\"type\":\"stats\"}", 16, EVENTS_KIND_STATS);

    open_sub(other);
    for (unsigned i = 0; i < EVENTS_HUB_MAX_QUEUE; i++)
        events_hub_enqueue(sub, msg);
    assert_false(sub->overflowed);
    assert_int_equal(sub->count, EVENTS_HUB_MAX_QUEUE);
    assert_int_equal(sub->queued_bytes, (size_t)EVENTS_HUB_MAX_QUEUE * 17);
    assert_int_equal(msg->refs, 1 + EVENTS_HUB_MAX_QUEUE);

    events_hub_enqueue(sub, msg);
    assert_true(sub->overflowed);
    assert_int_equal(sub->count, EVENTS_HUB_MAX_QUEUE);
    assert_int_equal(msg->refs, 1 + EVENTS_HUB_MAX_QUEUE);
    /* An overflowed subscriber takes nothing more, stats included. */
    events_hub_enqueue(sub, stats);
    assert_null(sub->stats);
    assert_int_equal(stats->refs, 1);

    /* Dispatch reports it (so its socket gets closed) although it awaits a snapshot;
     * a subscriber with nothing to write is not reported. */
    assert_true(sub->awaiting_snapshot);
    dispatch(hub);
    assert_true(was_ready(7));
    assert_false(was_ready(8));
    assert_false(other->overflowed);

    /* Removing it releases every queued reference. */
    events_hub_remove(hub, 7);
    assert_int_equal(msg->refs, 1);
    assert_null(events_hub_find(hub, 7));
    assert_int_equal(events_hub_count(hub), 1);
    events_msg_unref(msg);
    events_msg_unref(stats);
    events_hub_free(hub);
}

/* The queue wraps around its ring correctly when written while being filled. */
static void test_queue_ring_wraps(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    int next_in = 0, next_out = 0;

    open_sub(sub);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < EVENTS_HUB_MAX_QUEUE - 10; i++) {
            char t[32];
            int n = snprintf(t, sizeof(t), "{\"seq\":%d}", next_in++);
            struct events_msg *m = events_msg_from_text(t, (size_t)n, EVENTS_KIND_LIFECYCLE);
            events_hub_enqueue(sub, m);
            events_msg_unref(m);
        }
        assert_false(sub->overflowed);
        struct events_msg *m;
        while ((m = events_hub_next(sub))) {
            assert_int_equal(seq_of(m), next_out++);
            events_hub_sent(sub, m);
        }
    }
    assert_int_equal(next_out, next_in);
    assert_int_equal(sub->queued_bytes, 0);
    events_hub_free(hub);
}

static void test_overflow_bytes(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    struct events_sub *sub2 = add_admin(hub, 2);
    size_t half = EVENTS_HUB_MAX_BYTES / 2 + 1;
    char *big = malloc(EVENTS_HUB_MAX_BYTES + 1);
    struct events_msg *a, *huge;

    assert_non_null(big);
    memset(big, 'x', EVENTS_HUB_MAX_BYTES + 1);
    a = events_msg_from_text(big, half, EVENTS_KIND_HOST);
    huge = events_msg_from_text(big, EVENTS_HUB_MAX_BYTES + 1, EVENTS_KIND_LIFECYCLE);
    free(big);

    events_hub_enqueue(sub, a);
    assert_false(sub->overflowed);
    assert_int_equal(sub->queued_bytes, half);
    events_hub_enqueue(sub, a);
    assert_true(sub->overflowed);
    assert_int_equal(sub->count, 1);
    assert_int_equal(a->refs, 2);

    /* One message over the byte bound overflows an empty queue at once. */
    events_hub_enqueue(sub2, huge);
    assert_true(sub2->overflowed);
    assert_int_equal(sub2->count, 0);
    assert_int_equal(huge->refs, 1);

    events_msg_unref(a);
    events_msg_unref(huge);
    events_hub_free(hub);
}

struct poster {
    struct events_hub *hub;
    int n;
    pthread_t self;
};

static void *poster_thread(void *opaque)
{
    struct poster *p = opaque;

    p->self = pthread_self();
    for (int i = 0; i < p->n; i++)
        post(p->hub, i % 10 == 9 ? EVENTS_KIND_HOST : EVENTS_KIND_LIFECYCLE, "domain", i, NULL);
    return NULL;
}

/* Another thread posts while this one dispatches and writes: every message arrives once,
 * in order, and the posting thread woke the service thread, which drains only after a
 * wake (a lost wake times out). */
static void test_post_from_thread(void **state)
{
    enum { N = 1000 };
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    struct poster p = {hub, N, 0};
    pthread_t thread;
    unsigned seen = 0;
    int got = 0;

    open_sub(sub);
    threaded = true;
    assert_int_equal(pthread_create(&thread, NULL, poster_thread, &p), 0);
    for (long spins = 0; got < N && spins < 20000000; spins++) {
        struct events_msg *m;
        if (!wakes_wait(&w, seen, 2))
            fail_msg("no wake with %d of %d messages written", got, N);
        seen = wakes_get(&w);
        dispatch(hub);
        while ((m = events_hub_next(sub))) {
            assert_int_equal(seq_of(m), got);
            got++;
            events_hub_sent(sub, m);
        }
        assert_false(sub->overflowed);
    }
    assert_int_equal(pthread_join(thread, NULL), 0);
    threaded = false;
    assert_int_equal(got, N);
    pthread_mutex_lock(&w.lock);
    assert_true(w.other_thread >= 1); /* the poster woke the service thread */
    assert_true(w.other_thread <= N);
    pthread_mutex_unlock(&w.lock);
    events_hub_free(hub);
}

static void test_host_connected(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    struct json_object *obj;
    int seqs[8];

    open_sub(sub);
    obj = json_object_new_object();
    json_object_object_add(obj, "type", json_object_new_string("host"));
    json_object_object_add(obj, "state", json_object_new_string("connected"));
    events_hub_post(hub, obj, EVENTS_KIND_HOST, NULL);
    assert_true(dispatch(hub));
    assert_true(was_ready(1));
    assert_non_null(events_hub_next(sub));
    assert_non_null(strstr(text(events_hub_next(sub)), "\"connected\""));
    drain_sub(sub, seqs, NULL, 8);

    /* Nothing new: false again. */
    assert_false(dispatch(hub));

    /* "disconnected" is not "connected". */
    obj = json_object_new_object();
    json_object_object_add(obj, "type", json_object_new_string("host"));
    json_object_object_add(obj, "state", json_object_new_string("disconnected"));
    events_hub_post(hub, obj, EVENTS_KIND_HOST, NULL);
    assert_false(dispatch(hub));

    /* Only host messages count. */
    obj = json_object_new_object();
    json_object_object_add(obj, "type", json_object_new_string("domain"));
    json_object_object_add(obj, "state", json_object_new_string("connected"));
    events_hub_post(hub, obj, EVENTS_KIND_LIFECYCLE, NULL);
    assert_false(dispatch(hub));

    /* Among others in one batch, it still counts; and with no subscribers too. */
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 1, NULL);
    obj = json_object_new_object();
    json_object_object_add(obj, "type", json_object_new_string("host"));
    json_object_object_add(obj, "state", json_object_new_string("connected"));
    events_hub_post(hub, obj, EVENTS_KIND_HOST, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 2, NULL);
    assert_true(dispatch(hub));
    events_hub_remove(hub, 1);
    obj = json_object_new_object();
    json_object_object_add(obj, "state", json_object_new_string("connected"));
    events_hub_post(hub, obj, EVENTS_KIND_HOST, NULL);
    assert_true(dispatch(hub));
    events_hub_free(hub);
}

/* Lifecycle messages about a domain go only to subscribers the policy lets read it;
 * host messages go to everyone. */
static void test_filter_by_policy(void **state)
{
    struct events_hub *hub = hub_new();
    struct auth_session viewer = make_session("v", AUTH_ROLE_VIEWER);
    struct auth_session bogus = make_session("b", (enum auth_role)99);
    struct events_sub *sv = events_hub_add(hub, 1, &viewer);
    struct events_sub *sb = events_hub_add(hub, 2, &bogus);
    int seqs[8];

    open_sub(sv);
    open_sub(sb);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 1, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    post(hub, EVENTS_KIND_HOST, "host", 2, NULL);
    dispatch(hub);
    assert_int_equal(drain_sub(sv, seqs, NULL, 8), 2);
    assert_int_equal(seqs[0], 1);
    assert_int_equal(seqs[1], 2);
    assert_int_equal(drain_sub(sb, seqs, NULL, 8), 1);
    assert_int_equal(seqs[0], 2);
    events_hub_free(hub);
}

/* A full inbox drops stats quietly, but a dropped lifecycle event marks every
 * subscriber overflowed (they reconnect and get a fresh snapshot). */
static void test_inbox_overflow(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_sub *sub = add_admin(hub, 1);
    int seqs[4];

    open_sub(sub);
    for (int i = 0; i < EVENTS_HUB_MAX_INBOX + 5; i++)
        post(hub, EVENTS_KIND_STATS, "stats", i, NULL);
    assert_int_equal(wakes_get(&w), 1);
    dispatch(hub);
    assert_false(sub->overflowed);
    assert_int_equal(drain_sub(sub, seqs, NULL, 4), 1);
    assert_int_equal(seqs[0], EVENTS_HUB_MAX_INBOX - 1); /* the last one that fitted */

    for (int i = 0; i < EVENTS_HUB_MAX_INBOX; i++)
        post(hub, EVENTS_KIND_STATS, "stats", i, NULL);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", -1, NULL); /* does not fit */
    dispatch(hub);
    assert_true(sub->overflowed);
    assert_true(was_ready(1));
    assert_int_equal(sub->count, 0);

    /* The flag was consumed: a new subscriber is not marked by the old overflow. */
    struct events_sub *fresh = add_admin(hub, 2);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 5, NULL);
    dispatch(hub);
    assert_false(fresh->overflowed);
    assert_int_equal(fresh->count, 1);
    events_hub_free(hub);
}

/* An inbox that refuses a message (other posters filled it) loses it like the hub's
 * own bound does: stats quietly, lifecycle by marking every subscriber. */
static void test_inbox_refuses(void **state)
{
    struct events_hub *hub;
    struct events_sub *sub;
    int seqs[4];

    inbox_free(inbox);
    inbox = inbox_new(2, on_wake, &w);
    hub = hub_new();
    sub = add_admin(hub, 1);
    open_sub(sub);
    post(hub, EVENTS_KIND_STATS, "stats", 1, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 2, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 3, NULL); /* refused: dropped */
    dispatch(hub);
    assert_false(sub->overflowed);
    assert_int_equal(drain_sub(sub, seqs, NULL, 4), 1);
    assert_int_equal(seqs[0], 2);

    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 4, NULL);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 5, NULL);
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 6, NULL); /* refused: lost */
    dispatch(hub);
    assert_true(sub->overflowed);
    assert_true(was_ready(1));
    events_hub_free(hub);
}

static void test_subscribers_and_refs(void **state)
{
    struct events_hub *hub = hub_new();
    struct events_msg *msg = events_msg_from_text("{\"seq\":1}", 9, EVENTS_KIND_LIFECYCLE);
    struct events_msg *stats = events_msg_from_text("{\"seq\":2}", 9, EVENTS_KIND_STATS);
    struct events_msg *stranger = events_msg_from_text("{\"seq\":3}", 9, EVENTS_KIND_LIFECYCLE);
    struct events_sub *a = add_admin(hub, 1);
    struct events_sub *b = add_admin(hub, 2);
    struct events_sub *c = add_admin(hub, 3);
    struct auth_session s = make_session("someone", AUTH_ROLE_OPERATOR);
    unsigned n = 0;

    assert_int_equal(events_hub_count(hub), 3);
    assert_ptr_equal(events_hub_find(hub, 2), b);
    assert_null(events_hub_find(hub, 4));
    for (struct events_sub *it = events_hub_first(hub); it; it = it->next)
        n++;
    assert_int_equal(n, 3);
    /* The session is copied. */
    struct events_sub *d = events_hub_add(hub, 4, &s);
    memset(&s, 0, sizeof(s));
    assert_string_equal(d->session.username, "someone");
    assert_int_equal(d->session.role, AUTH_ROLE_OPERATOR);

    open_sub(a);
    events_hub_enqueue(a, msg);
    events_hub_enqueue(b, msg);
    events_hub_enqueue(c, msg);
    events_hub_enqueue(a, stats);
    events_hub_enqueue(b, stats);
    assert_int_equal(msg->refs, 4);
    assert_int_equal(stats->refs, 3);

    /* Sent drops exactly one reference, and only for the message it was given. */
    assert_ptr_equal(events_hub_next(a), msg);
    events_hub_sent(a, stranger); /* not a's: ignored */
    assert_int_equal(stranger->refs, 1);
    assert_int_equal(stats->refs, 3);
    assert_int_equal(msg->refs, 4);
    assert_int_equal(a->count, 1);
    events_hub_sent(a, msg);
    assert_int_equal(msg->refs, 3);
    assert_ptr_equal(events_hub_next(a), stats);
    events_hub_sent(a, stats);
    assert_int_equal(stats->refs, 2);
    assert_null(events_hub_next(a));
    events_hub_sent(a, msg); /* already sent: ignored */
    assert_int_equal(msg->refs, 3);

    events_hub_remove(hub, 99); /* unknown: no-op */
    assert_int_equal(events_hub_count(hub), 4);
    events_hub_remove(hub, 2);
    assert_int_equal(events_hub_count(hub), 3);
    assert_null(events_hub_find(hub, 2));
    assert_int_equal(msg->refs, 2);
    assert_int_equal(stats->refs, 1);

    /* Free with a subscriber still holding msg and an undispatched inbox. */
    post(hub, EVENTS_KIND_LIFECYCLE, "domain", 3, NULL);
    post(hub, EVENTS_KIND_STATS, "stats", 4, NULL);
    events_hub_free(hub);
    assert_int_equal(msg->refs, 1);
    events_msg_unref(msg);
    events_msg_unref(stats);
    events_msg_unref(stranger);
    events_hub_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_msg_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fanout_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_awaiting_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_ring_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_from_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_by_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inbox_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscribers_and_refs, setup, teardown),
    };

    log_set_level(LOG_ERROR); /* the overflow tests warn by design */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
