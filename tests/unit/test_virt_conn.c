/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_conn: server/virt/virt_conn.c against the test driver (test:///default).
 *
 * Connects, receives lifecycle events through the callbacks (they arrive on the
 * virt-events thread; the test thread waits on a condition variable), reconnects
 * after the close callback fires (fired by hand through a link seam on
 * virConnectRegisterCloseCallback: the in-process test driver never drops), backs off
 * on a URI that cannot open, and shuts down cleanly (run it under ASan).
 *
 * The event thread only posts: the libvirt calls that talk to the daemon (lookups,
 * state, info, XML, lists, stats: every such getter the daemon links) are wrapped
 * (tests/unit/wraps.mk); a wrapper called on the thread named "virt-events" is
 * counted, and every test asserts the count is zero. The lifecycle callback hands over
 * a struct virt_conn_event; the test thread plays the worker and builds the message
 * with virt_conn_event_message (where the wrappers must see calls: the seams work). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "util/clock.h"
#include "virt/virt_conn.h"

#define TEST_UUID        "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define EVENT_TIMEOUT_MS 2000
#define MAX_EVENTS       32

/* ---- link seam: remember the close callback so a test can fire it -------------------- */

static pthread_mutex_t seam_lock = PTHREAD_MUTEX_INITIALIZER;
static virConnectCloseFunc seam_close_cb;
static void *seam_close_opaque;
static virConnectPtr seam_close_conn;

int __real_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                           virFreeCallback freecb);
int __wrap_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                           virFreeCallback freecb);

int __wrap_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque,
                                           virFreeCallback freecb)
{
    pthread_mutex_lock(&seam_lock);
    seam_close_cb = cb;
    seam_close_opaque = opaque;
    seam_close_conn = conn;
    pthread_mutex_unlock(&seam_lock);
    return __real_virConnectRegisterCloseCallback(conn, cb, opaque, freecb);
}

/* ---- link seams: RPC-doing libvirt calls must not run on virt-events ---------------- */

static atomic_int seam_on_events;    /* calls made on virt-events */
static atomic_int seam_elsewhere;    /* calls made on any other thread */
static const char *_Atomic seam_bad; /* the first one made on virt-events */

static void seam_check(const char *fn)
{
    char name[16] = "";

    pthread_getname_np(pthread_self(), name, sizeof(name));
    if (strcmp(name, "virt-events") == 0) {
        const char *none = NULL;
        atomic_fetch_add(&seam_on_events, 1);
        atomic_compare_exchange_strong(&seam_bad, &none, fn);
    } else {
        atomic_fetch_add(&seam_elsewhere, 1);
    }
}

