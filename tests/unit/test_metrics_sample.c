/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_metrics_sample: server/metrics/metrics_sample.c — a new sample's absent figures
 * (NAN), the lookup of a domain by UUID in the sorted array, the reference count (the
 * last unref frees every owned part: run under ASan/valgrind this catches leaks and
 * double frees), and metrics_latest (put takes the reference, get gives a new one).
 * Single thread but for the metrics_latest race test. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/metrics_sample.h"
#include "util/xalloc.h"

/* A sample of n domains whose UUIDs are uuids[] (in that order: the caller sorts them),
 * each with one vCPU, one disk and one NIC (owned parts to free). */
static struct metrics_sample *sample_of(const char *const *uuids, size_t n)
{
    struct metrics_sample *s = metrics_sample_new();

    s->domains = xcalloc(n + 1, sizeof(*s->domains));
    for (size_t i = 0; i < n; i++) {
        struct metrics_domain *d = &s->domains[i];

        snprintf(d->uuid, sizeof(d->uuid), "%s", uuids[i]);
        d->name = xasprintf("vm%zu", i);
        d->vcpu_count = 1;
        d->vcpus = xcalloc(1, sizeof(*d->vcpus));
        d->disk_count = 1;
        d->disks = xcalloc(1, sizeof(*d->disks));
        d->disks[0].name = xstrdup("vda");
        d->nic_count = 1;
        d->nics = xcalloc(1, sizeof(*d->nics));
        d->nics[0].name = xstrdup("vnet0");
    }
    s->domain_count = n;
    s->pool_count = 1;
    s->pools = xcalloc(1, sizeof(*s->pools));
    s->pools[0].name = xstrdup("default");
    s->network_count = 1;
    s->networks = xcalloc(1, sizeof(*s->networks));
    s->networks[0].name = xstrdup("default");
    return s;
}

static void test_new_is_empty(void **state)
{
    struct metrics_sample *s = metrics_sample_new();

    assert_int_equal(atomic_load(&s->refs), 1);
    assert_int_equal(s->domain_count, 0);
    assert_false(s->connected);
    assert_true(isnan(s->host.cpu_percent));
    assert_true(isnan(s->host.load1) && isnan(s->host.load5) && isnan(s->host.load15));
    assert_false(s->host.has_memory);
    assert_null(metrics_sample_domain(s, "00000000-0000-0000-0000-000000000000"));
    assert_null(metrics_sample_domain(NULL, "x"));
    metrics_sample_unref(s);
    metrics_sample_unref(NULL);
}

static void test_domain_lookup(void **state)
{
    static const char *const uuids[] = {
        "10000000-0000-0000-0000-000000000000", "3a000000-0000-0000-0000-000000000000",
        "3b000000-0000-0000-0000-000000000000", "c0000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff"};
    struct metrics_sample *s = sample_of(uuids, 5);

    for (size_t i = 0; i < 5; i++) {
        const struct metrics_domain *d = metrics_sample_domain(s, uuids[i]);

        assert_non_null(d);
        assert_ptr_equal(d, &s->domains[i]);
        assert_string_equal(d->uuid, uuids[i]);
    }
    assert_null(metrics_sample_domain(s, "00000000-0000-0000-0000-000000000000"));
    assert_null(metrics_sample_domain(s, "3a000000-0000-0000-0000-000000000001"));
    assert_null(metrics_sample_domain(s, "fffffffff"));
    metrics_sample_unref(s);
}

static void test_refcount(void **state)
{
    static const char *const uuids[] = {"10000000-0000-0000-0000-000000000000"};
    struct metrics_sample *s = sample_of(uuids, 1);

    assert_ptr_equal(metrics_sample_ref(s), s);
    assert_ptr_equal(metrics_sample_ref(s), s);
    assert_int_equal(atomic_load(&s->refs), 3);
    metrics_sample_unref(s);
    metrics_sample_unref(s);
    /* still alive: one reference left */
    assert_int_equal(atomic_load(&s->refs), 1);
    assert_string_equal(s->domains[0].disks[0].name, "vda");
    metrics_sample_unref(s); /* frees every owned part (ASan: no leak) */
}

static void test_latest(void **state)
{
    struct metrics_latest latest;
    struct metrics_sample *a = metrics_sample_new(), *b = metrics_sample_new(), *got;

    metrics_latest_init(&latest);
    assert_null(metrics_latest_get(&latest));
    a->at_ms = 1;
    b->at_ms = 2;
    metrics_latest_put(&latest, metrics_sample_ref(a));
    got = metrics_latest_get(&latest);
    assert_ptr_equal(got, a);
    assert_int_equal(atomic_load(&a->refs), 3); /* ours, latest's, got */
    metrics_latest_put(&latest, b);             /* takes our reference to b; drops latest's a */
    assert_int_equal(atomic_load(&a->refs), 2);
    metrics_sample_unref(got);
    got = metrics_latest_get(&latest);
    assert_int_equal(got->at_ms, 2);
    metrics_sample_unref(got);
    metrics_sample_unref(a);
    metrics_latest_destroy(&latest); /* drops b */
}

/* Readers on other threads keep their reference while the writer replaces the sample. */
struct race {
    struct metrics_latest *latest;
    int bad;
};

static void *race_reader(void *opaque)
{
    struct race *r = opaque;

    for (int i = 0; i < 20000; i++) {
        struct metrics_sample *s = metrics_latest_get(r->latest);

        if (s && (s->domain_count != 1 || strcmp(s->domains[0].name, "vm0") != 0))
            r->bad++;
        metrics_sample_unref(s);
    }
    return NULL;
}

static void test_latest_threads(void **state)
{
    static const char *const uuids[] = {"10000000-0000-0000-0000-000000000000"};
    struct metrics_latest latest;
    struct race r = {&latest, 0};
    pthread_t t[2];

    metrics_latest_init(&latest);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race_reader, &r), 0);
    for (int i = 0; i < 5000; i++)
        metrics_latest_put(&latest, sample_of(uuids, 1));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(r.bad, 0);
    metrics_latest_destroy(&latest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_is_empty),   cmocka_unit_test(test_domain_lookup),
        cmocka_unit_test(test_refcount),       cmocka_unit_test(test_latest),
        cmocka_unit_test(test_latest_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
