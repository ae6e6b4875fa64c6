/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_events_feed: server/events/events_feed.c with a real inbox, work pool, the events
 * hub and the test driver (test:///default).
 *
 * A burst is one job: events posted while a batch is in flight wait, and the next batch
 * takes all of them; every message reaches the hub, in the order posted, ready messages
 * (host) included; a domain that was freed meanwhile still yields its message; pending
 * events, and the feed's item in the inbox, are freed with the feed (run it under ASan).
 * Batches are counted at the lane's door (work_pool_submit is wrapped, wraps.mk), and
 * held in flight at a gate in the message builder (virt_conn_event_message, wrapped).
 *
 * Threads: the test thread is the service thread: it drains the inbox after each wake. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libwebsockets.h>

#include "events/events_feed.h"
#include "util/xalloc.h"
#include "wakes.h"
#include "work/inbox.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER; /* the gate */
static struct wakes wakes = WAKES_INIT;                /* the inbox's */
static unsigned drained_wakes; /* test thread: wakes seen by the last drain */
static unsigned submits;       /* test thread (the feed submits from its item's run) */

/* Batches wait at this gate (the lane's worker, in virt_conn_event_message) while it is
 * shut, so a test can hold a batch in flight; shut: lock. */
static bool gate_shut;

struct json_object *__real_virt_conn_event_message(const struct virt_conn_event *ev);
struct json_object *__wrap_virt_conn_event_message(const struct virt_conn_event *ev);

struct json_object *__wrap_virt_conn_event_message(const struct virt_conn_event *ev)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    pthread_mutex_lock(&lock);
    while (gate_shut)
        if (pthread_cond_timedwait(&cond, &lock, &deadline) != 0)
            break; /* the test thread fails on its own deadline */
    pthread_mutex_unlock(&lock);
    return __real_virt_conn_event_message(ev);
}