/* Declares __real_fn and defines __wrap_fn, which checks the thread and forwards. */
#define SEAM(ret, fn, params, args)                                                                \
    ret __real_##fn params;                                                                        \
    ret __wrap_##fn params;                                                                        \
    ret __wrap_##fn params                                                                         \
    {                                                                                              \
        seam_check(#fn);                                                                           \
        return __real_##fn args;                                                                   \
    }

SEAM(int, virDomainGetState, (virDomainPtr d, int *s, int *r, unsigned int f), (d, s, r, f))
SEAM(int, virDomainGetInfo, (virDomainPtr d, virDomainInfoPtr i), (d, i))
SEAM(char *, virDomainGetXMLDesc, (virDomainPtr d, unsigned int f), (d, f))
SEAM(int, virDomainIsPersistent, (virDomainPtr d), (d))
SEAM(int, virDomainIsActive, (virDomainPtr d), (d))
SEAM(int, virDomainGetAutostart, (virDomainPtr d, int *a), (d, a))
SEAM(virDomainPtr, virDomainLookupByUUIDString, (virConnectPtr c, const char *u), (c, u))
SEAM(int, virDomainInterfaceAddresses,
     (virDomainPtr d, virDomainInterfacePtr **i, unsigned int s, unsigned int f), (d, i, s, f))
SEAM(int, virConnectListAllDomains, (virConnectPtr c, virDomainPtr **d, unsigned int f), (c, d, f))
SEAM(int, virConnectGetAllDomainStats,
     (virConnectPtr c, unsigned int s, virDomainStatsRecordPtr **r, unsigned int f), (c, s, r, f))
SEAM(int, virDomainListGetStats,
     (virDomainPtr * d, unsigned int s, virDomainStatsRecordPtr **r, unsigned int f), (d, s, r, f))
SEAM(int, virConnectListAllNetworks, (virConnectPtr c, virNetworkPtr **n, unsigned int f),
     (c, n, f))
SEAM(int, virConnectListAllStoragePools, (virConnectPtr c, virStoragePoolPtr **p, unsigned int f),
     (c, p, f))
SEAM(int, virNodeGetInfo, (virConnectPtr c, virNodeInfoPtr i), (c, i))
SEAM(char *, virNetworkGetXMLDesc, (virNetworkPtr n, unsigned int f), (n, f))
SEAM(int, virNetworkIsActive, (virNetworkPtr n), (n))
SEAM(int, virNetworkIsPersistent, (virNetworkPtr n), (n))
SEAM(int, virNetworkGetAutostart, (virNetworkPtr n, int *a), (n, a))
SEAM(virNetworkPtr, virNetworkLookupByName, (virConnectPtr c, const char *n), (c, n))
SEAM(char *, virStoragePoolGetXMLDesc, (virStoragePoolPtr p, unsigned int f), (p, f))
SEAM(int, virStoragePoolGetInfo, (virStoragePoolPtr p, virStoragePoolInfoPtr i), (p, i))
SEAM(int, virStoragePoolIsActive, (virStoragePoolPtr p), (p))
SEAM(int, virStoragePoolIsPersistent, (virStoragePoolPtr p), (p))
SEAM(int, virStoragePoolGetAutostart, (virStoragePoolPtr p, int *a), (p, a))
SEAM(virStoragePoolPtr, virStoragePoolLookupByName, (virConnectPtr c, const char *n), (c, n))
SEAM(int, virStoragePoolListAllVolumes, (virStoragePoolPtr p, virStorageVolPtr **v, unsigned int f),
     (p, v, f))

/* ---- what the callbacks saw ---------------------------------------------------------- */

struct seen {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int up, down;                            /* on_host_state(true / false) calls */
    struct virt_conn_event *raw[MAX_EVENTS]; /* owned; from virt-events */
    struct json_object *events[MAX_EVENTS];  /* owned; built by the test thread */
    int n_events;
    int n_resources; /* on_resource_event calls */
    int next;        /* first event not yet taken by the test */
};

static struct seen seen;

static void on_host_state(void *ctx, bool connected)
{
    struct seen *s = ctx;

    pthread_mutex_lock(&s->lock);
    if (connected)
        s->up++;
    else
        s->down++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void on_domain_event(void *ctx, struct virt_conn_event *ev)
{
    struct seen *s = ctx;

    pthread_mutex_lock(&s->lock);
    if (s->n_events < MAX_EVENTS)
        s->raw[s->n_events++] = ev;
    else
        virt_conn_event_free(ev);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void on_resource_event(void *ctx, struct json_object *msg)
{
    struct seen *s = ctx;

    json_object_put(msg);
    pthread_mutex_lock(&s->lock);
    s->n_resources++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static const struct virt_conn_callbacks callbacks = {
    .on_host_state = on_host_state,
    .on_domain_event = on_domain_event,
    .on_resource_event = on_resource_event,
    .ctx = &seen,
};

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* The message of the next event not yet taken, built here as a worker would (borrowed;
 * freed at teardown), or NULL after ms. */
static struct json_object *next_event(int ms)
{
    struct timespec deadline;
    struct virt_conn_event *ev = NULL;
    int i = -1;

    deadline_in(&deadline, ms);
    pthread_mutex_lock(&seen.lock);
    while (seen.next >= seen.n_events) {
        if (pthread_cond_timedwait(&seen.cond, &seen.lock, &deadline) != 0)
            break;
    }
    if (seen.next < seen.n_events) {
        i = seen.next++;
        ev = seen.raw[i];
    }
    pthread_mutex_unlock(&seen.lock);
    if (!ev)
        return NULL;
    seen.events[i] = virt_conn_event_message(ev);
    return seen.events[i];
}

/* Waits until *counter reaches want; returns the value seen. */
static int wait_count(const int *counter, int want, int ms)
{
    struct timespec deadline;
    int v;

    deadline_in(&deadline, ms);
    pthread_mutex_lock(&seen.lock);
    while (*counter < want) {
        if (pthread_cond_timedwait(&seen.cond, &seen.lock, &deadline) != 0)
            break;
    }
    v = *counter;
    pthread_mutex_unlock(&seen.lock);
    return v;
}

static const char *str(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    return json_object_get_string(v);
}

static int setup(void **state)
{
    atomic_store(&seam_on_events, 0);
    atomic_store(&seam_elsewhere, 0);
    atomic_store(&seam_bad, NULL);
    memset(&seen, 0, sizeof(seen));
    pthread_mutex_init(&seen.lock, NULL);
    pthread_cond_init(&seen.cond, NULL);
    return 0;
}

static int teardown(void **state)
{
    int i;

    for (i = 0; i < seen.n_events; i++) {
        json_object_put(seen.events[i]);
        virt_conn_event_free(seen.raw[i]);
    }
    /* Nothing but posting ran on libvirt's event thread. */
    if (atomic_load(&seam_on_events) != 0)
        fail_msg("%s ran on virt-events", atomic_load(&seam_bad));
    pthread_cond_destroy(&seen.cond);
    pthread_mutex_destroy(&seen.lock);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_connect_and_lifecycle_event(void **state)
{
    struct virt_conn *vc = virt_conn_new("test:///default", &callbacks);
    struct json_object *msg, *domain;
    virConnectPtr conn;
    virDomainPtr dom;
    int64_t t0;

    assert_non_null(vc);
    assert_string_equal(virt_conn_uri(vc), "test:///default");
    assert_true(virt_conn_wait_connected(vc, 5000));
    assert_true(virt_conn_is_connected(vc));
    assert_int_equal(wait_count(&seen.up, 1, 2000), 1);

    conn = virt_conn_get(vc);
    assert_non_null(conn);
    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    assert_non_null(dom);

    t0 = clock_mono_ms();
    assert_int_equal(virDomainSuspend(dom), 0);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_true(clock_mono_ms() - t0 < EVENT_TIMEOUT_MS);
    assert_string_equal(str(msg, "type"), "domain");
    assert_string_equal(str(msg, "event"), "suspended");
    assert_string_equal(str(msg, "detail"), "paused");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_string_equal(str(domain, "uuid"), TEST_UUID);
    assert_string_equal(str(domain, "name"), "test");
    assert_string_equal(str(domain, "state"), "paused");
    assert_string_equal(str(domain, "reason"), "user");
    assert_string_equal(str(domain, "os_type"), "hvm");
    /* The summary's libvirt calls went through the seams, on this thread. */
    assert_true(atomic_load(&seam_elsewhere) > 0);

    assert_int_equal(virDomainResume(dom), 0);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "resumed");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_string_equal(str(domain, "state"), "running");

    virDomainFree(dom);
    virConnectClose(conn);
    virt_conn_free(vc);
    /* A clean stop is not a disconnect. */
    assert_int_equal(seen.down, 0);
}

/* "undefined" carries only uuid and name; a transient domain that stops is gone,
 * and is reported as undefined too. */
static void test_defined_undefined_and_transient(void **state)
{
    static const char *const xml =
        "<domain type='test'><name>%s</name><uuid>%s</uuid>"
        "<memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os>"
        "<devices><graphics type='vnc' port='-1' autoport='yes'/></devices></domain>";
    const char *uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";
    const char *tuuid = "0f0e0d0c-0b0a-4908-8706-0504030201ff";
    struct virt_conn *vc = virt_conn_new("test:///default", &callbacks);
    struct json_object *msg, *domain;
    virConnectPtr conn;
    virDomainPtr dom;
    char buf[512];

    assert_non_null(vc);
    assert_true(virt_conn_wait_connected(vc, 5000));
    conn = virt_conn_get(vc);
    assert_non_null(conn);

    snprintf(buf, sizeof(buf), xml, "ephemeral", uuid);
    dom = virDomainDefineXML(conn, buf);
    assert_non_null(dom);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "defined");
    assert_string_equal(str(msg, "detail"), "added");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_string_equal(str(domain, "state"), "shutoff");
    assert_true(json_object_get_boolean(json_object_object_get(domain, "has_vnc")));

    assert_int_equal(virDomainUndefine(dom), 0);
    virDomainFree(dom);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "undefined");
    assert_string_equal(str(msg, "detail"), "removed");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_int_equal(json_object_object_length(domain), 2);
    assert_string_equal(str(domain, "uuid"), uuid);
    assert_string_equal(str(domain, "name"), "ephemeral");

    snprintf(buf, sizeof(buf), xml, "transient", tuuid);
    dom = virDomainCreateXML(conn, buf, 0);
    assert_non_null(dom);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "started");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_false(json_object_get_boolean(json_object_object_get(domain, "persistent")));
    assert_int_equal(virDomainDestroy(dom), 0);
    virDomainFree(dom);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "undefined");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_string_equal(str(domain, "uuid"), tuuid);
    assert_string_equal(str(domain, "name"), "transient");

    virConnectClose(conn);
    virt_conn_free(vc);
}

