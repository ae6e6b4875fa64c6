/* test_events_feed: server/events/events_feed.c with a real work pool, the events hub and
 * the test driver (test:///default).
 *
 * A burst is one job: events posted while a batch is in flight wait, and the next batch
 * takes all of them; every message reaches the hub, in the order posted, ready messages
 * (host) included; a domain that was freed meanwhile still yields its message; pending
 * events are freed with the feed (run it under ASan). */
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

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned pool_wakes; /* lock: one per finished job */

static void on_pool_wake(void *ctx)
{
    pthread_mutex_lock(&lock);
    pool_wakes++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

static void on_wake(void *ctx)
{
}

static void on_ready(uint64_t conn_id, void *ctx)
{
}

/* Waits (2 s at most) until pool_wakes reaches want; returns what it saw. */
static unsigned wait_pool_wakes(unsigned want)
{
    struct timespec deadline;
    unsigned seen;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    pthread_mutex_lock(&lock);
    while (pool_wakes < want)
        if (pthread_cond_timedwait(&cond, &lock, &deadline) != 0)
            break;
    seen = pool_wakes;
    pthread_mutex_unlock(&lock);
    return seen;
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
    struct events_hub *hub = events_hub_new(on_wake, NULL);
    struct work_pool *pool = work_pool_new(1, on_pool_wake, NULL);
    struct events_feed *feed;
    struct events_sub *sub;
    virDomainPtr dom;
    char buf[4096];

    assert_non_null(conn);
    assert_non_null(pool);
    snprintf(admin.username, sizeof(admin.username), "root");
    sub = events_hub_add(hub, 1, &admin);
    sub->awaiting_snapshot = false;
    feed = events_feed_new(hub, pool, on_wake, NULL);
    assert_non_null(feed);
    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    assert_non_null(dom);

    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_SUSPENDED));
    events_feed_pump(feed); /* batch 1: the one event */
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_RESUMED));
    events_feed_post_ready(feed, host_message(), EVENTS_KIND_HOST);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_STOPPED));
    events_feed_pump(feed); /* in flight: nothing new starts */
    virDomainFree(dom);     /* the events hold their own references */

    assert_int_equal(wait_pool_wakes(1), 1);
    work_pool_drain(pool); /* batch 1 posted; batch 2 (all three) starts */
    events_hub_dispatch(hub, on_ready, NULL);
    assert_event(sub, "suspended");
    assert_string_equal(take_text(sub, buf, sizeof(buf)), "");

    assert_int_equal(wait_pool_wakes(2), 2);
    work_pool_drain(pool);
    events_hub_dispatch(hub, on_ready, NULL);
    assert_event(sub, "resumed");
    assert_string_equal(take_text(sub, buf, sizeof(buf)),
                        "{\"type\":\"host\",\"state\":\"disconnected\"}");
    assert_event(sub, "stopped");
    assert_string_equal(take_text(sub, buf, sizeof(buf)), "");
    /* Two jobs for four messages, and nothing left to start. */
    events_feed_pump(feed);
    assert_int_equal(pool_wakes, 2);

    events_feed_stop(feed);
    work_pool_free(pool);
    events_feed_free(feed);
    events_hub_free(hub);
    virConnectClose(conn);
}

/* Events still pending when the feed stops are freed with it, domain references
 * included (LSan would report them). */
static void test_free_with_pending(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct events_hub *hub = events_hub_new(on_wake, NULL);
    struct work_pool *pool = work_pool_new(1, on_pool_wake, NULL);
    struct events_feed *feed = events_feed_new(hub, pool, on_wake, NULL);
    virDomainPtr dom = virDomainLookupByUUIDString(conn, TEST_UUID);

    assert_non_null(feed);
    assert_non_null(dom);
    events_feed_stop(feed);
    events_feed_post(feed, event_new(dom, VIR_DOMAIN_EVENT_SUSPENDED));
    events_feed_post_ready(feed, host_message(), EVENTS_KIND_HOST);
    events_feed_pump(feed); /* stopped: nothing runs */
    virDomainFree(dom);
    work_pool_free(pool);
    events_feed_free(feed);
    events_feed_free(NULL);
    events_hub_free(hub);
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