static void gate_set(bool shut)
{
    pthread_mutex_lock(&lock);
    gate_shut = shut;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

int __real_work_pool_submit(struct work_pool *pool, struct work_job *job);
int __wrap_work_pool_submit(struct work_pool *pool, struct work_job *job);

int __wrap_work_pool_submit(struct work_pool *pool, struct work_job *job)
{
    submits++;
    return __real_work_pool_submit(pool, job);
}

static void on_wake(void *ctx)
{
    wakes_bump(&wakes);
}

static void on_ready(uint64_t conn_id, void *ctx)
{
}

/* The hub's news callback, as events_ws.c has it: dispatch. */
static struct events_hub *news_hub;

static void on_news(void *ctx)
{
    assert_ptr_equal(ctx, &news_hub);
    events_hub_dispatch(news_hub, on_ready, NULL);
}

static void drain(struct inbox *inbox)
{
    drained_wakes = wakes_get(&wakes);
    inbox_drain(inbox);
}

/* The service loop's one turn: waits (2 s at most) for a wake, then drains. */
static void serve_once(struct inbox *inbox)
{
    if (!wakes_wait(&wakes, drained_wakes, 2))
        fail_msg("no wake within 2 s");
    drain(inbox);
}

static struct virt_conn_event *event_new(virDomainPtr dom, int event)
{
    struct virt_conn_event *ev = xcalloc(1, sizeof(*ev));

    assert_int_equal(virDomainRef(dom), 0);
    ev->dom = dom;
    ev->event = event;
    assert_int_equal(virDomainGetUUIDString(dom, ev->uuid), 0);
    return ev;
}

static struct json_object *host_message(void)
{
    struct json_object *msg = json_object_new_object();

    json_object_object_add(msg, "type", json_object_new_string("host"));
    json_object_object_add(msg, "state", json_object_new_string("disconnected"));
    return msg;
}

/* The next queued message's text ("" if none). */
static const char *take_text(struct events_sub *sub, char *buf, size_t len)
{
    struct events_msg *msg = events_hub_take(sub);

    buf[0] = '\0';
    if (msg) {
        snprintf(buf, len, "%s", (const char *)msg->data + LWS_PRE);
        events_msg_unref(msg);
    }
    return buf;
}

static void assert_event(struct events_sub *sub, const char *event)
{
    char buf[4096], want[64];

    snprintf(want, sizeof(want), "\"event\":\"%s\"", event);
    take_text(sub, buf, sizeof(buf));
    if (!strstr(buf, want) || !strstr(buf, "\"uuid\":\"" TEST_UUID "\""))
        fail_msg("expected a %s event, got '%s'", event, buf);
}

static void test_burst_is_one_batch_in_order(void **state)
{
    struct auth_session admin = {.role = AUTH_ROLE_ADMIN};
    virConnectPtr conn = virConnectOpen("test:///default");
    struct inbox *inbox = inbox_new(256, on_wake, NULL);
    struct events_hub *hub;
    struct work_pool *pool = work_pool_new(1, inbox);
    struct events_feed *feed;
    struct events_sub *sub;
    virDomainPtr dom;
    char buf[4096];

    assert_non_null(conn);
    assert_non_null(pool);
    drained_wakes = wakes_get(&wakes);
    submits = 0;
    snprintf(admin.username, sizeof(admin.username), "root");
    hub = events_hub_new(inbox, on_news, &news_hub);
    news_hub = hub;
    sub = events_hub_add(hub, 1, &admin);
    sub->awaiting_snapshot = false;
    feed = events_feed_new(hub, pool, inbox);
    assert_non_null(feed);
    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    assert_non_null(dom);

    gate_set(true);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_SUSPENDED));
    serve_once(inbox); /* the feed's item: batch 1 (the one event) */
    assert_int_equal(submits, 1);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_RESUMED));
    events_feed_post_ready(feed, host_message(), EVENTS_KIND_HOST);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_STOPPED));
    serve_once(inbox); /* the feed's item again: batch 1 in flight, nothing new starts */
    assert_int_equal(submits, 1);
    virDomainFree(dom); /* the events hold their own references */
    gate_set(false);

    /* Batch 1's done posts its message and starts batch 2 (all three)... */
    for (int i = 0; submits < 2; i++) {
        assert_true(i < 100);
        serve_once(inbox);
    }
    /* ...and the next drain delivers that message (batch 2's, if already done, only
     * posts its messages for the drain after). */
    drain(inbox);
    assert_event(sub, "suspended");
    assert_string_equal(take_text(sub, buf, sizeof(buf)), "");

    for (int i = 0; sub->count < 3; i++) {
        assert_true(i < 100);
        serve_once(inbox);
    }
    assert_event(sub, "resumed");
    assert_string_equal(take_text(sub, buf, sizeof(buf)),
                        "{\"type\":\"host\",\"state\":\"disconnected\"}");
    assert_event(sub, "stopped");
    assert_string_equal(take_text(sub, buf, sizeof(buf)), "");
    /* Two jobs for four messages, and nothing left to start. */
    drain(inbox);
    assert_int_equal(submits, 2);

    events_feed_stop(feed);
    work_pool_free(pool);
    events_feed_free(feed);
    events_hub_free(hub);
    inbox_free(inbox);
    virConnectClose(conn);
}

/* Events still pending when the feed stops are freed with it, domain references
 * included (LSan would report them), and so is its item in the inbox (a later drain
 * would run a freed feed: ASan). */
static void test_free_with_pending(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct inbox *inbox = inbox_new(256, on_wake, NULL);
    struct events_hub *hub = events_hub_new(inbox, on_news, &news_hub);
    struct work_pool *pool = work_pool_new(1, inbox);
    struct events_feed *feed = events_feed_new(hub, pool, inbox);
    virDomainPtr dom = virDomainLookupByUUIDString(conn, TEST_UUID);

    assert_non_null(feed);
    assert_non_null(dom);
    news_hub = hub;
    submits = 0;
    events_feed_stop(feed);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_SUSPENDED));
    events_feed_post_ready(feed, host_message(), EVENTS_KIND_HOST);
    drain(inbox); /* stopped: nothing runs */
    assert_int_equal(submits, 0);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_RESUMED));
    virDomainFree(dom);
    work_pool_free(pool);
    events_feed_free(feed);
    events_feed_free(NULL);
    drain(inbox); /* the feed's item left with it */
    assert_int_equal(submits, 0);
    events_hub_free(hub);
    inbox_free(inbox);
    virConnectClose(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_is_one_batch_in_order),
        cmocka_unit_test(test_free_with_pending),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