/* When libvirt reports the connection closed: on_host_state(false), the connection is
 * withdrawn, and a new one is opened after the first backoff step (0.5 s); events flow
 * on the new connection. */
static void test_reconnect_after_close(void **state)
{
    struct virt_conn *vc = virt_conn_new("test:///default", &callbacks);
    virConnectCloseFunc cb;
    void *opaque;
    virConnectPtr first, second, closed_conn;
    virDomainPtr dom;
    struct json_object *msg;
    int64_t t0;

    assert_non_null(vc);
    assert_true(virt_conn_wait_connected(vc, 5000));
    assert_int_equal(wait_count(&seen.up, 1, 2000), 1);
    first = virt_conn_get(vc);
    assert_non_null(first);

    pthread_mutex_lock(&seam_lock);
    cb = seam_close_cb;
    opaque = seam_close_opaque;
    closed_conn = seam_close_conn;
    pthread_mutex_unlock(&seam_lock);
    assert_non_null(cb);
    assert_ptr_equal(closed_conn, first);

    t0 = clock_mono_ms();
    cb(closed_conn, VIR_CONNECT_CLOSE_REASON_EOF, opaque);
    assert_int_equal(wait_count(&seen.down, 1, 2000), 1);
    assert_int_equal(wait_count(&seen.up, 2, 3000), 2);
    assert_true(clock_mono_ms() - t0 >= 450);
    assert_true(virt_conn_is_connected(vc));
    second = virt_conn_get(vc);
    assert_non_null(second);
    assert_ptr_not_equal(second, first);

    dom = virDomainLookupByUUIDString(second, TEST_UUID);
    assert_non_null(dom);
    assert_int_equal(virDomainSuspend(dom), 0);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "suspended");
    /* Exactly one subscription: the old connection's was removed. */
    assert_null(next_event(300));

    virDomainFree(dom);
    virConnectClose(second);
    virConnectClose(first);
    virt_conn_free(vc);
}

