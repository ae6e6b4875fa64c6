/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_metrics_lifecycle: server/metrics/metrics_lifecycle.c — which lifecycle events
 * count as a start or a stop, the stop's detail, forgetting an undefined domain, the
 * bound on entries, and writers on several threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "metrics/metrics_lifecycle.h"

#define UUID_A "aaaaaaaa-0000-0000-0000-000000000000"
#define UUID_B "bbbbbbbb-0000-0000-0000-000000000000"

static void test_start_stop(void **state)
{
    struct metrics_lifecycle *t = metrics_lifecycle_new();
    struct metrics_lifecycle_entry e;

    assert_false(metrics_lifecycle_get(t, UUID_A, &e));
    assert_int_equal(e.started_ms, 0);
    assert_int_equal(e.stopped_ms, 0);
    assert_int_equal(e.stop_detail, -1);

    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
                             1000);
    assert_true(metrics_lifecycle_get(t, UUID_A, &e));
    assert_string_equal(e.uuid, UUID_A);
    assert_int_equal(e.started_ms, 1000);
    assert_int_equal(e.stopped_ms, 0);
    assert_false(metrics_lifecycle_get(t, UUID_B, &e));

    /* a pause and a plain resume are no start or stop; an incoming migration is a start */
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_SUSPENDED, 0, 2000);
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
                             3000);
    assert_true(metrics_lifecycle_get(t, UUID_A, &e));
    assert_int_equal(e.started_ms, 1000);
    metrics_lifecycle_record(t, UUID_B, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED,
                             3500);
    assert_true(metrics_lifecycle_get(t, UUID_B, &e));
    assert_int_equal(e.started_ms, 3500);

    /* a crash: its stop time and detail; the start stays */
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED,
                             4000);
    assert_true(metrics_lifecycle_get(t, UUID_A, &e));
    assert_int_equal(e.started_ms, 1000);
    assert_int_equal(e.stopped_ms, 4000);
    assert_int_equal(e.stop_detail, VIR_DOMAIN_EVENT_STOPPED_CRASHED);
    /* started again: the last stop is kept for the alerts */
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
                             5000);
    assert_true(metrics_lifecycle_get(t, UUID_A, &e));
    assert_int_equal(e.started_ms, 5000);
    assert_int_equal(e.stopped_ms, 4000);

    /* undefined: forgotten; other domains untouched */
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_UNDEFINED, 0, 6000);
    assert_false(metrics_lifecycle_get(t, UUID_A, &e));
    assert_true(metrics_lifecycle_get(t, UUID_B, &e));
    /* events that are neither make no entry */
    metrics_lifecycle_record(t, UUID_A, VIR_DOMAIN_EVENT_DEFINED, 0, 7000);
    assert_false(metrics_lifecycle_get(t, UUID_A, &e));

    metrics_lifecycle_record(NULL, UUID_A, VIR_DOMAIN_EVENT_STARTED, 0, 1);
    assert_false(metrics_lifecycle_get(NULL, UUID_A, &e));
    metrics_lifecycle_free(t);
    metrics_lifecycle_free(NULL);
}

/* Full: the entry touched longest ago makes room. */
static void test_bound(void **state)
{
    struct metrics_lifecycle *t = metrics_lifecycle_new();
    struct metrics_lifecycle_entry e;
    char uuid[37];

    for (unsigned i = 0; i < METRICS_LIFECYCLE_MAX; i++) {
        snprintf(uuid, sizeof(uuid), "%08x-0000-0000-0000-000000000000", i);
        metrics_lifecycle_record(t, uuid, VIR_DOMAIN_EVENT_STARTED, 0, 1 + i);
    }
    /* touch #0 again so #1 is the oldest */
    metrics_lifecycle_record(t, "00000000-0000-0000-0000-000000000000", VIR_DOMAIN_EVENT_STOPPED, 0,
                             99);
    metrics_lifecycle_record(t, "ffffffff-0000-0000-0000-000000000000", VIR_DOMAIN_EVENT_STARTED, 0,
                             123);
    assert_true(metrics_lifecycle_get(t, "ffffffff-0000-0000-0000-000000000000", &e));
    assert_int_equal(e.started_ms, 123);
    assert_true(metrics_lifecycle_get(t, "00000000-0000-0000-0000-000000000000", &e));
    assert_false(metrics_lifecycle_get(t, "00000001-0000-0000-0000-000000000000", &e));
    assert_true(metrics_lifecycle_get(t, "00000002-0000-0000-0000-000000000000", &e));
    assert_int_equal(e.started_ms, 3);
    metrics_lifecycle_free(t);
}

struct writer {
    struct metrics_lifecycle *t;
    unsigned base;
};

static void *writer_run(void *opaque)
{
    struct writer *w = opaque;
    char uuid[37];

    for (unsigned i = 0; i < 500; i++) {
        snprintf(uuid, sizeof(uuid), "%08x-0000-0000-0000-000000000000", w->base + i);
        metrics_lifecycle_record(w->t, uuid, VIR_DOMAIN_EVENT_STARTED, 0, w->base + i);
        metrics_lifecycle_record(w->t, uuid, VIR_DOMAIN_EVENT_STOPPED, 2, w->base + i + 1);
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct metrics_lifecycle *t = metrics_lifecycle_new();
    struct writer w[4];
    pthread_t th[4];
    struct metrics_lifecycle_entry e;
    char uuid[37];

    for (unsigned i = 0; i < 4; i++) {
        w[i] = (struct writer){t, i * 10000};
        assert_int_equal(pthread_create(&th[i], NULL, writer_run, &w[i]), 0);
    }
    for (unsigned i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 500; j++) {
            snprintf(uuid, sizeof(uuid), "%08x-0000-0000-0000-000000000000", i * 10000 + j);
            assert_true(metrics_lifecycle_get(t, uuid, &e));
            assert_int_equal(e.started_ms, i * 10000 + j);
            assert_int_equal(e.stopped_ms, i * 10000 + j + 1);
            assert_int_equal(e.stop_detail, 2);
        }
    metrics_lifecycle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_stop),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