/* Network and pool lifecycle events reach on_resource_event; their callbacks, like the
 * domain one, make no RPC on virt-events (checked at teardown). */
/* A virt_conn on test:///default, connected; *conn_out is a reference to its connection. */
static struct virt_conn *connect_default(virConnectPtr *conn_out)
{
    struct virt_conn *vc = virt_conn_new("test:///default", &callbacks);

    assert_non_null(vc);
    assert_true(virt_conn_wait_connected(vc, 5000));
    *conn_out = virt_conn_get(vc);
    assert_non_null(*conn_out);
    return vc;
}

static void test_network_and_pool_events(void **state)
{
    virConnectPtr conn;
    struct virt_conn *vc = connect_default(&conn);
    virNetworkPtr net;
    virStoragePoolPtr pool;

    net = virNetworkLookupByName(conn, "default");
    assert_non_null(net);
    assert_int_equal(virNetworkDestroy(net), 0);
    assert_int_equal(virNetworkCreate(net), 0);
    assert_int_equal(wait_count(&seen.n_resources, 2, EVENT_TIMEOUT_MS), 2);
    pool = virStoragePoolLookupByName(conn, "default-pool");
    assert_non_null(pool);
    assert_int_equal(virStoragePoolDestroy(pool), 0);
    assert_int_equal(virStoragePoolCreate(pool, 0), 0);
    assert_int_equal(wait_count(&seen.n_resources, 4, EVENT_TIMEOUT_MS), 4);

    virStoragePoolFree(pool);
    virNetworkFree(net);
    virConnectClose(conn);
    virt_conn_free(vc);
}

/* A title set by anyone (here: libvirt directly, as virsh would) is a "metadata" event
 * whose domain carries the new title: the cached summary was forgotten on virt-events. */
static void test_metadata_event(void **state)
{
    virConnectPtr conn;
    struct virt_conn *vc = connect_default(&conn);
    struct json_object *msg, *domain;
    virDomainPtr dom;

    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    assert_non_null(dom);
    assert_int_equal(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "中文标题", NULL, NULL,
                                          VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG),
                     0);
    msg = next_event(EVENT_TIMEOUT_MS);
    assert_non_null(msg);
    assert_string_equal(str(msg, "event"), "metadata");
    assert_string_equal(str(msg, "detail"), "title");
    assert_true(json_object_object_get_ex(msg, "domain", &domain));
    assert_string_equal(str(domain, "uuid"), TEST_UUID);
    assert_string_equal(str(domain, "title"), "中文标题");
    assert_string_equal(str(domain, "state"), "running");

    virDomainFree(dom);
    virConnectClose(conn);
    virt_conn_free(vc);
}

/* A URI that cannot be opened: not connected, no reference handed out, and stopping
 * does not wait for the backoff to run out. */
static void test_unreachable_uri(void **state)
{
    struct virt_conn *vc =
        virt_conn_new("test:///nonexistent/virtdeck-no-such-file.xml", &callbacks);
    int64_t t0;

    assert_non_null(vc);
    assert_false(virt_conn_wait_connected(vc, 1200)); /* two attempts by now */
    assert_false(virt_conn_is_connected(vc));
    assert_null(virt_conn_get(vc));
    t0 = clock_mono_ms();
    virt_conn_free(vc);
    assert_true(clock_mono_ms() - t0 < 400);
    assert_int_equal(seen.up, 0);
    assert_int_equal(seen.down, 0);
}

static void test_free_null_and_no_callbacks(void **state)
{
    struct virt_conn *vc;

    virt_conn_free(NULL);
    vc = virt_conn_new("test:///default", NULL);
    assert_non_null(vc);
    assert_true(virt_conn_wait_connected(vc, 5000));
    virt_conn_free(vc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connect_and_lifecycle_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defined_undefined_and_transient, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_after_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_and_pool_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_uri, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_null_and_no_callbacks, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
